/*
 * Hostile and malformed input: broken JSON and UTF-8 in bodies, NUL bytes, bodies
 * over 1 MiB (with Content-Length and chunked), an overlong URL, oversized headers,
 * odd characters in tenant and mapping names, absurd numbers. Each gets an exact
 * answer, and afterwards the server still answers with its state unchanged.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define MIB (1024 * 1024)

static void expect_body(const struct server *s, const char *body, long len, long status,
                        const char *code, const char *part)
{
    struct response r;
    poll_raw(&r, s, "acme", "XDM98", "", body, len);
    CHECK_ERROR(&r, status, code, part);
    response_free(&r);
}

static void expect_query(const struct server *s, const char *query, long status, const char *code,
                         const char *part)
{
    char full[512];
    snprintf(full, sizeof(full), "?requestId=%s", query);
    struct response r;
    poll_raw(&r, s, "acme", "XDM98", full, NULL, 0);
    CHECK_ERROR(&r, status, code, part);
    response_free(&r);
}

static const char in_progress_3520[] = "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM98.\", "
                                       "\"numRecords\": 0, \"requestId\": 3520, \"status\": "
                                       "\"In Progress\"}";

static void test_bodies(const struct server *s)
{
    const char *not_json[] = {"{",
                              "{\"requestId\":",
                              "{\"requestId\": 3520",
                              "requestId=3520",
                              "{'requestId': 3520}",
                              "{\"requestId\": 3520,}",
                              "3520 3520"};
    for (size_t i = 0; i < sizeof(not_json) / sizeof(not_json[0]); i++)
        expect_body(s, not_json[i], -1, 400, "invalid_request_id", "not valid JSON");
    /* Trailing bytes after a valid value make the body invalid; white space does not. */
    expect_body(s, "{\"requestId\": 3520} junk", -1, 400, "invalid_request_id", "not valid JSON");
    expect_body(s, "{\"requestId\": 3520}{}", -1, 400, "invalid_request_id", "not valid JSON");
    /* \u0000 would cut the string it is in: refused, not read as "3520". */
    expect_body(s, "{\"requestId\": \"3520\\u0000x\"}", -1, 400, "invalid_request_id",
                "\\u0000: NUL is not allowed in strings");
    /* The same in a control body: the mapping id "XDM\u0000x" was stored as "XDM". */
    struct response nul =
        mock_call(s, "PUT", "/_mock/tenants/acme/mappings/XDMNUL",
                  "{\"id\": \"XDMNUL\", \"label\": \"cut\\u0000here\", \"published\": true}");
    CHECK_ERROR(&nul, 400, "invalid_json", "holds \\u0000 (near byte 30)");
    response_free(&nul);
    nul = mock_call(s, "GET", "/_mock/tenants/acme/mappings/XDMNUL", NULL);
    CHECK_ERROR(&nul, 404, "unknown_mapping", NULL);
    response_free(&nul);
    const char *not_object[] = {"[1]",  "null", "\"3520\"",
                                "3520", "true", "[{\"requestId\": 3520}]"};
    for (size_t i = 0; i < sizeof(not_object) / sizeof(not_object[0]); i++)
        expect_body(s, not_object[i], -1, 400, "invalid_request_id", "JSON object");

    expect_body(s, "\xff\xfe{}", -1, 400, "invalid_request_id", "UTF-8");
    expect_body(s, "{\"requestId\": \"\xc3\x28\"}", -1, 400, "invalid_request_id", "UTF-8");
    expect_body(s, "{\"requestId\": 3520, \"x\": \"\xed\xa0\x80\"}", -1, 400, "invalid_request_id",
                "UTF-8"); /* a UTF-16 surrogate */
    expect_body(s, "{\"requestId\": 3520, \"x\": \"\xc0\xaf\"}", -1, 400, "invalid_request_id",
                "UTF-8"); /* overlong "/" */
    /* NUL bytes: inside, before and after an otherwise valid body. */
    expect_body(s, "{\"requestId\": 3520}\0junk", 24, 400, "invalid_request_id", NULL);
    expect_body(s, "\0{\"requestId\": 3520}", 20, 400, "invalid_request_id", NULL);
    expect_body(s, "{\"requestId\": \"35\00020\"}", 23, 400, "invalid_request_id", NULL);
    expect_body(s, "{\"requestId\"=\"3520\"}\0", 21, 400, "invalid_request_id", NULL);
    /* Valid UTF-8 beyond ASCII is fine where it does not matter. */
    struct response r;
    poll_raw(&r, s, "acme", "XDM98", "",
             "{\"requestId\": 3520, \"note\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", -1);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, in_progress_3520);
    response_free(&r);
    /* Deep nesting does not crash the parser. */
    size_t depth = 5000;
    char *deep = malloc(depth * 2 + 1);
    for (size_t i = 0; i < depth; i++) {
        deep[i] = '[';
        deep[depth + i] = ']';
    }
    deep[depth * 2] = '\0';
    expect_body(s, deep, -1, 400, "invalid_request_id", NULL);
    free(deep);
}

static void test_numbers(const struct server *s)
{
    const char *queries[] = {
        "99999999999999999999", "1e300", "-1", "0", "1.5", "12abc", "0x10", "%FF3520",
        "%EF%BC%93520" /* fullwidth digit 3 */};
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
        expect_query(s, queries[i], 400, "invalid_request_id", "requestId");
    expect_query(s, "99999999999999999999", 400, "invalid_request_id", "out of range");
    /* Leading zeros are still the number. */
    struct response r;
    char url[512], full[600];
    snprintf(full, sizeof(full), "%s?requestId=0003520",
             ingest_url(s, "acme", "XDM98", url, sizeof(url)));
    http_call(&r, "GET", full, NULL, 0, AUTH_HEADERS);
    CHECK_STR(r.body, in_progress_3520);
    response_free(&r);

    const char *bodies[] = {"{\"requestId\": 99999999999999999999}",
                            "{\"requestId\": 1e300}",
                            "{\"requestId\": -1}",
                            "{\"requestId\": 0}",
                            "{\"requestId\": -0}",
                            "{\"requestId\": 1.5}",
                            "{\"requestId\": 3520.5}",
                            "{\"requestId\": \"12abc\"}",
                            "{\"requestId\": \"-1\"}",
                            "{\"requestId\": \"1.5\"}",
                            "{\"requestId\": \"99999999999999999999\"}",
                            "{\"requestId\": \" 3520\"}",
                            "{\"requestId\": 1e999}",
                            "{\"requestId\": -1e300}",
                            "{\"requestId\"=\"99999999999999999999\"}",
                            "{\"requestId\"=\"99999999999999999999999999999999999999999999\"}"};
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        expect_body(s, bodies[i], -1, 400, "invalid_request_id", "requestId");
}

static void test_sizes(const struct server *s)
{
    char url[512];
    ingest_url(s, "acme", "XDM44", url, sizeof(url));
    char *big = malloc(MIB + 2);
    memset(big, ' ', MIB + 1);
    big[MIB + 1] = '\0';
    struct response r;

    /* Exactly 1 MiB is accepted: a POST body is ignored, a GET body of spaces has no id. */
    http_call(&r, "GET", ingest_url(s, "acme", "XDM98", url, sizeof(url)), big, MIB, AUTH_HEADERS);
    CHECK_ERROR(&r, 400, "missing_request_id", NULL);
    response_free(&r);
    /* One byte more is refused, with Content-Length and chunked. */
    http_call(&r, "POST", ingest_url(s, "acme", "XDM44", url, sizeof(url)), big, MIB + 1,
              AUTH_HEADERS);
    CHECK_ERROR(&r, 413, "body_too_large", "1048576");
    response_free(&r);
    http_call_chunked(&r, "POST", url, big, MIB + 1, AUTH_HEADERS);
    CHECK_ERROR(&r, 413, "body_too_large", "1048576");
    response_free(&r);
    /* Far over, too (the server reads and discards the chunked rest, or closes). */
    char *huge = malloc(4 * MIB);
    memset(huge, 'x', 4 * MIB);
    http_call_chunked(&r, "GET", url, huge, 4 * MIB, AUTH_HEADERS);
    CHECK_ERROR(&r, 413, "body_too_large", NULL);
    response_free(&r);
    http_call(&r, "POST", url, huge, 4 * MIB, AUTH_HEADERS);
    CHECK_ERROR(&r, 413, "body_too_large", NULL);
    response_free(&r);
    free(huge);
    /* 413 comes before authentication and routing. */
    char nowhere[600];
    snprintf(nowhere, sizeof(nowhere), "%s/nowhere", s->base);
    http_call(&r, "POST", nowhere, big, MIB + 1, NULL);
    CHECK_ERROR(&r, 413, "body_too_large", NULL);
    response_free(&r);
    free(big);

    /* A path of 4096 bytes is routed; 4097 is 414. */
    size_t max = 4096;
    char *path = malloc(max + 2);
    memset(path, 'a', max + 1);
    path[0] = '/';
    char *long_url = malloc(max + 200);
    path[max] = '\0';
    snprintf(long_url, max + 200, "%s%s", s->base, path);
    http_call(&r, "GET", long_url, NULL, 0, AUTH_HEADERS);
    CHECK_ERROR(&r, 404, "route_not_found", NULL);
    response_free(&r);
    path[max] = 'a';
    path[max + 1] = '\0';
    snprintf(long_url, max + 200, "%s%s", s->base, path);
    http_call(&r, "GET", long_url, NULL, 0, AUTH_HEADERS);
    CHECK_ERROR(&r, 414, "uri_too_long", "4096");
    response_free(&r);
    /* The 414 check also covers a real ingest path with a padded mapping id. */
    char *mapping = malloc(max + 1);
    memset(mapping, 'M', max);
    mapping[max] = '\0';
    char *ingest = malloc(2 * max);
    ingest_url(s, "acme", mapping, ingest, 2 * max);
    http_call(&r, "POST", ingest, NULL, 0, AUTH_HEADERS);
    CHECK_ERROR(&r, 414, "uri_too_long", NULL);
    response_free(&r);
    free(ingest);
    free(mapping);
    free(long_url);
    free(path);

    /* Headers larger than the connection's memory (64 KiB): libmicrohttpd answers 431
     * itself (its own body, not ours); nothing is routed and the server lives on. */
    size_t hsize = 100 * 1024;
    char *header = malloc(hsize + 32);
    snprintf(header, 32, "X-Filler: ");
    memset(header + 10, 'h', hsize);
    header[10 + hsize] = '\0';
    const char *headers[] = {AUTH_HEADERS[0], AUTH_HEADERS[1], header, NULL};
    http_call(&r, "POST", ingest_url(s, "acme", "XDM44", url, sizeof(url)), NULL, 0, headers);
    CHECK_INT(r.status, 431);
    response_free(&r);
    /* Many small headers that add up past the limit. */
    const char *many[1100];
    char(*lines)[80] = malloc(sizeof(*lines) * 1100);
    int n = 0;
    many[n++] = AUTH_HEADERS[0];
    many[n++] = AUTH_HEADERS[1];
    for (int i = 0; i < 1000; i++) {
        snprintf(lines[i], sizeof(lines[i]), "X-Filler-%d: %060d", i, i);
        many[n++] = lines[i];
    }
    many[n] = NULL;
    http_call(&r, "POST", url, NULL, 0, many);
    CHECK_INT(r.status, 431);
    response_free(&r);
    free(lines);
    free(header);
}

static void expect_path(const struct server *s, const char *method, const char *tenant,
                        const char *mapping, long status, const char *code, const char *part)
{
    char url[1024];
    struct response r;
    snprintf(url, sizeof(url), "%s/%s/campaign/dataIngestion/xdmIngestion/%s/ingest%s", s->base,
             tenant, mapping, strcmp(method, "GET") == 0 ? "?requestId=3520" : "");
    http_call(&r, method, url, NULL, 0, AUTH_HEADERS);
    CHECK_ERROR(&r, status, code, part);
    response_free(&r);
}

static void test_names(const struct server *s)
{
    const char *methods[] = {"POST", "GET"};
    for (int m = 0; m < 2; m++) {
        const char *mt = methods[m];
        /* Quotes and backslashes come back escaped in valid JSON. */
        expect_path(s, mt, "acme", "X%22Y", 404, "unknown_mapping", "X\"Y");
        expect_path(s, mt, "acme", "X%5CY", 404, "unknown_mapping", "X\\Y");
        expect_path(s, mt, "ac%22me", "XDM44", 404, "unknown_tenant", "ac\"me");
        /* An encoded slash is a slash: the path no longer has the route's shape. */
        expect_path(s, mt, "acme", "XDM%2F44", 404, "route_not_found", NULL);
        expect_path(s, mt, "ac%2Fme", "XDM44", 404, "route_not_found", NULL);
        /* Routing splits the path as sent: an encoded slash never makes another route out
         * of a segment (before, ".../XDM44%2Fingest" was served as the ingest route). */
        struct response r;
        char url[512];
        snprintf(url, sizeof(url), "%s/acme/campaign/dataIngestion/xdmIngestion/XDM44%%2Fingest%s",
                 s->base, m == 1 ? "?requestId=3520" : "");
        http_call(&r, mt, url, NULL, 0, AUTH_HEADERS);
        CHECK_ERROR(&r, 404, "route_not_found", NULL);
        response_free(&r);
        /* Segments are compared decoded: an encoded letter is the letter. */
        expect_path(s, mt, "%61cme", "XDM%34%34x", 404, "unknown_mapping",
                    "XDM44x does not exist for organization acme");
        /* SQL goes in bound parameters, never in the statement. */
        expect_path(s, mt, "acme", "%27%3B%20DROP%20TABLE%20request%3B%20--", 404,
                    "unknown_mapping", "'; DROP TABLE request; --");
        expect_path(s, mt, "acme", "X'%3BDROP%20TABLE%20mapping%3B--", 404, "unknown_mapping",
                    "X';DROP TABLE mapping;--");
        expect_path(s, mt, "x'%3BDROP%20TABLE%20tenant%3B--", "XDM1", 404, "unknown_tenant",
                    "x';DROP TABLE tenant;--");
        expect_path(s, mt, "acme", "XDM44'%20OR%20'1'%3D'1", 404, "unknown_mapping", "OR '1'='1");
        /* Unicode: valid UTF-8 is echoed as is; ids and tenant names are ASCII. */
        expect_path(s, mt, "acme", "XDM%C3%A944", 404, "unknown_mapping",
                    "XDM\xc3\xa9"
                    "44");
        expect_path(s, mt, "caf%C3%A9", "XDM1", 404, "unknown_tenant", "caf\xc3\xa9");
        expect_path(s, mt, "acme", "%F0%9F%98%80", 404, "unknown_mapping", "\xf0\x9f\x98\x80");
        /* Invalid UTF-8 in the path must not make an invalid JSON body. */
        expect_path(s, mt, "acme", "XDM%FF44", 404, "route_not_found", "invalid UTF-8");
        expect_path(s, mt, "acme%C3", "XDM44", 404, "route_not_found", "invalid UTF-8");
        /* Control characters never reach a handler. */
        expect_path(s, mt, "acme", "XDM%0A44", 404, "route_not_found", NULL);
        expect_path(s, mt, "acme", "XDM%0044", 404, NULL, NULL);
        expect_path(s, mt, "ac%00me", "XDM44", 404, NULL, NULL);
        expect_path(s, mt, "acme", "XDM%2044", 404, "unknown_mapping", "XDM 44");
    }
    /* Long names: a multi-byte character cut by the message length limit must not
     * leave half a character. */
    char mapping[400], tenant[400];
    int n = snprintf(mapping, sizeof(mapping), "%s", "");
    for (int i = 0; i < 127; i++)
        n += snprintf(mapping + n, sizeof(mapping) - (size_t)n, "a");
    snprintf(mapping + n, sizeof(mapping) - (size_t)n, "%%C3%%A9b");
    expect_path(s, "POST", "acme", mapping, 404, "unknown_mapping", NULL);
    n = 0;
    for (int i = 0; i < 127; i++)
        n += snprintf(tenant + n, sizeof(tenant) - (size_t)n, "t");
    snprintf(tenant + n, sizeof(tenant) - (size_t)n, "%%C3%%A9t");
    expect_path(s, "POST", tenant, "XDM1", 404, "unknown_tenant", NULL);
    /* The same for the path echoed by a 404 (cut at 200 bytes). */
    char path[300];
    n = snprintf(path, sizeof(path), "/");
    for (int i = 0; i < 198; i++)
        n += snprintf(path + n, sizeof(path) - (size_t)n, "p");
    snprintf(path + n, sizeof(path) - (size_t)n, "%%C3%%A9%%C3%%A9");
    char url[400];
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    struct response r;
    http_call(&r, "GET", url, NULL, 0, NULL);
    CHECK_ERROR(&r, 404, "route_not_found", "ppp");
    response_free(&r);
    /* A 129-byte tenant name of valid characters is too long to exist. */
    for (int i = 0; i < 129; i++)
        tenant[i] = 'u';
    tenant[129] = '\0';
    expect_path(s, "POST", tenant, "XDM1", 404, "unknown_tenant", "1 to 128");
    /* 128 is fine (a template tenant). */
    tenant[128] = '\0';
    trigger(&r, s, tenant, "XDM1");
    CHECK_INT(r.status, 200);
    CHECK_INT(body_request_id(r.body), 3521);
    response_free(&r);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    struct response r;
    trigger(&r, &s, "acme", "XDM98");
    CHECK_INT(body_request_id(r.body), 3520);
    response_free(&r);

    test_bodies(&s);
    test_numbers(&s);
    test_sizes(&s);
    test_names(&s);

    /* Still alive, and the state is what the valid calls made it. */
    char url[512];
    snprintf(url, sizeof(url), "%s/_mock/health", s.base);
    http_call(&r, "GET", url, NULL, 0, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "{\"status\":\"ready\",\"version\":\"0.1.0\"}");
    response_free(&r);
    poll_status(&r, &s, "acme", "XDM98", 3520);
    CHECK_STR(r.body, in_progress_3520);
    response_free(&r);
    trigger(&r, &s, "acme", "XDM44");
    CHECK_STR(r.body, "{\"requestId\": 3522, \"info\": \"Ingestion request submitted successfully "
                      "for the Mapping ID: XDM44\", \"status\": \"Success\"}");
    response_free(&r);
    poll_status(&r, &s, "acme", "XDM44", 3522);
    CHECK_STR(r.body, "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44.\", \"numRecords\": 0, "
                      "\"requestId\": 3522, \"status\": \"In Progress\"}");
    response_free(&r);
    poll_status(&r, &s, "acme", "XDM44", 3522);
    CHECK_STR(r.body, "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44. \", \"numRecords\": 15, "
                      "\"requestId\": 3522, \"status\": \"Success\"}");
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
    curl_global_cleanup();
    return test_report();
}
