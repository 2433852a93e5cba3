/*
 * The store: the only code that speaks SQL. A struct store is one SQLite connection,
 * each of its statements prepared once, at its first use; every state change is one BEGIN
 * IMMEDIATE transaction. A connection is used by one thread at a time; threads that
 * work at once each open a peer (store_open_peer) on the same database: a WAL file,
 * or for ":memory:" a database of SQLite's memdb VFS that the peers share. Writes all
 * run on the first connection (store_transact); a peer reads (store_read, and single
 * statements outside a transaction).
 */
#ifndef CAMPAIGN_STORE_H
#define CAMPAIGN_STORE_H

#include "model/model.h"

/* The return convention of every int function of store/ (this header, store_*.h and
 * store_internal.h): 0 on success, or one of these negative codes; never a count, a
 * positive value or an SQLite code (counts go through out-parameters, meaningful only on
 * success). The one exception is the value of a caller's fn that store_transact and
 * store_read hand back. STORE_NOTFOUND says that the row asked for does not exist.
 * The layers above keep the convention for their transaction functions (fn): 0, a
 * STORE_* code, or a negative code of their own below STORE_TENANTS (CTL_REFUSED,
 * control/control.h). Predicates return 1 or 0, and say so. */
#define STORE_NOTFOUND   (-1)
#define STORE_CONSTRAINT (-2) /* a uniqueness or check constraint refused the write */
#define STORE_BUSY       (-3)
#define STORE_ERROR      (-4)
#define STORE_FULL       (-5) /* the disk (or the file's size limit) is full */
#define STORE_DAMAGED    (-6) /* the database file is corrupt */
#define STORE_IO         (-7) /* the system could not read or write the file */
#define STORE_TENANTS    (-8) /* --tenants-max tenants exist: no more from the template */

struct store;

/* Opens (creating if needed) the database at path (":memory:" for none) and applies the
 * pending migrations (statements are prepared at their first use). On failure, writes a one-line
 * reason into err (when non-NULL) and returns STORE_ERROR. *out is owned by the
 * caller and released with store_close. */
int store_open(struct store **out, const char *path, char *err, size_t err_size);
/* Prepares now every statement of the table not prepared yet: STORE_ERROR, naming the
 * statement, when one does not (the store tests call it on every connection kind, so
 * that an SQL mistake in store_sql.h fails a test, not a call). */
int store_check_statements(struct store *st, char *err, size_t err_size);
/* Another connection to the database of first (itself from store_open), for another
 * thread. Closed with store_close, before first is. */
int store_open_peer(struct store **out, struct store *first, char *err, size_t err_size);
void store_close(struct store *st);

/* Runs fn inside BEGIN IMMEDIATE ... COMMIT. fn returns 0 to commit, anything else to
 * roll back; that value is returned. fn runs on the database's writer connection (the
 * first one, whatever st is), one transaction at a time, and must use the store it is
 * given.
 *
 * Retries: when the database stays busy (fn returned STORE_BUSY, or COMMIT did), the
 * transaction is rolled back and fn runs again, up to STORE_ATTEMPTS times in all; then
 * STORE_BUSY is returned. Each run sees the database as the first did, and must start
 * from arg as the caller gave it: fn either leaves alone what it reads in arg, or can
 * tell a retry (a count of its runs in arg) and first frees what the run before put in
 * arg and puts back what it changed. */
#define STORE_ATTEMPTS 3
int store_transact(struct store *st, int (*fn)(struct store *st, void *arg), void *arg);

/* The same for a transaction that only reads: it takes no write lock and, on a file
 * database, runs while writers commit. fn may run again in the same way. */
int store_read(struct store *st, int (*fn)(struct store *st, void *arg), void *arg);

/* The SQLite error message of the last failure, for logs. */
const char *store_errmsg(struct store *st);

/* Meta values: named integers (next_request_id, rng_state, manual_clock_ms, loaded, the
 * journal's and the evictions' counters, ...). get: STORE_NOTFOUND for a key never set,
 * *out then unchanged. */
int store_meta_get(struct store *st, const char *key, long long *out);
int store_meta_set(struct store *st, const char *key, long long value);

/* Tenants. fixture_out, when non-NULL, receives a malloc'd copy of the tenant's
 * fixture JSON (caller frees). */
int store_tenant_get(struct store *st, const char *name, char **fixture_out);
int store_tenant_put(struct store *st, const char *name, const char *fixture_json);
int store_tenant_delete(struct store *st, const char *name);
/* Calls fn for each tenant but the template, in name order; stops when fn returns non-0
 * (and still returns 0: fn keeps its own reason). The other _each functions do the same. */
int store_tenant_each(struct store *st, int (*fn)(void *arg, const char *name), void *arg);
/* Deletes every tenant (and so every mapping, step and request), the template too. */
int store_wipe(struct store *st);
/* Gives the file's free pages back to the file system and empties the WAL (after a
 * reset or a large delete). Not inside a transaction; nothing for :memory:. */
void store_reclaim(struct store *st);

/* Mappings. */
int store_mapping_get(struct store *st, const char *tenant, const char *id,
                      struct model_mapping *out);
int store_mapping_put(struct store *st, const struct model_mapping *m);
int store_mapping_delete(struct store *st, const char *tenant, const char *id);
int store_mapping_set_changed(struct store *st, const char *tenant, const char *id,
                              long long changed);
int store_mapping_each(struct store *st, const char *tenant,
                       int (*fn)(void *arg, const struct model_mapping *m), void *arg);

/* Script steps. pop removes and returns the first step (STORE_NOTFOUND when empty). */
int store_script_clear(struct store *st, const char *tenant, const char *mapping);
int store_script_append(struct store *st, const char *tenant, const char *mapping,
                        const struct model_step *step);
int store_script_pop(struct store *st, const char *tenant, const char *mapping,
                     struct model_step *out);
int store_script_each(struct store *st, const char *tenant, const char *mapping,
                      int (*fn)(void *arg, const struct model_step *s), void *arg);

/* Requests. insert returns STORE_CONSTRAINT when the id is taken or the mapping
 * already has a request In Progress. */
int store_request_insert(struct store *st, const struct model_request *r);
/* Deletes the finished requests of id <= upto (never one In Progress); *evicted gets
 * how many. */
int store_request_evict(struct store *st, long long upto, long long *evicted);
int store_request_get(struct store *st, long long id, struct model_request *out);
int store_request_in_progress(struct store *st, const char *tenant, const char *mapping,
                              struct model_request *out);
int store_request_update(struct store *st, const struct model_request *r);
/* How many requests of a mapping are in each status (indexed by enum model_status). */
int store_request_counts(struct store *st, const char *tenant, const char *mapping,
                         long long counts[MODEL_STATUS_COUNT]);
/* One page of a tenant's requests (of mapping, when not NULL; In Progress ones only when
 * in_progress_only): those with an id above after, in id order, at most limit; *n gets
 * how many were read. A long listing is read page after page, each in its own
 * transaction, so that it never holds the database for more than one page. */
int store_request_page(struct store *st, const char *tenant, const char *mapping,
                       int in_progress_only, long long after, int limit,
                       int (*fn)(void *arg, const struct model_request *r), void *arg, int *n);
/* How many requests a tenant has (of mapping, in status, when not NULL), as stored. */
int store_request_total(struct store *st, const char *tenant, const char *mapping,
                        const char *status, long long *out);
/* Number of requests In Progress, all tenants. */
int store_request_count_in_progress(struct store *st, long long *out);

#endif
