/*
 * The application: configuration, store, clock and the lock that serializes every
 * handler. Handlers receive a struct app and run with app->lock held, so a request's
 * read-decide-write sequence is atomic even before the database enforces it.
 */
#ifndef CAMPAIGN_APP_H
#define CAMPAIGN_APP_H

#include <pthread.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "fixtures/fixtures.h"
#include "store/store.h"

/* Calls answered, by endpoint and status (for /_mock/metrics). The set of endpoints
 * and statuses is small and fixed; 256 rows is several times what can occur. */
#define METRIC_ROWS 256

struct metric_row {
    const char *endpoint; /* static route name */
    int status;
    long long count;
};

struct app {
    const struct config *cfg;
    struct store *store;
    struct mock_clock clock;
    struct fixture_set fixtures; /* the set last loaded (clients, faults, tenants) */
    pthread_mutex_t lock;
    struct metric_row metrics[METRIC_ROWS]; /* guarded by lock */
    int n_metrics;
    long long faults_applied; /* guarded by lock */
    long long fault_rules;    /* rules in the store; guarded by lock (see app_faults_recount) */
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

/* Re-reads the number of fault rules after they changed, so that calls skip fault
 * evaluation (a query) when there is no rule. Call with the lock held, or at start. */
void app_faults_recount(struct app *app);

/* Draws a batch id from the seeded generator whose state lives in the database.
 * Call inside a transaction. */
int app_draw_batch_id(struct store *st, char out[33]);

/* Takes the next request id from the sequence. Call inside a transaction. */
int app_next_request_id(struct store *st, long long *out);

#endif
