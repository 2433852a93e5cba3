/*
 * The assumed behaviours of the fidelity ledger (Adobe is silent, we chose): the
 * status and error_code of each mistake a client can make on the trigger and status
 * endpoints, routing errors (404, 405 + Allow), and the gateway's --auth presence
 * answers, which are Adobe's documented bodies.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static void expect_query(const struct server *s, const char *query, long status, const char *code,
                         const char *part)
{
    struct response r;
    poll_raw(&r, s, "acme", "XDM98", query, NULL, 0);
    CHECK_ERROR(&r, status, code, part);
    response_free(&r);
}

static void expect_body(const struct server *s, const char *body, long status, const char *code,
                        const char *part)
{
    struct response r;
    poll_raw(&r, s, "acme", "XDM98", "", body, -1);
    CHECK_ERROR(&r, status, code, part);
    response_free(&r);
}

static void test_lookups(const struct server *s)
{
    struct response r;
    /* Tenant names outside [A-Za-z0-9@._-] never exist, even with a template. */
    trigger(&r, s, "bad!name", "XDM44");
    CHECK_ERROR(&r, 404, "unknown_tenant", "bad!name");
    response_free(&r);
    poll_status(&r, s, "bad!name", "XDM44", 3520);
    CHECK_ERROR(&r, 404, "unknown_tenant", "bad!name");
    response_free(&r);

    trigger(&r, s, "acme", "NOPE");
    CHECK_ERROR(&r, 404, "unknown_mapping", "NOPE");
    CHECK(strstr(r.body, "acme") != NULL, "names the tenant: %s", r.body);
    response_free(&r);
    poll_status(&r, s, "acme", "NOPE", 3520);
    CHECK_ERROR(&r, 404, "unknown_mapping", "NOPE");
    response_free(&r);
    /* acme is declared, so the template's XDM1 is not one of its mappings. */
    trigger(&r, s, "acme", "XDM1");
    CHECK_ERROR(&r, 404, "unknown_mapping", "XDM1");
    response_free(&r);
    /* Mapping ids are case-sensitive. */
    trigger(&r, s, "acme", "xdm44");
    CHECK_ERROR(&r, 404, "unknown_mapping", "xdm44");
    response_free(&r);
}

static void test_request_ids(const struct server *s)
{
    /* 3520 hangs on XDM98, 3521 waits for one poll on XDM44. */
    struct response r;
    trigger(&r, s, "acme", "XDM98");
    CHECK_INT(body_request_id(r.body), 3520);
    response_free(&r);
    trigger(&r, s, "acme", "XDM44");
    CHECK_INT(body_request_id(r.body), 3521);
    response_free(&r);

    expect_query(s, "", 400, "missing_request_id", "requestId");
    expect_body(s, "", 400, "missing_request_id", "requestId");
    expect_body(s, " \r\n\t ", 400, "missing_request_id", "requestId");
    expect_body(s, "{}", 400, "missing_request_id", "requestId");
    expect_body(s, "{\"requestid\": 3520}", 400, "missing_request_id", "requestId");
    expect_query(s, "?requestid=3520", 400, "missing_request_id", "requestId");

    expect_query(s, "?requestId=", 400, "invalid_request_id", "empty");
    expect_query(s, "?requestId", 400, "invalid_request_id", "empty");
    expect_query(s, "?requestId=abc", 400, "invalid_request_id", "\"abc\"");
    expect_query(s, "?requestId=12abc", 400, "invalid_request_id", "\"12abc\"");
    expect_query(s, "?requestId=-3520", 400, "invalid_request_id", "\"-3520\"");
    expect_query(s, "?requestId=%2B3520", 400, "invalid_request_id", "\"+3520\"");
    /* In a query string "+" is a space (form encoding). */
    expect_query(s, "?requestId=+3520", 400, "invalid_request_id", "\" 3520\"");
    expect_query(s, "?requestId=%203520", 400, "invalid_request_id", "not a positive integer");
    expect_query(s, "?requestId=3520.0", 400, "invalid_request_id", "\"3520.0\"");
    expect_body(s, "{\"requestId\": true}", 400, "invalid_request_id", "number");
    expect_body(s, "{\"requestId\": null}", 400, "invalid_request_id", "number");
    expect_body(s, "{\"requestId\": [3520]}", 400, "invalid_request_id", "number");
    expect_body(s, "{\"requestId\": \"abc\"}", 400, "invalid_request_id", "\"abc\"");
    expect_body(s, "{\"requestId\": \"\"}", 400, "invalid_request_id", "empty");

    /* Range: 1 to 2^53. */
    expect_query(s, "?requestId=0", 400, "invalid_request_id", "at least 1");
    expect_query(s, "?requestId=9007199254740993", 400, "invalid_request_id", "out of range");
    expect_body(s, "{\"requestId\": 0}", 400, "invalid_request_id", "0");
    expect_body(s, "{\"requestId\": 9007199254740994}", 400, "invalid_request_id", "out of range");
    expect_body(s, "{\"requestId\": \"9007199254740993\"}", 400, "invalid_request_id",
                "out of range");
    expect_query(s, "?requestId=9007199254740992", 404, "unknown_request", "9007199254740992");
    expect_body(s, "{\"requestId\": 9007199254740992}", 404, "unknown_request", "9007199254740992");

    /* Unknown ids, and ids of another mapping or tenant, are all unknown here. */
    expect_query(s, "?requestId=1", 404, "unknown_request", "requestId 1 ");
    expect_query(s, "?requestId=3522", 404, "unknown_request", "3522");
    poll_raw(&r, s, "acme", "XDM95", "?requestId=3521", NULL, 0);
    CHECK_ERROR(&r, 404, "unknown_request", "3521");
    CHECK(strstr(r.body, "XDM95") != NULL, "names the mapping asked: %s", r.body);
    response_free(&r);
    trigger(&r, s, "other-team", "XDM1");
    CHECK_INT(body_request_id(r.body), 3522);
    response_free(&r);
    poll_status(&r, s, "acme", "XDM1", 3522);
    CHECK_ERROR(&r, 404, "unknown_mapping", "XDM1");
    response_free(&r);
    poll_status(&r, s, "other-team", "XDM1", 3521);
    CHECK_ERROR(&r, 404, "unknown_request", "3521");
    response_free(&r);
    poll_status(&r, s, "other-team-2", "XDM1", 3522);
    CHECK_ERROR(&r, 404, "unknown_request", "3522");
    response_free(&r);

    /* None of those counted as a poll of 3521: its first real poll is In Progress. */
    poll_status(&r, s, "acme", "XDM44", 3521);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"status\": \"In Progress\"") != NULL, "%s", r.body);
    response_free(&r);
}

static void test_post_body_ignored(const struct server *s)
{
    const char *bodies[] = {"garbage{", "{\"requestId\": 1}", "\xff\xfe", "[]"};
    long long expected = 3523;
    for (int i = 0; i < 4; i++) {
        char url[512];
        struct response r;
        char tenant[32];
        snprintf(tenant, sizeof(tenant), "body-%d", i);
        http_call(&r, "POST", ingest_url(s, tenant, "XDM1", url, sizeof(url)), bodies[i], -1,
                  AUTH_HEADERS);
        CHECK_INT(r.status, 200);
        char e[256];
        snprintf(e, sizeof(e),
                 "{\"requestId\": %lld, \"info\": \"Ingestion request submitted successfully for "
                 "the Mapping ID: XDM1\", \"status\": \"Success\"}",
                 expected++);
        CHECK_STR(r.body, e);
        response_free(&r);
    }
}

static void test_routes(const struct server *s)
{
    const char *paths[] = {
        "/nope", /* "/" is the index (test_ui) */
        "/acme/campaign/dataIngestion/xdmIngestion/XDM44",
        "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest/",
        "/acme/campaign/dataIngestion/xdmIngestion//ingest",
        "//campaign/dataIngestion/xdmIngestion/XDM44/ingest",
        "/acme/campaign/dataingestion/xdmIngestion/XDM44/ingest",
        "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest/extra",
        "/_mock/healthz",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        char url[512];
        snprintf(url, sizeof(url), "%s%s", s->base, paths[i]);
        struct response r;
        http_call(&r, "GET", url, NULL, 0, AUTH_HEADERS);
        CHECK_ERROR(&r, 404, "route_not_found", "no route");
        response_free(&r);
    }
    const char *methods[] = {"PUT", "DELETE", "PATCH", "OPTIONS"};
    for (int i = 0; i < 4; i++) {
        char url[512];
        struct response r;
        http_call(&r, methods[i], ingest_url(s, "acme", "XDM44", url, sizeof(url)), NULL, 0,
                  AUTH_HEADERS);
        CHECK_ERROR(&r, 405, "method_not_allowed", methods[i]);
        char allow[64];
        CHECK_STR(response_header(&r, "Allow", allow, sizeof(allow)), "POST, GET, HEAD");
        response_free(&r);
    }
    /* 405 is decided by the route, before tenant or mapping lookups. */
    char url[512];
    struct response r;
    http_call(&r, "DELETE", ingest_url(s, "no-such-tenant!", "NOPE", url, sizeof(url)), NULL, 0,
              NULL);
    CHECK_ERROR(&r, 405, "method_not_allowed", "POST, GET, HEAD");
    response_free(&r);
    snprintf(url, sizeof(url), "%s/_mock/health", s->base);
    http_call(&r, "POST", url, NULL, 0, NULL);
    CHECK_ERROR(&r, 405, "method_not_allowed", "POST");
    char allow[64];
    CHECK_STR(response_header(&r, "Allow", allow, sizeof(allow)), "GET, HEAD");
    response_free(&r);
}

static void auth_case(const struct server *s, const char *method, const char *const *headers,
                      long status, const char *body)
{
    char url[512], full[600];
    snprintf(full, sizeof(full), "%s%s", ingest_url(s, "acme", "XDM44", url, sizeof(url)),
             strcmp(method, "GET") == 0 ? "?requestId=3520" : "");
    struct response r;
    http_call(&r, method, full, NULL, 0, headers);
    CHECK_INT(r.status, status);
    CHECK(response_is_json(&r), "%s", r.headers);
    CHECK_STR(r.body, body);
    response_free(&r);
}

static void test_auth_presence(const struct server *s)
{
    static const char b401[] =
        "{\"error_code\":\"401013\",\"message\":\"Oauth token is not valid\"}";
    static const char b403[] = "{\"error_code\":\"403003\",\"message\":\"Api Key is invalid\"}";
    const char *none[] = {NULL};
    const char *key_only[] = {"X-Api-Key: k", NULL};
    const char *token_only[] = {"Authorization: Bearer t", NULL};
    const char *basic[] = {"Authorization: Basic dTpw", "X-Api-Key: k", NULL};
    const char *empty_bearer[] = {"Authorization: Bearer ", "X-Api-Key: k", NULL};
    const char *bare_bearer[] = {"Authorization: Bearer", "X-Api-Key: k", NULL};
    const char *empty_key[] = {"Authorization: Bearer t", "X-Api-Key:", NULL};
    const char *lower[] = {"authorization: bearer t", "x-api-key: k", NULL};
    const char *methods[] = {"POST", "GET"};
    for (int m = 0; m < 2; m++) {
        auth_case(s, methods[m], none, 401, b401);
        auth_case(s, methods[m], key_only, 401, b401);
        auth_case(s, methods[m], basic, 401, b401);
        auth_case(s, methods[m], empty_bearer, 401, b401);
        auth_case(s, methods[m], bare_bearer, 401, b401);
        auth_case(s, methods[m], token_only, 403, b403);
        auth_case(s, methods[m], empty_key, 403, b403);
    }
    /* Header names are case-insensitive; the scheme "bearer" too. The trigger goes
     * through: 3527 is the next id of this server. */
    auth_case(s, "POST", lower, 200,
              "{\"requestId\": 3527, \"info\": \"Ingestion request submitted successfully for the "
              "Mapping ID: XDM44\", \"status\": \"Success\"}");
    /* The gateway answers before any lookup: an unknown mapping is still a 401. */
    char url[512];
    struct response r;
    http_call(&r, "POST", ingest_url(s, "acme", "NOPE", url, sizeof(url)), NULL, 0, NULL);
    CHECK_INT(r.status, 401);
    CHECK_STR(r.body, b401);
    response_free(&r);
    /* The control health check needs no credentials. */
    snprintf(url, sizeof(url), "%s/_mock/health", s->base);
    http_call(&r, "GET", url, NULL, 0, NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
}

static void test_auth_off(void)
{
    struct server s;
    const char *args[] = {"--auth", "off", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char url[512], full[600];
    struct response r;
    http_call(&r, "POST", ingest_url(&s, "acme", "XDM44", url, sizeof(url)), NULL, 0, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "{\"requestId\": 3520, \"info\": \"Ingestion request submitted successfully "
                      "for the Mapping ID: XDM44\", \"status\": \"Success\"}");
    response_free(&r);
    snprintf(full, sizeof(full), "%s?requestId=3520", url);
    const char *junk[] = {"Authorization: Basic x", NULL};
    http_call(&r, "GET", full, NULL, 0, junk);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44.\", \"numRecords\": 0, "
                      "\"requestId\": 3520, \"status\": \"In Progress\"}");
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

/* Without a template tenant, other organizations are unknown. */
static void test_unknown_tenant(void)
{
    struct server s;
    const char *args[] = {"--fixtures", source_path("tests/http/fixtures/ledger.json"), NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    struct response r;
    trigger(&r, &s, "acme", "XDM44");
    CHECK_ERROR(&r, 404, "unknown_tenant", "\"acme\"");
    response_free(&r);
    poll_status(&r, &s, "acme", "ONE", 500);
    CHECK_ERROR(&r, 404, "unknown_tenant", "\"acme\"");
    response_free(&r);
    /* Tenant names are case-sensitive. */
    trigger(&r, &s, "SOLO", "ONE");
    CHECK_ERROR(&r, 404, "unknown_tenant", "\"SOLO\"");
    response_free(&r);
    /* The unknown tenant used no request id: solo's first is 500. */
    trigger(&r, &s, "solo", "ONE");
    CHECK_INT(r.status, 200);
    CHECK_INT(body_request_id(r.body), 500);
    response_free(&r);
    poll_status(&r, &s, "solo", "TWO", 500);
    CHECK_ERROR(&r, 404, "unknown_request", "500");
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    if (server_start(&s, NULL, NULL) == 0) {
        test_lookups(&s);
        test_request_ids(&s);
        test_post_body_ignored(&s);
        test_routes(&s);
        test_auth_presence(&s);
        CHECK_INT(server_stop(&s), 0);
    } else {
        CHECK(0, "server did not start");
    }
    test_auth_off();
    test_unknown_tenant();
    curl_global_cleanup();
    return test_report();
}
