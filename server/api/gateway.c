/*
 * Gateway bodies and the authentication check in front of the Campaign routes.
 */
#include "api/gateway.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "fixtures/clients.h"
#include "store/store_auth.h"

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

/* Campaign's answer to a trigger by a client without the SQL function execution role.
 * Adobe documents the requirement, not the body: this one is assumed (fidelity
 * ledger), in the {"code","message"} envelope of Adobe's other error bodies, carrying
 * Campaign's generic RST-360011 text. */
static const char sql_role_body[] =
    "{\"code\":403,\"message\":\"Access denied: the role 'SQL function execution' (sql) is "
    "required to trigger data ingestion. RST-360011 An error has occurred - please contact your "
    "administrator.\"}";

/* The client a bearer token stands for under --auth strict: a token listed in a fixture
 * client's accessTokens (never expires), or one the emulated IMS issued and that has not
 * expired on the server clock. NULL when neither; *why says which, for the log line. */
static const cJSON *strict_client(struct app *app, struct store *st, const char *token,
                                  const char **why)
{
    const cJSON *c = fixtures_client_find_by_token(app->fixtures.clients, token);
    if (c)
        return c;
    struct store_token t;
    int rc = store_token_get(st, token, &t);
    if (rc < 0) {
        *why = rc == STORE_NOTFOUND ? "unknown token" : "token lookup failed";
        return NULL;
    }
    if (clock_now_ms(&app->clock) >= t.expires_ms) {
        *why = "expired token (on the server clock)";
        return NULL;
    }
    c = fixtures_client_find(app->fixtures.clients, t.client_id);
    if (!c)
        *why = "token of a client no longer in the fixtures";
    return c;
}

/* Why a token was refused, for the client: Adobe's 401013 body stays verbatim and this
 * goes in an X-Mock-Reason header. An unknown token is most often a client's cached
 * one (aio-lib-ims keeps them 24 h) from an earlier run on :memory:. */
static const char *refusal_reason(const struct app *app, const char *why)
{
    if (strcmp(why, "unknown token") != 0)
        return why;
    if (strcmp(app->cfg->db, ":memory:") == 0)
        return "the token is unknown to this server, which runs on --db :memory: and so "
               "keeps no token across a restart (a client's cached token from an earlier "
               "run?): get a new token, or keep tokens with --db FILE";
    return "the token is unknown to this server: it did not issue it, or evicted it "
           "(--tokens-max)";
}

/* --auth strict: token, API key, tenant, then the trigger's role. */
static int authorize_strict(struct app *app, struct store *st, const struct http_request *req,
                            const char *tenant, int needs_sql_role, struct reply *rep)
{
    const char *token = bearer_token(req);
    const char *why = "no bearer token";
    const cJSON *client = token ? strict_client(app, st, token, &why) : NULL;
    if (!client) {
        gateway_reply(rep, GATEWAY_401013);
        reply_header_add(rep, "X-Mock-Reason", refusal_reason(app, why));
        snprintf(rep->note, sizeof(rep->note), "gateway 401013 (%s)", why);
        return -1;
    }
    const char *client_id = fixtures_client_string(client, "clientId");
    const char *key = http_request_header(req, "X-Api-Key");
    if (!key || strcmp(key, client_id) != 0) {
        gateway_reply(rep, GATEWAY_403003);
        snprintf(rep->note, sizeof(rep->note),
                 "gateway 403003 (X-Api-Key is not the token's "
                 "client id)");
        return -1;
    }
    if (!fixtures_client_allows_tenant(client, tenant)) {
        gateway_reply(rep, GATEWAY_403023);
        snprintf(rep->note, sizeof(rep->note), "gateway 403023 (client %.48s not allowed on %.48s)",
                 client_id, tenant);
        return -1;
    }
    if (needs_sql_role && !fixtures_client_has_role(client, CLIENT_ROLE_SQL)) {
        reply_json(rep, 403, sql_role_body);
        snprintf(rep->note, sizeof(rep->note), "client %.64s lacks the sql role", client_id);
        return -1;
    }
    return 0;
}

int gateway_authorize(struct app *app, struct store *st, const struct http_request *req,
                      const char *tenant, int needs_sql_role, struct reply *rep)
{
    if (app->cfg->auth == AUTH_OFF)
        return 0;
    if (app->cfg->auth == AUTH_STRICT)
        return authorize_strict(app, st, req, tenant, needs_sql_role, rep);
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
