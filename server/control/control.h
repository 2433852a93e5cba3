/*
 * The control API under /_mock/: one file per resource, each handler named
 * handle_<resource>_<method>. Control bodies are JSON in, JSON out, in fixture form.
 *
 * Handlers share one pattern (ctl_run): parse the body if any, run one transaction
 * whose function either fills c->out (success) or refuses with ctl_fail (the
 * transaction is rolled back: a refused call changes nothing), then reply.
 */
#ifndef CAMPAIGN_CONTROL_H
#define CAMPAIGN_CONTROL_H

#include <cjson/cJSON.h>

#include "app.h"
#include "errors.h"
#include "http/reply.h"
#include "http/router.h"

struct jsonw;

/* Returned by a transaction function that refused the call (after ctl_fail). Negative,
 * as every failure of a transaction function is (store.h's convention: 0, or a negative
 * code), and apart from the STORE_* codes, which store_transact hands back alike. */
#define CTL_REFUSED (-100)
_Static_assert(CTL_REFUSED < STORE_TENANTS, "CTL_REFUSED is none of the STORE_* codes");

struct ctl {
    struct app *app;
    const struct http_request *req;
    cJSON *body; /* the parsed request body, or NULL */
    cJSON *out;  /* the reply document (owned; freed by ctl_run) */
    int status;  /* reply status on success; 200 unless set */
    enum err_code err;
    char msg[512];
    cJSON *problems; /* optional array of strings added to an error body */

    /* Paged reads. The first transaction may set page; ctl_run then runs it in one
     * transaction after another (read-only ones when page_read_only) while it sets
     * more, so that a long read holds the database for one page at a time. A page puts
     * its items in page_items (a fresh array each time it runs: a retried transaction
     * starts the page over) and the next cursor in page_next; once the page commits,
     * ctl_run appends the items to page_dest and moves page_next to cursor. */
    int (*page)(struct store *st, struct ctl *c);
    int page_read_only, more;
    long long cursor, page_next;
    cJSON *page_items; /* owned while a page runs */
    cJSON *page_dest;  /* an array inside out */
    void *page_arg;    /* the page's own state */

    /* Set by the first transaction of a read run by ctl_run_stream: the pages are sent
     * as they are read instead of gathered in out, page_dest being the last array
     * that out holds (the members after it are written after the items). */
    int page_stream;
    /* Optional, streamed reads: writes members after page_dest that only the last page
     * knows (",\"next\":N"), once the pages are done. */
    void (*page_tail)(struct ctl *c, struct jsonw *out);
};

/* Rows a page reads: a few milliseconds of work, however long the whole listing. */
#define CTL_PAGE_ROWS 256

enum ctl_body { CTL_NO_BODY = 0, CTL_BODY_REQUIRED, CTL_BODY_OPTIONAL };

/* Runs fn in a transaction and replies; returns 0 when fn succeeded and committed. */
int ctl_run(struct app *app, const struct http_request *req, struct reply *rep, enum ctl_body body,
            int (*fn)(struct store *st, void *arg));

/* ctl_run with c->page_arg set (a paged read's own state). */
int ctl_run_with(struct app *app, const struct http_request *req, struct reply *rep,
                 enum ctl_body body, int (*fn)(struct store *st, void *arg), void *page_arg);

/* ctl_run_with for a read whose pages may add up to more than memory should hold (a
 * journal or snapshot export): when the first transaction sets page_stream, the reply
 * is streamed, each page read in its own read transaction as the client takes the
 * previous one, so that memory holds one page whatever the total. page_arg (arg_size
 * bytes) is copied for the stream's lifetime; what it points to must live as long as
 * req. A failure after the first page cuts the connection (the status is sent). */
int ctl_run_stream(struct app *app, const struct http_request *req, struct reply *rep,
                   int (*fn)(struct store *st, void *arg), void *page_arg, size_t arg_size);

/* Refuses (400 invalid_field) a query parameter not in known (NULL-terminated), naming
 * it and the ones the call takes; 0 when there is none. */
int ctl_query_known(struct ctl *c, const char *const known[]);
/* The same check for a handler that answers by itself: 1 with the message in msg when
 * req has a query parameter not in known, else 0. */
int ctl_query_unknown(const struct http_request *req, const char *const known[], char *msg,
                      size_t size);

/* Records a refusal; returns CTL_REFUSED for `return ctl_fail(...)`. */
int ctl_fail(struct ctl *c, enum err_code err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Refuses with validation problems: the first as the message (400 invalid_field), all
 * of them in a "problems" array. Returns CTL_REFUSED. */
int ctl_refuse_problems(struct ctl *c, const struct problems *p);

/* The tenant of the path (params[0]), created from the template on first use;
 * refuses with 404 when it does not exist and there is no template. */
int ctl_tenant(struct ctl *c, struct store *st, const char *name);

/* The mapping params[1] of tenant params[0]; refuses with 404 when unknown. */
int ctl_mapping(struct ctl *c, struct store *st, struct model_mapping *out);

/* Mapping in control form: fixture form + script + read-only status fields; NULL when
 * out of memory or the store failed. */
cJSON *ctl_mapping_json(struct store *st, const struct model_mapping *m);
/* Appends the mapping's script steps to arr (NULL, out of memory: STORE_ERROR). 0 or a
 * store code. */
int ctl_script_json(struct store *st, const struct model_mapping *m, cJSON *arr);
/* Appends every mapping of tenant, in control form, to arr. */
int ctl_mappings_json(struct store *st, const char *tenant, cJSON *arr);
/* Request in control form, as stored (callers refresh it first when they should). */
cJSON *ctl_request_json(const struct model_request *r);
/* Advances an In Progress request on a control read and saves what moved. */
int ctl_request_refresh(struct app *app, struct store *st, struct model_request *r);
/* Parses a non-negative integer member; refuses naming the field when invalid.
 * Returns 0 (absent: *out untouched, *present 0) or CTL_REFUSED. */
int ctl_get_count(struct ctl *c, const cJSON *obj, const char *field, long long max, long long *out,
                  int *present);

/* What the journal keeps of what a client sent, made before the call's transaction so
 * that the transaction holds the database for less. */
struct journal_sent {
    char *headers, *query; /* JSON object texts (owned; NULL when out of memory) */
    const char *body;      /* the body as kept: req->body itself or body_owned */
    char *body_owned;
};
void control_journal_sent_make(struct journal_sent *out, const struct http_request *req);
void control_journal_sent_free(struct journal_sent *sent);

/* Appends the journal entry of a call (what it sent, what it got) inside the call's
 * transaction (st), evicting past --journal-max. 0 or a STORE_* error. */
int control_journal_append(struct app *app, struct store *st, const struct http_request *req,
                           const struct journal_sent *sent, const struct reply *rep);

/* Reloads the fixture files (validated first) into the store: shared by
 * POST /_mock/reset and SIGHUP. 0, or -1 with problems (state unchanged). */
int control_reload(struct app *app, struct problems *p);

void handle_health_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_tenants_list(struct app *app, const struct http_request *req, struct reply *rep);
void handle_tenant_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_tenant_delete(struct app *app, const struct http_request *req, struct reply *rep);
void handle_tenant_reset(struct app *app, const struct http_request *req, struct reply *rep);
void handle_mappings_list(struct app *app, const struct http_request *req, struct reply *rep);
void handle_mapping_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_mapping_put(struct app *app, const struct http_request *req, struct reply *rep);
void handle_mapping_delete(struct app *app, const struct http_request *req, struct reply *rep);
void handle_mapping_publish(struct app *app, const struct http_request *req, struct reply *rep);
void handle_mapping_unpublish(struct app *app, const struct http_request *req, struct reply *rep);
void handle_mapping_start(struct app *app, const struct http_request *req, struct reply *rep);
void handle_mapping_stop(struct app *app, const struct http_request *req, struct reply *rep);
void handle_mapping_records(struct app *app, const struct http_request *req, struct reply *rep);
void handle_script_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_script_put(struct app *app, const struct http_request *req, struct reply *rep);
void handle_script_post(struct app *app, const struct http_request *req, struct reply *rep);
void handle_requests_list(struct app *app, const struct http_request *req, struct reply *rep);
void handle_request_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_request_resolve(struct app *app, const struct http_request *req, struct reply *rep);
void handle_snapshot_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_snapshot_put(struct app *app, const struct http_request *req, struct reply *rep);
void handle_clock_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_clock_post(struct app *app, const struct http_request *req, struct reply *rep);
void handle_report_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_report_mark(struct app *app, const struct http_request *req, struct reply *rep);
void handle_journal_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_journal_count(struct app *app, const struct http_request *req, struct reply *rep);
void handle_journal_delete(struct app *app, const struct http_request *req, struct reply *rep);
void handle_reset_post(struct app *app, const struct http_request *req, struct reply *rep);
void handle_faults_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_faults_post(struct app *app, const struct http_request *req, struct reply *rep);
void handle_faults_delete(struct app *app, const struct http_request *req, struct reply *rep);
void handle_fault_delete(struct app *app, const struct http_request *req, struct reply *rep);
void handle_ui_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_openapi_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_index_get(struct app *app, const struct http_request *req, struct reply *rep);
void handle_metrics_get(struct app *app, const struct http_request *req, struct reply *rep);

#endif
