/*
 * What the control handlers share: the transaction-and-reply runner, tenant and
 * mapping lookups with their 404s, the control forms of mappings and requests, and
 * the admin-token check.
 */
#include "control/control.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/fixtures.h"
#include "json.h"
#include "jsonw.h"
#include "log.h"
#include "pipeline.h"
#include "utf8.h"

int ctl_query_known(struct ctl *c, const char *const known[])
{
    char msg[sizeof(c->msg)];
    if (!ctl_query_unknown(c->req, known, msg, sizeof(msg)))
        return 0;
    return ctl_fail(c, ERR_BAD_FIELD, "%s", msg);
}

int ctl_query_unknown(const struct http_request *req, const char *const known[], char *msg,
                      size_t size)
{
    char name[64];
    if (!http_request_query_unknown(req, known, name, sizeof(name)))
        return 0;
    /* A misspelt filter must not read everything and let a test pass for the wrong
     * reason. */
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; known[i]; i++) {
        int n = snprintf(list + used, sizeof(list) - used, "%s%s",
                         i == 0         ? ""
                         : known[i + 1] ? ", "
                                        : " or ",
                         known[i]);
        if (n > 0 && (size_t)n < sizeof(list) - used)
            used += (size_t)n;
    }
    snprintf(msg, size, "unknown query parameter \"%s\" (it takes %s)", name, list);
    return 1;
}

int ctl_fail(struct ctl *c, enum err_code err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
    va_end(ap);
    c->err = err;
    return CTL_REFUSED;
}

static int parse_body(struct ctl *c, enum ctl_body mode)
{
    const struct http_request *req = c->req;
    size_t start = 0;
    while (start < req->body_len && (req->body[start] == ' ' || req->body[start] == '\n' ||
                                     req->body[start] == '\r' || req->body[start] == '\t'))
        start++;
    if (start == req->body_len) {
        if (mode == CTL_BODY_REQUIRED)
            return ctl_fail(c, ERR_BAD_JSON, "a JSON body is required");
        return 0;
    }
    if (!utf8_valid(req->body, req->body_len))
        return ctl_fail(c, ERR_BAD_UTF8, "the request body is not valid UTF-8");
    size_t at = 0;
    switch (json_parse_strict(&c->body, req->body, req->body_len, &at)) {
    case JSON_OK:
        return 0;
    case JSON_NUL_ESCAPE:
        return ctl_fail(c, ERR_BAD_JSON,
                        "the request body holds \\u0000 (near byte %zu): NUL is not allowed in "
                        "strings",
                        at);
    case JSON_INEXACT_NUMBER:
        return ctl_fail(c, ERR_BAD_JSON,
                        "the request body holds an integer beyond 2^53 = %lld (near byte %zu), "
                        "which JSON cannot carry exactly",
                        JSON_INT_MAX, at);
    case JSON_INVALID:
        break;
    }
    return ctl_fail(c, ERR_BAD_JSON, "the request body is not valid JSON (near byte %zu)", at);
}

struct run_arg {
    struct ctl *c;
    int (*fn)(struct store *st, void *arg);
    enum ctl_body body;
    int attempts; /* of the transaction (see store_transact) */
};

/* The first transaction. A retry (the database was busy) starts from the ctl that run
 * made: what the attempt before built goes, and the body is parsed again, since fn may
 * have changed it (it is fn's to use as it likes). */
static int run_tx(struct store *st, void *arg)
{
    struct run_arg *a = arg;
    struct ctl *c = a->c;
    if (a->attempts++ > 0) {
        struct ctl fresh;
        memset(&fresh, 0, sizeof(fresh));
        fresh.app = c->app;
        fresh.req = c->req;
        fresh.page_arg = c->page_arg;
        fresh.status = 200;
        cJSON_Delete(c->body);
        cJSON_Delete(c->out);
        cJSON_Delete(c->problems);
        cJSON_Delete(c->page_items);
        *c = fresh;
        int rc = a->body != CTL_NO_BODY ? parse_body(c, a->body) : 0;
        if (rc)
            return rc;
    }
    return a->fn(st, c);
}

static int page_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    cJSON_Delete(c->page_items);
    c->page_items = cJSON_CreateArray();
    c->more = 0;
    if (!c->page_items)
        return STORE_ERROR;
    return c->page(st, c);
}

/* Moves a committed page's items to page_dest. */
static void page_commit(struct ctl *c)
{
    cJSON *item;
    while ((item = c->page_items->child) != NULL) {
        cJSON_DetachItemViaPointer(c->page_items, item);
        cJSON_AddItemToArray(c->page_dest, item);
    }
    c->cursor = c->page_next;
}

/* Runs the pages of a paged read after its first transaction. */
static int run_pages(struct store *st, struct ctl *c)
{
    int rc = 0;
    while (rc == 0 && c->page && c->more) {
        long long before = c->cursor;
        rc = c->page_read_only ? store_read(st, page_tx, c) : store_transact(st, page_tx, c);
        if (rc == 0)
            page_commit(c);
        /* A page that asks for more has read something: the cursor moved. */
        assert(rc != 0 || !c->more || c->cursor != before);
        (void)before;
    }
    cJSON_Delete(c->page_items);
    c->page_items = NULL;
    return rc;
}

int ctl_run(struct app *app, const struct http_request *req, struct reply *rep, enum ctl_body body,
            int (*fn)(struct store *st, void *arg))
{
    return ctl_run_with(app, req, rep, body, fn, NULL);
}

/* --- streamed reads ------------------------------------------------------------------ */

/* Where the items go in the printed document: a raw byte that no JSON text holds
 * (strings escape control characters). */
#define STREAM_MARK "\x01"

struct ctl_stream {
    struct ctl c;
    char *head, *tail; /* the document before the items (up to '['), and from ']' on */
    int head_sent;
    long long items;     /* sent so far */
    unsigned char arg[]; /* the copy of page_arg */
};

static void stream_free(void *ctx)
{
    struct ctl_stream *s = ctx;
    cJSON_Delete(s->c.page_items);
    cJSON_Delete(s->c.body);
    free(s->head);
    free(s->tail);
    free(s);
}

/* The next piece: the head, then one page (its own read transaction), then the tail. */
static int stream_next(void *ctx, struct jsonw *out)
{
    struct ctl_stream *s = ctx;
    struct ctl *c = &s->c;
    if (!s->head_sent) {
        s->head_sent = 1;
        jsonw_raw(out, s->head);
        return 1;
    }
    if (c->more) {
        struct store *st = app_store(c->app);
        int rc = !st                 ? STORE_ERROR
                 : c->page_read_only ? store_read(st, page_tx, c)
                                     : store_transact(st, page_tx, c);
        if (rc != 0) {
            log_msg(LOG_ERROR, "%s %s: page %lld of a streamed read failed (store code %d)",
                    c->req->method, c->req->path, s->items, rc);
            return -1;
        }
        for (const cJSON *item = c->page_items ? c->page_items->child : NULL; item;
             item = item->next) {
            if (s->items++ > 0)
                jsonw_rawn(out, ",", 1);
            json_print_to(out, item);
        }
        cJSON_Delete(c->page_items);
        c->page_items = NULL;
        assert(!c->more || c->cursor != c->page_next);
        c->cursor = c->page_next;
        if (c->more)
            return 1;
    }
    /* The tail starts with the ']' of page_dest; what only the last page knew follows it. */
    jsonw_rawn(out, s->tail, 1);
    if (c->page_tail)
        c->page_tail(c, out);
    jsonw_raw(out, s->tail + 1);
    return 0;
}

/* Turns a read whose first transaction committed into a streamed reply. */
static int stream_start(struct ctl *c, struct reply *rep, size_t arg_size)
{
    assert(c->page_dest);
    struct ctl_stream *s = calloc(1, sizeof(*s) + arg_size);
    cJSON *mark = cJSON_CreateRaw(STREAM_MARK);
    if (!s || !mark) {
        free(s);
        cJSON_Delete(mark);
        return STORE_ERROR;
    }
    cJSON_AddItemToArray(c->page_dest, mark);
    char *text = json_print(c->out);
    char *at = text ? strstr(text, STREAM_MARK) : NULL;
    if (at) {
        s->head = strndup(text, (size_t)(at - text));
        s->tail = strdup(at + 1);
    }
    free(text);
    if (!s->head || !s->tail) {
        free(s->head);
        free(s->tail);
        free(s);
        return STORE_ERROR;
    }
    s->c = *c;
    if (arg_size)
        memcpy(s->arg, c->page_arg, arg_size);
    s->c.page_arg = s->arg;
    s->c.out = NULL; /* printed: what remains of it is head and tail */
    s->c.page_dest = NULL;
    s->c.problems = NULL;
    c->body = NULL; /* the stream's now (a page may read it) */
    struct reply_stream rs = {stream_next, stream_free, s};
    reply_stream_take(rep, c->status, &rs);
    return 0;
}

/* --- the runner -------------------------------------------------------------------- */

static int run(struct app *app, const struct http_request *req, struct reply *rep,
               enum ctl_body body, int (*fn)(struct store *st, void *arg), void *page_arg,
               size_t arg_size)
{
    struct ctl c;
    memset(&c, 0, sizeof(c));
    c.app = app;
    c.req = req;
    c.page_arg = page_arg;
    c.status = 200;
    if (req->n_params > 0)
        reply_set_field(rep->tenant, sizeof(rep->tenant), req->params[0]);
    int rc = body != CTL_NO_BODY ? parse_body(&c, body) : 0;
    int streamed = 0;
    if (rc == 0) {
        struct run_arg a = {&c, fn, body, 0};
        rc = store_transact(app_store(app), run_tx, &a);
        if (rc == 0 && c.page && c.more && c.page_stream) {
            rc = stream_start(&c, rep, arg_size);
            streamed = rc == 0;
        } else if (rc == 0) {
            rc = run_pages(app_store(app), &c);
        }
    }
    if (streamed) {
        /* the reply is made: the stream holds the rest */
    } else if (rc == 0) {
        char *text = c.out ? json_print(c.out) : NULL;
        if (c.out && !text) {
            errors_reply(rep, ERR_INTERNAL, "out of memory");
        } else {
            reply_json_take(rep, c.status, text, text ? strlen(text) : 0);
            if (!text)
                reply_json(rep, c.status, "{}");
        }
    } else if (rc == CTL_REFUSED) {
        errors_reply(rep, c.err, "%s", c.msg);
        if (c.problems) {
            /* Re-render with the list of problems appended (fixture validation). */
            cJSON *doc = cJSON_Parse(rep->body);
            if (doc) {
                cJSON_AddItemToObject(doc, "problems", c.problems);
                c.problems = NULL;
                char *text = json_print(doc);
                if (text)
                    reply_json_take(rep, rep->status, text, strlen(text));
                cJSON_Delete(doc);
            }
        }
    } else {
        pipeline_store_failure(app, rep, app_store(app), rc);
    }
    cJSON_Delete(c.problems);
    cJSON_Delete(c.body);
    cJSON_Delete(c.out);
    return rc;
}

int ctl_run_with(struct app *app, const struct http_request *req, struct reply *rep,
                 enum ctl_body body, int (*fn)(struct store *st, void *arg), void *page_arg)
{
    return run(app, req, rep, body, fn, page_arg, 0);
}

int ctl_run_stream(struct app *app, const struct http_request *req, struct reply *rep,
                   int (*fn)(struct store *st, void *arg), void *page_arg, size_t arg_size)
{
    return run(app, req, rep, CTL_NO_BODY, fn, page_arg, arg_size);
}

/* Copies fixture problems into the refusal: the first line as the message, all lines
 * as "problems". */
int ctl_refuse_problems(struct ctl *c, const struct problems *p)
{
    c->problems = cJSON_CreateArray();
    const char *line = p->text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char buf[480];
        snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
        cJSON_AddItemToArray(c->problems, cJSON_CreateString(buf));
        if (c->msg[0] == '\0') {
            snprintf(c->msg, sizeof(c->msg), "%s", buf);
            c->err = ERR_BAD_FIELD;
        }
        line = end ? end + 1 : line + n;
    }
    return CTL_REFUSED;
}

int ctl_tenant(struct ctl *c, struct store *st, const char *name)
{
    if (!fixtures_tenant_name_valid(name))
        return ctl_fail(c, ERR_UNKNOWN_TENANT,
                        "unknown tenant \"%.128s\": tenant names are " MODEL_TENANT_RULE, name);
    int rc = app_tenant_ensure(c->app, st, name);
    if (rc == STORE_NOTFOUND)
        return ctl_fail(c, ERR_UNKNOWN_TENANT,
                        "unknown tenant \"%.128s\": not in the fixtures, and no template "
                        "tenant \"*\"",
                        name);
    return rc;
}

int ctl_mapping(struct ctl *c, struct store *st, struct model_mapping *out)
{
    const char *tenant = c->req->params[0], *id = c->req->params[1];
    int rc = ctl_tenant(c, st, tenant);
    if (rc != 0)
        return rc;
    rc = fixtures_mapping_id_valid(id) ? store_mapping_get(st, tenant, id, out) : STORE_NOTFOUND;
    if (rc == STORE_NOTFOUND)
        return ctl_fail(c, ERR_UNKNOWN_MAPPING, "unknown mapping \"%.128s\" in tenant %.128s", id,
                        tenant);
    return rc;
}

static int add_step(void *arg, const struct model_step *s)
{
    cJSON_AddItemToArray(arg, fixtures_step_to_json(s));
    return 0;
}

int ctl_script_json(struct store *st, const struct model_mapping *m, cJSON *arr)
{
    return arr ? store_script_each(st, m->tenant, m->id, add_step, arr) : STORE_ERROR;
}

cJSON *ctl_mapping_json(struct store *st, const struct model_mapping *m)
{
    cJSON *o = fixtures_mapping_to_json(m);
    if (!o)
        return NULL;
    if (ctl_script_json(st, m, cJSON_AddArrayToObject(o, "script")) != 0) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddStringToObject(o, "publication", m->published ? "Published" : "Draft");
    cJSON_AddStringToObject(o, "execution", m->started ? "Started" : "Stopped");
    struct model_request r;
    if (store_request_in_progress(st, m->tenant, m->id, &r) == 0)
        cJSON_AddNumberToObject(o, "inProgressRequestId", (double)r.id);
    else
        cJSON_AddNullToObject(o, "inProgressRequestId");
    /* Counts, not ids: a mapping may have a million requests (the ids are paged by
     * GET .../requests?mapping=ID). */
    long long counts[MODEL_STATUS_COUNT];
    cJSON *by_status = cJSON_AddObjectToObject(o, "requestCounts");
    if (by_status && store_request_counts(st, m->tenant, m->id, counts) == 0) {
        for (int i = 0; i < MODEL_STATUS_COUNT; i++)
            cJSON_AddNumberToObject(by_status, model_status_name((enum model_status)i),
                                    (double)counts[i]);
    }
    return o;
}

struct map_arg {
    struct store *st;
    cJSON *arr;
    int failed; /* a mapping could not be read whole */
};

static int add_mapping(void *arg, const struct model_mapping *m)
{
    struct map_arg *a = arg;
    cJSON *o = ctl_mapping_json(a->st, m);
    cJSON_AddItemToArray(a->arr, o);
    a->failed = !o;
    return a->failed;
}

int ctl_mappings_json(struct store *st, const char *tenant, cJSON *arr)
{
    struct map_arg a = {st, arr, 0};
    int rc = store_mapping_each(st, tenant, add_mapping, &a);
    return rc == 0 && a.failed ? STORE_ERROR : rc;
}

cJSON *ctl_request_json(const struct model_request *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    char iso[40];
    cJSON_AddNumberToObject(o, "requestId", (double)r->id);
    cJSON_AddStringToObject(o, "mapping", r->mapping);
    cJSON_AddStringToObject(o, "status", model_status_name(r->status));
    cJSON_AddItemToObject(o, "step", fixtures_step_to_json(&r->step));
    cJSON_AddNumberToObject(o, "createdMs", (double)r->created_ms);
    clock_format_iso(iso, sizeof(iso), r->created_ms);
    cJSON_AddStringToObject(o, "createdAt", iso);
    cJSON_AddNumberToObject(o, "polls", (double)r->polls);
    cJSON_AddNumberToObject(o, "numRecords", (double)r->num_records);
    cJSON_AddStringToObject(o, "batchId", r->batch_id);
    if (r->resolved_ms >= 0) {
        cJSON_AddNumberToObject(o, "resolvedMs", (double)r->resolved_ms);
        clock_format_iso(iso, sizeof(iso), r->resolved_ms);
        cJSON_AddStringToObject(o, "resolvedAt", iso);
    } else {
        cJSON_AddNullToObject(o, "resolvedMs");
        cJSON_AddNullToObject(o, "resolvedAt");
    }
    return o;
}

int ctl_request_refresh(struct app *app, struct store *st, struct model_request *r)
{
    if (r->status != STATUS_IN_PROGRESS)
        return 0;
    struct model_mapping m;
    int rc = store_mapping_get(st, r->tenant, r->mapping, &m);
    if (rc < 0)
        return rc;
    return app_request_advance(st, r, &m, clock_now_ms(&app->clock), 0);
}

int ctl_get_count(struct ctl *c, const cJSON *obj, const char *field, long long max, long long *out,
                  int *present)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (present)
        *present = v != NULL;
    if (!v)
        return 0;
    switch (json_int_in(v, 0, max, out)) {
    case JSON_INT_IS:
        return 0;
    case JSON_INT_NOT:
        return ctl_fail(c, ERR_BAD_FIELD, "%s: must be an integer", field);
    case JSON_INT_OUTSIDE:
        break;
    }
    return ctl_fail(c, ERR_BAD_FIELD, "%s: must be between 0 and %lld", field, max);
}
