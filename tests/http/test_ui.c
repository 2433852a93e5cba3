/*
 * The web dashboard, GET /_mock/ui: served as text/html; charset=utf-8 with
 * Cache-Control: no-store, byte for byte the file ui/index.html (so the build-time
 * embedding keeps quotes and backslashes), without the admin token even when
 * --admin-token is set (the page asks for it and sends X-Mock-Admin-Token itself).
 * The page's own promises are pinned here too: every element its script looks up
 * exists, it calls only /_mock/ and the emulated API, loads nothing from elsewhere and
 * never parses data as markup. Its behaviour in a browser is checked by
 * tests/ui/browser.js (ctest ui.browser, in headless Chromium).
 */
#include "http/harness.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

/* The page must stay small enough to load instantly; 256 KiB is far above it. */
#define PAGE_MAX (256u * 1024)

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(PAGE_MAX + 1);
    size_t n = buf ? fread(buf, 1, PAGE_MAX + 1, f) : 0;
    fclose(f);
    if (!buf || n > PAGE_MAX) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *lower_copy(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    return out;
}

static int contains(const char *page, const char *part)
{
    return page && strstr(page, part) != NULL;
}

static void check_header(const struct response *r, const char *name, const char *expected)
{
    char buf[256];
    const char *v = response_header(r, name, buf, sizeof(buf));
    CHECK(v && strcmp(v, expected) == 0, "%s: expected \"%s\", got \"%s\"", name, expected,
          v ? v : "(absent)");
}

/* The page as served, checked against the HTTP contract; returns it (caller frees). */
static char *get_page(const struct server *s, const char *const *headers)
{
    struct response r = mock_call_h(s, "GET", "/_mock/ui", NULL, headers);
    CHECK_INT(r.status, 200);
    check_header(&r, "Content-Type", "text/html; charset=utf-8");
    check_header(&r, "Cache-Control", "no-store");
    CHECK(r.body && r.len == strlen(r.body), "the page has no NUL byte (%zu bytes)", r.len);
    char *page = r.body;
    r.body = NULL;
    response_free(&r);
    return page;
}

static void test_served_as_built(const struct server *s)
{
    char *page = get_page(s, NULL);
    size_t len = 0;
    char *source = read_file(source_path("ui/index.html"), &len);
    CHECK(source != NULL, "cannot read ui/index.html");
    CHECK(page && source && strcmp(page, source) == 0,
          "the page served differs from ui/index.html (%zu bytes served, %zu in the file)",
          page ? strlen(page) : 0, len);
    CHECK(page && strncmp(page, "<!doctype html>", 15) == 0, "starts with the doctype");
    free(source);
    free(page);

    /* Only GET is routed; the reply says so. */
    struct response r = mock_call(s, "POST", "/_mock/ui", NULL);
    CHECK_ERROR(&r, 405, "method_not_allowed", NULL);
    check_header(&r, "Allow", "GET, HEAD");
    response_free(&r);
}

static void test_without_admin_token(void)
{
    struct server s;
    const char *args[] = {"--admin-token", "ui-secret", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server with --admin-token did not start");
        return;
    }
    /* The page itself: no token, or a wrong one, makes no difference. */
    free(get_page(&s, NULL));
    const char *wrong[] = {"X-Mock-Admin-Token: nope", NULL};
    free(get_page(&s, wrong));

    /* What the page then calls needs the token, in the header the page sends. */
    struct response r = mock_call(&s, "GET", "/_mock/tenants", NULL);
    CHECK_ERROR(&r, 401, "admin_token_required", "X-Mock-Admin-Token");
    response_free(&r);
    const char *right[] = {"X-Mock-Admin-Token: ui-secret", NULL};
    r = mock_call_h(&s, "GET", "/_mock/tenants", NULL, right);
    CHECK_INT(r.status, 200);
    response_free(&r);
    /* The index and the document are open too: they hold no data. */
    r = mock_call(&s, "GET", "/", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
    r = mock_call(&s, "GET", "/_mock/openapi.yaml", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
    /* The version in the header comes from health, open without the token. */
    r = mock_call(&s, "GET", "/_mock/health", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

/* What a person finds without knowing the paths (regression: GET / and GET /_mock/ were
 * 404 and the OpenAPI document was not served): the index, as JSON or as a page, and
 * the document as built, all without the admin token. */
static void test_discovery(const struct server *s)
{
    static const char *const want =
        "{\"name\":\"campaign-mock\",\"version\":\"0.1.0\",\"links\":{\"dashboard\":\"/_mock/"
        "ui\",\"openapi\":\"/_mock/openapi.yaml\",\"health\":\"/_mock/health\",\"metrics\":"
        "\"/_mock/metrics\",\"journal\":\"/_mock/journal\",\"tenants\":\"/_mock/tenants\"}}";
    static const char *const paths[] = {"/", "/_mock", "/_mock/"};
    for (int i = 0; i < 3; i++) {
        struct response r = mock_call(s, "GET", paths[i], NULL);
        CHECK(r.status == 200 && r.body && strcmp(r.body, want) == 0, "GET %s: %ld %s", paths[i],
              r.status, r.body);
        response_free(&r);
    }
    const char *html[] = {"Accept: text/html,application/xhtml+xml", NULL};
    struct response r = mock_call_h(s, "GET", "/", NULL, html);
    CHECK_INT(r.status, 200);
    check_header(&r, "Content-Type", "text/html; charset=utf-8");
    CHECK(contains(r.body, "<a href=\"/_mock/ui\">") &&
              contains(r.body, "<a href=\"/_mock/openapi.yaml\">"),
          "the page links: %s", r.body);
    response_free(&r);
    r = mock_call(s, "GET", "/_mock/openapi.yaml", NULL);
    CHECK_INT(r.status, 200);
    check_header(&r, "Content-Type", "application/yaml; charset=utf-8");
    size_t len = 0;
    char *source = read_file(source_path("schema/openapi.yaml"), &len);
    CHECK(source && r.body && strcmp(r.body, source) == 0,
          "the document served is schema/openapi.yaml (%zu bytes served, %zu in the file)", r.len,
          len);
    free(source);
    response_free(&r);
}

/* Every $('id') of the script names an element of the page. */
static void check_ids(const char *page)
{
    int refs = 0;
    for (const char *p = strstr(page, "$('"); p; p = strstr(p + 3, "$('")) {
        const char *name = p + 3;
        size_t n = strcspn(name, "'");
        CHECK(n > 0 && n < 64, "odd $() reference near: %.40s", p);
        if (n == 0 || n >= 64)
            continue;
        char attr[80];
        snprintf(attr, sizeof(attr), "id=\"%.*s\"", (int)n, name);
        CHECK(contains(page, attr), "the script uses $('%.*s') but the page has no %s", (int)n,
              name, attr);
        refs++;
    }
    CHECK(refs > 50, "only %d element lookups found: the script changed shape?", refs);
}

static void test_page_content(const struct server *s)
{
    char *page = get_page(s, NULL);
    if (!page)
        return;

    /* The sections and controls the script and tests/ui/browser.js depend on. */
    static const char *const ids[] = {
        "version",      "clock-now",    "clock-manual", "clock-set",     "token",
        "auto",         "reload",       "toasts",       "tenants",       "tenant-list",
        "tenant-name",  "tenant",       "tenant-reset", "tenant-delete", "mappings-body",
        "script-panel", "script-text",  "script-save",  "requests-body", "adobe",
        "call-tenant",  "call-mapping", "call-request", "call-trigger",  "call-poll",
        "call-body",    "faults",       "faults-body",  "faults-clear",  "fault-preset",
        "fault-json",   "journal",      "journal-list", "journal-clear", "j-status",
        "call-token",   "call-key",     "call-headers", "call-msg",      "ims-form",
    };
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        char attr[64];
        snprintf(attr, sizeof(attr), "id=\"%s\"", ids[i]);
        CHECK(contains(page, attr), "missing element %s", attr);
    }
    /* The report (GET /_mock/report): its form, window, coverage, findings, rules. */
    static const char *const report_ids[] = {
        "report",
        "report-tenant",
        "report-since",
        "report-poll",
        "report-refresh",
        "report-mark",
        "report-load",
        "report-entries",
        "report-range",
        "report-incomplete",
        "report-coverage-count",
        "report-coverage-body",
        "report-findings-body",
        "report-summary",
        "report-rules",
    };
    for (size_t i = 0; i < sizeof(report_ids) / sizeof(report_ids[0]); i++) {
        char attr[64];
        snprintf(attr, sizeof(attr), "id=\"%s\"", report_ids[i]);
        CHECK(contains(page, attr), "missing element %s", attr);
    }
    check_ids(page);
    CHECK(contains(page, "data-advance=\"1000\"") && contains(page, "data-advance=\"60000\"") &&
              contains(page, "data-advance=\"900000\""),
          "clock buttons +1 s, +1 min, +15 min");

    /* The calls it makes: the control API, the token header, the emulated API. */
    static const char *const calls[] = {
        "'/_mock/health'",
        "'/_mock/clock'",
        "'/_mock/tenants'",
        "'/_mock/tenants/'",
        "'/_mock/faults'",
        "'/_mock/faults/'",
        "'/_mock/journal'",
        "'/_mock/journal?'",
        "'/_mock/reset'",
        "'limit=50'",
        "'/requests'",
        "'/resolve'",
        "'/records'",
        "'/script'",
        "'/campaign/dataIngestion/xdmIngestion/'",
        "'/ingest'",
        "'?requestId='",
        "'X-Mock-Admin-Token'",
        "sessionStorage",
        "h['Authorization'] = 'Bearer ' + token",
        "h['X-Api-Key'] = key",
        "'/ims/token/v3'",
        "'X-Mock-UI-Call'",
        "'/_mock/journal/count'",
        "'/_mock/report'",
        "'/_mock/report/mark'",
        "'pollIntervalMs='",
        "'since='",
        "<a href=\"#report\">Report</a>",
        "setInterval(",
    };
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
        CHECK(contains(page, calls[i]), "the script should contain %s", calls[i]);

    /* A preset for every documented failure. */
    static const char *const presets[] = {
        "{error: '401013'}",       "{error: '403003'}",    "{error: '403023'}",
        "{error: '429050'}",       "{error: '500'}",       "{error: '502'}",
        "{error: '503'}",          "{transport: 'reset'}", "{transport: 'empty'}",
        "{transport: 'truncate'}", "{transport: 'hang'}",  "{delayMs: 2000}",
    };
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
        CHECK(contains(page, presets[i]), "missing fault preset %s", presets[i]);

    /* Nothing from elsewhere: no absolute or protocol-relative URL, no external
     * stylesheet, script, image or font. */
    char *low = lower_copy(page);
    static const char *const banned[] = {
        "http://", "https://", "'//", "\"//", "src=", "url(", "@import", "<link rel=\"stylesheet",
    };
    for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
        CHECK(low && !contains(low, banned[i]), "the page must not contain %s", banned[i]);
    /* The one link: an empty icon, so that browsers do not ask for /favicon.ico. */
    CHECK(contains(page, "<link rel=\"icon\" href=\"data:,\">"), "empty inline icon");
    const char *href = low;
    while (href && (href = strstr(href, "href=\"")) != NULL) {
        href += 6;
        CHECK(*href == '#' || strncmp(href, "data:,", 6) == 0, "href to elsewhere: %.40s", href);
    }

    /* Data reaches the DOM as text only. */
    static const char *const unsafe[] = {
        "innerhtml", "outerhtml", "insertadjacenthtml", "document.write", "eval(", "new function",
    };
    for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
        CHECK(low && !contains(low, unsafe[i]), "the page must not use %s", unsafe[i]);
    free(low);

    /* The file becomes a C string literal (cmake/embed.cmake): ASCII without carriage
     * returns, and no "??", which a C11 compiler would read as the start of a trigraph. */
    int ascii = 1;
    for (const unsigned char *p = (const unsigned char *)page; *p; p++)
        ascii &= *p < 0x80 && *p != '\r';
    CHECK(ascii, "the page is ASCII without CR");
    CHECK(!contains(page, "??"), "the page contains \"??\" (a trigraph in C)");
    free(page);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
    } else {
        test_served_as_built(&s);
        test_page_content(&s);
        test_discovery(&s);
        CHECK_INT(server_stop(&s), 0);
    }
    test_without_admin_token();
    curl_global_cleanup();
    return test_report();
}
