/*
 * Fault rule statements, in the STORE_SLOTS_FAULTS range of the statement cache.
 */
#include "store/store_faults.h"

#include "store/store_internal.h"

enum {
    F_INSERT = STORE_SLOTS_FAULTS,
    F_EACH,
    F_COUNTERS,
    F_DELETE,
    F_CLEAR,
    F_COUNT,
};

int store_fault_insert(struct store *st, const char *id, const char *rule_json,
                       long long created_ms)
{
    sqlite3_stmt *s = store_stmt(st, F_INSERT,
                                 "INSERT INTO fault (id, pos, rule, created_ms) SELECT ?1, "
                                 "coalesce(max(pos), 0) + 1, ?2, ?3 FROM fault");
    if (!s)
        return STORE_ERROR;
    store_bind_text(s, 1, id);
    store_bind_text(s, 2, rule_json);
    sqlite3_bind_int64(s, 3, created_ms);
    return store_stmt_run(s);
}

int store_fault_each(struct store *st, int (*fn)(void *arg, const struct fault_row *r), void *arg)
{
    sqlite3_stmt *s =
        store_stmt(st, F_EACH, "SELECT id, rule, created_ms, seen, hits FROM fault ORDER BY pos");
    if (!s)
        return STORE_ERROR;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct fault_row r = {(const char *)sqlite3_column_text(s, 0),
                              (const char *)sqlite3_column_text(s, 1), sqlite3_column_int64(s, 2),
                              sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4)};
        if (fn(arg, &r) != 0)
            break;
    }
    int result = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, rc);
    store_stmt_done(s);
    return result;
}

int store_fault_set_counters(struct store *st, const char *id, long long seen, long long hits)
{
    sqlite3_stmt *s =
        store_stmt(st, F_COUNTERS, "UPDATE fault SET seen = ?2, hits = ?3 WHERE id = ?1");
    if (!s)
        return STORE_ERROR;
    store_bind_text(s, 1, id);
    sqlite3_bind_int64(s, 2, seen);
    sqlite3_bind_int64(s, 3, hits);
    return store_stmt_run(s);
}

int store_fault_delete(struct store *st, const char *id)
{
    sqlite3_stmt *s = store_stmt(st, F_DELETE, "DELETE FROM fault WHERE id = ?1");
    if (!s)
        return STORE_ERROR;
    store_bind_text(s, 1, id);
    int rc = store_stmt_run(s);
    if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int store_fault_clear(struct store *st, long long *deleted)
{
    sqlite3_stmt *s = store_stmt(st, F_CLEAR, "DELETE FROM fault");
    if (!s)
        return STORE_ERROR;
    int rc = store_stmt_run(s);
    if (deleted)
        *deleted = rc == 0 ? sqlite3_changes(store_db(st)) : 0;
    return rc;
}

int store_fault_count(struct store *st, long long *out)
{
    sqlite3_stmt *s = store_stmt(st, F_COUNT, "SELECT count(*) FROM fault");
    if (!s)
        return STORE_ERROR;
    return store_stmt_one_int(s, out);
}
