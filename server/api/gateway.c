/*
 * Gateway bodies and the authentication check in front of the Campaign routes.
 */
#include "api/gateway.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"

struct gateway_def {
    const char *name;
    int status;
    const char *body;
};

static const struct gateway_def defs[GATEWAY_COUNT] = {
    [GATEWAY_401013] = {"401013", 401,
                        "{\"error_code\":\"401013\",\"message\":\"Oauth token is not valid\"}"},
    [GATEWAY_403003] = {"403003", 403,
                        "{\"error_code\":\"403003\",\"message\":\"Api Key is invalid\"}"},
    [GATEWAY_403023] = {"403023", 403,
                        "{\"error_code\":\"403023\",\"message\":\"Profile is not valid\"}"},
    [GATEWAY_429050] = {"429050", 429,
                        "{\"error_code\":\"429050\",\"message\":\"Too many requests\"}"},
    [GATEWAY_500] = {"500", 500,
                     "{\"code\":500,\"message\":\"Oops. Something went wrong. Check your URI "
                     "and try again.\"}"},
    [GATEWAY_502] = {"502", 502,
                     "{\"code\":502,\"message\":\"Oops. Something went wrong. Check your URI "
                     "and try again.\"}"},
    [GATEWAY_503] = {"503", 503, "{\"code\":503,\"message\":\"Service Unavailable\"}"},
};

int gateway_error_parse(enum gateway_error *out, const char *name)
{
    for (int i = 0; i < GATEWAY_COUNT; i++) {
        if (strcmp(defs[i].name, name) == 0) {
            *out = (enum gateway_error)i;
            return 0;
        }
    }
    return -1;
}

void gateway_reply(struct reply *r, enum gateway_error e)
{
    reply_json(r, defs[e].status, defs[e].body);
    /* Adobe does not document a value; one second keeps retrying clients fast. */
    if (e == GATEWAY_429050)
        reply_header_add(r, "Retry-After", "1");
    snprintf(r->note, sizeof(r->note), "gateway %s", defs[e].name);
}

/* The token of "Authorization: Bearer <token>", or NULL. */
static const char *bearer_token(const struct http_request *req)
{
    const char *h = http_request_header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

int gateway_authorize(struct app *app, const struct http_request *req, const char *tenant,
                      int needs_sql_role, struct reply *rep)
{
    (void)tenant;
    (void)needs_sql_role;
    if (app->cfg->auth == AUTH_OFF)
        return 0;
    if (!bearer_token(req)) {
        gateway_reply(rep, GATEWAY_401013);
        return -1;
    }
    const char *key = http_request_header(req, "X-Api-Key");
    if (!key || !*key) {
        gateway_reply(rep, GATEWAY_403003);
        return -1;
    }
    return 0;
}
