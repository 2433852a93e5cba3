/*
 * In-memory counters for /_mock/metrics (see metrics.h).
 */
#include "metrics.h"

#include <string.h>

#include "jsonw.h"

void metrics_init(struct metrics *m)
{
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
}

void metrics_destroy(struct metrics *m)
{
    pthread_mutex_destroy(&m->lock);
}

void metrics_count(struct metrics *m, const char *endpoint, int status, int faulted)
{
    pthread_mutex_lock(&m->lock);
    if (faulted)
        m->faults_applied++;
    int i = 0;
    while (i < m->n_rows &&
           (m->rows[i].status != status || strcmp(m->rows[i].endpoint, endpoint) != 0))
        i++;
    if (i < m->n_rows)
        m->rows[i].count++;
    else if (i < METRICS_ROWS)
        m->rows[m->n_rows++] = (struct metric_row){endpoint, status, 1};
    else
        m->uncounted++;
    pthread_mutex_unlock(&m->lock);
}

void metrics_write_requests(struct metrics *m, struct jsonw *w, long long *faults_applied)
{
    jsonw_raw(w, "# HELP campaign_mock_requests_total Calls answered, by endpoint and "
                 "status (0: transport broken on purpose).\n"
                 "# TYPE campaign_mock_requests_total counter\n");
    pthread_mutex_lock(&m->lock);
    for (int i = 0; i < m->n_rows; i++)
        jsonw_rawf(w, "campaign_mock_requests_total{endpoint=\"%s\",status=\"%d\"} %lld\n",
                   m->rows[i].endpoint, m->rows[i].status, m->rows[i].count);
    long long uncounted = m->uncounted;
    *faults_applied = m->faults_applied;
    pthread_mutex_unlock(&m->lock);
    jsonw_rawf(w,
               "# HELP campaign_mock_requests_uncounted_total Calls answered whose endpoint and "
               "status pair came after the %d counted.\n"
               "# TYPE campaign_mock_requests_uncounted_total counter\n"
               "campaign_mock_requests_uncounted_total %lld\n",
               METRICS_ROWS, uncounted);
}
