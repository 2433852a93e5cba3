/*
 * Control API, mappings: read, create or replace (fixture form, with precise 400s
 * naming the field), delete; the Campaign UI buttons with Campaign's semantics and
 * their effect on the trigger's documented answers; changed records; and the outcome
 * script (read, replace, append; consumed in order; defaultOutcome after it). Every
 * refused call is checked to change nothing.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define DATASET "5da558abd538ed18ae12aaaa"

/* The refused call changes nothing in the tenant (check_refused_at); REFUSED_PROBLEMS
 * also wants a "problems" entry containing problem. */
#define REFUSED(s, tenant, method, path, body, status, code, part)                                 \
    check_refused_at(__FILE__, __LINE__, (s), (tenant), (method), (path), (body), (status),        \
                     (code), (part), PROBLEMS_NONE, NULL)
#define REFUSED_PROBLEMS(s, tenant, method, path, body, part, problem)                             \
    check_refused_at(__FILE__, __LINE__, (s), (tenant), (method), (path), (body), 400,             \
                     "invalid_field", (part), PROBLEMS_REQUIRED, (problem))

static void test_get_put_delete(const struct server *s)
{
    const char *base = "/_mock/tenants/maps/mappings";
    CHECK_CALL(s, "GET", "/_mock/tenants/maps/mappings/XDM1", NULL, 200,
               "{\"id\":\"XDM1\",\"label\":\"Template mapping\",\"targetingDimension\":"
               "\"profile\",\"dataset\":\"5da558abd538ed18ae122625\",\"published\":true,"
               "\"started\":false,\"changedRecords\":10,\"defaultOutcome\":{\"outcome\":"
               "\"success\",\"afterPolls\":1},\"script\":[],\"publication\":\"Published\","
               "\"execution\":\"Stopped\",\"inProgressRequestId\":null,\"requestCounts\":{\"In "
               "Progress\":0,\"Success\":0,\"Failed\":0,\"Aborted\":0}}");
    REFUSED(s, "maps", "GET", "/_mock/tenants/maps/mappings/NOPE", NULL, 404, "unknown_mapping",
            "NOPE");

    /* Create: 201 with the mapping read back. */
    const char *created =
        "{\"id\":\"X2\",\"label\":\"Second\",\"targetingDimension\":\"profile\",\"dataset\":"
        "\"" DATASET "\",\"published\":true,\"started\":false,\"changedRecords\":3,"
        "\"defaultOutcome\":{\"outcome\":\"failed-fetch\",\"afterPolls\":2},\"script\":[{"
        "\"outcome\":\"success\",\"numRecords\":4}],\"publication\":\"Published\","
        "\"execution\":\"Stopped\",\"inProgressRequestId\":null,\"requestCounts\":{\"In "
        "Progress\":0,\"Success\":0,\"Failed\":0,\"Aborted\":0}}";
    CHECK_CALL(s, "PUT", "/_mock/tenants/maps/mappings/X2",
               "{\"id\": \"X2\", \"label\": \"Second\", \"dataset\": \"" DATASET "\", "
               "\"published\": true, \"started\": false, \"changedRecords\": 3, \"script\": "
               "[{\"outcome\": \"success\", \"numRecords\": 4}], \"defaultOutcome\": "
               "{\"outcome\": \"failed-fetch\", \"afterPolls\": 2}}",
               201, created);
    CHECK_CALL(s, "GET", "/_mock/tenants/maps/mappings/X2", NULL, 200, created);
    struct response r = mock_call(s, "GET", base, NULL);
    cJSON *doc = response_json(&r);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "mappings")), 2);
    cJSON_Delete(doc);
    response_free(&r);

    /* Replace: 200; absent fields take the fixture defaults (published, stopped, no
     * script, success after one poll). The id may be left out of the body. */
    CHECK_CALL(s, "PUT", "/_mock/tenants/maps/mappings/X2", "{\"label\": \"Renamed\"}", 200,
               "{\"id\":\"X2\",\"label\":\"Renamed\",\"targetingDimension\":\"profile\","
               "\"dataset\":\"\",\"published\":true,\"started\":false,\"changedRecords\":0,"
               "\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":1},\"script\":[],"
               "\"publication\":\"Published\",\"execution\":\"Stopped\","
               "\"inProgressRequestId\":null,\"requestCounts\":{\"In "
               "Progress\":0,\"Success\":0,\"Failed\":0,\"Aborted\":0}}");

    /* Refusals, each changing nothing. */
    REFUSED(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2", "{\"id\": \"X3\"}", 400,
            "invalid_field", "id: \"X3\" differs from the mapping id in the path");
    REFUSED_PROBLEMS(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2",
                     "{\"published\": \"yes\", \"script\": [{\"outcome\": \"boom\"}]}",
                     "published: must be true or false", "script[0].outcome: unknown outcome");
    REFUSED_PROBLEMS(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2",
                     "{\"changedRecords\": -1}", "changedRecords", "changedRecords");
    REFUSED_PROBLEMS(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2",
                     "{\"dataset\": \"not-hex\"}", "dataset", "dataset");
    REFUSED_PROBLEMS(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2", "{\"lable\": \"x\"}",
                     "lable: unknown field", "lable");
    REFUSED_PROBLEMS(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2",
                     "{\"defaultOutcome\": {\"outcome\": \"aborted\", \"numRecords\": 2}}",
                     "defaultOutcome.numRecords", "defaultOutcome.numRecords");
    REFUSED(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2", "[1, 2]", 400, "invalid_field",
            "mapping object");
    REFUSED(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2", "{\"label\": ", 400,
            "invalid_json", NULL);
    REFUSED(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2", "", 400, "invalid_json",
            "required");
    REFUSED(s, "maps", "PUT", "/_mock/tenants/maps/mappings/X2", "{\"label\": \"\xff\xfe\"}", 400,
            "invalid_utf8", NULL);

    /* A mapping read back, with its read-only fields (status, script, requests), is
     * accepted as it is and changes nothing. */
    long long id = trigger_id(s, "maps", "XDM1");
    r = mock_call(s, "GET", "/_mock/tenants/maps/mappings/XDM1", NULL);
    CHECK_INT(r.status, 200);
    doc = response_json(&r);
    CHECK_INT(json_int(doc, "inProgressRequestId"), id);
    CHECK(r.body && strstr(r.body, ",\"requestCounts\":{\"In Progress\":1,\"Success\":0,"
                                   "\"Failed\":0,\"Aborted\":0}}"),
          "the counts of a mapping with one request In Progress: %s", r.body ? r.body : "");
    cJSON_Delete(doc);
    char *read_back = r.body ? strdup(r.body) : strdup("");
    response_free(&r);
    CHECK_CALL(s, "PUT", "/_mock/tenants/maps/mappings/XDM1", read_back, 200, read_back);
    CHECK_CALL(s, "GET", "/_mock/tenants/maps/mappings/XDM1", NULL, 200, read_back);
    free(read_back);
    char e[512];
    CHECK_POLL(s, "maps", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_POLL(s, "maps", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 10));
    r = mock_call(s, "GET", "/_mock/tenants/maps/mappings/XDM1", NULL);
    CHECK(r.body && strstr(r.body, ",\"requestCounts\":{\"In Progress\":0,\"Success\":1,"
                                   "\"Failed\":0,\"Aborted\":0}}"),
          "the counts once it succeeded: %s", r.body ? r.body : "");
    response_free(&r);
    /* What a read gave before requestCounts, "requests" (ids), is still accepted. */
    CHECK_CALL(s, "PUT", "/_mock/tenants/maps/mappings/XDM1",
               "{\"label\": \"Template mapping\", \"requests\": [1, 2]}", 200, NULL);

    /* Delete. */
    CHECK_CALL(s, "DELETE", "/_mock/tenants/maps/mappings/X2", NULL, 200, "{\"deleted\":\"X2\"}");
    REFUSED(s, "maps", "GET", "/_mock/tenants/maps/mappings/X2", NULL, 404, "unknown_mapping",
            "X2");
    REFUSED(s, "maps", "DELETE", "/_mock/tenants/maps/mappings/X2", NULL, 404, "unknown_mapping",
            "X2");
    struct response t;
    trigger(&t, s, "maps", "X2");
    CHECK_ERROR(&t, 404, "unknown_mapping", NULL);
    response_free(&t);
    /* Deleting a mapping takes its requests: XDM1's finished request is gone. */
    CHECK_CALL(s, "DELETE", "/_mock/tenants/maps/mappings/XDM1", NULL, 200,
               "{\"deleted\":\"XDM1\"}");
    char path[128];
    snprintf(path, sizeof(path), "/_mock/tenants/maps/requests/%lld", id);
    REFUSED(s, "maps", "GET", path, NULL, 404, "unknown_request", NULL);
    CHECK_CALL(s, "GET", base, NULL, 200, "{\"mappings\":[]}");
}

/* The buttons, as in Campaign, and the trigger's documented answers after each. */
static void test_buttons(const struct server *s)
{
    char e[512];
    struct response r = mock_call(s, "POST", "/_mock/tenants/ui/mappings/XDM1/publish", NULL);
    CHECK_INT(r.status, 200);
    cJSON *doc = response_json(&r);
    CHECK_STR(json_str(doc, "publication"), "Published");
    CHECK_STR(json_str(doc, "execution"), "Started");
    CHECK(cJSON_IsTrue(json_at(doc, "published")) && cJSON_IsTrue(json_at(doc, "started")), "%s",
          r.body);
    cJSON_Delete(doc);
    response_free(&r);
    /* Published and started: the scheduler owns it. */
    CHECK_TRIGGER(s, "ui", "XDM1", acs_refused(e, sizeof(e), "XDM1", "stopped"));

    r = mock_call(s, "POST", "/_mock/tenants/ui/mappings/XDM1/stop", NULL);
    doc = response_json(&r);
    CHECK_INT(r.status, 200);
    CHECK_STR(json_str(doc, "publication"), "Published");
    CHECK_STR(json_str(doc, "execution"), "Stopped");
    cJSON_Delete(doc);
    response_free(&r);
    long long id = trigger_id(s, "ui", "XDM1");

    /* Unpublish: Draft and Stopped; the running request is not touched. */
    r = mock_call(s, "POST", "/_mock/tenants/ui/mappings/XDM1/unpublish", NULL);
    doc = response_json(&r);
    CHECK_INT(r.status, 200);
    CHECK_STR(json_str(doc, "publication"), "Draft");
    CHECK_STR(json_str(doc, "execution"), "Stopped");
    CHECK(cJSON_IsFalse(json_at(doc, "published")) && cJSON_IsFalse(json_at(doc, "started")), "%s",
          r.body);
    CHECK_INT(json_int(doc, "inProgressRequestId"), id);
    cJSON_Delete(doc);
    response_free(&r);
    CHECK_TRIGGER(s, "ui", "XDM1", acs_refused(e, sizeof(e), "XDM1", "published"));

    /* Start needs Published. */
    REFUSED(s, "ui", "POST", "/_mock/tenants/ui/mappings/XDM1/start", NULL, 409, "conflict",
            "is not published");
    CHECK_TRIGGER(s, "ui", "XDM1", acs_refused(e, sizeof(e), "XDM1", "published"));
    /* Stop on a draft is allowed and keeps it a draft. */
    r = mock_call(s, "POST", "/_mock/tenants/ui/mappings/XDM1/stop", NULL);
    doc = response_json(&r);
    CHECK_STR(json_str(doc, "publication"), "Draft");
    CHECK_STR(json_str(doc, "execution"), "Stopped");
    cJSON_Delete(doc);
    response_free(&r);

    CHECK_CALL(s, "POST", "/_mock/tenants/ui/mappings/XDM1/publish", NULL, 200, NULL);
    r = mock_call(s, "POST", "/_mock/tenants/ui/mappings/XDM1/start", NULL);
    doc = response_json(&r);
    CHECK_INT(r.status, 200);
    CHECK_STR(json_str(doc, "publication"), "Published");
    CHECK_STR(json_str(doc, "execution"), "Started");
    cJSON_Delete(doc);
    response_free(&r);
    CHECK_TRIGGER(s, "ui", "XDM1", acs_refused(e, sizeof(e), "XDM1", "stopped"));
    CHECK_CALL(s, "POST", "/_mock/tenants/ui/mappings/XDM1/stop", NULL, 200, NULL);
    /* Published and stopped again: the request still running is named. */
    CHECK_TRIGGER(s, "ui", "XDM1", acs_already(e, sizeof(e), id, "XDM1"));
    CHECK_POLL(s, "ui", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_POLL(s, "ui", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 10));
    long long id2 = trigger_id(s, "ui", "XDM1");
    CHECK(id2 > id, "new request %lld", id2);

    /* Buttons on unknown mappings, and the wrong method. */
    REFUSED(s, "ui", "POST", "/_mock/tenants/ui/mappings/NOPE/publish", NULL, 404,
            "unknown_mapping", "NOPE");
    REFUSED(s, "ui", "POST", "/_mock/tenants/ui/mappings/NOPE/start", NULL, 404, "unknown_mapping",
            "NOPE");
    r = mock_call(s, "GET", "/_mock/tenants/ui/mappings/XDM1/publish", NULL);
    CHECK_ERROR(&r, 405, "method_not_allowed", NULL);
    char allow[64];
    CHECK_STR(response_header(&r, "Allow", allow, sizeof(allow)), "POST");
    response_free(&r);
}

static void test_records(const struct server *s)
{
    char e[512];
    const char *rec = "/_mock/tenants/rec/mappings/XDM1/records";
    struct response r = mock_call(s, "POST", rec, "{\"add\": 5}");
    CHECK_INT(r.status, 200);
    cJSON *doc = response_json(&r);
    CHECK_INT(json_int(doc, "changedRecords"), 15);
    cJSON_Delete(doc);
    response_free(&r);

    REFUSED(s, "rec", "POST", rec, "{\"add\": -1}", 400, "invalid_field", "add");
    REFUSED(s, "rec", "POST", rec, "{\"add\": 1.5}", 400, "invalid_field",
            "add: must be an integer");
    REFUSED(s, "rec", "POST", rec, "{\"add\": \"3\"}", 400, "invalid_field",
            "add: must be an integer");
    REFUSED(s, "rec", "POST", rec, "{\"add\": null}", 400, "invalid_field", "add");
    REFUSED(s, "rec", "POST", rec, "{}", 400, "invalid_field", "add: missing");
    REFUSED(s, "rec", "POST", rec, "{\"add\": 1, \"more\": 2}", 400, "invalid_field", "more");
    REFUSED(s, "rec", "POST", rec, "[5]", 400, "invalid_field", NULL);
    REFUSED(s, "rec", "POST", rec, "5", 400, "invalid_field", NULL);
    REFUSED(s, "rec", "POST", rec, "", 400, "invalid_json", NULL);
    REFUSED(s, "rec", "POST", rec, "{\"add\": 1e300}", 400, "invalid_field", "add");
    REFUSED(s, "rec", "POST", "/_mock/tenants/rec/mappings/NOPE/records", "{\"add\": 1}", 404,
            "unknown_mapping", "NOPE");

    /* A success without numRecords ingests the changed records, which drop to 0. */
    long long id = trigger_id(s, "rec", "XDM1");
    CHECK_POLL(s, "rec", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_POLL(s, "rec", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 15));
    r = mock_call(s, "GET", "/_mock/tenants/rec/mappings/XDM1", NULL);
    doc = response_json(&r);
    CHECK_INT(json_int(doc, "changedRecords"), 0);
    cJSON_Delete(doc);
    response_free(&r);
    CHECK_CALL(s, "POST", rec, "{\"add\": 0}", 200, NULL);
    CHECK_CALL(s, "POST", rec, "{\"add\": 4}", 200, NULL);
    id = trigger_id(s, "rec", "XDM1");
    CHECK_POLL(s, "rec", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    /* Records added while a request runs are ingested by it (counted at the outcome). */
    CHECK_CALL(s, "POST", rec, "{\"add\": 2}", 200, NULL);
    CHECK_POLL(s, "rec", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 6));
    id = trigger_id(s, "rec", "XDM1");
    CHECK_POLL(s, "rec", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_POLL(s, "rec", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 0));

    /* A scripted numRecords answers its own count and still empties the changes. */
    CHECK_CALL(s, "POST", rec, "{\"add\": 9}", 200, NULL);
    CHECK_CALL(s, "POST", "/_mock/tenants/rec/mappings/XDM1/script",
               "{\"outcome\": \"success\", \"numRecords\": 2}", 200, NULL);
    id = trigger_id(s, "rec", "XDM1");
    CHECK_POLL(s, "rec", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 2));
    r = mock_call(s, "GET", "/_mock/tenants/rec/mappings/XDM1", NULL);
    doc = response_json(&r);
    CHECK_INT(json_int(doc, "changedRecords"), 0);
    cJSON_Delete(doc);
    response_free(&r);
}

static void test_script(const struct server *s)
{
    char e[512];
    const char *sp = "/_mock/tenants/scr/mappings/XDM1/script";
    CHECK_CALL(s, "GET", sp, NULL, 200,
               "{\"script\":[],\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":1}}");
    CHECK_CALL(s, "PUT", sp, "[{\"outcome\": \"failed-fetch\"}, {\"outcome\": \"aborted\"}]", 200,
               "{\"script\":[{\"outcome\":\"failed-fetch\"},{\"outcome\":\"aborted\"}],"
               "\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":1}}");
    /* POST appends one step... */
    CHECK_CALL(
        s, "POST", sp,
        "{\"outcome\": \"failed-upload\", \"batchId\": \"0123456789abcdef0123456789abcdef\"}", 200,
        "{\"script\":[{\"outcome\":\"failed-fetch\"},{\"outcome\":\"aborted\"},{\"outcome\":"
        "\"failed-upload\",\"batchId\":\"0123456789abcdef0123456789abcdef\"}],"
        "\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":1}}");
    /* ...or an array of steps. */
    const char *five =
        "{\"script\":[{\"outcome\":\"failed-fetch\"},{\"outcome\":\"aborted\"},{\"outcome\":"
        "\"failed-upload\",\"batchId\":\"0123456789abcdef0123456789abcdef\"},{\"outcome\":"
        "\"success\",\"numRecords\":7,\"afterPolls\":1},{\"outcome\":\"hang\"}],"
        "\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":1}}";
    CHECK_CALL(s, "POST", sp,
               "[{\"outcome\": \"success\", \"numRecords\": 7, \"afterPolls\": 1}, "
               "{\"outcome\": \"hang\"}]",
               200, five);
    CHECK_CALL(s, "GET", sp, NULL, 200, five);

    /* Refused script calls change nothing, and name the step. */
    REFUSED_PROBLEMS(s, "scr", "PUT", sp, "[{\"outcome\": \"success\"}, {\"outcome\": \"boom\"}]",
                     "script[1].outcome: unknown outcome \"boom\"", "script[1].outcome");
    REFUSED_PROBLEMS(s, "scr", "PUT", sp,
                     "{\"script\": [], \"defaultOutcome\": {\"outcome\": \"later\"}}",
                     "defaultOutcome.outcome: unknown outcome \"later\"", "defaultOutcome.outcome");
    REFUSED_PROBLEMS(s, "scr", "POST", sp, "[{\"outcome\": \"success\"}, {\"outcome\": \"nope\"}]",
                     "[1].outcome: unknown outcome \"nope\"", "[1].outcome");
    REFUSED_PROBLEMS(s, "scr", "POST", sp, "{\"outcome\": \"nope\"}",
                     "[0].outcome: unknown outcome \"nope\"", "[0].outcome");
    REFUSED_PROBLEMS(s, "scr", "POST", sp, "{\"outcome\": \"hang\", \"afterMs\": -5}", "afterMs",
                     "afterMs");
    REFUSED_PROBLEMS(
        s, "scr", "POST", sp,
        "{\"outcome\": \"success\", \"batchId\": \"0123456789abcdef0123456789abcdef\"}",
        "batchId: only a failed-upload has a batch id", "batchId");
    REFUSED_PROBLEMS(s, "scr", "POST", sp, "{\"outcome\": \"failed-upload\", \"batchId\": \"XYZ\"}",
                     "batchId", "batchId");
    REFUSED_PROBLEMS(s, "scr", "POST", sp, "{}", "outcome: missing", "outcome");
    REFUSED(s, "scr", "POST", sp, "\"hang\"", 400, "invalid_field", NULL);
    REFUSED(s, "scr", "PUT", sp, "{\"steps\": []}", 400, "invalid_field", "steps");
    REFUSED(s, "scr", "PUT", sp, "{\"script\": {}}", 400, "invalid_field", "script");
    REFUSED(s, "scr", "PUT", sp, "{}", 400, "invalid_field", "script");
    REFUSED(s, "scr", "PUT", "/_mock/tenants/scr/mappings/NOPE/script", "[]", 404,
            "unknown_mapping", "NOPE");
    CHECK_CALL(s, "GET", sp, NULL, 200, five);

    /* Each new request consumes the next step, in order. */
    long long id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_failed_fetch(e, sizeof(e), id, "XDM1"));
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_aborted(e, sizeof(e), id, "XDM1"));
    CHECK_CALL(s, "GET", sp, NULL, 200,
               "{\"script\":[{\"outcome\":\"failed-upload\",\"batchId\":"
               "\"0123456789abcdef0123456789abcdef\"},{\"outcome\":\"success\",\"numRecords\":7,"
               "\"afterPolls\":1},{\"outcome\":\"hang\"}],\"defaultOutcome\":{\"outcome\":"
               "\"success\",\"afterPolls\":1}}");
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id,
               acs_failed_upload(e, sizeof(e), id, "XDM1", "0123456789abcdef0123456789abcdef"));
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_POLL(s, "scr", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 7));
    id = trigger_id(s, "scr", "XDM1");
    for (int i = 0; i < 3; i++)
        CHECK_POLL(s, "scr", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    char path[128];
    snprintf(path, sizeof(path), "/_mock/tenants/scr/requests/%lld/resolve", id);
    CHECK_CALL(s, "POST", path, "{\"outcome\": \"aborted\"}", 200, NULL);
    CHECK_CALL(s, "GET", sp, NULL, 200,
               "{\"script\":[],\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":1}}");
    /* The script is empty: defaultOutcome (the template's success after one poll, with
     * the changed records; the scripted success above emptied them). */
    CHECK_CALL(s, "POST", "/_mock/tenants/scr/mappings/XDM1/records", "{\"add\": 8}", 200, NULL);
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_POLL(s, "scr", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 8));

    /* PUT in object form replaces script and defaultOutcome together. */
    CHECK_CALL(s, "PUT", sp,
               "{\"script\": [{\"outcome\": \"success\", \"numRecords\": 1}], \"defaultOutcome\": "
               "{\"outcome\": \"aborted\", \"afterPolls\": 2}}",
               200,
               "{\"script\":[{\"outcome\":\"success\",\"numRecords\":1}],\"defaultOutcome\":{"
               "\"outcome\":\"aborted\",\"afterPolls\":2}}");
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 1));
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_POLL(s, "scr", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_POLL(s, "scr", "XDM1", id, acs_aborted(e, sizeof(e), id, "XDM1"));
    /* Only the default: the script is kept. */
    CHECK_CALL(s, "POST", sp, "{\"outcome\": \"hang\"}", 200, NULL);
    CHECK_CALL(s, "PUT", sp, "{\"defaultOutcome\": {\"outcome\": \"failed-fetch\"}}", 200,
               "{\"script\":[{\"outcome\":\"hang\"}],\"defaultOutcome\":{\"outcome\":"
               "\"failed-fetch\"}}");
    /* An empty array empties the script. */
    CHECK_CALL(s, "PUT", sp, "[]", 200,
               "{\"script\":[],\"defaultOutcome\":{\"outcome\":\"failed-fetch\"}}");
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_failed_fetch(e, sizeof(e), id, "XDM1"));

    /* Appending to a partly consumed script adds after what is left. */
    CHECK_CALL(s, "PUT", sp, "[{\"outcome\": \"aborted\"}, {\"outcome\": \"success\"}]", 200, NULL);
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_aborted(e, sizeof(e), id, "XDM1"));
    CHECK_CALL(s, "POST", sp, "{\"outcome\": \"hang\"}", 200,
               "{\"script\":[{\"outcome\":\"success\"},{\"outcome\":\"hang\"}],"
               "\"defaultOutcome\":{\"outcome\":\"failed-fetch\"}}");
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 0));
    id = trigger_id(s, "scr", "XDM1");
    CHECK_POLL(s, "scr", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    test_get_put_delete(&s);
    test_buttons(&s);
    test_records(&s);
    test_script(&s);
    CHECK_INT(server_stop(&s), 0);
    curl_global_cleanup();
    return test_report();
}
