/*
 * GET /_mock/report: a well-behaved client gets no finding and its answers counted; then,
 * after a mark, a badly behaved one triggers each rule on purpose, and exactly those
 * rules are reported, with the entries that show them. A strict server for the invalid
 * token; a capped journal for a window that eviction cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

#define XDM44 "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest"
#define XDM95 "/acme/campaign/dataIngestion/xdmIngestion/XDM95/ingest"
#define FORM  "Content-Type: application/x-www-form-urlencoded"
#define TOKEN_FORM                                                                                 \
    "grant_type=client_credentials&client_id=my-client-id&client_secret=my-client-secret&scope="   \
    "openid"

static const char *const auth[] = {"Authorization: Bearer t", "X-Api-Key: k", NULL};

static long call(const struct server *s, const char *method, const char *path, const char *body,
                 const char *const *headers)
{
    char url[512];
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    struct response r;
    http_call(&r, method, url, body, body ? -1 : 0, headers);
    long status = r.status;
    response_free(&r);
    return status;
}

static cJSON *report(const struct server *s, const char *query)
{
    struct response r = mock_call(s, "GET", query, NULL);
    CHECK(r.status == 200, "%s: %ld %s", query, r.status, r.body ? r.body : "");
    cJSON *doc = response_json(&r);
    response_free(&r);
    return doc;
}

/* The rules reported, in the report's order, comma-separated. */
static void rules_of(const cJSON *doc, char *out, size_t size)
{
    out[0] = '\0';
    size_t used = 0;
    for (const cJSON *f = json_at(doc, "findings") ? json_at(doc, "findings")->child : NULL; f;
         f = f->next) {
        const cJSON *rule = cJSON_GetObjectItemCaseSensitive(f, "rule");
        int n = snprintf(out + used, size - used, "%s%s", used ? "," : "",
                         cJSON_IsString(rule) ? rule->valuestring : "?");
        if (n > 0 && (size_t)n < size - used)
            used += (size_t)n;
    }
}

/* GET query's report, after checking that its findings' rules are exactly want
 * (rules_of's form); the caller deletes it. */
static cJSON *report_rules(const struct server *s, const char *query, const char *want)
{
    cJSON *doc = report(s, query);
    char rules[512];
    rules_of(doc, rules, sizeof(rules));
    CHECK(strcmp(rules, want) == 0, "%s: rules \"%s\", expected \"%s\"", query, rules, want);
    return doc;
}

static long long seen(const cJSON *doc, const char *answer)
{
    for (const cJSON *a = json_at(doc, "coverage.answers")->child; a; a = a->next) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "answer");
        if (cJSON_IsString(id) && strcmp(id->valuestring, answer) == 0)
            return json_int(a, "seen");
    }
    return -1;
}

/* That the JSON at path of doc is exactly entries (a finding's entry ids, as JSON). */
static void check_entries(const cJSON *doc, const char *path, const char *entries)
{
    char *text = cJSON_PrintUnformatted(json_at(doc, path));
    CHECK(text && strcmp(text, entries) == 0, "%s: %s, expected %s", path, text ? text : "(none)",
          entries);
    free(text);
}

/* The output (stdout and stderr) of a shell command, its exit status in *status. */
static char *command_output(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    size_t n;
    while (out && (n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *bigger = realloc(out, cap * 2);
            if (!bigger) {
                free(out);
                out = NULL;
                break;
            }
            out = bigger;
            cap *= 2;
        }
    }
    int rc = pclose(p);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    if (out)
        out[len] = '\0';
    return out;
}

/* A server on the bundled fixtures and the docs' IMS clients (tests/docs/clients.json). */
static int start_with_clients(struct server *s)
{
    const char *args[] = {"--fixtures", source_path("fixtures/acs-docs.json"), "--fixtures",
                          source_path("tests/docs/clients.json"), NULL};
    int rc = server_start(s, NULL, args);
    CHECK(rc == 0, "server did not start");
    return rc;
}

static void test_good_then_bad(void)
{
    struct server s;
    if (start_with_clients(&s) < 0)
        return;
    const char *form[] = {FORM, NULL};

    /* A good client: one token, a trigger, polls 120 ms apart until Success. */
    CHECK_INT(call(&s, "POST", "/ims/token/v3", TOKEN_FORM, form), 200);
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3520", NULL, auth), 200); /* In Progress */
    harness_sleep_ms(120);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3520", NULL, auth), 200); /* Success */
    cJSON *good = report_rules(&s, "/_mock/report?pollIntervalMs=100", "");
    CHECK_INT(seen(good, "trigger.submitted"), 1);
    CHECK_INT(seen(good, "status.in-progress"), 1);
    CHECK_INT(seen(good, "status.success"), 1);
    CHECK_INT(seen(good, "ims.token"), 1);
    CHECK_INT(seen(good, "gateway.429050"), 0);
    CHECK_INT(json_int(good, "coverage.seen"), 4);
    CHECK_INT(json_int(good, "coverage.total"), 26);
    CHECK_INT(json_int(good, "window.entries"), 4);
    CHECK(cJSON_IsTrue(json_at(good, "window.complete")), "complete window");
    CHECK_INT(json_int(good, "summary.answersNotSeen"), 22);
    cJSON_Delete(good);
    /* The same client, at the default interval of 1 s: its polls were too fast. */
    cJSON *strict_interval = report_rules(&s, "/_mock/report", "poll-too-fast");
    cJSON_Delete(strict_interval);

    /* A new window: nothing in it yet. */
    struct response m = mock_call(&s, "POST", "/_mock/report/mark", NULL);
    CHECK_STR(m.body, "{\"mark\":4}");
    response_free(&m);
    cJSON *empty = report(&s, "/_mock/report");
    CHECK_INT(json_int(empty, "window.since"), 4);
    CHECK_INT(json_int(empty, "window.entries"), 0);
    cJSON_Delete(empty);

    /* A bad client, each rule on purpose. */
    const char *json_ct[] = {"Content-Type: application/json", NULL};
    CHECK_INT(call(&s, "POST", "/ims/token/v3", TOKEN_FORM, json_ct), 400); /* content type */
    CHECK_INT(call(&s, "POST", "/ims/token/v3", TOKEN_FORM, form), 200);
    CHECK_INT(call(&s, "POST", "/ims/token/v3", TOKEN_FORM, form), 200); /* a token a call */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);                 /* 3521 */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);                 /* already in progress */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);                 /* again: a loop */
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3521", NULL, auth), 200);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3521", NULL, auth), 200); /* too fast */
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3521", NULL, auth), 200); /* after the end */
    CHECK_INT(call(&s, "GET", XDM95 "?requestId=3521", NULL, auth), 404); /* foreign id */
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=x", NULL, auth), 400);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=x", NULL, auth), 400);    /* the same 400 again */
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3521", "{}", auth), 200); /* a body on GET */
    CHECK_INT(call(&s, "POST", XDM44, NULL, NULL), 401);                  /* no headers */
    CHECK_INT(call(&s, "POST", XDM95, NULL, auth), 200);                  /* 3522, never polled */
    struct response f =
        mock_call(&s, "POST", "/_mock/faults",
                  "{\"match\": {\"endpoint\": \"ingest.trigger\", \"mapping\": \"XDM44\"}, "
                  "\"action\": {\"error\": \"429050\"}, \"times\": 1}");
    CHECK_INT(f.status, 201);
    response_free(&f);
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 429);
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200); /* before its Retry-After: 1 */
    cJSON *bad = report_rules(&s, "/_mock/report?pollIntervalMs=100",
                              "poll-too-fast,retry-before-retry-after,retry-after-client-error,"
                              "trigger-loop,abandoned-request,poll-after-end,foreign-request-id,"
                              "missing-auth-headers,body-on-get,ims-content-type");
    /* The window's entries, from 5: 5 the JSON token call, 6-7 tokens, 8 trigger 3521, 9-10
     * already in progress, 11-13 polls (In Progress, Success, Success), 14 the foreign
     * poll, 15-16 the 400s, 17 the poll with a body, 18 the call without headers, 19
     * trigger 3522, 20 the 429, 21 its early retry (request 3523, never polled). */
    struct {
        const char *path;
        const char *entries;
    } expected[] = {
        {"findings[0].entries", "[12,13,17]"}, {"findings[1].entries", "[21]"},
        {"findings[2].entries", "[16]"},       {"findings[3].entries", "[9,10]"},
        {"findings[4].entries", "[19,21]"},    {"findings[5].entries", "[13,17]"},
        {"findings[6].entries", "[14]"},       {"findings[7].entries", "[18]"},
        {"findings[8].entries", "[17]"},       {"findings[9].entries", "[5]"},
    };
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        check_entries(bad, expected[i].path, expected[i].entries);
    CHECK_INT(json_int(bad, "summary.errors"), 4);
    CHECK_INT(json_int(bad, "summary.warnings"), 6);
    CHECK_INT(seen(bad, "gateway.429050"), 1);
    CHECK_INT(seen(bad, "trigger.already-in-progress"), 2);
    /* The same through campaign-mock report, as a CI job runs it. */
    {
        char url[128];
        snprintf(url, sizeof(url), "%s", s.base);
        const char *junit[] = {"report", url,        "--since", "4", "--poll-interval-ms",
                               "100",    "--format", "junit",   NULL};
        char *out = NULL;
        CHECK_INT(run_binary(junit, &out), 1); /* errors among the findings */
        CHECK(out && strstr(out, "<testsuites name=\"campaign-mock report\" tests=\"12\" "
                                 "failures=\"4\">"),
              "junit head: %.300s", out ? out : "");
        CHECK(out && strstr(out, "<testcase classname=\"campaign-mock.error\" "
                                 "name=\"missing-auth-headers\">\n      <failure type=\"error\" "
                                 "message=\"calls without Authorization: Bearer &lt;token&gt; or "
                                 "without X-Api-Key\">1 call(s); journal entries 18</failure>"),
              "junit failure: %s", out ? out : "");
        /* Valid against schema/report-junit.xsd, with a test case per rule checked and
         * the suite's counts agreeing with its elements (which XML Schema cannot say). */
        char xml[300];
        snprintf(xml, sizeof(xml), "%s/report.xml", s.dir);
        FILE *xf = fopen(xml, "w");
        if (xf) {
            fputs(out ? out : "", xf);
            fclose(xf);
        }
        const char *src = getenv("CAMPAIGN_MOCK_SOURCE");
        char cmd[1200];
        snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s/schema/report-junit.xsd %s 2>&1",
                 src ? src : ".", xml);
        int status = -1;
        char *valid = command_output(cmd, &status);
        char validates[400];
        snprintf(validates, sizeof(validates), "%s validates\n", xml);
        CHECK(status == 0 && valid && strcmp(valid, validates) == 0,
              "xmllint --schema schema/report-junit.xsd: status %d: %s", status,
              valid ? valid : "(no output)");
        free(valid);
        const struct {
            const char *xpath, *value;
        } counts[] = {
            {"count(//testsuite/testcase)", "12\n"},  {"string(//testsuite/@tests)", "12\n"},
            {"count(//testcase/failure)", "4\n"},     {"string(//testsuite/@failures)", "4\n"},
            {"string(/testsuites/@failures)", "4\n"}, {"count(//testcase/system-out)", "6\n"},
        };
        for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
            snprintf(cmd, sizeof(cmd), "xmllint --xpath '%s' %s 2>&1", counts[i].xpath, xml);
            char *got = command_output(cmd, &status);
            CHECK(got && strcmp(got, counts[i].value) == 0, "%s: %s, expected %s", counts[i].xpath,
                  got ? got : "(none)", counts[i].value);
            free(got);
        }
        free(out);
        const char *never[] = {"report", url,         "--since", "4", "--format",
                               "junit",  "--fail-on", "never",   NULL};
        CHECK_INT(run_binary(never, &out), 0);
        free(out);
        const char *text[] = {"report", url, "--since", "4", NULL};
        CHECK_INT(run_binary(text, &out), 1);
        CHECK(out && strncmp(out, "campaign-mock report: 17 journal entries (5 to 21)\n", 50) == 0,
              "text: %.200s", out ? out : "");
        free(out);
        const char *bad_format[] = {"report", url, "--format", "xml", NULL};
        CHECK_INT(run_binary(bad_format, &out), 2);
        CHECK_STR(out, "campaign-mock: --format: invalid value \"xml\" (expected text, json or "
                       "junit)\n");
        free(out);
    }
    /* One tenant: acme's calls and the IMS ones (which belong to no tenant). */
    cJSON *other = report(&s, "/_mock/report?tenant=other&since=0");
    CHECK_INT(json_int(other, "window.entries"), 4); /* the four token calls */
    cJSON_Delete(other);
    cJSON_Delete(bad);

    /* A client that takes a new token for each call. */
    m = mock_call(&s, "POST", "/_mock/report/mark", NULL);
    response_free(&m);
    for (int i = 0; i < 4; i++) {
        CHECK_INT(call(&s, "POST", "/ims/token/v3", TOKEN_FORM, form), 200);
        CHECK_INT(call(&s, "GET", XDM44 "?requestId=3523", NULL, auth), 200);
        harness_sleep_ms(120);
    }
    cJSON *tokens = report_rules(&s, "/_mock/report?pollIntervalMs=100", "token-per-call");
    cJSON_Delete(tokens);

    CHECK_CALL(&s, "GET", "/_mock/report?since=-1", NULL, 400,
               "{\"code\":400,\"error_code\":\"invalid_field\",\"message\":\"since: \\\"-1\\\" "
               "is not a journal entry id (0 or more)\"}");
    CHECK_CALL(&s, "GET", "/_mock/report?pollIntervalMs=0", NULL, 400,
               "{\"code\":400,\"error_code\":\"invalid_field\",\"message\":\"pollIntervalMs: "
               "\\\"0\\\" is not an integer from 1 to 3600000\"}");
    CHECK_INT(server_stop(&s), 0);
}

/* --auth strict: a made-up token is an invalid-token finding; a window that eviction
 * cut says from where it is complete. */
static void test_strict_and_evicted(void)
{
    const char *args[] = {"--auth",
                          "strict",
                          "--fixtures",
                          source_path("fixtures/acs-docs.json"),
                          "--fixtures",
                          source_path("tests/docs/clients.json"),
                          "--journal-max",
                          "3",
                          NULL};
    struct server s;
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "strict server did not start");
        return;
    }
    const char *made_up[] = {"Authorization: Bearer made-up", "X-Api-Key: my-client-id", NULL};
    for (int i = 0; i < 5; i++)
        CHECK_INT(call(&s, "GET", XDM44 "?requestId=1", NULL, made_up), 401);
    cJSON *doc = report_rules(&s, "/_mock/report", "invalid-token");
    CHECK_INT(json_int(doc, "window.entries"), 3);
    CHECK(cJSON_IsFalse(json_at(doc, "window.complete")), "entries 1 and 2 were evicted");
    CHECK_INT(json_int(doc, "window.completeFrom"), 3);
    cJSON_Delete(doc);
    /* A journal emptied on purpose is no eviction: the window after it is complete. */
    struct response d = mock_call(&s, "DELETE", "/_mock/journal", NULL);
    CHECK_INT(d.status, 200);
    response_free(&d);
    struct response m = mock_call(&s, "POST", "/_mock/report/mark", NULL);
    CHECK_STR(m.body, "{\"mark\":5}"); /* the ids go on after a DELETE */
    response_free(&m);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=1", NULL, made_up), 401);
    doc = report(&s, "/_mock/report");
    CHECK(cJSON_IsTrue(json_at(doc, "window.complete")), "after DELETE /_mock/journal: %s",
          "complete");
    CHECK_INT(json_int(doc, "window.entries"), 1);
    cJSON_Delete(doc);
    CHECK_INT(server_stop(&s), 0);
}

/* The poll threshold from the fixtures (settings.report), from the flag (which wins),
 * and from the query (which wins over both). */
static void threshold_case(const char *what, const char *const *args, const char *query,
                           const char *want)
{
    struct server s;
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "%s: server did not start", what);
        return;
    }
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3520", NULL, auth), 200);
    harness_sleep_ms(150);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3520", NULL, auth), 200);
    cJSON *doc = report(&s, query);
    char rules[256];
    rules_of(doc, rules, sizeof(rules));
    CHECK(strcmp(rules, want) == 0, "%s: rules \"%s\", expected \"%s\"", what, rules, want);
    cJSON_Delete(doc);
    CHECK_INT(server_stop(&s), 0);
}

static void test_thresholds(void)
{
    char dir[64], file[128];
    if (harness_temp_dir(dir, sizeof(dir)) < 0)
        return;
    snprintf(file, sizeof(file), "%s/report.json", dir);
    FILE *f = fopen(file, "w");
    if (f) {
        fputs("{\"settings\": {\"report\": {\"pollIntervalMs\": 100}}}\n", f);
        fclose(f);
    }
    const char *fixture[] = {"--fixtures", "bundled", "--fixtures", file, NULL};
    threshold_case("fixtures 100 ms", fixture, "/_mock/report", "");
    const char *flag[] = {"--fixtures", "bundled", "--fixtures", file, "--report-poll-interval-ms",
                          "1000",       NULL};
    threshold_case("the flag's 1000 ms over the fixtures' 100", flag, "/_mock/report",
                   "poll-too-fast");
    threshold_case("the query's 100 ms over the flag's", flag, "/_mock/report?pollIntervalMs=100",
                   "");
    /* A wrong setting is refused, by check and at start, naming it. */
    f = fopen(file, "w");
    if (f) {
        fputs("{\"settings\": {\"report\": {\"pollIntervalMs\": 0, \"x\": 1}}}\n", f);
        fclose(f);
    }
    const char *check[] = {"check", file, NULL};
    char *out = NULL;
    CHECK_INT(run_binary(check, &out), 1);
    char want[512];
    snprintf(want, sizeof(want),
             "%s: settings.report.x: unknown field\n%s: settings.report.pollIntervalMs: must be "
             "an integer between 1 and 3600000 (milliseconds)\n",
             file, file);
    CHECK_STR(out, want);
    free(out);
}

/* Recipe b (docs/recipes.md) on the manual clock raises no finding: its two polls are
 * 15 minutes apart on the server clock, though milliseconds apart on the wall clock. A
 * client that waits between polls, as a real one does, is not too fast either, though
 * the manual clock stands still meanwhile; polls apart on neither clock are. */
static void test_manual_clock_recipe(void)
{
    const char *args[] = {"--clock", "manual", NULL};
    struct server s;
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    struct response r = mock_call(&s, "PUT", "/_mock/tenants/slow-1/mappings/XDM1/script",
                                  "[{\"outcome\": \"success\", \"numRecords\": 500, "
                                  "\"afterMs\": 900000}]");
    CHECK_INT(r.status, 200);
    response_free(&r);
#define SLOW "/slow-1/campaign/dataIngestion/xdmIngestion/XDM1/ingest"
    CHECK_INT(call(&s, "POST", SLOW, NULL, auth), 200);
    CHECK_INT(call(&s, "GET", SLOW "?requestId=3520", NULL, auth), 200);
    r = mock_call(&s, "POST", "/_mock/clock", "{\"advanceMs\": 900000}");
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_INT(call(&s, "GET", SLOW "?requestId=3520", NULL, auth), 200);
    cJSON *doc = report_rules(&s, "/_mock/report", "");
    CHECK_INT(seen(doc, "status.success"), 1);
    cJSON_Delete(doc);
    /* A second request polled as a client polls: a second of wall time apart, the
     * server clock standing still. */
    CHECK_INT(call(&s, "POST", SLOW, NULL, auth), 200);
    CHECK_INT(call(&s, "GET", SLOW "?requestId=3521", NULL, auth), 200);
    harness_sleep_ms(1100);
    CHECK_INT(call(&s, "GET", SLOW "?requestId=3521", NULL, auth), 200);
    doc = report_rules(&s, "/_mock/report", "");
    cJSON_Delete(doc);
    /* Polling again at once, on neither clock apart: too fast (and after the end: the
     * default step answered Success to the second poll). */
    CHECK_INT(call(&s, "GET", SLOW "?requestId=3521", NULL, auth), 200);
    doc = report_rules(&s, "/_mock/report", "poll-too-fast,poll-after-end");
    cJSON_Delete(doc);
#undef SLOW
    CHECK_INT(server_stop(&s), 0);
}

/* Two rules that took a good client for a bad one (the docs' transcripts showed them):
 * a call that answered a 403 with other credentials is no retry of it, and two
 * "already in progress" answers about two requests, each polled to its end in turn, are
 * no trigger loop. The same call with the same credentials, and two such answers about
 * one request, still are. */
static void test_retries_and_loops(void)
{
    const char *args[] = {"--fixtures", source_path("fixtures/acs-docs.json"), NULL};
    struct server s;
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    const char *no_key[] = {"Authorization: Bearer t", NULL};
    CHECK_INT(call(&s, "POST", XDM44, NULL, no_key), 403); /* 1: 403003 */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);   /* 2: with a key, submitted 3520 */
    CHECK_INT(call(&s, "POST", XDM44, NULL, no_key), 403); /* 3: after a 200 */
    CHECK_INT(call(&s, "POST", XDM44, NULL, no_key), 403); /* 4: the same call again */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);   /* 5: in progress, 3520 */
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3520", NULL, auth), 200); /* 6 */
    harness_sleep_ms(20);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3520", NULL, auth), 200); /* 7: Success */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);                  /* 8: submitted 3521 */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);                  /* 9: in progress, 3521 */
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3521", NULL, auth), 200); /* 10 */
    harness_sleep_ms(20);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3521", NULL, auth), 200); /* 11: Success */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200);                  /* 12: submitted 3522 */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200); /* 13: in progress, 3522 */
    CHECK_INT(call(&s, "POST", XDM44, NULL, auth), 200); /* 14: in progress, 3522: a loop */
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3522", NULL, auth), 200); /* 15 */
    harness_sleep_ms(20);
    CHECK_INT(call(&s, "GET", XDM44 "?requestId=3522", NULL, auth), 200); /* 16: Success */
    cJSON *doc = report_rules(&s, "/_mock/report?pollIntervalMs=10",
                              "retry-after-client-error,trigger-loop,missing-auth-headers");
    static const struct {
        const char *path, *entries;
    } expected[] = {
        {"findings[0].entries", "[4]"},
        {"findings[1].entries", "[13,14]"},
        {"findings[2].entries", "[1,3,4]"},
    };
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        check_entries(doc, expected[i].path, expected[i].entries);
    CHECK_INT(seen(doc, "trigger.already-in-progress"), 4);
    cJSON_Delete(doc);
    CHECK_INT(server_stop(&s), 0);
}

/* A token from IMS, as "Authorization: Bearer ..." in out. */
static void fetch_token(const struct server *s, char *out, size_t size)
{
    char url[256];
    snprintf(url, sizeof(url), "%s/ims/token/v3", s->base);
    const char *form[] = {FORM, NULL};
    struct response r;
    http_call(&r, "POST", url, TOKEN_FORM, -1, form);
    cJSON *doc = response_json(&r);
    const char *token = json_str(doc, "access_token");
    CHECK(r.status == 200 && token, "a token: %d", (int)r.status);
    snprintf(out, size, "Authorization: Bearer %s", token ? token : "");
    cJSON_Delete(doc);
    response_free(&r);
}

/* One request of tenant's XDM1 triggered and polled to Success (the template's default:
 * In Progress, then Success), each call with the token that headers[0] holds when it is
 * made: tokens[i] for call i. */
static void trigger_and_poll(const struct server *s, const char *tenant, long long id,
                             char tokens[3][1200])
{
    char path[160];
    for (int i = 0; i < 3; i++) {
        const char *headers[] = {tokens[i], "X-Api-Key: k", NULL};
        if (i == 0)
            snprintf(path, sizeof(path), "/%s/campaign/dataIngestion/xdmIngestion/XDM1/ingest",
                     tenant);
        else
            snprintf(path, sizeof(path),
                     "/%s/campaign/dataIngestion/xdmIngestion/XDM1/ingest?requestId=%lld", tenant,
                     id);
        harness_sleep_ms(5);
        CHECK_INT(call(s, i == 0 ? "POST" : "GET", path, NULL, headers), 200);
    }
}

/* IMS calls name no tenant: a tenant's report counts the tokens its own calls used, not
 * every token the window issued (a suite's parallel tests each fetch theirs). t1 makes
 * six calls with one token while eight are issued in all: no token-per-call for t1,
 * though the old count (every token issued against t1's calls) said so; t3 takes a new
 * token for each of its six calls: token-per-call, for t3 and for the whole window. */
static void test_tenant_tokens(void)
{
    struct server s;
    if (start_with_clients(&s) < 0)
        return;
    char t[3][1200], spare[1200];
    fetch_token(&s, t[0], sizeof(t[0]));
    memcpy(t[1], t[0], sizeof(t[0]));
    memcpy(t[2], t[0], sizeof(t[0]));
    trigger_and_poll(&s, "t1", 3520, t);
    trigger_and_poll(&s, "t1", 3521, t);
    fetch_token(&s, spare, sizeof(spare)); /* issued, never used */
    for (int i = 0; i < 3; i++)
        fetch_token(&s, t[i], sizeof(t[i]));
    trigger_and_poll(&s, "t3", 3522, t);
    for (int i = 0; i < 3; i++)
        fetch_token(&s, t[i], sizeof(t[i]));
    trigger_and_poll(&s, "t3", 3523, t);
    static const struct {
        const char *query, *rules;
        long long entries;
    } cases[] = {
        {"/_mock/report?tenant=t1&pollIntervalMs=1", "", 14}, /* its 6 calls, the 8 IMS */
        {"/_mock/report?tenant=t3&pollIntervalMs=1", "token-per-call", 14},
        {"/_mock/report?pollIntervalMs=1", "token-per-call", 20}, /* 8 tokens, 12 calls */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *doc = report_rules(&s, cases[i].query, cases[i].rules);
        CHECK_INT(json_int(doc, "window.entries"), cases[i].entries);
        cJSON_Delete(doc);
    }
    CHECK_INT(server_stop(&s), 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    test_good_then_bad();
    test_strict_and_evicted();
    test_thresholds();
    test_manual_clock_recipe();
    test_retries_and_loops();
    test_tenant_tokens();
    curl_global_cleanup();
    return test_report();
}
