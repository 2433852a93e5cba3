/*
 * Store tests: a transaction retried because the database was busy. The busy database
 * is real: a second connection to the same in-memory database holds a read transaction,
 * so that the writer's COMMIT cannot take its exclusive lock; the busy handler waits
 * (about STORE_BUSY_MS, 5 s), the COMMIT fails with SQLITE_BUSY and store_transact rolls
 * back and runs the function again. The function lets the reader go on its second run,
 * and the second COMMIT succeeds.
 *
 * First at the store's level (a retry sees the database as the first run did), then
 * through ctl_run, the runner of every control handler: a retried handler must see its
 * input as the caller gave it, whatever the first run did to it, and what the first run
 * built must not leak (LeakSanitizer, in the sanitizer build, fails the test if it does).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "app.h"
#include "check.h"
#include "control/control.h"
#include "http/reply.h"
#include "http/router.h"
#include "store/store.h"
#include "store/store_internal.h"

CHECK_DEFINE_COUNTERS;

/* Opens a read transaction on reader that holds its shared lock until released. */
static void hold(struct store *reader)
{
    CHECK_INT(sqlite3_exec(store_db(reader), "BEGIN; SELECT count(*) FROM meta;", NULL, NULL, NULL),
              SQLITE_OK);
}

static void release(struct store *reader)
{
    CHECK_INT(sqlite3_exec(store_db(reader), "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

/* --- the store ------------------------------------------------------------------------ */

struct counted {
    struct store *reader;
    int runs;
    int saw_first_write; /* a run saw what the run before wrote */
    char *out;           /* what the run made: freed by the next run (the contract) */
};

static int counted_tx(struct store *st, void *arg)
{
    struct counted *c = arg;
    if (++c->runs == 2)
        release(c->reader);
    long long v = 0;
    if (store_meta_get(st, "retry_marker", &v) == 0)
        c->saw_first_write = 1;
    free(c->out);
    c->out = malloc(32);
    if (!c->out)
        return STORE_ERROR;
    snprintf(c->out, 32, "run %d", c->runs);
    return store_meta_set(st, "retry_marker", c->runs);
}

static void test_store_retry(void)
{
    struct store *st = NULL, *reader = NULL;
    char err[256];
    CHECK_INT(store_open(&st, ":memory:", err, sizeof(err)), 0);
    CHECK_INT(store_open_peer(&reader, st, err, sizeof(err)), 0);
    hold(reader);
    struct counted c = {reader, 0, 0, NULL};
    CHECK_INT(store_transact(st, counted_tx, &c), 0);
    CHECK_INT(c.runs, 2);
    /* The first run's write was rolled back before the second ran. */
    CHECK_INT(c.saw_first_write, 0);
    CHECK_STR(c.out, "run 2");
    long long v = 0;
    CHECK_INT(store_meta_get(st, "retry_marker", &v), 0);
    CHECK_INT(v, 2);
    CHECK_INT(sqlite3_get_autocommit(store_db(st)), 1);
    free(c.out);
    store_close(reader);
    store_close(st);
}

/* --- a control handler ---------------------------------------------------------------- */

static struct store *handler_reader;
static int handler_runs;

/* Written as control handlers are: it takes its body as its own (it wraps an object into
 * an array, as POST /_mock/faults does) and builds c->out without looking at what was
 * there. */
static int wrapping_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    if (++handler_runs == 2)
        release(handler_reader);
    int single = cJSON_IsObject(c->body);
    if (single) {
        cJSON *arr = cJSON_CreateArray();
        cJSON_AddItemToArray(arr, c->body);
        c->body = arr;
    }
    c->out = cJSON_CreateObject();
    cJSON_AddBoolToObject(c->out, "single", single);
    cJSON_AddNumberToObject(c->out, "items", cJSON_GetArraySize(c->body));
    /* A write: a transaction that wrote nothing commits without the exclusive lock. */
    return store_meta_set(st, "ctl_marker", handler_runs);
}

static void test_ctl_retry(void)
{
    struct app app;
    memset(&app, 0, sizeof(app));
    char err[256];
    CHECK_INT(store_open(&app.store, ":memory:", err, sizeof(err)), 0);
    CHECK_INT(pthread_key_create(&app.store_key, NULL), 0);
    pthread_mutex_init(&app.stores_lock, NULL);
    CHECK_INT(store_open_peer(&handler_reader, app.store, err, sizeof(err)), 0);

    static const char body[] = "{\"id\":\"r1\"}";
    struct http_request req;
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.path = "/_mock/test";
    req.body = body;
    req.body_len = sizeof(body) - 1;
    struct reply rep;
    reply_init(&rep);

    hold(handler_reader);
    handler_runs = 0;
    CHECK_INT(ctl_run(&app, &req, &rep, CTL_BODY_REQUIRED, wrapping_tx), 0);
    CHECK_INT(handler_runs, 2);
    CHECK_INT(rep.status, 200);
    /* What a single run answers: the retry saw the body as sent, not as the first run
     * left it. */
    CHECK_STR(rep.body, "{\"single\":true,\"items\":1}");
    long long v = 0;
    CHECK_INT(store_meta_get(app.store, "ctl_marker", &v), 0);
    CHECK_INT(v, 2);
    reply_free(&rep);

    store_close(handler_reader);
    for (int i = 0; i < app.n_stores; i++)
        store_close(app.stores[i]);
    store_close(app.store);
    pthread_key_delete(app.store_key);
    pthread_mutex_destroy(&app.stores_lock);
}

int main(void)
{
    test_store_retry();
    test_ctl_retry();
    return test_report();
}
