/*
 * Journal statements; their SQL is in store_sql.h (S_JOURNAL_*). Ids are AUTOINCREMENT and rows are
 * only removed from the oldest end (or all at once), so the ids in the table are contiguous and
 * eviction is one range delete.
 */
#include "store/store_journal.h"

#include <assert.h>
#include <string.h>

#include "store/store_internal.h"

/* What an entry weighs: the bytes of its texts and a fixed part for the rest (as
 * schema/005_journal_bytes.sql counts them). */
static long long entry_bytes(const struct journal_entry *e)
{
    const char *texts[] = {e->method,        e->path,    e->query,           e->endpoint,
                           e->tenant,        e->mapping, e->request_headers, e->request_body,
                           e->response_body, e->fault};
    long long n = 64;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        n += texts[i] ? (long long)strlen(texts[i]) : 0;
    return n;
}

/* The id of the newest entry whose eviction, with all older ones, frees at least need
 * bytes (never the entry just added, last), and the bytes that frees; -1 when none. */
static int oldest_to_free(struct store *st, long long need, long long last, long long *upto,
                          long long *freed)
{
    sqlite3_stmt *s = store_stmt(st, S_JOURNAL_OLDEST);
    *upto = -1;
    *freed = 0;
    int rc = SQLITE_DONE;
    while (*freed < need && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(s, JS_id);
        if (id >= last)
            break;
        *upto = id;
        *freed += sqlite3_column_int64(s, JS_bytes);
    }
    int result = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, rc);
    store_stmt_done(s);
    return result;
}

/* The filters that are set, as bits: the row of JOURNAL_FILTER_SETS (store_sql.h) whose
 * statements name them, and them only. */
static int filter_set(const struct journal_filter *f)
{
    return (f->tenant ? JOURNAL_FILTER_TENANT : 0) | (f->mapping ? JOURNAL_FILTER_MAPPING : 0) |
           (f->method ? JOURNAL_FILTER_METHOD : 0) | (f->has_status ? JOURNAL_FILTER_STATUS : 0);
}

/* The statement of family first (S_JOURNAL_COUNT_0, _PAGE_0 or _START_0) for the filter
 * set of f, with the filters bound. */
static sqlite3_stmt *filtered(struct store *st, enum store_stmt_id first,
                              const struct journal_filter *f)
{
    int set = filter_set(f);
    assert(set < JOURNAL_FILTER_SET_COUNT);
    sqlite3_stmt *s = store_stmt(st, (enum store_stmt_id)(first + set));
    if (f->tenant)
        store_bind_text(s, 1, f->tenant);
    if (f->mapping)
        store_bind_text(s, 2, f->mapping);
    if (f->method)
        store_bind_text(s, 3, f->method);
    if (f->has_status)
        sqlite3_bind_int(s, 4, f->status);
    return s;
}

int store_journal_append(struct store *st, const struct journal_entry *e, long long max,
                         long long max_bytes, long long *evicted)
{
    long long bytes = entry_bytes(e);
    sqlite3_stmt *s = store_stmt(st, S_JOURNAL_INSERT);
    /* ?N is the column of position N - 1 of JOURNAL_INSERT_COLUMNS. */
    sqlite3_bind_int64(s, JI_server_ms + 1, e->server_ms);
    sqlite3_bind_int64(s, JI_wall_ms + 1, e->wall_ms);
    store_bind_text(s, JI_method + 1, e->method);
    store_bind_text(s, JI_path + 1, e->path);
    store_bind_text(s, JI_query + 1, e->query ? e->query : "");
    store_bind_text(s, JI_endpoint + 1, e->endpoint);
    store_bind_text(s, JI_tenant + 1, e->tenant);
    store_bind_text(s, JI_mapping + 1, e->mapping);
    if (e->request_id >= 0)
        sqlite3_bind_int64(s, JI_request_id + 1, e->request_id);
    else
        sqlite3_bind_null(s, JI_request_id + 1);
    sqlite3_bind_int(s, JI_status + 1, e->status);
    store_bind_text(s, JI_request_headers + 1, e->request_headers);
    store_bind_text(s, JI_request_body + 1, e->request_body);
    store_bind_text(s, JI_response_body + 1, e->response_body);
    store_bind_text(s, JI_fault + 1, e->fault);
    sqlite3_bind_double(s, JI_duration_ms + 1, e->duration_ms);
    sqlite3_bind_int64(s, JI_bytes + 1, bytes);
    store_bind_text(s, JI_transport + 1, e->transport ? e->transport : "normal");
    store_bind_text(s, JI_scheme + 1, e->scheme ? e->scheme : "http");
    int rc = store_stmt_run(s);
    if (rc < 0)
        return rc;
    long long last = sqlite3_last_insert_rowid(store_db(st)), total = 0, gone = 0;
    if ((rc = store_meta_get(st, "journal_bytes", &total)) < 0 && rc != STORE_NOTFOUND)
        return rc;
    total += bytes;
    /* By count: the rows older than the newest max (a range that is empty, one seek, on
     * every call but those that evict), their bytes first. By size: the oldest rows
     * until the rest fits max_bytes. */
    long long upto = last - max, freed = 0;
    sqlite3_stmt *w = store_stmt(st, S_JOURNAL_EVICTED_BYTES);
    sqlite3_bind_int64(w, 1, upto);
    if ((rc = store_stmt_one_int(w, &freed)) < 0)
        return rc;
    if (total - freed > max_bytes) {
        long long more_upto, more;
        if ((rc = oldest_to_free(st, total - max_bytes, last, &more_upto, &more)) < 0)
            return rc;
        if (more_upto > upto) {
            upto = more_upto;
            freed = more;
        }
    }
    if (upto > 0) {
        sqlite3_stmt *d = store_stmt(st, S_JOURNAL_EVICT);
        sqlite3_bind_int64(d, 1, upto);
        if ((rc = store_stmt_run(d)) < 0)
            return rc;
        gone = sqlite3_changes(store_db(st));
        /* Where eviction has reached (a DELETE of the journal is not an eviction): a
         * report of later entries is complete, one of earlier entries is not. */
        if (gone > 0 && (rc = store_meta_set(st, "journal_evicted_upto", upto)) < 0)
            return rc;
    }
    if (evicted)
        *evicted = gone;
    return store_meta_set(st, "journal_bytes", total - freed);
}

static const char *text(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? (const char *)t : "";
}

int store_journal_first_id(struct store *st, long long *out)
{
    return store_stmt_one_int(store_stmt(st, S_JOURNAL_FIRST), out);
}

int store_journal_last_id(struct store *st, long long *out)
{
    return store_stmt_one_int(store_stmt(st, S_JOURNAL_LAST), out);
}

int store_journal_start(struct store *st, const struct journal_filter *f, long long n,
                        long long upto, long long *after)
{
    sqlite3_stmt *s = filtered(st, S_JOURNAL_START_0, f);
    sqlite3_bind_int64(s, 5, n);
    sqlite3_bind_int64(s, 7, upto);
    long long id = 0; /* stays 0 when n or fewer match: from the first */
    int rc = store_stmt_one_int(s, &id);
    if (rc == 0)
        *after = id > 0 ? id - 1 : 0;
    return rc;
}

int store_journal_page(struct store *st, const struct journal_filter *f, long long after,
                       long long upto, int limit,
                       int (*fn)(void *arg, const struct journal_entry *e), void *arg, int *n)
{
    sqlite3_stmt *s = filtered(st, S_JOURNAL_PAGE_0, f);
    sqlite3_bind_int64(s, 5, limit);
    sqlite3_bind_int64(s, 6, after);
    sqlite3_bind_int64(s, 7, upto);
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct journal_entry e;
        e.id = sqlite3_column_int64(s, JN_id);
        e.server_ms = sqlite3_column_int64(s, JN_server_ms);
        e.wall_ms = sqlite3_column_int64(s, JN_wall_ms);
        e.method = text(s, JN_method);
        e.path = text(s, JN_path);
        e.query = text(s, JN_query);
        e.endpoint = text(s, JN_endpoint);
        e.tenant = text(s, JN_tenant);
        e.mapping = text(s, JN_mapping);
        e.request_id = sqlite3_column_type(s, JN_request_id) == SQLITE_NULL
                           ? -1
                           : sqlite3_column_int64(s, JN_request_id);
        e.status = sqlite3_column_int(s, JN_status);
        e.request_headers = text(s, JN_request_headers);
        e.request_body = text(s, JN_request_body);
        e.response_body = text(s, JN_response_body);
        e.fault = text(s, JN_fault);
        e.duration_ms = sqlite3_column_double(s, JN_duration_ms);
        e.transport = text(s, JN_transport);
        e.scheme = text(s, JN_scheme);
        ++*n;
        if (fn(arg, &e) != 0)
            break;
    }
    int result = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, rc);
    store_stmt_done(s);
    return result;
}

int store_journal_count(struct store *st, const struct journal_filter *f, long long *out)
{
    return store_stmt_one_int(filtered(st, S_JOURNAL_COUNT_0, f), out);
}

int store_journal_clear(struct store *st)
{
    int rc = store_stmt_run(store_stmt(st, S_JOURNAL_CLEAR));
    return rc < 0 ? rc : store_meta_set(st, "journal_bytes", 0);
}
