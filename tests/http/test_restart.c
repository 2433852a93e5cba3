/*
 * State in a --db file survives the process: killed with SIGKILL while a client is
 * still sending traffic, every request whose trigger was answered "submitted" is
 * still there with a documented body, In Progress requests keep their poll counts,
 * request ids never repeat, mappings keep their changed records. A SIGTERM stop
 * exits 0 and the next start continues exactly where it stopped.
 */
#include "http/harness.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

/* Bounds the traffic thread if the kill never comes (it comes after KILL_AFTER). */
#define NOISE_MAX  2000
#define KILL_AFTER 20

static void expect_poll(const struct server *s, const char *mapping, long long id,
                        const char *expected)
{
    struct response r;
    poll_status(&r, s, "rs", mapping, id);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, expected);
    response_free(&r);
}

/* --- traffic while the server dies ------------------------------------------------ */

struct noise {
    const struct server *s;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int count;                /* requests answered "submitted" */
    long long ids[NOISE_MAX]; /* their ids */
    int seen_success[NOISE_MAX];
    int failed; /* a call got no HTTP answer: the server is gone */
};

/* Triggers NOISE, polls it to Success, again and again, until the server is gone. */
static void *noise_main(void *arg)
{
    struct noise *n = arg;
    for (int i = 0; i < NOISE_MAX && !n->failed; i++) {
        struct response r;
        trigger(&r, n->s, "rs", "NOISE");
        long long id = r.status == 200 && strstr(r.body, "submitted successfully")
                           ? body_request_id(r.body)
                           : -1;
        int gone = r.status == 0;
        response_free(&r);
        int slot = -1;
        pthread_mutex_lock(&n->lock);
        if (id > 0 && n->count < NOISE_MAX) {
            slot = n->count++;
            n->ids[slot] = id;
        }
        n->failed |= gone;
        pthread_cond_signal(&n->cond);
        pthread_mutex_unlock(&n->lock);
        for (int p = 0; p < 2 && slot >= 0 && !gone; p++) {
            poll_status(&r, n->s, "rs", "NOISE", id);
            gone = r.status == 0;
            int done = r.status == 200 && strstr(r.body, "\"status\": \"Success\"") != NULL;
            response_free(&r);
            pthread_mutex_lock(&n->lock);
            n->seen_success[slot] |= done;
            n->failed |= gone;
            pthread_mutex_unlock(&n->lock);
        }
    }
    return NULL;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    char dir[] = "/tmp/campaign-mock-restart-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return test_report();
    }
    char db[300];
    snprintf(db, sizeof(db), "%s/state.db", dir);
    const char *args[] = {"--fixtures", source_path("tests/http/fixtures/restart.json"), "--db", db,
                          NULL};
    struct server s, s2, s3;
    if (server_start(&s, dir, args) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    /* A second server on the same file is refused at start, saying why, and the first
     * one's state is untouched (the next trigger still gets id 1000). */
    const char *second[] = {"--port", "0", "--db", db, NULL};
    char *out = NULL, *err = NULL;
    CHECK_INT(run_binary_split(second, &out, &err, 10000), 1);
    CHECK(err && strstr(err, "database is locked by another process (is another campaign-mock "
                             "serving it?)"),
          "second server's error: %s", err ? err : "(none)");
    free(out);
    free(err);
    char e[512];
    struct response r;
    trigger(&r, &s, "rs", "SLOW");
    CHECK_STR(r.body, acs_submitted(e, sizeof(e), 1000, "SLOW"));
    response_free(&r);
    expect_poll(&s, "SLOW", 1000, acs_in_progress(e, sizeof(e), 1000, "SLOW"));
    trigger(&r, &s, "rs", "REC");
    CHECK_STR(r.body, acs_submitted(e, sizeof(e), 1001, "REC"));
    response_free(&r);
    expect_poll(&s, "REC", 1001, acs_in_progress(e, sizeof(e), 1001, "REC"));
    expect_poll(&s, "REC", 1001, acs_success(e, sizeof(e), 1001, "REC", 20));
    trigger(&r, &s, "rs", "HANGM");
    CHECK_STR(r.body, acs_submitted(e, sizeof(e), 1002, "HANGM"));
    response_free(&r);

    /* SIGKILL while the traffic thread is mid-flight. */
    struct noise *noise = calloc(1, sizeof(*noise));
    noise->s = &s;
    pthread_mutex_init(&noise->lock, NULL);
    pthread_cond_init(&noise->cond, NULL);
    pthread_t thread;
    pthread_create(&thread, NULL, noise_main, noise);
    pthread_mutex_lock(&noise->lock);
    while (noise->count < KILL_AFTER && !noise->failed)
        pthread_cond_wait(&noise->cond, &noise->lock);
    pthread_mutex_unlock(&noise->lock);
    server_kill(&s);
    pthread_join(thread, NULL);
    CHECK(noise->count >= KILL_AFTER, "traffic before the kill: %d", noise->count);
    CHECK(noise->failed, "the traffic thread saw the server go");

    if (server_start(&s2, dir, args) < 0) {
        CHECK(0, "server did not restart on %s", db);
        return test_report();
    }
    /* Every submitted request answers a documented body of its state. */
    long long max_id = 1002;
    for (int i = 0; i < noise->count; i++) {
        long long id = noise->ids[i];
        CHECK_INT(id, 1003 + i);
        if (id > max_id)
            max_id = id;
        poll_status(&r, &s2, "rs", "NOISE", id);
        char ip[512], ok[512];
        acs_in_progress(ip, sizeof(ip), id, "NOISE");
        acs_success(ok, sizeof(ok), id, "NOISE", 1);
        CHECK_INT(r.status, 200);
        if (noise->seen_success[i])
            CHECK_STR(r.body, ok);
        else
            CHECK(strcmp(r.body, ip) == 0 || strcmp(r.body, ok) == 0, "request %lld: %s", id,
                  r.body);
        response_free(&r);
    }
    /* SLOW had one poll: two more In Progress, then its outcome. */
    expect_poll(&s2, "SLOW", 1000, acs_in_progress(e, sizeof(e), 1000, "SLOW"));
    expect_poll(&s2, "SLOW", 1000, acs_in_progress(e, sizeof(e), 1000, "SLOW"));
    expect_poll(&s2, "SLOW", 1000, acs_success(e, sizeof(e), 1000, "SLOW", 5));
    expect_poll(&s2, "REC", 1001, acs_success(e, sizeof(e), 1001, "REC", 20));
    /* The hang is still the mapping's running request. */
    trigger(&r, &s2, "rs", "HANGM");
    snprintf(e, sizeof(e),
             "{\"requestId\": 1002, \"info\": \"Ingestion request already in progress for the "
             "Mapping ID: HANGM\", \"status\": \"In Progress\"}");
    CHECK_STR(r.body, e);
    response_free(&r);
    /* New ids come after every earlier one (a NOISE trigger committed just before the
     * kill, its answer lost, may have used one more). REC's changed records stay
     * ingested (0). */
    trigger(&r, &s2, "rs", "REC");
    long long rec = body_request_id(r.body);
    CHECK(rec > max_id && rec <= max_id + 2, "new id %lld after %lld", rec, max_id);
    CHECK_STR(r.body, acs_submitted(e, sizeof(e), rec, "REC"));
    response_free(&r);
    expect_poll(&s2, "REC", rec, acs_in_progress(e, sizeof(e), rec, "REC"));
    expect_poll(&s2, "REC", rec, acs_success(e, sizeof(e), rec, "REC", 0));

    /* A clean stop, then a start that continues. */
    CHECK_INT(server_stop(&s2), 0);
    if (server_start(&s3, dir, args) < 0) {
        CHECK(0, "server did not restart after SIGTERM");
        return test_report();
    }
    expect_poll(&s3, "REC", rec, acs_success(e, sizeof(e), rec, "REC", 0));
    expect_poll(&s3, "SLOW", 1000, acs_success(e, sizeof(e), 1000, "SLOW", 5));
    trigger(&r, &s3, "rs", "SLOW");
    CHECK_STR(r.body, acs_submitted(e, sizeof(e), rec + 1, "SLOW"));
    response_free(&r);
    trigger(&r, &s3, "rs", "HANGM");
    CHECK_INT(body_request_id(r.body), 1002);
    response_free(&r);
    CHECK_INT(server_stop(&s3), 0);

    pthread_mutex_destroy(&noise->lock);
    pthread_cond_destroy(&noise->cond);
    free(noise);
    /* The temporary directory holds the database, its WAL files, the port file and
     * the log; left for inspection only when something failed. */
    if (check_failed == 0) {
        const char *names[] = {"state.db", "state.db-wal", "state.db-shm", "port", "server.log"};
        for (int i = 0; i < 5; i++) {
            char p[400];
            snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
            unlink(p);
        }
        rmdir(dir);
    }
    curl_global_cleanup();
    return test_report();
}
