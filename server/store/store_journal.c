/*
 * Journal statements. Ids are AUTOINCREMENT and rows are only removed from the oldest
 * end (or all at once), so the ids in the table are contiguous and eviction is one
 * range delete.
 */
#include "store/store_journal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"

enum {
    J_INSERT = STORE_SLOTS_JOURNAL,
    J_EVICT,
    J_CLEAR,
    J_EVICTED_BYTES,
    J_OLDEST,
    J_LAST,
    J_FIRST,
    J_COUNT_BASE,                    /* + filter set (16 of them) */
    J_EACH_BASE = J_COUNT_BASE + 16, /* + filter set (16 of them) */
    J_START_BASE = J_EACH_BASE + 16, /* + filter set (16 of them) */
};

static const char sql_insert[] =
    "INSERT INTO journal (server_ms, wall_ms, method, path, query, endpoint, tenant, mapping, "
    "request_id, status, request_headers, request_body, response_body, fault, duration_ms, "
    "bytes, transport, scheme) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15, ?16, ?17, ?18)";
/* ?1 is the newest id minus the cap: a rowid range from the oldest row, which is empty
 * (one seek) on every call but those that evict. */
static const char sql_evict[] = "DELETE FROM journal WHERE id <= ?1";
static const char sql_clear[] = "DELETE FROM journal";
static const char sql_evicted_bytes[] =
    "SELECT coalesce(sum(bytes), 0) FROM journal WHERE id <= ?1";
static const char sql_oldest[] = "SELECT id, bytes FROM journal ORDER BY id";

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
    sqlite3_stmt *s = store_stmt(st, J_OLDEST, sql_oldest);
    *upto = -1;
    *freed = 0;
    if (!s)
        return STORE_ERROR;
    int rc = SQLITE_DONE;
    while (*freed < need && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(s, 0);
        if (id >= last)
            break;
        *upto = id;
        *freed += sqlite3_column_int64(s, 1);
    }
    int result = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, rc);
    store_stmt_done(s);
    return result;
}

/*
 * The WHERE clause names only the filters that are set: "(?1 IS NULL OR tenant = ?1)"
 * would hide the index from SQLite and turn every count into a scan of up to
 * --journal-max rows under the app lock. Each of the 16 filter sets gets its own
 * statement, prepared once. Parameters keep their numbers (?1 tenant, ?2 mapping,
 * ?3 method, ?4 status, ?5 limit) whatever the set.
 */
static int filter_set(const struct journal_filter *f)
{
    return (f->tenant ? 1 : 0) | (f->mapping ? 2 : 0) | (f->method ? 4 : 0) |
           (f->has_status ? 8 : 0);
}

/* The filters' terms, after " WHERE " (or after " AND " when and is set). */
static void where(char *out, size_t size, int set, int and)
{
    static const char *const terms[] = {"tenant = ?1", "mapping = ?2", "method = ?3",
                                        "status = ?4"};
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < 4; i++) {
        if (!(set & (1 << i)))
            continue;
        int n =
            snprintf(out + used, size - used, "%s%s", used || and? " AND " : " WHERE ", terms[i]);
        if (n > 0 && (size_t)n < size - used)
            used += (size_t)n;
    }
}

enum query { Q_COUNT, Q_PAGE, Q_START };

static sqlite3_stmt *filtered(struct store *st, enum query q, const struct journal_filter *f)
{
    int set = filter_set(f);
    char w[160], sql[640];
    where(w, sizeof(w), set, q != Q_COUNT);
    if (q == Q_PAGE)
        /* A page: the matching rows with ids in (?6, ?7], oldest first, at most ?5. */
        snprintf(sql, sizeof(sql),
                 "SELECT id, server_ms, wall_ms, method, path, query, endpoint, tenant, "
                 "mapping, request_id, status, request_headers, request_body, response_body, "
                 "fault, duration_ms, transport, scheme FROM journal WHERE id > ?6 AND id <= ?7%s "
                 "ORDER BY id "
                 "LIMIT ?5",
                 w);
    else if (q == Q_START)
        /* The ?5th newest matching row. */
        snprintf(sql, sizeof(sql),
                 "SELECT id FROM journal WHERE id <= ?7%s ORDER BY id DESC LIMIT 1 OFFSET ?5 - 1",
                 w);
    else
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM journal%s", w);
    int base = q == Q_PAGE ? J_EACH_BASE : q == Q_START ? J_START_BASE : J_COUNT_BASE;
    sqlite3_stmt *s = store_stmt(st, base + set, sql);
    if (!s)
        return NULL;
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
    sqlite3_stmt *s = store_stmt(st, J_INSERT, sql_insert);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, e->server_ms);
    sqlite3_bind_int64(s, 2, e->wall_ms);
    store_bind_text(s, 3, e->method);
    store_bind_text(s, 4, e->path);
    store_bind_text(s, 5, e->query ? e->query : "");
    store_bind_text(s, 6, e->endpoint);
    store_bind_text(s, 7, e->tenant);
    store_bind_text(s, 8, e->mapping);
    if (e->request_id >= 0)
        sqlite3_bind_int64(s, 9, e->request_id);
    else
        sqlite3_bind_null(s, 9);
    sqlite3_bind_int(s, 10, e->status);
    store_bind_text(s, 11, e->request_headers);
    store_bind_text(s, 12, e->request_body);
    store_bind_text(s, 13, e->response_body);
    store_bind_text(s, 14, e->fault);
    sqlite3_bind_double(s, 15, e->duration_ms);
    sqlite3_bind_int64(s, 16, bytes);
    store_bind_text(s, 17, e->transport ? e->transport : "normal");
    store_bind_text(s, 18, e->scheme ? e->scheme : "http");
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
    sqlite3_stmt *w = store_stmt(st, J_EVICTED_BYTES, sql_evicted_bytes);
    if (!w)
        return STORE_ERROR;
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
        sqlite3_stmt *d = store_stmt(st, J_EVICT, sql_evict);
        if (!d)
            return STORE_ERROR;
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
    sqlite3_stmt *s = store_stmt(st, J_FIRST, "SELECT coalesce(min(id), 0) FROM journal");
    return s ? store_stmt_one_int(s, out) : STORE_ERROR;
}

int store_journal_last_id(struct store *st, long long *out)
{
    /* The AUTOINCREMENT sequence: after a DELETE of every entry it still says where the
     * ids went, which max(id) would no longer. */
    sqlite3_stmt *s = store_stmt(
        st, J_LAST,
        "SELECT max(coalesce((SELECT max(id) FROM journal), 0), coalesce((SELECT seq FROM "
        "sqlite_sequence WHERE name = 'journal'), 0))");
    return s ? store_stmt_one_int(s, out) : STORE_ERROR;
}

int store_journal_start(struct store *st, const struct journal_filter *f, long long n,
                        long long upto, long long *after)
{
    sqlite3_stmt *s = filtered(st, Q_START, f);
    if (!s)
        return STORE_ERROR;
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
    sqlite3_stmt *s = filtered(st, Q_PAGE, f);
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 5, limit);
    sqlite3_bind_int64(s, 6, after);
    sqlite3_bind_int64(s, 7, upto);
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct journal_entry e;
        e.id = sqlite3_column_int64(s, 0);
        e.server_ms = sqlite3_column_int64(s, 1);
        e.wall_ms = sqlite3_column_int64(s, 2);
        e.method = text(s, 3);
        e.path = text(s, 4);
        e.query = text(s, 5);
        e.endpoint = text(s, 6);
        e.tenant = text(s, 7);
        e.mapping = text(s, 8);
        e.request_id = sqlite3_column_type(s, 9) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 9);
        e.status = sqlite3_column_int(s, 10);
        e.request_headers = text(s, 11);
        e.request_body = text(s, 12);
        e.response_body = text(s, 13);
        e.fault = text(s, 14);
        e.duration_ms = sqlite3_column_double(s, 15);
        e.transport = text(s, 16);
        e.scheme = text(s, 17);
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
    sqlite3_stmt *s = filtered(st, Q_COUNT, f);
    if (!s)
        return STORE_ERROR;
    return store_stmt_one_int(s, out);
}

int store_journal_clear(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, J_CLEAR, sql_clear);
    int rc = s ? store_stmt_run(s) : STORE_ERROR;
    return rc < 0 ? rc : store_meta_set(st, "journal_bytes", 0);
}
