/*
 * --auth strict, walked end to end on a manual clock: get a token from the emulated
 * IMS, trigger and poll with it; then each refusal (unknown token 401013, wrong API
 * key 403003, another tenant 403023, no sql role 403), expiry on the server clock
 * (moved with POST /_mock/clock), renewal, fixture access tokens that never expire,
 * and tokens kept by a file database across a restart.
 */
#include "http/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "api/ims.h"

#define FORM_TYPE "Content-Type: application/x-www-form-urlencoded"

#define B401013 "{\"error_code\":\"401013\",\"message\":\"Oauth token is not valid\"}"
#define B403003 "{\"error_code\":\"403003\",\"message\":\"Api Key is invalid\"}"
#define B403023 "{\"error_code\":\"403023\",\"message\":\"Profile is not valid\"}"
/* Assumed (fidelity ledger): Campaign's refusal of a trigger without the sql role. */
#define BSQL                                                                                       \
    "{\"code\":403,\"message\":\"Access denied: the role 'SQL function execution' (sql) is "       \
    "required to trigger data ingestion. RST-360011 An error has occurred - please contact your "  \
    "administrator.\"}"

#define SUBMITTED(id)                                                                              \
    "{\"requestId\": " id ", \"info\": \"Ingestion request submitted successfully for the "        \
    "Mapping ID: XDM1\", \"status\": \"Success\"}"
#define IN_PROGRESS(id)                                                                            \
    "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM1.\", \"numRecords\": 0, \"requestId\": " id   \
    ", \"status\": \"In Progress\"}"
#define SUCCESS(id, n)                                                                             \
    "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM1. \", \"numRecords\": " n                     \
    ", \"requestId\": " id ", \"status\": \"Success\"}"

static struct server srv;

/* POST /ims/token/v3 for client; returns the access token (malloc'd) or NULL. */
static char *get_token(const char *client, const char *secret)
{
    char url[256], body[256];
    snprintf(url, sizeof(url), "%s/ims/token/v3", srv.base);
    snprintf(body, sizeof(body),
             "client_id=%s&client_secret=%s&grant_type=client_credentials&scope=openid,AdobeID",
             client, secret);
    const char *h[] = {FORM_TYPE, NULL};
    struct response r;
    http_call(&r, "POST", url, body, -1, h);
    CHECK(r.status == 200, "token for %s: %ld %s", client, r.status, r.body ? r.body : "");
    char *tok = NULL;
    const char *p = r.body ? strstr(r.body, "\"access_token\": \"") : NULL;
    if (p) {
        p += strlen("\"access_token\": \"");
        const char *end = strchr(p, '"');
        if (end)
            tok = strndup(p, (size_t)(end - p));
    }
    response_free(&r);
    return tok;
}

/* POST /ims/exchange/jwt for cid-sql with a JWT valid for an hour of manual clock. */
static char *get_jwt_token(void)
{
    static const char header[] = "{\"alg\":\"RS256\"}";
    static const char claims[] =
        "{\"exp\":1735693200,\"iss\":\"ABC123@AdobeOrg\",\"sub\":\"T@techacct.adobe.com\","
        "\"aud\":\"https://ims-na1.adobelogin.com/c/cid-sql\","
        "\"https://ims-na1.adobelogin.com/s/ent_campaign_sdk\":true}";
    char h[128], c[512], url[256], body[1024];
    ims_base64url_encode(h, sizeof(h), (const unsigned char *)header, strlen(header));
    ims_base64url_encode(c, sizeof(c), (const unsigned char *)claims, strlen(claims));
    snprintf(url, sizeof(url), "%s/ims/exchange/jwt", srv.base);
    snprintf(body, sizeof(body), "client_id=cid-sql&client_secret=s3cret&jwt_token=%s.%s.c2ln", h,
             c);
    const char *hd[] = {FORM_TYPE, NULL};
    struct response r;
    http_call(&r, "POST", url, body, -1, hd);
    CHECK(r.status == 200, "jwt exchange: %ld %s", r.status, r.body ? r.body : "");
    char *tok = NULL;
    const char *p = r.body ? strstr(r.body, "\"access_token\": \"") : NULL;
    if (p) {
        p += strlen("\"access_token\": \"");
        const char *end = strchr(p, '"');
        if (end)
            tok = strndup(p, (size_t)(end - p));
    }
    response_free(&r);
    return tok ? tok : strdup("missing");
}

/* A Campaign call (POST trigger, or GET status when request_id > 0) with a bearer
 * token and an API key (either may be NULL: header not sent). */
static void call(struct response *r, const char *tenant, long long request_id, const char *token,
                 const char *key)
{
    char url[512], full[600], auth[2048], api[256];
    ingest_url(&srv, tenant, "XDM1", url, sizeof(url));
    const char *h[3];
    int n = 0;
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h[n++] = auth;
    }
    if (key) {
        snprintf(api, sizeof(api), "X-Api-Key: %s", key);
        h[n++] = api;
    }
    h[n] = NULL;
    if (request_id > 0) {
        snprintf(full, sizeof(full), "%s?requestId=%lld", url, request_id);
        http_call(r, "GET", full, NULL, 0, h);
    } else {
        http_call(r, "POST", url, NULL, 0, h);
    }
}

static void expect(const char *what, const char *tenant, long long request_id, const char *token,
                   const char *key, long status, const char *body)
{
    struct response r;
    call(&r, tenant, request_id, token, key);
    CHECK(r.status == status, "%s: status %ld, expected %ld (%s)", what, r.status, status,
          r.body ? r.body : "");
    CHECK_STR(r.body, body);
    char buf[64];
    CHECK_STR(response_header(&r, "Content-Type", buf, sizeof(buf)),
              "application/json;charset=utf-8");
    response_free(&r);
}

/* A refused token's X-Mock-Reason (Adobe's 401013 body stays verbatim). */
static void expect_reason(const char *what, const char *token, const char *reason)
{
    struct response r;
    call(&r, "ims-a", 700, token, "cid-sql");
    CHECK_INT(r.status, 401);
    CHECK_STR(r.body, B401013);
    char buf[512];
    const char *got = response_header(&r, "X-Mock-Reason", buf, sizeof(buf));
    CHECK(got && strcmp(got, reason) == 0, "%s: X-Mock-Reason\n  expected: %s\n  actual:   %s",
          what, reason, got ? got : "(none)");
    response_free(&r);
}

/* POST /_mock/clock {"advanceMs": ms}; the endpoint must exist and answer 200. */
static void advance(long long ms)
{
    char url[256], body[64];
    snprintf(url, sizeof(url), "%s/_mock/clock", srv.base);
    snprintf(body, sizeof(body), "{\"advanceMs\": %lld}", ms);
    const char *h[] = {"Content-Type: application/json", NULL};
    struct response r;
    http_call(&r, "POST", url, body, -1, h);
    CHECK(r.status == 200,
          "POST /_mock/clock {\"advanceMs\": %lld} answered %ld %s: the expiry "
          "checks below need it",
          ms, r.status, r.body ? r.body : "");
    CHECK(r.body && strstr(r.body, "\"mode\":\"manual\""), "clock body: %s", r.body ? r.body : "");
    response_free(&r);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    const char *args[] = {"--auth",     "strict",
                          "--clock",    "manual",
                          "--seed",     "99",
                          "--db",       NULL, /* set below: a file in the server's dir */
                          "--fixtures", source_path("tests/http/fixtures/ims-strict.json"),
                          NULL};
    char dir[256];
    snprintf(dir, sizeof(dir), "/tmp/campaign-mock-strict-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    char db[320];
    snprintf(db, sizeof(db), "%s/state.db", dir);
    args[7] = db;
    if (server_start(&srv, dir, args) < 0) {
        fprintf(stderr, "server did not start\n");
        return 1;
    }

    /* Without a token of ours, nothing passes: not the presence-mode test token. */
    struct response r;
    trigger(&r, &srv, "ims-a", "XDM1");
    CHECK_INT(r.status, 401);
    CHECK_STR(r.body, B401013);
    response_free(&r);
    expect("no Authorization", "ims-a", 0, NULL, "cid-sql", 401, B401013);

    /* The happy path: token, trigger, poll until Success. */
    char *tok = get_token("cid-sql", "s3cret");
    CHECK(tok != NULL, "got a token");
    if (!tok)
        tok = strdup("missing");
    expect("trigger", "ims-a", 0, tok, "cid-sql", 200, SUBMITTED("700"));
    expect("poll 1", "ims-a", 700, tok, "cid-sql", 200, IN_PROGRESS("700"));
    expect("poll 2", "ims-a", 700, tok, "cid-sql", 200, SUCCESS("700", "5"));

    /* A token from the JWT exchange works the same. */
    char *jwt_tok = get_jwt_token();
    expect("jwt token", "ims-a", 700, jwt_tok, "cid-sql", 200, SUCCESS("700", "5"));

    /* The API key must be the token's client id. */
    expect("wrong api key", "ims-a", 700, tok, "cid-nosql", 403, B403003);
    expect("no api key", "ims-a", 700, tok, NULL, 403, B403003);
    /* The client is not allowed on ims-b (its tenants list has ims-a only). */
    expect("other tenant", "ims-b", 0, tok, "cid-sql", 403, B403023);
    expect("other tenant, status", "ims-b", 700, tok, "cid-sql", 403, B403023);
    /* An unknown (or altered) token. */
    expect("unknown token", "ims-a", 700, "eyJunknown.token.here", "cid-sql", 401, B401013);
    expect_reason("unknown token", "eyJunknown.token.here",
                  "the token is unknown to this server: it did not issue it, or evicted it "
                  "(--tokens-max)");
    char altered[2048];
    snprintf(altered, sizeof(altered), "%.2000sx", tok);
    expect("altered token", "ims-a", 700, altered, "cid-sql", 401, B401013);

    /* No sql role: the trigger is refused, a status read is not. */
    char *nosql = get_token("cid-nosql", "n0sql");
    if (!nosql)
        nosql = strdup("missing");
    expect("no sql role", "ims-a", 0, nosql, "cid-nosql", 403, BSQL);
    expect("no sql role, status", "ims-a", 700, nosql, "cid-nosql", 200, SUCCESS("700", "5"));

    /* A fixture access token works like an issued one, on any tenant ("*"). */
    expect("fixture token", "ims-b", 0, "fixture-token-1", "cid-any", 200, SUBMITTED("701"));
    expect("fixture token, wrong key", "ims-b", 0, "fixture-token-1", "cid-sql", 403, B403003);

    /* Expiry on the server clock: token/v3 tokens live 86399 s. One millisecond before
     * the end the token still works; at the end it no longer does. */
    advance(86399000 - 1);
    expect("just before expiry", "ims-a", 700, tok, "cid-sql", 200, SUCCESS("700", "5"));
    advance(1);
    expect("expired", "ims-a", 700, tok, "cid-sql", 401, B401013);
    expect_reason("expired", tok, "expired token (on the server clock)");
    expect("expired trigger", "ims-a", 0, tok, "cid-sql", 401, B401013);
    /* The JWT exchange's token lives 86399992 ms: 992 ms more. */
    expect("jwt token later", "ims-a", 700, jwt_tok, "cid-sql", 200, SUCCESS("700", "5"));
    advance(991);
    expect("jwt token 1 ms before expiry", "ims-a", 700, jwt_tok, "cid-sql", 200,
           SUCCESS("700", "5"));
    advance(1);
    expect("jwt token expired", "ims-a", 700, jwt_tok, "cid-sql", 401, B401013);
    /* Fixture tokens never expire. */
    expect("fixture token later", "ims-b", 701, "fixture-token-1", "cid-any", 200,
           IN_PROGRESS("701"));

    /* Renewal: a new token works again. */
    char *renewed = get_token("cid-sql", "s3cret");
    if (!renewed)
        renewed = strdup("missing");
    CHECK(strcmp(renewed, tok) != 0, "a new token");
    expect("renewed", "ims-a", 0, renewed, "cid-sql", 200, SUBMITTED("702"));
    expect("old one still expired", "ims-a", 702, tok, "cid-sql", 401, B401013);

    /* A file database keeps issued tokens across a restart. */
    CHECK_INT(server_stop(&srv), 0);
    if (server_start(&srv, dir, args) < 0) {
        fprintf(stderr, "server did not restart\n");
        return 1;
    }
    expect("renewed after restart", "ims-a", 702, renewed, "cid-sql", 200, IN_PROGRESS("702"));
    expect("expired after restart", "ims-a", 702, tok, "cid-sql", 401, B401013);
    CHECK_INT(server_stop(&srv), 0);

    /* On :memory:, a restart forgets every token: a client's cached one is told why. */
    args[7] = ":memory:";
    if (server_start(&srv, NULL, args) < 0) {
        fprintf(stderr, "server did not start on :memory:\n");
        return 1;
    }
    char *memory_tok = get_token("cid-sql", "s3cret");
    if (!memory_tok)
        memory_tok = strdup("missing");
    expect("token on :memory:", "ims-a", 0, memory_tok, "cid-sql", 200, SUBMITTED("700"));
    CHECK_INT(server_stop(&srv), 0);
    if (server_start(&srv, NULL, args) < 0) {
        fprintf(stderr, "server did not restart on :memory:\n");
        return 1;
    }
    expect_reason("cached token after a :memory: restart", memory_tok,
                  "the token is unknown to this server, which runs on --db :memory: and so keeps "
                  "no token across a restart (a client's cached token from an earlier run?): get "
                  "a new token, or keep tokens with --db FILE");
    CHECK_INT(server_stop(&srv), 0);
    free(memory_tok);

    free(tok);
    free(jwt_tok);
    free(nosql);
    free(renewed);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    curl_global_cleanup();
    return test_report();
}
