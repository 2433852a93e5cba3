/*
 * /_mock/tenants/{org}/requests: list (by mapping and status), read one, and resolve
 * one by hand with a step applied now (how a hang ends). Reading advances requests
 * whose step is due, as any read does; control reads never count as polls.
 */
#include "control/control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/fixtures.h"
#include "json.h"
#include "jsonw.h"

/* Request ids are at most 2^53 (see api/ingest.c). */
#define REQUEST_ID_MAX JSON_INT_MAX

struct collect {
    struct model_request *items;
    size_t n, cap;
    int failed;
};

static int collect_one(void *arg, const struct model_request *r)
{
    struct collect *c = arg;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct model_request *grown = realloc(c->items, cap * sizeof(*grown));
        if (!grown) {
            c->failed = 1;
            return 1;
        }
        c->items = grown;
        c->cap = cap;
    }
    c->items[c->n++] = *r;
    return 0;
}

/* A list gives at most this many requests by default (?limit= up to LIST_MAX), then
 * "next": the id to pass as ?after= for the rest: its size is bounded whatever the
 * tenant holds. */
#define LIST_DEFAULT 1000
#define LIST_MAX     10000

struct list_page {
    const char *mapping;
    int has_status;
    enum model_status status;
    long long limit, listed, last; /* the cap, how many are listed, the last one's id */
    int cut;                       /* the cap was reached with requests left */
    /* listed and last when the page at cursor began: a page retried (the database was
     * busy; the cursor moves only when a page commits) counts from there again. */
    long long page_cursor, page_listed, page_last;
};

/* A page of the listing: read, then refreshed (which writes: never mid-iteration). */
static int list_page(struct store *st, struct ctl *c)
{
    struct list_page *lp = c->page_arg;
    if (lp->page_cursor == c->cursor) {
        lp->listed = lp->page_listed;
        lp->last = lp->page_last;
    } else {
        lp->page_cursor = c->cursor;
        lp->page_listed = lp->listed;
        lp->page_last = lp->last;
    }
    struct collect all = {0};
    int n = 0;
    /* In Progress in the database is a superset of In Progress after the refresh: only
     * those are read. Any other status may be reached by a refresh: all are read. */
    int in_progress = lp->has_status && lp->status == STATUS_IN_PROGRESS;
    int rc = store_request_page(st, c->req->params[0], lp->mapping, in_progress, c->cursor,
                                CTL_PAGE_ROWS, collect_one, &all, &n);
    if (all.failed)
        rc = STORE_ERROR;
    size_t i = 0;
    for (; i < all.n && rc == 0 && lp->listed < lp->limit; i++) {
        rc = ctl_request_refresh(c->app, st, &all.items[i]);
        if (rc == 0 && (!lp->has_status || all.items[i].status == lp->status)) {
            cJSON_AddItemToArray(c->page_items, ctl_request_json(&all.items[i]));
            lp->listed++;
            lp->last = all.items[i].id;
        }
        c->page_next = all.items[i].id;
    }
    int rest = i < all.n || n == CTL_PAGE_ROWS;
    lp->cut = lp->listed == lp->limit && rest;
    c->more = rc == 0 && n == CTL_PAGE_ROWS && lp->listed < lp->limit;
    free(all.items);
    return rc;
}

/* After the last page: "next", where ?after= takes the list up, when it was cut. */
static void list_tail(struct ctl *c, struct jsonw *out)
{
    const struct list_page *lp = c->page_arg;
    if (lp->cut)
        jsonw_rawf(out, ",\"next\":%lld", lp->last);
}

static int list_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    struct list_page *lp = c->page_arg;
    const char *tenant = c->req->params[0];
    static const char *const known[] = {"mapping", "status", "limit", "after", NULL};
    int checked = ctl_query_known(c, known);
    if (checked)
        return checked;
    lp->mapping = http_request_query(c->req, "mapping");
    const char *status = http_request_query(c->req, "status");
    lp->has_status = status != NULL;
    if (status && model_status_parse(&lp->status, status) < 0)
        return ctl_fail(c, ERR_BAD_FIELD,
                        "status: \"%.40s\" is not one of In Progress, Success, Failed, Aborted",
                        status);
    if (lp->mapping && !*lp->mapping)
        lp->mapping = NULL;
    lp->limit = LIST_DEFAULT;
    long long after = 0;
    static const struct {
        const char *name;
        long long min, max;
    } ints[] = {{"limit", 1, LIST_MAX}, {"after", 0, REQUEST_ID_MAX}};
    for (int k = 0; k < 2; k++) {
        const char *v = http_request_query(c->req, ints[k].name);
        if (!v)
            continue;
        char *end;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (!*v || *end || errno || x < ints[k].min || x > ints[k].max)
            return ctl_fail(c, ERR_BAD_FIELD, "%s: \"%.20s\" is not an integer from %lld to %lld",
                            ints[k].name, v, ints[k].min, ints[k].max);
        *(k == 0 ? &lp->limit : &after) = x;
    }
    lp->listed = 0;
    lp->cut = 0;
    lp->page_cursor = -1; /* no page began */
    int rc = ctl_tenant(c, st, tenant);
    if (rc)
        return rc;
    /* The total, from the counts the database keeps: as stored when the list begins
     * (a due request this read advances is counted in the status it had). */
    long long total = 0;
    if ((rc = store_request_total(st, tenant, lp->mapping,
                                  lp->has_status ? model_status_name(lp->status) : NULL, &total)) <
        0)
        return rc;
    cJSON_Delete(c->out); /* a retried transaction starts over */
    c->out = cJSON_CreateObject();
    /* Before the list: "next", which only the last page knows, ends the document. */
    cJSON_AddNumberToObject(c->out, "total", (double)total);
    c->page_dest = cJSON_AddArrayToObject(c->out, "requests");
    c->page = list_page;
    c->page_tail = list_tail;
    /* Streamed: a list of 10,000 requests is never whole in memory. */
    c->page_stream = 1;
    c->more = 1;
    c->cursor = after;
    return 0;
}

void handle_requests_list(struct app *app, const struct http_request *req, struct reply *rep)
{
    struct list_page lp;
    memset(&lp, 0, sizeof(lp));
    ctl_run_stream(app, req, rep, list_tx, &lp, sizeof(lp));
}

/* The request params[1] of tenant params[0]; refuses with 404 otherwise. */
static int find_request(struct ctl *c, struct store *st, struct model_request *r)
{
    const char *tenant = c->req->params[0], *text = c->req->params[1];
    int rc = ctl_tenant(c, st, tenant);
    if (rc)
        return rc;
    long long id = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9' || id > (REQUEST_ID_MAX - (*p - '0')) / 10)
            return ctl_fail(c, ERR_REQUEST_ID_INVALID,
                            "requestId \"%.40s\" is not an integer from 1 to %lld", text,
                            REQUEST_ID_MAX);
        id = id * 10 + (*p - '0');
    }
    rc = store_request_get(st, id, r);
    if (rc == STORE_NOTFOUND || (rc == 0 && strcmp(r->tenant, tenant) != 0))
        return ctl_fail(c, ERR_UNKNOWN_REQUEST, "no request %lld in tenant %.128s", id, tenant);
    return rc;
}

static int get_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    struct model_request r;
    int rc = find_request(c, st, &r);
    if (rc == 0)
        rc = ctl_request_refresh(c->app, st, &r);
    if (rc == 0)
        c->out = ctl_request_json(&r);
    return rc;
}

void handle_request_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, get_tx);
}

static int resolve_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    struct problems p;
    problems_init(&p);
    fixtures_step_validate(c->body, "body", "", &p);
    if (p.count) {
        int rc = ctl_refuse_problems(c, &p);
        problems_free(&p);
        return rc;
    }
    problems_free(&p);
    struct model_request r;
    int rc = find_request(c, st, &r);
    if (rc == 0)
        rc = ctl_request_refresh(c->app, st, &r);
    if (rc)
        return rc;
    if (r.status != STATUS_IN_PROGRESS)
        return ctl_fail(c, ERR_CONFLICT, "request %lld is already %s", r.id,
                        model_status_name(r.status));
    struct model_step step;
    fixtures_step_from_json(&step, c->body);
    char batch[MODEL_BATCH_LEN + 1] = "";
    if (step.outcome == OUTCOME_FAILED_UPLOAD && !step.batch_id[0] &&
        (rc = app_draw_batch_id(st, batch)) < 0)
        return rc;
    struct model_mapping m;
    if ((rc = store_mapping_get(st, r.tenant, r.mapping, &m)) < 0)
        return rc;
    long long changed = m.changed_records;
    model_request_resolve(&r, &step, clock_now_ms(&c->app->clock), batch, &changed);
    rc = app_request_save(st, &r, &m, changed);
    if (rc == 0)
        c->out = ctl_request_json(&r);
    return rc;
}

void handle_request_resolve(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_BODY_REQUIRED, resolve_tx);
}
