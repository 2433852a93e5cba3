/*
 * The application: configuration, store, clock and the few pieces of state that live
 * outside the database. Many threads use one struct app at once: each HTTP worker has
 * its own database connection (app_store); SQLite serializes the writes, so a
 * request's read-decide-write transaction is atomic, and the database's constraints
 * hold whatever the code does. The rest is guarded as each field says.
 */
#ifndef CAMPAIGN_APP_H
#define CAMPAIGN_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "fixtures/fixtures.h"
#include "metrics.h"
#include "store/store.h"

/* Database connections: one per HTTP worker, the main thread's, and a few spare. */
#define APP_STORES_MAX (CONFIG_THREADS_MAX + 4)

struct faults;

struct app {
    const struct config *cfg;
    struct store *store;         /* the main thread's connection (opened first, closed last) */
    pthread_key_t store_key;     /* this thread's connection */
    pthread_mutex_t stores_lock; /* guards stores, n_stores */
    struct store *stores[APP_STORES_MAX]; /* every peer connection, closed at app_close */
    int n_stores;
    struct mock_clock clock;
    /* The fixture set last loaded (clients, faults, tenants): read under a read lock of
     * fixtures_lock, which every call takes; replaced (reset, SIGHUP) under its write
     * lock. */
    struct fixture_set fixtures;
    pthread_rwlock_t fixtures_lock;
    struct metrics metrics; /* the counters of /_mock/metrics kept in memory */
    struct faults *faults;  /* the fault rules, kept parsed (faults/faults.h); owned */
};

/* Opens the store, validates the fixtures and, on a fresh database, loads them.
 * A database that already holds state keeps it (a restart continues). On failure
 * writes the reason (possibly several lines of fixture problems) into err. */
int app_open(struct app *app, const struct config *cfg, char *err, size_t err_size);
void app_close(struct app *app);

/* Reads the configured fixtures (files, or the bundled set). 0 or -1 with problems. */
int app_fixtures_read(const struct config *cfg, struct fixture_set *out, struct problems *p);

/* Makes sure tenant name exists, creating it from the template '*' when there is one.
 * Call inside a transaction. 0, STORE_NOTFOUND (no such tenant and no template), or a
 * store error. */
int app_tenant_ensure(struct app *app, struct store *st, const char *name);

/* This thread's database connection, opened on its first call; NULL when it cannot be
 * opened (logged). */
struct store *app_store(struct app *app);

/* The seeded generators, whose states the meta table keeps so that a run is the same
 * on every start: APP_RNG_DRAWS draws batch ids and fault probabilities and is set back
 * to --seed by a reset (app_rng_seed); APP_RNG_TOKENS draws IMS tokens and never is (a
 * reset keeps the tokens clients hold). app_rng_load reads key's state into *state
 * (fallback when there is none yet), app_rng_save writes it back. Inside a transaction;
 * 0 or a store code. */
#define APP_RNG_DRAWS  "rng_state"
#define APP_RNG_TOKENS "ims_rng_state"
int app_rng_load(struct store *st, const char *key, uint64_t fallback, uint64_t *state);
int app_rng_save(struct store *st, const char *key, uint64_t state);
int app_rng_seed(struct store *st, const struct config *cfg);

/* Draws a batch id from APP_RNG_DRAWS. Call inside a transaction. */
int app_draw_batch_id(struct store *st, char out[33]);

/* Advances r (as a status poll when is_poll) to now_ms and, when it moved, stores it
 * and the changed records it gave m (m->changed_records follows). The one "advance a
 * request and save it"; inside a transaction, 0 or a store code. */
int app_request_advance(struct store *st, struct model_request *r, struct model_mapping *m,
                        long long now_ms, int is_poll);

/* Stores r and, when changed differs from m's, changed as m's changed records (m follows).
 * For a request moved by other means (a control "resolve"). */
int app_request_save(struct store *st, const struct model_request *r, struct model_mapping *m,
                     long long changed);

/* Takes the next request id from the sequence. Call inside a transaction. The ids end
 * at 2^53 (JSON_INT_MAX), the last one a JSON client reads exactly and the status call
 * takes: past it, STORE_NOTFOUND and nothing is written. */
int app_next_request_id(struct store *st, long long *out);

/* Adds n to the count kept under key in the meta table (what a bound evicted, for
 * /_mock/metrics). Call inside a transaction. */
int app_count_evicted(struct store *st, const char *key, long long n);

#endif
