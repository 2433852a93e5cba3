/*
 * GET /_mock/health: readiness for CI and Docker (always open, even with an admin
 * token, so that probes need no secret).
 */
#include "control/control.h"

#include <stdio.h>

void handle_health_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    (void)app;
    (void)req;
    char body[128];
    snprintf(body, sizeof(body), "{\"status\":\"ready\",\"version\":\"%s\"}",
             CAMPAIGN_MOCK_VERSION);
    reply_json(rep, 200, body);
}
