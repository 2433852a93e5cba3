/*
 * What a person (or a client) finds without knowing the paths: GET / and GET /_mock, an
 * index of links; GET /_mock/openapi.yaml, the OpenAPI document of every endpoint; and
 * GET /_mock/ui, the web dashboard, one self-contained page embedded at build time from
 * ui/index.html. None needs the admin token (they hold no data); the dashboard asks for
 * it and sends it with every control call it makes.
 */
#include "control/control.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "embedded.h"
#include "jsonw.h"

static const char *embedded(const struct embedded_file *files, int count, const char *name)
{
    for (int i = 0; i < count; i++) {
        if (strcmp(files[i].name, name) == 0)
            return files[i].text;
    }
    return NULL;
}

void handle_ui_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    (void)app;
    (void)req;
    const char *page = embedded(ui_files, ui_files_count, "index.html");
    if (!page) {
        errors_reply(rep, ERR_ROUTE_NOT_FOUND, "the dashboard was not built into this binary");
        return;
    }
    reply_text(rep, 200, "text/html; charset=utf-8", page, strlen(page));
    reply_header_add(rep, "Cache-Control", "no-store");
}

void handle_openapi_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    (void)app;
    (void)req;
    const char *doc = embedded(docs_files, docs_files_count, "openapi.yaml");
    if (!doc) {
        errors_reply(rep, ERR_ROUTE_NOT_FOUND,
                     "the OpenAPI document was not built into this binary");
        return;
    }
    reply_text(rep, 200, "application/yaml; charset=utf-8", doc, strlen(doc));
}

/* The links of the index, in the order shown. */
static const struct {
    const char *name, *path, *what;
} links[] = {
    {"dashboard", "/_mock/ui", "the web dashboard"},
    {"openapi", "/_mock/openapi.yaml", "the OpenAPI document of every endpoint"},
    {"health", "/_mock/health", "readiness"},
    {"metrics", "/_mock/metrics", "Prometheus metrics"},
    {"journal", "/_mock/journal", "every call the emulated API received"},
    {"tenants", "/_mock/tenants", "tenants and their mappings"},
};

#define N_LINKS (sizeof(links) / sizeof(links[0]))

/* Whether s holds word, ignoring case. */
static int mentions(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; s && *s; s++) {
        if (strncasecmp(s, word, n) == 0)
            return 1;
    }
    return 0;
}

void handle_index_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    (void)app;
    /* A browser (Accept names text/html) gets a page; any other client JSON. */
    const char *accept = http_request_header(req, "Accept");
    struct jsonw w;
    jsonw_init(&w);
    if (mentions(accept, "text/html")) {
        jsonw_raw(
            &w,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>campaign-mock</title></head><body>\n<h1>campaign-mock " CAMPAIGN_MOCK_VERSION
            "</h1>\n<p>A local emulator of Adobe Campaign Standard's data-ingestion "
            "API, with Adobe IMS in front.</p>\n<ul>\n");
        for (size_t i = 0; i < N_LINKS; i++)
            jsonw_rawf(&w, "<li><a href=\"%s\">%s</a>: %s</li>\n", links[i].path, links[i].path,
                       links[i].what);
        jsonw_raw(&w, "</ul>\n</body></html>\n");
        size_t len = 0;
        char *page = jsonw_take(&w, &len);
        if (page)
            reply_text(rep, 200, "text/html; charset=utf-8", page, len);
        else
            errors_reply(rep, ERR_INTERNAL, "out of memory");
        free(page);
        return;
    }
    jsonw_raw(&w,
              "{\"name\":\"campaign-mock\",\"version\":\"" CAMPAIGN_MOCK_VERSION "\",\"links\":{");
    for (size_t i = 0; i < N_LINKS; i++)
        jsonw_rawf(&w, "%s\"%s\":\"%s\"", i ? "," : "", links[i].name, links[i].path);
    jsonw_raw(&w, "}}");
    size_t len = 0;
    char *body = jsonw_take(&w, &len);
    if (body)
        reply_json_take(rep, 200, body, len);
    else
        errors_reply(rep, ERR_INTERNAL, "out of memory");
}
