/*
 * The in-memory counters of /_mock/metrics: a pair counted once and again, faults
 * applied, the bound on distinct (endpoint, status) pairs and the count of the calls
 * beyond it, and the exact text written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jsonw.h"
#include "metrics.h"

CHECK_DEFINE_COUNTERS;

static char *written(struct metrics *m, long long *faults)
{
    struct jsonw w;
    jsonw_init(&w);
    metrics_write_requests(m, &w, faults);
    size_t len = 0;
    return jsonw_take(&w, &len);
}

int main(void)
{
    static struct metrics m; /* 24 KiB: not on the stack */
    metrics_init(&m);
    metrics_count(&m, "ingest.trigger", 200, 0);
    metrics_count(&m, "ingest.trigger", 200, 1);
    metrics_count(&m, "ingest.status", 0, 1);
    long long faults = -1;
    char *text = written(&m, &faults);
    CHECK_STR(text,
              "# HELP campaign_mock_requests_total Calls answered, by endpoint and status (0: "
              "transport broken on purpose).\n"
              "# TYPE campaign_mock_requests_total counter\n"
              "campaign_mock_requests_total{endpoint=\"ingest.trigger\",status=\"200\"} 2\n"
              "campaign_mock_requests_total{endpoint=\"ingest.status\",status=\"0\"} 1\n"
              "# HELP campaign_mock_requests_uncounted_total Calls answered whose endpoint and "
              "status pair came after the 1024 counted.\n"
              "# TYPE campaign_mock_requests_uncounted_total counter\n"
              "campaign_mock_requests_uncounted_total 0\n");
    free(text);
    CHECK_INT(faults, 2);

    /* Fill the rows with custom statuses (a fault rule's answer may carry any of 200 to
     * 599) on a few endpoints; the pairs after the bound are counted as uncounted, the
     * pairs already counted go on counting. */
    static const char *const endpoints[] = {"ingest.trigger", "ingest.status", "ims.token"};
    for (int e = 0; e < 3; e++) {
        for (int status = 200; status < 600; status++)
            metrics_count(&m, endpoints[e], status, 0);
    }
    CHECK_INT(m.n_rows, METRICS_ROWS);
    CHECK_INT(m.uncounted, 3 * 400 + 2 - 1 - METRICS_ROWS); /* 1,202 pairs, 1 already seen */
    metrics_count(&m, "ingest.trigger", 200, 0);            /* a counted pair */
    metrics_count(&m, "ims.token", 599, 0);                 /* a pair beyond */
    CHECK_INT(m.rows[0].count, 4);
    CHECK_INT(m.uncounted, 3 * 400 + 2 - 1 - METRICS_ROWS + 1);
    text = written(&m, &faults);
    CHECK(text && strstr(text, "\ncampaign_mock_requests_uncounted_total 178\n"), "%s",
          text ? strrchr(text, 'c') : "(none)");
    free(text);
    metrics_destroy(&m);
    return test_report();
}
