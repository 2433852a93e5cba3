/*
 * Statements of the ims_token table (schema/003_auth.sql); their SQL is in store_sql.h
 * (S_TOKEN_*).
 */
#include "store/store_auth.h"

#include <sqlite3.h>

#include "store/store_internal.h"

int store_token_insert(struct store *st, const char *token, const char *client_id,
                       long long issued_ms, long long expires_ms)
{
    sqlite3_stmt *s = store_stmt(st, S_TOKEN_INSERT);
    store_bind_text(s, 1, token);
    store_bind_text(s, 2, client_id);
    sqlite3_bind_int64(s, 3, issued_ms);
    sqlite3_bind_int64(s, 4, expires_ms);
    return store_stmt_run(s);
}

int store_token_evict(struct store *st, long long keep, long long *evicted)
{
    sqlite3_stmt *s = store_stmt(st, S_TOKEN_EVICT);
    *evicted = 0;
    sqlite3_bind_int64(s, 1, sqlite3_last_insert_rowid(store_db(st)) - keep);
    int rc = store_stmt_run(s);
    if (rc == 0)
        *evicted = sqlite3_changes(store_db(st));
    return rc;
}

int store_token_get(struct store *st, const char *token, struct store_token *out)
{
    sqlite3_stmt *s = store_stmt(st, S_TOKEN_GET);
    store_bind_text(s, 1, token);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        store_col_copy(out->client_id, sizeof(out->client_id), s, TK_client_id);
        out->issued_ms = sqlite3_column_int64(s, TK_issued_ms);
        out->expires_ms = sqlite3_column_int64(s, TK_expires_ms);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? STORE_NOTFOUND : store_fail(s, rc);
    }
    store_stmt_done(s);
    return rc;
}

int store_token_purge_expired(struct store *st, long long now_ms)
{
    sqlite3_stmt *s = store_stmt(st, S_TOKEN_PURGE);
    sqlite3_bind_int64(s, 1, now_ms);
    return store_stmt_run(s);
}

int store_token_count(struct store *st, long long *out)
{
    return store_stmt_one_int(store_stmt(st, S_TOKEN_COUNT), out);
}
