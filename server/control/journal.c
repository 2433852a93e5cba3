/*
 * The journal: every call to the emulated API and IMS is recorded when it completes
 * (what the client sent, what it got, the fault applied), in SQLite so that a file
 * database keeps it, and capped by --journal-max so that it can never exhaust memory.
 */
#include "control/control.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "utf8.h"
#include "store/store_journal.h"

/* Bodies are kept up to 16 KiB each: enough for any body of this API (they are tens
 * of bytes), while a 1 MiB garbage upload cannot make 100,000 entries weigh 100 GiB. */
#define JOURNAL_BODY_MAX (16u * 1024)

/* A body as journal text: valid UTF-8 kept (truncated past the cap, at a character
 * boundary), anything else replaced by a note, so the journal's JSON stays valid;
 * trusted: the body is one of ours, UTF-8 by construction. body is
 * NUL-terminated at len. Returns body itself when it is kept whole; otherwise a copy in *owned
 * (caller frees; NULL when out of memory, and then "" is returned). */
static const char *body_text(const char *body, size_t len, int trusted, char **owned)
{
    *owned = NULL;
    size_t n = utf8_boundary(body, len, JOURNAL_BODY_MAX);
    /* The journal is read back as JSON text, which must be UTF-8 (a NUL fails too).
     * Our own answers are (error messages are repaired, rules' bodies were validated
     * when they came in): checked only where assertions are on. */
    assert(!trusted || utf8_valid(body, n));
    if (!trusted && !utf8_valid(body, n))
        return "(binary body not kept)";
    if (n == len)
        return body;
    char *out = malloc(n + 40);
    if (!out)
        return "";
    memcpy(out, body, n);
    snprintf(out + n, 40, "...(%zu bytes in all)", len);
    *owned = out;
    return out;
}

void control_journal_sent_make(struct journal_sent *out, const struct http_request *req)
{
    out->headers = http_request_headers_json(req);
    out->query = http_request_query_json(req);
    out->body = body_text(req->body, req->body_len, 0, &out->body_owned);
}

void control_journal_sent_free(struct journal_sent *sent)
{
    free(sent->headers);
    free(sent->query);
    free(sent->body_owned);
}

int control_journal_append(struct app *app, struct store *st, const struct http_request *req,
                           const struct journal_sent *sent, const struct reply *rep)
{
    int status = rep->transport == TRANSPORT_NORMAL || rep->transport == TRANSPORT_TRUNCATE
                     ? rep->status
                     : 0;
    char *got_owned = NULL;
    const char *got = body_text(rep->body ? rep->body : "", rep->body_len, 1, &got_owned);
    /* The method and the decoded path as sent may be any bytes (GET /%FF is journaled
     * as a 404): the journal is read back as JSON, so they are kept as UTF-8. */
    const char *sent_path = req->path ? req->path : "";
    char method[16], *path = utf8_valid(sent_path, strlen(sent_path)) ? NULL : strdup(sent_path);
    snprintf(method, sizeof(method), "%s", req->method ? req->method : "");
    utf8_sanitize(method);
    if (path)
        utf8_sanitize(path);
    struct journal_entry e = {
        .server_ms = clock_now_ms(&app->clock),
        .wall_ms = clock_wall_ms(),
        .method = method,
        .path = path ? path : sent_path,
        .query = sent->query ? sent->query : "{}",
        .endpoint = req->endpoint,
        .tenant = rep->tenant,
        .mapping = rep->mapping,
        .request_id = rep->request_id,
        .status = status,
        .request_headers = sent->headers ? sent->headers : "{}",
        .request_body = sent->body,
        .response_body = got,
        .fault = rep->fault_id,
        .duration_ms = clock_monotonic_ms() - req->started_ms,
        .transport = reply_transport_name(rep->transport),
        .scheme = req->tls ? "https" : "http",
    };
    long long evicted = 0;
    int rc =
        store_journal_append(st, &e, app->cfg->journal_max, app->cfg->journal_max_bytes, &evicted);
    if (rc == 0)
        rc = app_count_evicted(st, "journal_evicted", evicted);
    free(path);
    free(got_owned);
    return rc;
}

/* Reads the filters of the query string; refuses bad values naming them. */
static int read_filter(struct ctl *c, struct journal_filter *f)
{
    static const char *const known[] = {"tenant", "mapping", "method", "status", "limit", NULL};
    memset(f, 0, sizeof(*f));
    int rc = ctl_query_known(c, known);
    if (rc)
        return rc;
    f->tenant = http_request_query(c->req, "tenant");
    f->mapping = http_request_query(c->req, "mapping");
    f->method = http_request_query(c->req, "method");
    const char *status = http_request_query(c->req, "status");
    const char *limit = http_request_query(c->req, "limit");
    if (status) {
        char *end;
        long v = strtol(status, &end, 10);
        /* 0 selects the calls whose transport was broken on purpose (reset, empty, hang). */
        if (!*status || *end || (v != 0 && (v < 100 || v > 599)))
            return ctl_fail(c, ERR_BAD_FIELD,
                            "status: \"%.20s\" is not an HTTP status (100-599) or 0", status);
        f->status = (int)v;
        f->has_status = 1;
    }
    if (limit) {
        char *end;
        long long v = strtoll(limit, &end, 10);
        if (!*limit || *end || v < 1 || v > 10000000)
            return ctl_fail(c, ERR_BAD_FIELD,
                            "limit: \"%.20s\" is not an integer from 1 to "
                            "10000000",
                            limit);
        f->limit = v;
    }
    return 0;
}

/* Adds an entry to the page in progress (arg: the struct ctl). */
static int add_entry(void *arg, const struct journal_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    char iso[40];
    cJSON_AddNumberToObject(o, "id", (double)e->id);
    clock_format_iso(iso, sizeof(iso), e->server_ms);
    cJSON_AddStringToObject(o, "serverTime", iso);
    cJSON_AddNumberToObject(o, "serverMs", (double)e->server_ms);
    clock_format_iso(iso, sizeof(iso), e->wall_ms);
    cJSON_AddStringToObject(o, "wallTime", iso);
    cJSON_AddStringToObject(o, "method", e->method);
    cJSON_AddStringToObject(o, "path", e->path);
    cJSON *q = cJSON_Parse(e->query);
    cJSON_AddItemToObject(o, "query", q ? q : cJSON_CreateObject());
    cJSON_AddStringToObject(o, "endpoint", e->endpoint);
    cJSON_AddStringToObject(o, "tenant", e->tenant);
    cJSON_AddStringToObject(o, "mapping", e->mapping);
    if (e->request_id >= 0)
        cJSON_AddNumberToObject(o, "requestId", (double)e->request_id);
    else
        cJSON_AddNullToObject(o, "requestId");
    cJSON_AddNumberToObject(o, "status", e->status);
    cJSON *h = cJSON_Parse(e->request_headers);
    cJSON_AddItemToObject(o, "requestHeaders", h ? h : cJSON_CreateObject());
    cJSON_AddStringToObject(o, "requestBody", e->request_body);
    cJSON_AddStringToObject(o, "responseBody", e->response_body);
    if (e->fault[0])
        cJSON_AddStringToObject(o, "fault", e->fault);
    else
        cJSON_AddNullToObject(o, "fault");
    cJSON_AddNumberToObject(o, "durationMs", round(e->duration_ms * 1000.0) / 1000.0);
    cJSON_AddStringToObject(o, "transport", e->transport);
    cJSON_AddStringToObject(o, "scheme", e->scheme);
    struct ctl *c = arg;
    cJSON_AddItemToArray(c->page_items, o);
    c->page_next = e->id;
    return 0;
}

/* Entries a page of the export holds: an entry may weigh some 50 KiB (bodies and
 * headers are cut), so 32 of them keep a page, the memory a read holds, near 2 MiB. */
#define JOURNAL_PAGE_ROWS 32

/* What a journal read keeps from page to page. */
struct journal_read {
    struct journal_filter f;
    long long upto; /* the newest id when the read began: later calls are not listed */
};

/* A page of entries, oldest first: those after the cursor. */
static int get_page(struct store *st, struct ctl *c)
{
    struct journal_read *r = c->page_arg;
    int n = 0;
    int rc = store_journal_page(st, &r->f, c->cursor, r->upto, JOURNAL_PAGE_ROWS, add_entry, c, &n);
    c->more = rc == 0 && n == JOURNAL_PAGE_ROWS;
    return rc;
}

/* The first transaction: the filters, the bounds of the listing and its head. The
 * entries are streamed (ctl_run_stream): the newest `limit` matching ones, or all, as
 * they were when the read began (calls made meanwhile are not listed). */
static int get_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    struct journal_read *r = c->page_arg;
    int rc = read_filter(c, &r->f);
    if (rc)
        return rc;
    long long evicted = 0, after = 0;
    if ((rc = store_meta_get(st, "journal_evicted", &evicted)) < 0 && rc != STORE_NOTFOUND)
        return rc;
    if ((rc = store_journal_last_id(st, &r->upto)) < 0)
        return rc;
    if (r->f.limit > 0 && (rc = store_journal_start(st, &r->f, r->f.limit, r->upto, &after)) < 0)
        return rc;
    cJSON_Delete(c->out);
    c->out = cJSON_CreateObject();
    c->page_dest = cJSON_AddArrayToObject(c->out, "entries");
    cJSON_AddNumberToObject(c->out, "evicted", (double)evicted);
    c->page = get_page;
    c->page_read_only = 1;
    c->page_stream = 1;
    c->more = 1;
    c->cursor = after;
    return 0;
}

void handle_journal_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    struct journal_read r;
    memset(&r, 0, sizeof(r));
    ctl_run_stream(app, req, rep, get_tx, &r, sizeof(r));
}

static int count_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    struct journal_filter f;
    int rc = read_filter(c, &f);
    if (rc)
        return rc;
    f.limit = 0;
    long long n = 0;
    rc = store_journal_count(st, &f, &n);
    c->out = cJSON_CreateObject();
    cJSON_AddNumberToObject(c->out, "count", (double)n);
    return rc;
}

void handle_journal_count(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, count_tx);
}

static int delete_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    struct journal_filter all = {0};
    long long n = 0;
    int rc = store_journal_count(st, &all, &n);
    if (rc == 0)
        rc = store_journal_clear(st);
    c->out = cJSON_CreateObject();
    cJSON_AddNumberToObject(c->out, "deleted", (double)n);
    return rc;
}

void handle_journal_delete(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, delete_tx);
}
