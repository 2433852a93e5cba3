/*
 * Control API, tenants: list, read, delete, and reset one tenant to its fixture (or
 * template) state; template tenants made on first use by a control call, so a test can
 * configure its tenant before its first Campaign call; and isolation: what is done to
 * one tenant of the template (trigger, buttons, script, records) is invisible to
 * another.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

/* The template's XDM1 as a fresh tenant reads it back. */
#define TEMPLATE_XDM1_FRESH                                                                        \
    "{\"id\":\"XDM1\",\"label\":\"Template mapping\",\"targetingDimension\":\"profile\","          \
    "\"dataset\":\"5da558abd538ed18ae122625\",\"published\":true,\"started\":false,"               \
    "\"changedRecords\":10,\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":1},"         \
    "\"script\":[],\"publication\":\"Published\",\"execution\":\"Stopped\","                       \
    "\"inProgressRequestId\":null,\"requestCounts\":{\"In "                                        \
    "Progress\":0,\"Success\":0,\"Failed\":0,\"Aborted\":0}}"

static void test_list_and_get(const struct server *s)
{
    /* Only fixture tenants are listed at start; the template is a flag, not a tenant. */
    CHECK_CALL(s, "GET", "/_mock/tenants", NULL, 200,
               "{\"tenants\":[{\"name\":\"acme\",\"mappings\":7}],\"template\":true}");

    /* A control read of a new name makes the tenant from the template. */
    CHECK_CALL(s, "GET", "/_mock/tenants/fresh-1", NULL, 200,
               "{\"name\":\"fresh-1\",\"mappings\":[" TEMPLATE_XDM1_FRESH "]}");
    CHECK_CALL(s, "GET", "/_mock/tenants", NULL, 200,
               "{\"tenants\":[{\"name\":\"acme\",\"mappings\":7},{\"name\":\"fresh-1\","
               "\"mappings\":1}],\"template\":true}");

    /* An encoded slash stays inside its segment: "acme%2Fmappings" is no tenant name and
     * no route (before, it listed acme's mappings). */
    struct response slash = mock_call(s, "GET", "/_mock/tenants/acme%2Fmappings", NULL);
    CHECK_ERROR(&slash, 404, "route_not_found", NULL);
    response_free(&slash);

    /* acme reads back in fixture form plus the read-only status fields. */
    struct response r = mock_call(s, "GET", "/_mock/tenants/acme", NULL);
    CHECK_INT(r.status, 200);
    cJSON *doc = response_json(&r);
    CHECK_STR(json_str(doc, "name"), "acme");
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "mappings")), 7);
    const char *ids[] = {"XDM44", "XDM95", "XDM96", "XDM97", "XDM98", "TestDoc", "XDM10"};
    for (int i = 0; i < 7; i++) {
        char p[32];
        snprintf(p, sizeof(p), "mappings[%d].id", i);
        const char *got = json_str(doc, p);
        int found = 0;
        for (int j = 0; j < 7 && got; j++)
            found |= strcmp(ids[j], got) == 0;
        CHECK(found, "unexpected mapping %s", got ? got : "(none)");
    }
    for (const cJSON *m = json_at(doc, "mappings") ? json_at(doc, "mappings")->child : NULL; m;
         m = m->next) {
        const char *id = json_str(m, "id");
        if (id && strcmp(id, "TestDoc") == 0) {
            CHECK_STR(json_str(m, "publication"), "Published");
            CHECK_STR(json_str(m, "execution"), "Started");
        } else if (id && strcmp(id, "XDM10") == 0) {
            CHECK_STR(json_str(m, "publication"), "Draft");
            CHECK_STR(json_str(m, "execution"), "Stopped");
        } else if (id && strcmp(id, "XDM44") == 0) {
            CHECK_INT(json_int(m, "changedRecords"), 15);
            CHECK_STR(json_str(m, "dataset"), "5da558abd538ed18ae12261e");
        }
    }
    cJSON_Delete(doc);
    response_free(&r);

    /* Names that cannot be tenants are 404 and create nothing. */
    r = mock_call(s, "GET", "/_mock/tenants/bad%21name", NULL);
    CHECK_ERROR(&r, 404, "unknown_tenant", "bad!name");
    response_free(&r);
    char long_name[200];
    memset(long_name, 'a', 129);
    long_name[129] = '\0';
    char path[300];
    snprintf(path, sizeof(path), "/_mock/tenants/%s", long_name);
    r = mock_call(s, "GET", path, NULL);
    CHECK_ERROR(&r, 404, "unknown_tenant", "1 to 128 characters");
    response_free(&r);
    CHECK_CALL(s, "GET", "/_mock/tenants", NULL, 200,
               "{\"tenants\":[{\"name\":\"acme\",\"mappings\":7},{\"name\":\"fresh-1\","
               "\"mappings\":1}],\"template\":true}");
}

/* A tenant configured by control calls before its first Campaign call keeps that
 * configuration: the Campaign call does not make it afresh from the template. */
static void test_configure_before_first_use(const struct server *s)
{
    CHECK_CALL(s, "PUT", "/_mock/tenants/early/mappings/XDM1/script",
               "[{\"outcome\":\"failed-fetch\"}]", 200,
               "{\"script\":[{\"outcome\":\"failed-fetch\"}],\"defaultOutcome\":{\"outcome\":"
               "\"success\",\"afterPolls\":1}}");
    struct response r =
        mock_call(s, "POST", "/_mock/tenants/early/mappings/XDM1/records", "{\"add\": 5}");
    CHECK_INT(r.status, 200);
    cJSON *doc = response_json(&r);
    CHECK_INT(json_int(doc, "changedRecords"), 15);
    cJSON_Delete(doc);
    response_free(&r);

    char e[512];
    long long id = trigger_id(s, "early", "XDM1");
    CHECK_POLL(s, "early", "XDM1", id, acs_failed_fetch(e, sizeof(e), id, "XDM1"));
    /* The script is consumed; the default success ingests the 15 records set up front. */
    long long id2 = trigger_id(s, "early", "XDM1");
    CHECK_POLL(s, "early", "XDM1", id2, acs_in_progress(e, sizeof(e), id2, "XDM1"));
    CHECK_POLL(s, "early", "XDM1", id2, acs_success(e, sizeof(e), id2, "XDM1", 15));
}

static void test_delete(const struct server *s)
{
    long long id = trigger_id(s, "doomed", "XDM1");
    CHECK_CALL(s, "DELETE", "/_mock/tenants/doomed", NULL, 200, "{\"deleted\":\"doomed\"}");
    /* Gone from the list, and a second delete finds nothing. */
    struct response r = mock_call(s, "GET", "/_mock/tenants", NULL);
    CHECK(r.body && !strstr(r.body, "\"doomed\""), "%s", r.body);
    response_free(&r);
    r = mock_call(s, "DELETE", "/_mock/tenants/doomed", NULL);
    CHECK_ERROR(&r, 404, "unknown_tenant", "doomed");
    response_free(&r);
    r = mock_call(s, "DELETE", "/_mock/tenants/never-seen", NULL);
    CHECK_ERROR(&r, 404, "unknown_tenant", "never-seen");
    response_free(&r);
    /* A refused delete made nothing either. */
    r = mock_call(s, "GET", "/_mock/tenants", NULL);
    CHECK(r.body && !strstr(r.body, "never-seen"), "%s", r.body);
    response_free(&r);

    /* Its requests went with it: the name, used again, is a fresh template copy. */
    char path[128];
    snprintf(path, sizeof(path), "/_mock/tenants/doomed/requests/%lld", id);
    r = mock_call(s, "GET", path, NULL);
    CHECK_ERROR(&r, 404, "unknown_request", NULL);
    response_free(&r);
    r = mock_call(s, "GET", "/_mock/tenants/doomed/mappings/XDM1", NULL);
    CHECK_STR(r.body, TEMPLATE_XDM1_FRESH);
    response_free(&r);
    char e[512];
    struct response p;
    poll_status(&p, s, "doomed", "XDM1", id);
    CHECK_ERROR(&p, 404, "unknown_request", NULL);
    response_free(&p);
    long long id2 = trigger_id(s, "doomed", "XDM1");
    CHECK(id2 > id, "ids are not reused: %lld after %lld", id2, id);
    CHECK_POLL(s, "doomed", "XDM1", id2, acs_in_progress(e, sizeof(e), id2, "XDM1"));
}

static void test_reset(const struct server *s)
{
    char e[512];
    /* A bystander tenant with a request of its own. */
    long long other = trigger_id(s, "bystander", "XDM1");
    char *other_before = tenant_state(s, "bystander");

    /* Change acme in every way a client can. */
    long long id = trigger_id(s, "acme", "XDM44");
    CHECK_CALL(s, "POST", "/_mock/tenants/acme/mappings/XDM44/records", "{\"add\": 100}", 200,
               NULL);
    CHECK_CALL(s, "POST", "/_mock/tenants/acme/mappings/XDM10/publish", NULL, 200, NULL);
    CHECK_CALL(s, "POST", "/_mock/tenants/acme/mappings/TestDoc/stop", NULL, 200, NULL);
    CHECK_CALL(s, "PUT", "/_mock/tenants/acme/mappings/XDM95/script", "[{\"outcome\":\"hang\"}]",
               200, NULL);
    CHECK_CALL(s, "PUT", "/_mock/tenants/acme/mappings/NEW1", "{\"id\":\"NEW1\"}", 201, NULL);
    CHECK_CALL(s, "DELETE", "/_mock/tenants/acme/mappings/XDM97", NULL, 200, NULL);

    struct response r = mock_call(s, "POST", "/_mock/tenants/acme/reset", NULL);
    CHECK_INT(r.status, 200);
    CHECK(response_is_json(&r), "content type");
    cJSON *doc = response_json(&r);
    CHECK_STR(json_str(doc, "name"), "acme");
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "mappings")), 7);
    CHECK(r.body && !strstr(r.body, "NEW1"), "%s", r.body);
    cJSON_Delete(doc);
    response_free(&r);

    /* Back to the fixture: the same reads as on a fresh server. */
    r = mock_call(s, "GET", "/_mock/tenants/acme/mappings/XDM44", NULL);
    doc = response_json(&r);
    CHECK_INT(json_int(doc, "changedRecords"), 15);
    CHECK(cJSON_IsNull(json_at(doc, "inProgressRequestId")), "%s", r.body);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "requests")), 0);
    cJSON_Delete(doc);
    response_free(&r);
    r = mock_call(s, "GET", "/_mock/tenants/acme/mappings/NEW1", NULL);
    CHECK_ERROR(&r, 404, "unknown_mapping", "NEW1");
    response_free(&r);
    CHECK_TRIGGER(s, "acme", "XDM10", acs_refused(e, sizeof(e), "XDM10", "published"));
    CHECK_TRIGGER(s, "acme", "TestDoc", acs_refused(e, sizeof(e), "TestDoc", "stopped"));
    CHECK_CALL(s, "GET", "/_mock/tenants/acme/requests", NULL, 200,
               "{\"total\":0,\"requests\":[]}");
    struct response p;
    poll_status(&p, s, "acme", "XDM44", id);
    CHECK_ERROR(&p, 404, "unknown_request", NULL);
    response_free(&p);
    /* The fixture's XDM97 is back, the hang script is gone, and new ids keep rising. */
    long long a = trigger_id(s, "acme", "XDM97");
    CHECK(a > id, "ids are not reused: %lld after %lld", a, id);
    CHECK_POLL(s, "acme", "XDM97", a, acs_in_progress(e, sizeof(e), a, "XDM97"));
    CHECK_POLL(s, "acme", "XDM97", a, acs_aborted(e, sizeof(e), a, "XDM97"));
    long long f = trigger_id(s, "acme", "XDM95");
    CHECK_POLL(s, "acme", "XDM95", f, acs_in_progress(e, sizeof(e), f, "XDM95"));
    CHECK_POLL(s, "acme", "XDM95", f, acs_failed_fetch(e, sizeof(e), f, "XDM95"));

    /* The bystander did not move. */
    char *other_after = tenant_state(s, "bystander");
    CHECK_STR(other_after, other_before);
    CHECK_POLL(s, "bystander", "XDM1", other, acs_in_progress(e, sizeof(e), other, "XDM1"));
    free(other_before);
    free(other_after);

    /* A template tenant resets to the template. */
    CHECK_CALL(s, "PUT", "/_mock/tenants/bystander/mappings/X2", "{}", 201, NULL);
    CHECK_CALL(s, "POST", "/_mock/tenants/bystander/mappings/XDM1/records", "{\"add\": 3}", 200,
               NULL);
    CHECK_CALL(s, "POST", "/_mock/tenants/bystander/reset", NULL, 200,
               "{\"name\":\"bystander\",\"mappings\":[" TEMPLATE_XDM1_FRESH "]}");

    r = mock_call(s, "POST", "/_mock/tenants/bad%21name/reset", NULL);
    CHECK_ERROR(&r, 404, "unknown_tenant", NULL);
    response_free(&r);
}

/* Two tenants of the template never see each other's state. */
static void test_isolation(const struct server *s)
{
    char e[512];
    char *b0 = tenant_state(s, "iso-b");
    CHECK(b0[0] != '\0', "iso-b snapshot");

    /* Everything a client can do, done to iso-a only. */
    CHECK_CALL(s, "POST", "/_mock/tenants/iso-a/mappings/XDM1/records", "{\"add\": 7}", 200, NULL);
    CHECK_CALL(s, "PUT", "/_mock/tenants/iso-a/mappings/XDM1/script",
               "[{\"outcome\":\"aborted\"},{\"outcome\":\"hang\"}]", 200, NULL);
    long long a1 = trigger_id(s, "iso-a", "XDM1");
    CHECK_POLL(s, "iso-a", "XDM1", a1, acs_aborted(e, sizeof(e), a1, "XDM1"));
    long long a2 = trigger_id(s, "iso-a", "XDM1");
    CHECK_CALL(s, "POST", "/_mock/tenants/iso-a/mappings/XDM1/publish", NULL, 200, NULL);
    CHECK_TRIGGER(s, "iso-a", "XDM1", acs_refused(e, sizeof(e), "XDM1", "stopped"));
    CHECK_CALL(s, "PUT", "/_mock/tenants/iso-a/mappings/ONLY-A", "{}", 201, NULL);

    char *b1 = tenant_state(s, "iso-b");
    CHECK_STR(b1, b0);

    /* iso-b: no request in progress, published and stopped, template records and
     * script. */
    long long b = trigger_id(s, "iso-b", "XDM1");
    CHECK(b != a2, "distinct ids");
    CHECK_POLL(s, "iso-b", "XDM1", b, acs_in_progress(e, sizeof(e), b, "XDM1"));
    CHECK_POLL(s, "iso-b", "XDM1", b, acs_success(e, sizeof(e), b, "XDM1", 10));
    struct response r = mock_call(s, "GET", "/_mock/tenants/iso-b/mappings/ONLY-A", NULL);
    CHECK_ERROR(&r, 404, "unknown_mapping", NULL);
    response_free(&r);

    /* iso-a's request is unknown through iso-b, on both APIs. */
    struct response p;
    poll_status(&p, s, "iso-b", "XDM1", a2);
    CHECK_ERROR(&p, 404, "unknown_request", NULL);
    response_free(&p);
    char path[128];
    snprintf(path, sizeof(path), "/_mock/tenants/iso-b/requests/%lld", a2);
    r = mock_call(s, "GET", path, NULL);
    CHECK_ERROR(&r, 404, "unknown_request", NULL);
    response_free(&r);
    snprintf(path, sizeof(path), "/_mock/tenants/iso-b/requests/%lld/resolve", a2);
    r = mock_call(s, "POST", path, "{\"outcome\":\"success\"}");
    CHECK_ERROR(&r, 404, "unknown_request", NULL);
    response_free(&r);
    r = mock_call(s, "GET", "/_mock/tenants/iso-b/requests", NULL);
    cJSON *doc = response_json(&r);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "requests")), 1);
    CHECK_INT(json_int(doc, "requests[0].requestId"), b);
    cJSON_Delete(doc);
    response_free(&r);

    /* iso-a still has its hang running, untouched by iso-b's calls. */
    CHECK_POLL(s, "iso-a", "XDM1", a2, acs_in_progress(e, sizeof(e), a2, "XDM1"));
    r = mock_call(s, "GET", "/_mock/tenants/iso-a/mappings/XDM1", NULL);
    doc = response_json(&r);
    CHECK_INT(json_int(doc, "changedRecords"), 17);
    CHECK_INT(json_int(doc, "inProgressRequestId"), a2);
    CHECK_STR(json_str(doc, "execution"), "Started");
    cJSON_Delete(doc);
    response_free(&r);
    free(b0);
    free(b1);
}

static void test_no_template(void)
{
    char dir[] = "/tmp/campaign-mock-test-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    char file[300];
    snprintf(file, sizeof(file), "%s/only.json", dir);
    FILE *f = fopen(file, "w");
    if (!f) {
        CHECK(0, "cannot write %s", file);
        return;
    }
    fputs("{\"tenants\": {\"solo\": {\"mappings\": [{\"id\": \"M1\"}]}}}\n", f);
    fclose(f);
    const char *args[] = {"--fixtures", file, NULL};
    struct server s;
    if (server_start(&s, dir, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    CHECK_CALL(&s, "GET", "/_mock/tenants", NULL, 200,
               "{\"tenants\":[{\"name\":\"solo\",\"mappings\":1}],\"template\":false}");
    struct response r = mock_call(&s, "GET", "/_mock/tenants/ghost", NULL);
    CHECK_ERROR(&r, 404, "unknown_tenant", "ghost");
    response_free(&r);
    r = mock_call(&s, "POST", "/_mock/tenants/ghost/reset", NULL);
    CHECK_ERROR(&r, 404, "unknown_tenant", "ghost");
    response_free(&r);
    r = mock_call(&s, "GET", "/_mock/tenants/ghost/requests", NULL);
    CHECK_ERROR(&r, 404, "unknown_tenant", "ghost");
    response_free(&r);
    CHECK_CALL(&s, "GET", "/_mock/tenants", NULL, 200,
               "{\"tenants\":[{\"name\":\"solo\",\"mappings\":1}],\"template\":false}");
    /* A fixture tenant without a template, once deleted, is gone for good. */
    CHECK_CALL(&s, "DELETE", "/_mock/tenants/solo", NULL, 200, "{\"deleted\":\"solo\"}");
    r = mock_call(&s, "GET", "/_mock/tenants/solo", NULL);
    CHECK_ERROR(&r, 404, "unknown_tenant", "solo");
    response_free(&r);
    CHECK_CALL(&s, "GET", "/_mock/tenants", NULL, 200, "{\"tenants\":[],\"template\":false}");
    CHECK_INT(server_stop(&s), 0);
    unlink(file);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    test_list_and_get(&s);
    test_configure_before_first_use(&s);
    test_delete(&s);
    test_reset(&s);
    test_isolation(&s);
    CHECK_INT(server_stop(&s), 0);
    test_no_template();
    curl_global_cleanup();
    return test_report();
}
