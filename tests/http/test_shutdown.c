/*
 * SIGTERM drains (--shutdown-grace, default 5 s): a request in flight is answered,
 * a delayed one when its delay ends, then the server exits 0; a hanging one is let go
 * at once (it would never end); past the grace what is left is cut; --shutdown-grace 0
 * cuts at once. Each case checks what the client received and how long the stop took.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct call {
    const struct server *s;
    struct response r;
};

static void *trigger_thread(void *arg)
{
    struct call *c = arg;
    trigger(&c->r, c->s, "acme", "XDM44");
    return NULL;
}

/* Waits until the journal holds n entries: the trigger was dispatched (its entry is
 * written before the delay). */
static int wait_journal(const struct server *s, int n)
{
    char want[32];
    snprintf(want, sizeof(want), "{\"count\":%d}", n);
    for (long i = 0; i < harness_bound(500); i++) {
        struct response r = mock_call(s, "GET", "/_mock/journal/count", NULL);
        int ok = r.body && strcmp(r.body, want) == 0;
        response_free(&r);
        if (ok)
            return 0;
        harness_sleep_ms(10);
    }
    return -1;
}

/* SIGTERM, then the exit status and the seconds the stop took. */
static int stop_timed(struct server *s, double *took)
{
    double t0 = now_s();
    int rc = server_stop(s);
    *took = now_s() - t0;
    return rc;
}

/* One case: a fault rule on the trigger, the trigger sent, SIGTERM once it is in flight. */
static void run_case(const char *what, const char *grace, const char *fault, int answered,
                     double min_s, double max_s)
{
    const char *args[] = {"--shutdown-grace", grace, NULL};
    struct server s;
    if (server_start(&s, NULL, grace ? args : NULL) < 0) {
        CHECK(0, "%s: server did not start", what);
        return;
    }
    struct response f = mock_call(&s, "POST", "/_mock/faults", fault);
    CHECK(f.status == 201, "%s: fault rule: %ld %s", what, f.status, f.body ? f.body : "");
    response_free(&f);
    struct call c = {&s, {0}};
    pthread_t th;
    pthread_create(&th, NULL, trigger_thread, &c);
    CHECK(wait_journal(&s, 1) == 0, "%s: the trigger was never dispatched", what);
    double took = 0;
    CHECK_INT(stop_timed(&s, &took), 0);
    pthread_join(th, NULL);
    if (answered) {
        char want[256];
        CHECK(c.r.status == 200, "%s: status %ld (curl %d)", what, c.r.status, c.r.curl_code);
        CHECK_STR(c.r.body, acs_submitted(want, sizeof(want), 3520, "XDM44"));
    } else {
        CHECK(c.r.status == 0, "%s: an answer (%ld) where the stop should have cut", what,
              c.r.status);
    }
    CHECK(took >= min_s && took <= max_s, "%s: the stop took %.2f s, expected %.1f to %.1f", what,
          took, min_s, max_s);
    response_free(&c.r);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    /* The default grace: a delayed answer is waited for, and sent whole. */
    run_case("delayed, default grace", NULL, "[{\"action\": {\"delayMs\": 1500}}]", 1, 1.0,
             harness_bound(4500) / 1000.0);
    /* A hang never ends: the stop does not wait the 5 s of grace for it. */
    run_case("hanging", NULL, "[{\"action\": {\"transport\": \"hang\"}}]", 0, 0.0,
             harness_bound(3000) / 1000.0);
    /* A grace shorter than the delay: cut when the grace is spent. */
    run_case("grace 1 s, delay 4 s", "1", "[{\"action\": {\"delayMs\": 4000}}]", 0, 0.9,
             harness_bound(3500) / 1000.0);
    /* No grace: cut at once. */
    run_case("grace 0", "0", "[{\"action\": {\"delayMs\": 3000}}]", 0, 0.0,
             harness_bound(2000) / 1000.0);
    curl_global_cleanup();
    return test_report();
}
