/*
 * Journal statements. Ids are AUTOINCREMENT and rows are only removed from the oldest
 * end (or all at once), so the ids in the table are contiguous and eviction is one
 * range delete.
 */
#include "store/store_journal.h"

#include <string.h>

#include "store/store_internal.h"

enum {
    J_INSERT = STORE_SLOTS_JOURNAL,
    J_EVICT,
    J_EACH,
    J_COUNT,
    J_CLEAR,
};

#define FILTER                                                                                     \
    " WHERE (?1 IS NULL OR tenant = ?1) AND (?2 IS NULL OR mapping = ?2) AND "                     \
    "(?3 IS NULL OR method = ?3) AND (?4 IS NULL OR status = ?4)"

static const char sql_insert[] =
    "INSERT INTO journal (server_ms, wall_ms, method, path, query, endpoint, tenant, mapping, "
    "request_id, status, request_headers, request_body, response_body, fault, duration_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
static const char sql_evict[] =
    "DELETE FROM journal WHERE id <= (SELECT max(id) FROM journal) - ?1";
/* The newest `limit` matching rows, returned oldest first. */
static const char sql_each[] =
    "SELECT * FROM (SELECT id, server_ms, wall_ms, method, path, query, endpoint, tenant, "
    "mapping, request_id, status, request_headers, request_body, response_body, fault, "
    "duration_ms FROM journal" FILTER " ORDER BY id DESC LIMIT ?5) ORDER BY id";
static const char sql_count[] = "SELECT count(*) FROM journal" FILTER;
static const char sql_clear[] = "DELETE FROM journal";

int store_journal_append(struct store *st, const struct journal_entry *e, long long max,
                         long long *evicted)
{
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
    int rc = store_stmt_run(s);
    if (rc < 0)
        return rc;
    sqlite3_stmt *d = store_stmt(st, J_EVICT, sql_evict);
    if (!d)
        return STORE_ERROR;
    sqlite3_bind_int64(d, 1, max);
    rc = store_stmt_run(d);
    if (evicted)
        *evicted = rc == 0 ? sqlite3_changes(store_db(st)) : 0;
    return rc;
}

static void bind_filter(sqlite3_stmt *s, const struct journal_filter *f)
{
    store_bind_text(s, 1, f->tenant);
    store_bind_text(s, 2, f->mapping);
    store_bind_text(s, 3, f->method);
    if (f->status)
        sqlite3_bind_int(s, 4, f->status);
    else
        sqlite3_bind_null(s, 4);
}

static const char *text(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? (const char *)t : "";
}

int store_journal_each(struct store *st, const struct journal_filter *f,
                       int (*fn)(void *arg, const struct journal_entry *e), void *arg)
{
    sqlite3_stmt *s = store_stmt(st, J_EACH, sql_each);
    if (!s)
        return STORE_ERROR;
    bind_filter(s, f);
    sqlite3_bind_int64(s, 5, f->limit > 0 ? f->limit : -1);
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
        if (fn(arg, &e) != 0)
            break;
    }
    int result = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_map_rc(rc);
    store_stmt_done(s);
    return result;
}

int store_journal_count(struct store *st, const struct journal_filter *f, long long *out)
{
    sqlite3_stmt *s = store_stmt(st, J_COUNT, sql_count);
    if (!s)
        return STORE_ERROR;
    bind_filter(s, f);
    int rc = sqlite3_step(s);
    int result = rc == SQLITE_ROW ? 0 : store_map_rc(rc);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    return result;
}

int store_journal_clear(struct store *st)
{
    sqlite3_stmt *s = store_stmt(st, J_CLEAR, sql_clear);
    return s ? store_stmt_run(s) : STORE_ERROR;
}
