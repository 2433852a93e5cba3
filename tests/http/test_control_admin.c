/*
 * Control API, administration: POST /_mock/reset and SIGHUP reload the fixture files
 * from disk (an invalid set is refused with the lines of `campaign-mock check` and the
 * running state is kept); --admin-token guards every /_mock/ route but health; and
 * /_mock/metrics in Prometheus text format.
 */
#include "http/harness.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static char *label_of(const struct server *s, const char *tenant, const char *mapping)
{
    char path[256];
    snprintf(path, sizeof(path), "/_mock/tenants/%s/mappings/%s", tenant, mapping);
    struct response r = mock_call(s, "GET", path, NULL);
    cJSON *doc = response_json(&r);
    const char *label = r.status == 200 ? json_str(doc, "label") : NULL;
    char *out = strdup(label ? label : "");
    cJSON_Delete(doc);
    response_free(&r);
    return out;
}

/* Everything a reload could change: each tenant's snapshot and the tenant list (read
 * last: reading a template tenant's snapshot makes it). */
static char *whole_state(const struct server *s)
{
    char *a = tenant_state(s, "adm");
    char *b = tenant_state(s, "tmpl-user");
    struct response r = mock_call(s, "GET", "/_mock/tenants", NULL);
    size_t n = (r.body ? strlen(r.body) : 0) + strlen(a) + strlen(b) + 4;
    char *out = malloc(n);
    snprintf(out, n, "%s\n%s\n%s", r.body ? r.body : "", a, b);
    free(a);
    free(b);
    response_free(&r);
    return out;
}

#define FIXTURE_FMT                                                                                \
    "{\"settings\": {\"requestIdStart\": 500}, \"tenants\": {\"adm\": {\"mappings\": [{\"id\": "   \
    "\"A1\", \"label\": \"%s\"}%s]}, \"*\": {\"mappings\": [{\"id\": \"T1\"}]}}}\n"

static void write_fixture(const char *path, const char *label, const char *more)
{
    char text[1024];
    snprintf(text, sizeof(text), FIXTURE_FMT, label, more);
    CHECK(write_text(path, text) == 0, "cannot write %s", path);
}

/* Checks that body's "problems" are exactly the lines `campaign-mock check file` prints. */
static void check_problems_match_check(const struct response *r, const char *file)
{
    const char *args[] = {"check", file, NULL};
    char *out = NULL, *err = NULL;
    int rc = run_binary_split(args, &out, &err, 10000);
    CHECK_INT(rc, 1);
    /* check writes its problem lines to one of its streams; take the non-empty one. */
    const char *lines = out && out[0] ? out : err ? err : "";
    cJSON *doc = response_json(r);
    const cJSON *problems = json_at(doc, "problems");
    int i = 0;
    for (const char *line = lines; *line; i++) {
        size_t n = strcspn(line, "\n");
        char want[1024];
        snprintf(want, sizeof(want), "%.*s", (int)n, line);
        const cJSON *got = cJSON_GetArrayItem(problems, i);
        CHECK(cJSON_IsString(got) && strcmp(got->valuestring, want) == 0,
              "problems[%d]:\n  expected: %s\n  actual:   %s", i, want,
              cJSON_IsString(got) ? got->valuestring : "(none)");
        line += n + (line[n] == '\n');
    }
    CHECK(i > 0, "check printed no problem");
    CHECK_INT(cJSON_GetArraySize(problems), i);
    cJSON_Delete(doc);
    free(out);
    free(err);
}

static int log_contains(const struct server *s, const char *needle)
{
    FILE *f = fopen(s->log_path, "r");
    if (!f)
        return 0;
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static void test_reload(void)
{
    char dir[] = "/tmp/campaign-mock-test-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    char file[300];
    snprintf(file, sizeof(file), "%s/fixtures.json", dir);
    write_fixture(file, "one", "");
    const char *args[] = {"--fixtures", file, NULL};
    struct server s;
    if (server_start(&s, dir, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512];
    char *label = label_of(&s, "adm", "A1");
    CHECK_STR(label, "one");
    free(label);
    CHECK_INT(trigger_id(&s, "adm", "A1"), 500);
    CHECK_INT(trigger_id(&s, "tmpl-user", "T1"), 501);

    /* A change on disk is live after POST /_mock/reset: the state is the new fixtures'
     * (running requests and template tenants gone, ids from requestIdStart again). */
    write_fixture(file, "two", ", {\"id\": \"A2\"}");
    CHECK_CALL(&s, "POST", "/_mock/reset", NULL, 200, "{\"status\":\"reloaded\",\"tenants\":1}");
    label = label_of(&s, "adm", "A1");
    CHECK_STR(label, "two");
    free(label);
    CHECK_CALL(&s, "GET", "/_mock/tenants", NULL, 200,
               "{\"tenants\":[{\"name\":\"adm\",\"mappings\":2}],\"template\":true}");
    CHECK_CALL(&s, "GET", "/_mock/tenants/adm/requests", NULL, 200,
               "{\"total\":0,\"requests\":[]}");
    CHECK_INT(trigger_id(&s, "adm", "A2"), 500);
    long long running = trigger_id(&s, "adm", "A1");
    CHECK_INT(running, 501);
    CHECK_INT(trigger_id(&s, "tmpl-user", "T1"), 502);

    /* An invalid file: 400 invalid_fixtures with check's lines; nothing changes. */
    CHECK(write_text(file, "{\"tenants\": {\"adm\": {\"mappings\": [{\"id\": \"A1\", "
                           "\"published\": \"x\"}, {\"id\": \"A2\", \"script\": [{\"outcome\": "
                           "\"zz\"}]}]}}}\n") == 0,
          "write");
    char *before = whole_state(&s);
    struct response r = mock_call(&s, "POST", "/_mock/reset", NULL);
    CHECK_ERROR_PROBLEMS(&r, 400, "invalid_fixtures", "the running state is kept",
                         "mappings[0].published: must be true or false");
    check_problems_match_check(&r, file);
    response_free(&r);
    char *after = whole_state(&s);
    CHECK_STR(after, before);
    free(after);

    /* Not JSON at all, and a file that is gone: the same refusal. */
    CHECK(write_text(file, "{\"tenants\": \n") == 0, "write");
    r = mock_call(&s, "POST", "/_mock/reset", NULL);
    CHECK_ERROR_PROBLEMS(&r, 400, "invalid_fixtures", NULL, "invalid JSON");
    check_problems_match_check(&r, file);
    response_free(&r);
    unlink(file);
    r = mock_call(&s, "POST", "/_mock/reset", NULL);
    CHECK_ERROR_PROBLEMS(&r, 400, "invalid_fixtures", NULL, "cannot read");
    response_free(&r);
    after = whole_state(&s);
    CHECK_STR(after, before);
    free(after);
    free(before);
    CHECK_POLL(&s, "adm", "A1", running, acs_in_progress(e, sizeof(e), running, "A1"));

    /* SIGHUP reloads the same way. */
    write_fixture(file, "three", "");
    kill(s.pid, SIGHUP);
    int seen = 0;
    for (int i = 0; i < 2000 && !seen; i++) {
        label = label_of(&s, "adm", "A1");
        seen = strcmp(label, "three") == 0;
        free(label);
        if (!seen)
            harness_sleep_ms(1);
    }
    CHECK(seen, "SIGHUP did not reload the fixtures");
    CHECK_CALL(&s, "GET", "/_mock/tenants", NULL, 200,
               "{\"tenants\":[{\"name\":\"adm\",\"mappings\":1}],\"template\":true}");
    CHECK_INT(trigger_id(&s, "adm", "A1"), 500);

    /* An invalid set on SIGHUP keeps the running state and says so in the log. */
    CHECK(write_text(file, "{\"tenants\": {\"adm\": {\"mappings\": [{\"id\": \"A1\", "
                           "\"label\": 4}]}}}\n") == 0,
          "write");
    before = whole_state(&s);
    kill(s.pid, SIGHUP);
    seen = 0;
    for (int i = 0; i < 2000 && !seen; i++) {
        seen = log_contains(&s, "fixtures invalid");
        if (!seen)
            harness_sleep_ms(1);
    }
    CHECK(seen, "no log line for the refused SIGHUP reload");
    CHECK(log_contains(&s, "mappings[0].label: must be a string"), "the problem is logged");
    after = whole_state(&s);
    CHECK_STR(after, before);
    free(before);
    free(after);
    CHECK_CALL(&s, "GET", "/_mock/health", NULL, 200, NULL);
    CHECK_INT(server_stop(&s), 0);
    unlink(file);
}

static void test_admin_token(void)
{
    const char *args[] = {"--admin-token", "s3cret", NULL};
    struct server s;
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    const char *right[] = {"X-Mock-Admin-Token: s3cret", NULL};
    const char *wrong[] = {"X-Mock-Admin-Token: s3cret2", NULL};
    const char *empty[] = {"X-Mock-Admin-Token: ", NULL};
    struct response r = mock_call(&s, "GET", "/_mock/health", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);

    struct response before = mock_call_h(&s, "GET", "/_mock/tenants/acme/snapshot", NULL, right);
    CHECK_INT(before.status, 200);
    const char *calls[][3] = {
        {"GET", "/_mock/tenants", NULL},
        {"GET", "/_mock/tenants/acme", NULL},
        {"DELETE", "/_mock/tenants/acme", NULL},
        {"POST", "/_mock/tenants/acme/reset", NULL},
        {"GET", "/_mock/tenants/acme/mappings", NULL},
        {"GET", "/_mock/tenants/acme/mappings/XDM44", NULL},
        {"PUT", "/_mock/tenants/acme/mappings/XDM44", "{\"label\": \"hacked\"}"},
        {"DELETE", "/_mock/tenants/acme/mappings/XDM44", NULL},
        {"POST", "/_mock/tenants/acme/mappings/XDM44/publish", NULL},
        {"POST", "/_mock/tenants/acme/mappings/XDM44/records", "{\"add\": 5}"},
        {"PUT", "/_mock/tenants/acme/mappings/XDM44/script", "[{\"outcome\": \"hang\"}]"},
        {"GET", "/_mock/tenants/acme/requests", NULL},
        {"GET", "/_mock/tenants/acme/snapshot", NULL},
        {"PUT", "/_mock/tenants/acme/snapshot", "{\"mappings\": []}"},
        {"GET", "/_mock/clock", NULL},
        {"GET", "/_mock/journal", NULL},
        {"GET", "/_mock/journal/count", NULL},
        {"DELETE", "/_mock/journal", NULL},
        {"POST", "/_mock/reset", NULL},
        {"GET", "/_mock/metrics", NULL},
    };
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        r = mock_call(&s, calls[i][0], calls[i][1], calls[i][2]);
        CHECK_ERROR(&r, 401, "admin_token_required", "X-Mock-Admin-Token");
        if (r.status != 401)
            fprintf(stderr, "  (no token: %s %s)\n", calls[i][0], calls[i][1]);
        response_free(&r);
        r = mock_call_h(&s, calls[i][0], calls[i][1], calls[i][2], wrong);
        CHECK_ERROR(&r, 401, "admin_token_required", "does not match");
        if (r.status != 401)
            fprintf(stderr, "  (wrong token: %s %s)\n", calls[i][0], calls[i][1]);
        response_free(&r);
        r = mock_call_h(&s, calls[i][0], calls[i][1], calls[i][2], empty);
        CHECK_ERROR(&r, 401, "admin_token_required", NULL);
        response_free(&r);
    }
    /* None of the refused calls changed anything. */
    struct response after = mock_call_h(&s, "GET", "/_mock/tenants/acme/snapshot", NULL, right);
    CHECK_STR(after.body, before.body);
    response_free(&before);
    response_free(&after);

    /* The right token opens every route. */
    const char *reads[] = {"/_mock/tenants", "/_mock/tenants/acme",  "/_mock/clock",
                           "/_mock/journal", "/_mock/journal/count", "/_mock/metrics"};
    for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
        r = mock_call_h(&s, "GET", reads[i], NULL, right);
        CHECK(r.status == 200, "GET %s with the token: %ld %s", reads[i], r.status, r.body);
        response_free(&r);
    }
    r = mock_call_h(&s, "POST", "/_mock/tenants/acme/mappings/XDM10/publish", NULL, right);
    CHECK_INT(r.status, 200);
    response_free(&r);
    /* The emulated API does not need it. */
    char e[512];
    CHECK_TRIGGER(&s, "acme", "XDM10", acs_refused(e, sizeof(e), "XDM10", "stopped"));
    CHECK_TRIGGER(&s, "acme", "XDM44", acs_submitted(e, sizeof(e), 3520, "XDM44"));
    CHECK_INT(server_stop(&s), 0);
}

/* The value of a sample line "name value" / "name{labels} value"; -1 when absent. */
/* Whether every line is a comment (# HELP / # TYPE) or "name[{labels}] integer". */
static int exposition_valid(const char *text)
{
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            return 0; /* the format ends every line with \n */
        if (line[0] == '#') {
            if (strncmp(line, "# HELP ", 7) != 0 && strncmp(line, "# TYPE ", 7) != 0)
                return 0;
        } else {
            const char *p = line;
            while ((*p >= 'a' && *p <= 'z') || *p == '_')
                p++;
            if (p == line)
                return 0;
            if (*p == '{') {
                p = memchr(p, '}', (size_t)(end - p));
                if (!p)
                    return 0;
                p++;
            }
            if (*p++ != ' ' || p == end)
                return 0;
            for (; p < end; p++) {
                if (*p < '0' || *p > '9')
                    return 0;
            }
        }
        line = end + 1;
    }
    return 1;
}

/* Metrics are counted when a call completes, which may come just after the client
 * has its answer (see test_control_journal.c): wait (bounded) for the series. */
static char *metrics_when(const struct server *s, const char *series, long long value)
{
    struct response r = {0};
    for (int i = 0; i < 2000; i++) {
        response_free(&r);
        r = mock_call(s, "GET", "/_mock/metrics", NULL);
        if (r.body && metric_value(r.body, series) == value)
            break;
        harness_sleep_ms(1);
    }
    char ct[128];
    CHECK_INT(r.status, 200);
    CHECK_STR(response_header(&r, "Content-Type", ct, sizeof(ct)),
              "text/plain; version=0.0.4; charset=utf-8");
    CHECK(r.body && exposition_valid(r.body), "not the text exposition format:\n%s", r.body);
    char *text = strdup(r.body ? r.body : "");
    response_free(&r);
    return text;
}

static void test_metrics(void)
{
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512];
    const char *trig200 =
        "campaign_mock_requests_total{endpoint=\"ingest.trigger\",status=\"200\"}";
    const char *stat200 = "campaign_mock_requests_total{endpoint=\"ingest.status\",status=\"200\"}";
    const char *trig404 =
        "campaign_mock_requests_total{endpoint=\"ingest.trigger\",status=\"404\"}";
    char *m = metrics_when(&s, "campaign_mock_ingestion_requests_in_progress", 0);
    CHECK_INT(metric_value(m, "campaign_mock_ingestion_requests_in_progress"), 0);
    CHECK_INT(metric_value(m, trig200), -1);
    CHECK(strstr(m, "# TYPE campaign_mock_requests_total counter\n") != NULL, "%s", m);
    CHECK(strstr(m, "# TYPE campaign_mock_ingestion_requests_in_progress gauge\n") != NULL, "%s",
          m);
    free(m);

    long long a = trigger_id(&s, "acme", "XDM44");
    long long b = trigger_id(&s, "acme", "XDM95");
    m = metrics_when(&s, "campaign_mock_journal_entries", 2);
    CHECK_INT(metric_value(m, trig200), 2);
    CHECK_INT(metric_value(m, "campaign_mock_ingestion_requests_in_progress"), 2);
    free(m);
    CHECK_POLL(&s, "acme", "XDM95", b, acs_in_progress(e, sizeof(e), b, "XDM95"));
    CHECK_POLL(&s, "acme", "XDM95", b, acs_failed_fetch(e, sizeof(e), b, "XDM95"));
    struct response r;
    trigger(&r, &s, "acme", "NOPE");
    CHECK_INT(r.status, 404);
    response_free(&r);
    /* Wait for all five calls: they may complete in another order than answered. */
    m = metrics_when(&s, "campaign_mock_journal_entries", 5);
    CHECK_INT(metric_value(m, trig404), 1);
    CHECK_INT(metric_value(m, stat200), 2);
    CHECK_INT(metric_value(m, trig200), 2);
    CHECK_INT(metric_value(m, "campaign_mock_ingestion_requests_in_progress"), 1);
    CHECK_INT(metric_value(m, "campaign_mock_journal_entries"), 5);
    CHECK_INT(metric_value(m, "campaign_mock_journal_evicted_total"), 0);
    CHECK_INT(metric_value(m, "campaign_mock_faults_applied_total"), 0);
    free(m);
    (void)a;
    CHECK_INT(server_stop(&s), 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    test_reload();
    test_admin_token();
    test_metrics();
    curl_global_cleanup();
    return test_report();
}
