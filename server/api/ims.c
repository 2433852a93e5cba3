/*
 * Placeholder until the IMS emulation lands: both endpoints answer 501.
 */
#include "api/ims.h"

#include "errors.h"

void handle_ims_token_post(struct app *app, const struct http_request *req, struct reply *rep)
{
    (void)app;
    (void)req;
    errors_reply(rep, ERR_INTERNAL, "IMS emulation is not implemented yet");
}

void handle_ims_jwt_post(struct app *app, const struct http_request *req, struct reply *rep)
{
    (void)app;
    (void)req;
    errors_reply(rep, ERR_INTERNAL, "IMS emulation is not implemented yet");
}
