/*
 * Emulated Adobe IMS: POST /ims/token/v3 (OAuth server-to-server, client_credentials)
 * and POST /ims/exchange/jwt (legacy JWT exchange).
 */
#ifndef CAMPAIGN_IMS_H
#define CAMPAIGN_IMS_H

#include "app.h"
#include "http/reply.h"
#include "http/router.h"

void handle_ims_token_post(struct app *app, const struct http_request *req, struct reply *rep);
void handle_ims_jwt_post(struct app *app, const struct http_request *req, struct reply *rep);

#endif
