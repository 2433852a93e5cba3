/*
 * Fault rule statements; their SQL is in store_sql.h (S_FAULT_*).
 */
#include "store/store_faults.h"

#include "store/store_internal.h"

int store_fault_insert(struct store *st, const char *id, const char *rule_json,
                       long long created_ms)
{
    sqlite3_stmt *s = store_stmt(st, S_FAULT_INSERT);
    store_bind_text(s, 1, id);
    store_bind_text(s, 2, rule_json);
    sqlite3_bind_int64(s, 3, created_ms);
    return store_stmt_run(s);
}

int store_fault_each(struct store *st, int (*fn)(void *arg, const struct fault_row *r), void *arg)
{
    sqlite3_stmt *s = store_stmt(st, S_FAULT_EACH);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct fault_row r = {
            .id = (const char *)sqlite3_column_text(s, FT_id),
            .rule = (const char *)sqlite3_column_text(s, FT_rule),
            .created_ms = sqlite3_column_int64(s, FT_created_ms),
            .seen = sqlite3_column_int64(s, FT_seen),
            .hits = sqlite3_column_int64(s, FT_hits),
        };
        if (fn(arg, &r) != 0)
            break;
    }
    int result = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, rc);
    store_stmt_done(s);
    return result;
}

int store_fault_set_counters(struct store *st, const char *id, long long seen, long long hits)
{
    sqlite3_stmt *s = store_stmt(st, S_FAULT_COUNTERS);
    store_bind_text(s, 1, id);
    sqlite3_bind_int64(s, 2, seen);
    sqlite3_bind_int64(s, 3, hits);
    return store_stmt_run(s);
}

int store_fault_delete(struct store *st, const char *id)
{
    sqlite3_stmt *s = store_stmt(st, S_FAULT_DELETE);
    store_bind_text(s, 1, id);
    int rc = store_stmt_run(s);
    if (rc == 0 && sqlite3_changes(store_db(st)) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int store_fault_clear(struct store *st, long long *deleted)
{
    int rc = store_stmt_run(store_stmt(st, S_FAULT_CLEAR));
    if (deleted)
        *deleted = rc == 0 ? sqlite3_changes(store_db(st)) : 0;
    return rc;
}

int store_fault_count(struct store *st, long long *out)
{
    return store_stmt_one_int(store_stmt(st, S_FAULT_COUNT), out);
}
