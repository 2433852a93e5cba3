/*
 * The counters of /_mock/metrics that live in memory, apart from the database: calls
 * answered by endpoint and status, and calls a fault rule applied to. They start at 0
 * with the process. Any thread counts; one mutex guards them.
 */
#ifndef CAMPAIGN_METRICS_H
#define CAMPAIGN_METRICS_H

#include <pthread.h>

struct jsonw;

/* Distinct (endpoint, status) pairs counted. A fault rule's custom answer may carry any
 * status from 200 to 599, so the pairs are bounded here, not by the routes: the calls of
 * a pair beyond the bound are counted as uncounted (campaign_mock_requests_uncounted_total). */
#define METRICS_ROWS 1024

struct metric_row {
    const char *endpoint; /* a static route name */
    int status;           /* 0: the transport broken on purpose */
    long long count;
};

struct metrics {
    pthread_mutex_t lock; /* guards the rest */
    struct metric_row rows[METRICS_ROWS];
    int n_rows;
    long long uncounted; /* calls of a pair beyond METRICS_ROWS */
    long long faults_applied;
};

void metrics_init(struct metrics *m);
void metrics_destroy(struct metrics *m);

/* Counts one answered call (and a fault applied, when faulted). */
void metrics_count(struct metrics *m, const char *endpoint, int status, int faulted);

/* Writes the campaign_mock_requests_total family (one line a pair, in the order first
 * seen) and campaign_mock_requests_uncounted_total to w, in the Prometheus text format;
 * *faults_applied gets that counter, read under the same lock. */
void metrics_write_requests(struct metrics *m, struct jsonw *w, long long *faults_applied);

#endif
