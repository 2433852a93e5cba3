/*
 * Shared by the files of store/ only: the statement table (store_sql.h), each prepared
 * once per connection at its first use, and the helpers every store file steps
 * statements with.
 */
#ifndef CAMPAIGN_STORE_INTERNAL_H
#define CAMPAIGN_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_sql.h"

/* The statement id of st, prepared at its first use; never NULL: a statement that cannot
 * be prepared (out of memory) is answered by one whose step fails, with the reason kept
 * as the transaction's cause. Reset, with its bindings cleared, unless a caller is
 * between its first step and its reset. */
sqlite3_stmt *store_stmt(struct store *st, enum store_stmt_id id);

/* The connection, for sqlite3_changes and the like. */
sqlite3 *store_db(struct store *st);

/* Steps a statement that returns no row, then resets it and clears its bindings: 0 or a
 * STORE_* code. */
int store_stmt_run(sqlite3_stmt *s);
/* Resets a statement and clears its bindings. */
void store_stmt_done(sqlite3_stmt *s);
/* Steps a statement that returns one integer (a count) into *out, then resets it. When
 * it returns no row, *out is left as it was (store_journal_start counts on it). */
int store_stmt_one_int(sqlite3_stmt *s, long long *out);
/* Maps the result code of a step of s to 0 or a STORE_* code; on an error, keeps SQLite's
 * message and extended code for this thread (see store_errmsg) before anything else can
 * replace them (a rollback would, with "not an error"). */
int store_fail(sqlite3_stmt *s, int rc);
/* Binds text, or NULL when v is NULL. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Copies a text column into dst (always NUL-terminated, "" for NULL). */
void store_col_copy(char *dst, size_t size, sqlite3_stmt *s, int col);

#endif
