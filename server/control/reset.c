/*
 * POST /_mock/reset (and SIGHUP): reload the fixture files from disk, validated first;
 * an invalid set is refused with the messages of `campaign-mock check` and the
 * running state is kept. GET /_mock/metrics: Prometheus text format.
 */
#include "control/control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults/faults.h"
#include "json.h"
#include "jsonw.h"
#include "pipeline.h"
#include "store/store_auth.h"
#include "store/store_control.h"
#include "store/store_journal.h"

struct reload {
    struct app *app;
    struct fixture_set *set;
};

static int reload_tx(struct store *st, void *arg)
{
    struct reload *r = arg;
    int rc = fixtures_apply(st, r->set);
    if (rc == 0)
        rc = app_rng_seed(st, r->app->cfg);
    if (rc == 0)
        rc = faults_load(r->app->faults, st, r->set->faults, clock_now_ms(&r->app->clock));
    return rc;
}

int control_reload(struct app *app, struct problems *p)
{
    struct fixture_set set;
    if (app_fixtures_read(app->cfg, &set, p) < 0)
        return -1;
    struct reload r = {app, &set};
    struct store *st = app_store(app);
    int rc = st ? store_transact(st, reload_tx, &r) : STORE_ERROR;
    if (rc != 0) {
        problems_add(p, "database", "", "cannot load the fixtures: %s",
                     st ? store_errmsg(st) : "no database connection");
        fixtures_free(&set);
        return -1;
    }
    fixtures_free(&app->fixtures);
    app->fixtures = set;
    store_reclaim(st);
    return 0;
}

void handle_reset_post(struct app *app, const struct http_request *req, struct reply *rep)
{
    (void)req;
    struct problems p;
    problems_init(&p);
    if (control_reload(app, &p) < 0) {
        cJSON *lines = cJSON_CreateArray();
        const char *line = p.text ? p.text : "";
        while (*line) {
            size_t n = strcspn(line, "\n");
            char buf[600];
            snprintf(buf, sizeof(buf), "%.*s", (int)(n < 590 ? n : 590), line);
            cJSON_AddItemToArray(lines, cJSON_CreateString(buf));
            line += n + (line[n] == '\n');
        }
        const cJSON *first = cJSON_GetArrayItem(lines, 0);
        errors_reply(rep, ERR_INVALID_FIXTURES,
                     "the fixtures are invalid; the running state is kept: %s",
                     first ? first->valuestring : "");
        cJSON *doc = cJSON_Parse(rep->body);
        if (doc) {
            cJSON_AddItemToObject(doc, "problems", lines);
            lines = NULL;
            char *text = json_print(doc);
            if (text)
                reply_json_take(rep, rep->status, text, strlen(text));
            cJSON_Delete(doc);
        }
        cJSON_Delete(lines);
        problems_free(&p);
        return;
    }
    problems_free(&p);
    int tenants = 0;
    for (const cJSON *t = app->fixtures.tenants->child; t; t = t->next)
        tenants += strcmp(t->string, "*") != 0;
    char body[96];
    snprintf(body, sizeof(body), "{\"status\":\"reloaded\",\"tenants\":%d}", tenants);
    reply_json(rep, 200, body);
}

void handle_metrics_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    (void)req;
    struct jsonw w;
    jsonw_init(&w);
    long long faults_applied = 0;
    metrics_write_requests(&app->metrics, &w, &faults_applied);
    long long in_progress = 0, journal = 0, evicted = 0, requests_evicted = 0, tokens = 0,
              tokens_evicted = 0, tenants = 0;
    struct journal_filter all = {0};
    struct store *st = app_store(app);
    long long journal_bytes = 0;
    int rc = st ? store_request_count_in_progress(st, &in_progress) : STORE_ERROR;
    if (rc == 0)
        rc = store_journal_count(st, &all, &journal);
    /* A meta key not yet written counts 0. */
    const char *const keys[] = {"journal_evicted", "journal_bytes", "requests_evicted",
                                "tokens_evicted"};
    long long *const values[] = {&evicted, &journal_bytes, &requests_evicted, &tokens_evicted};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && rc == 0; i++) {
        if ((rc = store_meta_get(st, keys[i], values[i])) == STORE_NOTFOUND)
            rc = 0;
    }
    if (rc == 0)
        rc = store_token_count(st, &tokens);
    if (rc == 0)
        rc = store_tenant_count(st, &tenants);
    if (rc != 0) {
        jsonw_free(&w);
        pipeline_store_failure(app, rep, st, rc);
        return;
    }
    jsonw_rawf(&w,
               "# HELP campaign_mock_ingestion_requests_in_progress Ingestion requests In "
               "Progress, all tenants.\n"
               "# TYPE campaign_mock_ingestion_requests_in_progress gauge\n"
               "campaign_mock_ingestion_requests_in_progress %lld\n"
               "# HELP campaign_mock_journal_entries Entries in the journal.\n"
               "# TYPE campaign_mock_journal_entries gauge\n"
               "campaign_mock_journal_entries %lld\n"
               "# HELP campaign_mock_journal_bytes What the journal's entries weigh.\n"
               "# TYPE campaign_mock_journal_bytes gauge\n"
               "campaign_mock_journal_bytes %lld\n"
               "# HELP campaign_mock_journal_evicted_total Journal entries evicted by "
               "--journal-max or --journal-max-bytes.\n"
               "# TYPE campaign_mock_journal_evicted_total counter\n"
               "campaign_mock_journal_evicted_total %lld\n"
               "# HELP campaign_mock_faults_applied_total Calls answered by a fault rule.\n"
               "# TYPE campaign_mock_faults_applied_total counter\n"
               "campaign_mock_faults_applied_total %lld\n"
               "# HELP campaign_mock_ingestion_requests_evicted_total Finished ingestion "
               "requests evicted by --requests-max.\n"
               "# TYPE campaign_mock_ingestion_requests_evicted_total counter\n"
               "campaign_mock_ingestion_requests_evicted_total %lld\n"
               "# HELP campaign_mock_ims_tokens IMS access tokens kept.\n"
               "# TYPE campaign_mock_ims_tokens gauge\n"
               "campaign_mock_ims_tokens %lld\n"
               "# HELP campaign_mock_ims_tokens_evicted_total IMS tokens evicted by "
               "--tokens-max before they expired.\n"
               "# TYPE campaign_mock_ims_tokens_evicted_total counter\n"
               "campaign_mock_ims_tokens_evicted_total %lld\n"
               "# HELP campaign_mock_tenants Tenants stored (at most --tenants-max from the "
               "template).\n"
               "# TYPE campaign_mock_tenants gauge\n"
               "campaign_mock_tenants %lld\n",
               in_progress, journal, journal_bytes, evicted, faults_applied, requests_evicted,
               tokens, tokens_evicted, tenants);
    size_t len = 0;
    char *text = jsonw_take(&w, &len);
    if (!text) {
        errors_reply(rep, ERR_INTERNAL, "out of memory");
        return;
    }
    reply_text(rep, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}
