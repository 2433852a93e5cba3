/*
 * Statements of the ims_token table (schema/003_auth.sql), in the store's extra
 * statement slots STORE_SLOTS_AUTH.. (see store_internal.h).
 */
#include "store/store_auth.h"

#include <sqlite3.h>

#include "store/store_internal.h"

enum {
    T_INSERT = STORE_SLOTS_AUTH,
    T_GET,
    T_PURGE,
    T_COUNT,
    T_EVICT,
};

int store_token_insert(struct store *st, const char *token, const char *client_id,
                       long long issued_ms, long long expires_ms)
{
    sqlite3_stmt *s = store_stmt(st, T_INSERT,
                                 "INSERT INTO ims_token (token, client_id, issued_ms, expires_ms) "
                                 "VALUES (?1, ?2, ?3, ?4)");
    if (!s)
        return STORE_ERROR;
    store_bind_text(s, 1, token);
    store_bind_text(s, 2, client_id);
    sqlite3_bind_int64(s, 3, issued_ms);
    sqlite3_bind_int64(s, 4, expires_ms);
    return store_stmt_run(s);
}

int store_token_evict(struct store *st, long long keep, long long *evicted)
{
    /* Rowids grow with each insert: the newest keep are those within keep of the last. */
    sqlite3_stmt *s = store_stmt(st, T_EVICT, "DELETE FROM ims_token WHERE rowid <= ?1");
    *evicted = 0;
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, sqlite3_last_insert_rowid(store_db(st)) - keep);
    int rc = store_stmt_run(s);
    if (rc == 0)
        *evicted = sqlite3_changes(store_db(st));
    return rc;
}

int store_token_get(struct store *st, const char *token, struct store_token *out)
{
    sqlite3_stmt *s = store_stmt(
        st, T_GET, "SELECT client_id, issued_ms, expires_ms FROM ims_token WHERE token = ?1");
    if (!s)
        return STORE_ERROR;
    store_bind_text(s, 1, token);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        store_col_copy(out->client_id, sizeof(out->client_id), s, 0);
        out->issued_ms = sqlite3_column_int64(s, 1);
        out->expires_ms = sqlite3_column_int64(s, 2);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? STORE_NOTFOUND : store_fail(s, rc);
    }
    store_stmt_done(s);
    return rc;
}

int store_token_purge_expired(struct store *st, long long now_ms)
{
    sqlite3_stmt *s = store_stmt(st, T_PURGE, "DELETE FROM ims_token WHERE expires_ms <= ?1");
    if (!s)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, now_ms);
    return store_stmt_run(s);
}

int store_token_count(struct store *st, long long *out)
{
    sqlite3_stmt *s = store_stmt(st, T_COUNT, "SELECT count(*) FROM ims_token");
    if (!s)
        return STORE_ERROR;
    return store_stmt_one_int(s, out);
}
