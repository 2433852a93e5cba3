/*
 * Shared by the files of store/ only: each file keeps its own statements in a slot
 * range of the store's statement cache, prepared once per store on first use.
 */
#ifndef CAMPAIGN_STORE_INTERNAL_H
#define CAMPAIGN_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* Slot ranges of the extra statement cache, one per store file. */
#define STORE_SLOTS_JOURNAL 0  /* store_journal.c: 0..63 (a statement per filter set) */
#define STORE_SLOTS_CONTROL 64 /* store_control.c: 64..79 */
#define STORE_SLOTS_AUTH    80 /* store_auth.c: 80..95 */
#define STORE_SLOTS_FAULTS  96 /* store_faults.c: 96..111 */
#define STORE_SLOTS_MAX     112

/* The statement of slot, prepared from sql on first use (sql must be the same text
 * at every call for a slot). NULL when preparing failed (see store_errmsg). */
sqlite3_stmt *store_stmt(struct store *st, int slot, const char *sql);

/* The connection, for sqlite3_changes and the like. */
sqlite3 *store_db(struct store *st);

/* Steps a statement that returns no row, then resets it and clears its bindings. */
int store_stmt_run(sqlite3_stmt *s);
/* Resets a statement and clears its bindings. */
void store_stmt_done(sqlite3_stmt *s);
/* Steps a statement that returns one integer (a count), then resets it. */
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
