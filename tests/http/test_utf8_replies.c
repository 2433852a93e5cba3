/*
 * Every body the server writes is valid UTF-8 JSON, whatever bytes the client sent
 * (regression tests): query values and methods echoed in errors, names cut by a
 * "%.128s" in the middle of a character, header values and bodies in the journal, and
 * IMS errors that quote a Content-Type. Before the fix each of these came back with the
 * client's raw bytes, which no JSON parser accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"
#include "json.h"
#include "utf8.h"

static void expect_utf8_error(const struct server *s, const char *method, const char *path,
                              long status, const char *code, const char *part)
{
    struct response r = mock_call(s, method, path, NULL);
    CHECK_ERROR(&r, status, code, part);
    response_free(&r);
}

/* A request with a method of raw bytes, on a plain socket (libcurl would refuse it). */
static void test_raw_method(const struct server *s)
{
    int fd = raw_connect(s, NULL);
    CHECK(fd >= 0, "connect");
    static const char req[] = "G\xff"
                              "T /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    CHECK(send(fd, req, sizeof(req) - 1, 0) == (ssize_t)(sizeof(req) - 1), "send");
    char buf[4096];
    size_t len = 0;
    ssize_t got;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (len < sizeof(buf) - 1 && (got = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) > 0)
        len += (size_t)got;
    buf[len] = '\0';
    close(fd);
    const char *body = strstr(buf, "\r\n\r\n");
    CHECK(strncmp(buf, "HTTP/1.1 405 ", 13) == 0, "a method of raw bytes: %.40s", buf);
    CHECK(body && utf8_valid(body + 4, strlen(body + 4)), "405 body is UTF-8: %s",
          body ? body + 4 : "(none)");
    CHECK(body && strstr(body, "G?T is not allowed here"), "the method shown: %s",
          body ? body + 4 : "(none)");
}

static void test_journal(const struct server *s)
{
    char url[256];
    struct response r;
    const char *headers[] = {AUTH_HEADERS[0], AUTH_HEADERS[1], "X-Odd: caf\xe9", NULL};
    ingest_url(s, "utf8", "XDM1", url, sizeof(url));
    http_call(&r, "POST", url, "\xff\xfe{}", 4, headers);
    CHECK_INT(r.status, 200);
    response_free(&r);
    r = mock_call(s, "GET", "/_mock/journal?tenant=utf8", NULL);
    CHECK_INT(r.status, 200);
    CHECK(r.body && utf8_valid(r.body, r.len), "the journal is UTF-8");
    /* Read back as a strict client reads it: one JSON document, nothing after it. */
    cJSON *strict = NULL;
    CHECK_INT(json_parse_strict(&strict, r.body ? r.body : "", r.body ? r.len : 0, NULL), JSON_OK);
    cJSON_Delete(strict);
    cJSON *doc = response_json(&r);
    CHECK_STR(json_str(doc, "entries[0].requestBody"), "(binary body not kept)");
    CHECK_STR(json_str(doc, "entries[0].requestHeaders.X-Odd"), "caf?");
    cJSON_Delete(doc);
    response_free(&r);
}

/* What a call that is not UTF-8 leaves in the journal (regression, found by the
 * request-path fuzzer): the path (GET /%FF is journaled as a 404) and a tenant cut at 128
 * bytes inside a character came back raw in GET /_mock/journal. */
static void test_journal_path_and_tenant(const struct server *s)
{
    struct response r = mock_call(s, "GET", "/%FF", NULL);
    CHECK_INT(r.status, 404);
    response_free(&r);
    /* "a" and 70 e-acutes: 141 bytes, cut at 128 inside the 64th. */
    char path[1024] = "/a";
    for (int i = 0; i < 70; i++)
        strcat(path, "\xc3\xa9"); /* raw: 141 bytes fit a route's segment */
    strcat(path, "/campaign/dataIngestion/xdmIngestion/XDM1/ingest");
    char url[1200];
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    http_call(&r, "POST", url, NULL, 0, AUTH_HEADERS);
    CHECK_INT(r.status, 404);
    response_free(&r);
    r = mock_call(s, "GET", "/_mock/journal?limit=2", NULL);
    CHECK_INT(r.status, 200);
    CHECK(r.body && utf8_valid(r.body, r.len), "the journal is UTF-8: %.300s", r.body);
    cJSON *doc = response_json(&r);
    CHECK(doc != NULL, "the journal parses");
    /* Oldest first: the 404 of /%FF, then the trigger. */
    const char *tenant = json_str(doc, "entries[1].tenant");
    CHECK(tenant && strlen(tenant) <= 128 && strncmp(tenant, "a\xc3\xa9", 3) == 0,
          "the tenant cut at a character: %s", tenant ? tenant : "(none)");
    CHECK_STR(json_str(doc, "entries[0].path"), "/?");
    cJSON_Delete(doc);
    response_free(&r);
}

static void test_ims(const struct server *s)
{
    char url[256];
    snprintf(url, sizeof(url), "%s/ims/token/v3", s->base);
    const char *headers[] = {"Content-Type: text/\xff\xfe", NULL};
    struct response r;
    http_call(&r, "POST", url, "a=b", 3, headers);
    CHECK_INT(r.status, 400);
    CHECK(r.body && utf8_valid(r.body, r.len), "IMS error is UTF-8: %s", r.body ? r.body : "");
    CHECK(r.body && strstr(r.body, "(Content-Type is text/?\?)"), "the type shown: %s",
          r.body ? r.body : "");
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
    expect_utf8_error(&s, "GET", "/_mock/journal?status=%FF", 400, "invalid_field",
                      "status: \"?\" is not an HTTP status");
    expect_utf8_error(&s, "GET", "/_mock/journal?limit=%C3", 400, "invalid_field",
                      "limit: \"?\" is not an integer");
    expect_utf8_error(&s, "GET", "/_mock/tenants/acme/requests?status=%FFx", 400, "invalid_field",
                      "status: \"?x\" is not one of");
    /* 127 letters and an e-acute: the 129-byte name is cut at 128, inside the é. */
    char path[512];
    snprintf(path, sizeof(path), "/_mock/tenants/%0127d%%C3%%A9", 0);
    for (char *p = path + strlen("/_mock/tenants/"); *p == '0'; p++)
        *p = 'a';
    expect_utf8_error(&s, "GET", path, 404, "unknown_tenant", "aaa?\"");
    test_raw_method(&s);
    test_journal(&s);
    test_journal_path_and_tenant(&s);
    test_ims(&s);
    CHECK_INT(server_stop(&s), 0);
    curl_global_cleanup();
    return test_report();
}
