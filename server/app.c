/*
 * Application set-up and the few state operations shared by several handlers.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "faults/faults.h"
#include "json.h"
#include "log.h"
#include "store/store_control.h"
#include "rng.h"

int app_fixtures_read(const struct config *cfg, struct fixture_set *out, struct problems *p)
{
    if (cfg->n_fixtures == 0)
        return fixtures_read_bundled(out, p);
    return fixtures_read(out, cfg->fixtures, cfg->n_fixtures, p);
}

struct load_arg {
    struct app *app;
    int loaded;
    int fixtures_changed; /* a database loaded from other fixtures than these */
};

/* On a fresh database, applies the fixtures and seeds the generator and clock. */
static int load_if_fresh(struct store *st, void *arg)
{
    struct load_arg *a = arg;
    long long v;
    int rc = store_meta_get(st, "loaded", &v);
    if (rc == 0) {
        long long digest;
        /* A database of a version before the digest has none: nothing to tell. */
        rc = store_meta_get(st, "fixtures_digest", &digest);
        if (rc == 0)
            a->fixtures_changed = digest != fixtures_digest(&a->app->fixtures);
        return rc == STORE_NOTFOUND ? 0 : rc;
    }
    if (rc != STORE_NOTFOUND)
        return rc;
    /* The manual clock starts at its epoch before anything is stamped with it (fixture
     * fault rules record their creation time). */
    a->app->clock.manual_ms = CLOCK_MANUAL_EPOCH_MS;
    rc = fixtures_apply(st, &a->app->fixtures);
    if (rc == 0)
        rc = app_rng_seed(st, a->app->cfg);
    if (rc == 0)
        rc = faults_load(a->app->faults, st, a->app->fixtures.faults, clock_now_ms(&a->app->clock));
    if (rc == 0)
        rc = store_meta_set(st, "manual_clock_ms", CLOCK_MANUAL_EPOCH_MS);
    a->loaded = rc == 0;
    return rc;
}

int app_open(struct app *app, const struct config *cfg, char *err, size_t err_size)
{
    memset(app, 0, sizeof(*app));
    app->cfg = cfg;
    app->clock.mode = cfg->clock;
    pthread_mutex_init(&app->stores_lock, NULL);
    metrics_init(&app->metrics);
    /* A reset must not wait behind a steady stream of calls. */
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&app->fixtures_lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_key_create(&app->store_key, NULL);

    struct problems p;
    problems_init(&p);
    if (app_fixtures_read(cfg, &app->fixtures, &p) < 0) {
        snprintf(err, err_size, "%s", p.text ? p.text : "invalid fixtures\n");
        size_t n = strlen(err);
        if (n && err[n - 1] == '\n')
            err[n - 1] = '\0';
        problems_free(&p);
        return -1;
    }
    problems_free(&p);

    char why[256];
    if (store_open(&app->store, cfg->db, why, sizeof(why)) < 0) {
        snprintf(err, err_size, "cannot open database %s: %s%s", cfg->db, why,
                 strstr(why, "locked") ? " (is another campaign-mock serving it?)" : "");
        fixtures_free(&app->fixtures);
        return -1;
    }
    if (!(app->faults = faults_new())) {
        snprintf(err, err_size, "out of memory");
        store_close(app->store);
        fixtures_free(&app->fixtures);
        return -1;
    }
    struct load_arg arg = {app, 0, 0};
    int rc = store_transact(app->store, load_if_fresh, &arg);
    long long manual = CLOCK_MANUAL_EPOCH_MS;
    if (rc == 0)
        rc = store_meta_get(app->store, "manual_clock_ms", &manual);
    if (rc < 0) {
        snprintf(err, err_size, "cannot load fixtures into %s: %s", cfg->db,
                 store_errmsg(app->store));
        store_close(app->store);
        faults_free(app->faults);
        fixtures_free(&app->fixtures);
        return -1;
    }
    app->clock.manual_ms = manual;
    if (!arg.loaded)
        log_msg(LOG_INFO, "database %s already holds state: continuing it", cfg->db);
    if (arg.fixtures_changed)
        log_msg(LOG_WARN,
                "the fixtures differ from those database %s was loaded from: its tenants, "
                "mappings and fault rules are kept as they were (the IMS clients are the new "
                "ones); POST /_mock/reset or SIGHUP loads the new fixtures, and resets the state",
                cfg->db);
    return 0;
}

void app_close(struct app *app)
{
    for (int i = 0; i < app->n_stores; i++)
        store_close(app->stores[i]);
    app->n_stores = 0;
    store_close(app->store);
    faults_free(app->faults);
    app->faults = NULL;
    fixtures_free(&app->fixtures);
    pthread_key_delete(app->store_key);
    pthread_rwlock_destroy(&app->fixtures_lock);
    metrics_destroy(&app->metrics);
    pthread_mutex_destroy(&app->stores_lock);
    app->store = NULL;
}

struct store *app_store(struct app *app)
{
    struct store *st = pthread_getspecific(app->store_key);
    if (st)
        return st;
    char why[256] = "too many threads";
    pthread_mutex_lock(&app->stores_lock);
    if (app->n_stores < APP_STORES_MAX && store_open_peer(&st, app->store, why, sizeof(why)) == 0)
        app->stores[app->n_stores++] = st;
    pthread_mutex_unlock(&app->stores_lock);
    if (!st) {
        log_msg(LOG_ERROR, "cannot open a database connection for this thread: %s", why);
        return NULL;
    }
    pthread_setspecific(app->store_key, st);
    return st;
}

int app_tenant_ensure(struct app *app, struct store *st, const char *name)
{
    int rc = store_tenant_get(st, name, NULL);
    if (rc != STORE_NOTFOUND)
        return rc;
    long long tenants = 0;
    if ((rc = store_tenant_count(st, &tenants)) < 0)
        return rc;
    if (tenants >= app->cfg->tenants_max)
        return STORE_TENANTS;
    char *text = NULL;
    rc = store_tenant_get(st, "*", &text);
    if (rc < 0)
        return rc;
    cJSON *tmpl = cJSON_Parse(text);
    free(text);
    if (!tmpl)
        return STORE_ERROR;
    rc = fixtures_tenant_apply(st, name, tmpl);
    cJSON_Delete(tmpl);
    if (rc == 0)
        log_msg(LOG_DEBUG, "tenant %s created from the template", name);
    return rc;
}

int app_rng_load(struct store *st, const char *key, uint64_t fallback, uint64_t *state)
{
    long long v = (long long)fallback;
    int rc = store_meta_get(st, key, &v);
    if (rc < 0 && rc != STORE_NOTFOUND)
        return rc;
    *state = (uint64_t)v;
    return 0;
}

int app_rng_save(struct store *st, const char *key, uint64_t state)
{
    return store_meta_set(st, key, (long long)state);
}

int app_rng_seed(struct store *st, const struct config *cfg)
{
    return app_rng_save(st, APP_RNG_DRAWS, cfg->seed);
}

int app_draw_batch_id(struct store *st, char out[33])
{
    uint64_t s;
    int rc = app_rng_load(st, APP_RNG_DRAWS, 0, &s);
    if (rc == 0) {
        rng_hex32(out, &s);
        rc = app_rng_save(st, APP_RNG_DRAWS, s);
    }
    return rc;
}

int app_request_save(struct store *st, const struct model_request *r, struct model_mapping *m,
                     long long changed)
{
    int rc = store_request_update(st, r);
    if (rc == 0 && changed != m->changed_records) {
        rc = store_mapping_set_changed(st, m->tenant, m->id, changed);
        if (rc == 0)
            m->changed_records = changed;
    }
    return rc;
}

int app_request_advance(struct store *st, struct model_request *r, struct model_mapping *m,
                        long long now_ms, int is_poll)
{
    long long changed = m->changed_records;
    if (!model_request_advance(r, now_ms, is_poll, &changed))
        return 0;
    return app_request_save(st, r, m, changed);
}

int app_count_evicted(struct store *st, const char *key, long long n)
{
    long long total = 0;
    if (n <= 0)
        return 0;
    int rc = store_meta_get(st, key, &total);
    if (rc < 0 && rc != STORE_NOTFOUND)
        return rc;
    return store_meta_set(st, key, total + n);
}

int app_next_request_id(struct store *st, long long *out)
{
    long long next = 1;
    int rc = store_meta_get(st, "next_request_id", &next);
    if (rc < 0 && rc != STORE_NOTFOUND)
        return rc;
    if (next > JSON_INT_MAX)
        return STORE_NOTFOUND;
    rc = store_meta_set(st, "next_request_id", next + 1);
    if (rc == 0)
        *out = next;
    return rc;
}
