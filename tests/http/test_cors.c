/*
 * --cors ORIGIN (off by default; regression: a browser page on another origin could not
 * call campaign-mock at all):
 *   - a preflight (OPTIONS with Access-Control-Request-Method) is answered 204 with the
 *     path's methods and the headers a client sends, before the admin token, and leaves
 *     no journal entry;
 *   - every answer carries Access-Control-Allow-Origin (and Vary: Origin for one origin);
 *   - without --cors, none of it: OPTIONS is 405 as any other method.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "harness.h"

static const char *const PREFLIGHT[] = {
    "Origin: http://localhost:3000", "Access-Control-Request-Method: POST",
    "Access-Control-Request-Headers: authorization,x-api-key", NULL};

static void header_is(const struct response *r, const char *name, const char *want)
{
    char buf[256];
    const char *v = response_header(r, name, buf, sizeof(buf));
    if (want)
        CHECK(v && strcmp(v, want) == 0, "%s: \"%s\", expected \"%s\"", name, v ? v : "(absent)",
              want);
    else
        CHECK(v == NULL, "%s: \"%s\", expected none", name, v);
}

static void test_on(void)
{
    struct server s;
    const char *args[] = {"--cors", "http://localhost:3000", "--admin-token", "adm", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char url[512];
    struct response r;
    http_call(&r, "OPTIONS", ingest_url(&s, "acme", "XDM44", url, sizeof(url)), NULL, 0, PREFLIGHT);
    CHECK_INT(r.status, 204);
    CHECK(r.len == 0, "no body: %zu bytes", r.len);
    header_is(&r, "Access-Control-Allow-Origin", "http://localhost:3000");
    header_is(&r, "Vary", "Origin");
    header_is(&r, "Access-Control-Allow-Methods", "POST, GET, HEAD");
    header_is(&r, "Access-Control-Allow-Headers",
              "Authorization, X-Api-Key, Content-Type, X-Mock-Admin-Token");
    header_is(&r, "Access-Control-Max-Age", "600");
    response_free(&r);
    /* A control path, without the admin token: the preflight carries none. */
    snprintf(url, sizeof(url), "%s/_mock/tenants", s.base);
    http_call(&r, "OPTIONS", url, NULL, 0, PREFLIGHT);
    CHECK_INT(r.status, 204);
    header_is(&r, "Access-Control-Allow-Methods", "GET, HEAD");
    response_free(&r);
    /* The call itself carries the origin. */
    trigger(&r, &s, "acme", "XDM44");
    CHECK_INT(r.status, 200);
    header_is(&r, "Access-Control-Allow-Origin", "http://localhost:3000");
    header_is(&r, "Access-Control-Expose-Headers", "Retry-After");
    response_free(&r);
    /* An error too. */
    r = mock_call(&s, "GET", "/_mock/tenants", NULL);
    CHECK_INT(r.status, 401);
    header_is(&r, "Access-Control-Allow-Origin", "http://localhost:3000");
    response_free(&r);
    /* An unknown path: 404, still readable by the page. */
    snprintf(url, sizeof(url), "%s/nope", s.base);
    http_call(&r, "OPTIONS", url, NULL, 0, PREFLIGHT);
    CHECK_ERROR(&r, 404, "route_not_found", "preflight");
    response_free(&r);
    /* Preflights leave no journal entry: only the trigger is there. */
    const char *admin[] = {"X-Mock-Admin-Token: adm", NULL};
    r = mock_call_h(&s, "GET", "/_mock/journal/count", NULL, admin);
    CHECK_STR(r.body, "{\"count\":1}");
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

static void test_off(void)
{
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char url[512];
    struct response r;
    http_call(&r, "OPTIONS", ingest_url(&s, "acme", "XDM44", url, sizeof(url)), NULL, 0, PREFLIGHT);
    CHECK_ERROR(&r, 405, "method_not_allowed", "OPTIONS");
    header_is(&r, "Access-Control-Allow-Origin", NULL);
    response_free(&r);
    trigger(&r, &s, "acme", "XDM44");
    header_is(&r, "Access-Control-Allow-Origin", NULL);
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

static void test_star(void)
{
    struct server s;
    const char *args[] = {"--cors", "*", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    struct response r = mock_call(&s, "GET", "/_mock/health", NULL);
    header_is(&r, "Access-Control-Allow-Origin", "*");
    header_is(&r, "Vary", NULL);
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    test_on();
    test_off();
    test_star();
    curl_global_cleanup();
    return test_report();
}
