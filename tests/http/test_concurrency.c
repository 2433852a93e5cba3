/*
 * Concurrent clients: 32 threads trigger the same mapping at the same moment and
 * exactly one request is created (the others are told "already in progress" with its
 * id), round after round, on a declared tenant and on tenants the template creates in
 * the race; then many threads poll different mappings at once and each sees its own
 * request progress exactly as if alone.
 */
#include "http/harness.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define THREADS  32
#define ROUNDS   6
#define MAPPINGS 16
#define POLLS    5 /* afterPolls 3: three In Progress, then the outcome twice */

/* One call on a thread's own handle (kept alive across calls, as a client pool does).
 * Returns the status; *out receives the body (malloc'd). */
static long call(CURL *c, struct curl_slist *headers, const char *method, const char *url,
                 char **out)
{
    struct harness_buf b = {calloc(1, 1), 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, harness_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    *out = b.data;
    return status;
}

static struct curl_slist *auth_list(void)
{
    struct curl_slist *list = NULL;
    for (int i = 0; AUTH_HEADERS[i]; i++)
        list = curl_slist_append(list, AUTH_HEADERS[i]);
    return list;
}

/* --- the trigger race ------------------------------------------------------------- */

struct race {
    const struct server *s;
    pthread_barrier_t start, done;
    char urls[ROUNDS][512]; /* the round's trigger URL (tenant changes by round) */
    long status[ROUNDS][THREADS];
    char *bodies[ROUNDS][THREADS];
};

struct racer {
    struct race *race;
    int index;
};

static void *racer_main(void *arg)
{
    struct racer *me = arg;
    struct race *race = me->race;
    CURL *c = curl_easy_init();
    struct curl_slist *headers = auth_list();
    for (int round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&race->start);
        race->status[round][me->index] =
            call(c, headers, "POST", race->urls[round], &race->bodies[round][me->index]);
        pthread_barrier_wait(&race->done);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return NULL;
}

static void test_trigger_race(const struct server *s)
{
    struct race *race = calloc(1, sizeof(*race));
    race->s = s;
    pthread_barrier_init(&race->start, NULL, THREADS + 1);
    pthread_barrier_init(&race->done, NULL, THREADS + 1);
    /* Rounds 0-2 on the declared tenant; 3-5 each on a tenant the template creates
     * during the race itself. */
    for (int round = 0; round < ROUNDS; round++) {
        char tenant[32];
        snprintf(tenant, sizeof(tenant), round < 3 ? "conc" : "fresh-%d", round);
        ingest_url(s, tenant, "RACE", race->urls[round], sizeof(race->urls[round]));
    }
    pthread_t threads[THREADS];
    struct racer racers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        racers[i] = (struct racer){race, i};
        pthread_create(&threads[i], NULL, racer_main, &racers[i]);
    }
    long long expected_id = 1;
    for (int round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&race->start);
        pthread_barrier_wait(&race->done);
        char submitted[256], already[256];
        snprintf(submitted, sizeof(submitted),
                 "{\"requestId\": %lld, \"info\": \"Ingestion request submitted successfully for "
                 "the Mapping ID: RACE\", \"status\": \"Success\"}",
                 expected_id);
        snprintf(already, sizeof(already),
                 "{\"requestId\": %lld, \"info\": \"Ingestion request already in progress for the "
                 "Mapping ID: RACE\", \"status\": \"In Progress\"}",
                 expected_id);
        int n_submitted = 0, n_already = 0, n_other = 0;
        for (int i = 0; i < THREADS; i++) {
            const char *b = race->bodies[round][i];
            if (race->status[round][i] == 200 && strcmp(b, submitted) == 0)
                n_submitted++;
            else if (race->status[round][i] == 200 && strcmp(b, already) == 0)
                n_already++;
            else {
                n_other++;
                fprintf(stderr, "round %d thread %d: %ld %s\n", round, i, race->status[round][i],
                        b);
            }
            free(race->bodies[round][i]);
        }
        CHECK(n_submitted == 1 && n_already == THREADS - 1 && n_other == 0,
              "round %d: %d submitted, %d already in progress, %d other", round, n_submitted,
              n_already, n_other);
        /* Resolve the request (afterPolls 1) so the next round starts a new one. */
        char tenant[32];
        snprintf(tenant, sizeof(tenant), round < 3 ? "conc" : "fresh-%d", round);
        struct response r;
        poll_status(&r, s, tenant, "RACE", expected_id);
        CHECK(strstr(r.body, "\"status\": \"In Progress\"") != NULL, "%s", r.body);
        response_free(&r);
        poll_status(&r, s, tenant, "RACE", expected_id);
        char done[256];
        snprintf(done, sizeof(done),
                 "{\"batchId\": \"\", \"info\": \"Mapping Id: RACE. \", \"numRecords\": 3, "
                 "\"requestId\": %lld, \"status\": \"Success\"}",
                 expected_id);
        CHECK_STR(r.body, done);
        response_free(&r);
        expected_id++;
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&race->start);
    pthread_barrier_destroy(&race->done);
    free(race);
}

/* --- parallel polls ------------------------------------------------------------------ */

struct poller {
    const struct server *s;
    pthread_barrier_t *start;
    int index;
    long long request_id;
    char *bodies[POLLS];
    long status[POLLS];
};

static void *poller_main(void *arg)
{
    struct poller *p = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *headers = auth_list();
    char mapping[8], url[512], full[600];
    snprintf(mapping, sizeof(mapping), "M%02d", p->index);
    snprintf(full, sizeof(full), "%s?requestId=%lld",
             ingest_url(p->s, "conc", mapping, url, sizeof(url)), p->request_id);
    pthread_barrier_wait(p->start);
    for (int i = 0; i < POLLS; i++)
        p->status[i] = call(c, headers, "GET", full, &p->bodies[i]);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return NULL;
}

static void test_parallel_polls(const struct server *s)
{
    struct poller pollers[MAPPINGS];
    pthread_t threads[MAPPINGS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, MAPPINGS);
    /* Requests 7.. (after the race's 6), one per mapping, created in order. */
    for (int i = 0; i < MAPPINGS; i++) {
        char mapping[8];
        snprintf(mapping, sizeof(mapping), "M%02d", i);
        struct response r;
        trigger(&r, s, "conc", mapping);
        pollers[i] = (struct poller){s, &start, i, body_request_id(r.body), {0}, {0}};
        CHECK_INT(pollers[i].request_id, ROUNDS + 1 + i);
        response_free(&r);
    }
    for (int i = 0; i < MAPPINGS; i++)
        pthread_create(&threads[i], NULL, poller_main, &pollers[i]);
    for (int i = 0; i < MAPPINGS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < MAPPINGS; i++) {
        struct poller *p = &pollers[i];
        char in_progress[256], success[256];
        snprintf(in_progress, sizeof(in_progress),
                 "{\"batchId\": \"\", \"info\": \"Mapping Id: M%02d.\", \"numRecords\": 0, "
                 "\"requestId\": %lld, \"status\": \"In Progress\"}",
                 i, p->request_id);
        snprintf(success, sizeof(success),
                 "{\"batchId\": \"\", \"info\": \"Mapping Id: M%02d. \", \"numRecords\": %d, "
                 "\"requestId\": %lld, \"status\": \"Success\"}",
                 i, i, p->request_id);
        for (int k = 0; k < POLLS; k++) {
            CHECK_INT(p->status[k], 200);
            CHECK_STR(p->bodies[k], k < 3 ? in_progress : success);
            free(p->bodies[k]);
        }
    }
}

/* Many threads creating template tenants and polling unknown ids at once, while
 * one thread triggers: the server stays consistent and the ids stay one sequence. */
struct mixer {
    const struct server *s;
    pthread_barrier_t *start;
    int index;
    int failures;
};

static void *mixer_main(void *arg)
{
    struct mixer *m = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *headers = auth_list();
    char tenant[32], url[512], full[600];
    snprintf(tenant, sizeof(tenant), "mix-%d", m->index);
    ingest_url(m->s, tenant, "RACE", url, sizeof(url));
    snprintf(full, sizeof(full), "%s?requestId=1", url);
    pthread_barrier_wait(m->start);
    for (int i = 0; i < 10; i++) {
        char *body = NULL;
        /* Request 1 belongs to tenant conc: unknown here. */
        if (call(c, headers, "GET", full, &body) != 404)
            m->failures++;
        free(body);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return NULL;
}

static void test_mixed(const struct server *s)
{
    pthread_t threads[THREADS];
    struct mixer mixers[THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        mixers[i] = (struct mixer){s, &start, i, 0};
        pthread_create(&threads[i], NULL, mixer_main, &mixers[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_INT(mixers[i].failures, 0);
    }
    pthread_barrier_destroy(&start);
    /* The next id follows the race (6) and the polled mappings (16). */
    struct response r;
    trigger(&r, s, "mix-0", "RACE");
    CHECK_INT(body_request_id(r.body), ROUNDS + MAPPINGS + 1);
    response_free(&r);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    const char *args[] = {"--fixtures", source_path("tests/http/fixtures/concurrency.json"), NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    test_trigger_race(&s);
    test_parallel_polls(&s);
    test_mixed(&s);
    CHECK_INT(server_stop(&s), 0);
    curl_global_cleanup();
    return test_report();
}
