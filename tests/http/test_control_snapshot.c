/*
 * Control API, snapshots: export a tenant, restore it, export again: the same bytes;
 * restoring into another tenant requests whose ids belong to the first is 409 and
 * changes nothing; a restore after changes brings the state back (mappings, scripts,
 * requests answering their documented status); restored ids are never handed out
 * again; invalid documents are 400 and change nothing.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define BATCH "00112233445566778899aabbccddeeff"

/* A refused restore (PUT .../snapshot) changes nothing in the tenant (check_refused_at).
 * Fixture validation refusals also list every problem. */
static void refused_at(int line, const struct server *s, const char *tenant, const char *body,
                       long status, const char *code, const char *part)
{
    char path[160];
    snprintf(path, sizeof(path), "/_mock/tenants/%s/snapshot", tenant);
    check_refused_at(__FILE__, line, s, tenant, "PUT", path, body, status, code, part,
                     PROBLEMS_ALLOWED, part);
}
#define REFUSED(s, tenant, body, status, code, part)                                               \
    refused_at(__LINE__, (s), (tenant), (body), (status), (code), (part))

static void test_round_trip_and_restore(const struct server *s)
{
    char e[512];
    /* A tenant with some of everything: a second mapping with a script and a default, a
     * finished request, a running one, changed records, a started mapping. */
    CHECK_CALL(s, "PUT", "/_mock/tenants/snap/mappings/X2",
               "{\"label\": \"Two\", \"changedRecords\": 4, \"script\": [{\"outcome\": "
               "\"failed-fetch\"}, {\"outcome\": \"success\", \"numRecords\": 9, \"afterPolls\": "
               "2}], \"defaultOutcome\": {\"outcome\": \"aborted\"}}",
               201, NULL);
    CHECK_CALL(s, "PUT", "/_mock/tenants/snap/mappings/X3", "{\"published\": true}", 201, NULL);
    CHECK_CALL(s, "POST", "/_mock/tenants/snap/mappings/X3/publish", NULL, 200, NULL);
    long long done = trigger_id(s, "snap", "X2");
    CHECK_POLL(s, "snap", "X2", done, acs_failed_fetch(e, sizeof(e), done, "X2"));
    long long running = trigger_id(s, "snap", "X2");
    CHECK_POLL(s, "snap", "X2", running, acs_in_progress(e, sizeof(e), running, "X2"));
    long long xdm1 = trigger_id(s, "snap", "XDM1");
    CHECK_POLL(s, "snap", "XDM1", xdm1, acs_in_progress(e, sizeof(e), xdm1, "XDM1"));
    CHECK_POLL(s, "snap", "XDM1", xdm1, acs_success(e, sizeof(e), xdm1, "XDM1", 10));
    /* Both of X2's steps are consumed; one more waits in its script. */
    CHECK_CALL(s, "POST", "/_mock/tenants/snap/mappings/X2/script",
               "{\"outcome\": \"failed-upload\", \"batchId\": \"" BATCH "\"}", 200, NULL);

    struct response r = mock_call(s, "GET", "/_mock/tenants/snap/snapshot", NULL);
    CHECK_INT(r.status, 200);
    CHECK(response_is_json(&r), "content type");
    char *a = strdup(r.body ? r.body : "");
    response_free(&r);
    cJSON *doc = cJSON_Parse(a);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "mappings")), 3);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "requests")), 3);
    CHECK(cJSON_GetArraySize(doc) == 2, "only mappings and requests: %s", a);
    CHECK(!strstr(a, "wall"), "no wall-clock fields: %s", a);
    cJSON_Delete(doc);

    /* Export, restore, export: the same bytes (and the restore answers the export). */
    CHECK_CALL(s, "PUT", "/_mock/tenants/snap/snapshot", a, 200, a);
    CHECK_CALL(s, "GET", "/_mock/tenants/snap/snapshot", NULL, 200, a);

    /* Into another tenant, requests whose ids are the first tenant's: 409, nothing
     * changes there nor here. */
    char *first = tenant_state(s, "snap");
    REFUSED(s, "snap-copy", a, 409, "conflict", "belongs to tenant snap");
    char *first_after = tenant_state(s, "snap");
    CHECK_STR(first_after, first);
    free(first);
    free(first_after);
    /* Its mappings alone restore fine elsewhere (no requests, no conflict). */
    doc = cJSON_Parse(a);
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "requests");
    char *maps_only = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    r = mock_call(s, "PUT", "/_mock/tenants/snap-copy/snapshot", maps_only);
    CHECK_INT(r.status, 200);
    doc = response_json(&r);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "mappings")), 3);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "requests")), 0);
    cJSON_Delete(doc);
    response_free(&r);
    free(maps_only);
    long long copy = trigger_id(s, "snap-copy", "X2");
    CHECK_POLL(s, "snap-copy", "X2", copy, acs_failed_upload(e, sizeof(e), copy, "X2", BATCH));

    /* Change snap in many ways, then restore the export. */
    CHECK_CALL(s, "DELETE", "/_mock/tenants/snap/mappings/X3", NULL, 200, NULL);
    CHECK_CALL(s, "PUT", "/_mock/tenants/snap/mappings/X4", "{}", 201, NULL);
    CHECK_CALL(s, "PUT", "/_mock/tenants/snap/mappings/X2/script", "[]", 200, NULL);
    CHECK_CALL(s, "POST", "/_mock/tenants/snap/mappings/XDM1/records", "{\"add\": 50}", 200, NULL);
    CHECK_CALL(s, "POST", "/_mock/tenants/snap/mappings/XDM1/unpublish", NULL, 200, NULL);
    char path[160];
    snprintf(path, sizeof(path), "/_mock/tenants/snap/requests/%lld/resolve", running);
    CHECK_CALL(s, "POST", path, "{\"outcome\": \"aborted\"}", 200, NULL);
    long long later = trigger_id(s, "snap", "X4");
    long long highest = later;

    CHECK_CALL(s, "PUT", "/_mock/tenants/snap/snapshot", a, 200, a);
    CHECK_CALL(s, "GET", "/_mock/tenants/snap/snapshot", NULL, 200, a);
    /* Requests answer their documented status again: the finished one its outcome, the
     * running one In Progress (1 poll of 2 answered), then its step after the 2nd. */
    CHECK_POLL(s, "snap", "X2", done, acs_failed_fetch(e, sizeof(e), done, "X2"));
    CHECK_POLL(s, "snap", "XDM1", xdm1, acs_success(e, sizeof(e), xdm1, "XDM1", 10));
    CHECK_TRIGGER(s, "snap", "X2", acs_already(e, sizeof(e), running, "X2"));
    CHECK_POLL(s, "snap", "X2", running, acs_in_progress(e, sizeof(e), running, "X2"));
    CHECK_POLL(s, "snap", "X2", running, acs_success(e, sizeof(e), running, "X2", 9));
    /* A request made after the export is gone. */
    struct response p;
    poll_status(&p, s, "snap", "X4", later);
    CHECK_ERROR(&p, 404, "unknown_mapping", NULL);
    response_free(&p);
    snprintf(path, sizeof(path), "/_mock/tenants/snap/requests/%lld", later);
    r = mock_call(s, "GET", path, NULL);
    CHECK_ERROR(&r, 404, "unknown_request", NULL);
    response_free(&r);
    /* Mappings and scripts are back: X3 started, XDM1 published, X2's default next. */
    CHECK_TRIGGER(s, "snap", "X3", acs_refused(e, sizeof(e), "X3", "stopped"));
    long long after = trigger_id(s, "snap", "X2");
    CHECK(after > highest, "id %lld handed out again (highest so far %lld)", after, highest);
    CHECK_POLL(s, "snap", "X2", after, acs_failed_upload(e, sizeof(e), after, "X2", BATCH));
    long long then = trigger_id(s, "snap", "X2");
    CHECK_POLL(s, "snap", "X2", then, acs_aborted(e, sizeof(e), then, "X2"));
    long long x1 = trigger_id(s, "snap", "XDM1");
    CHECK_POLL(s, "snap", "XDM1", x1, acs_in_progress(e, sizeof(e), x1, "XDM1"));
    CHECK_POLL(s, "snap", "XDM1", x1, acs_success(e, sizeof(e), x1, "XDM1", 0));
    free(a);
}

/* Ids in a restored document are never handed out again by the sequence. */
static void test_ids_not_reused(const struct server *s)
{
    char e[512];
    const char *doc = "{\"mappings\": [{\"id\": \"M\"}], \"requests\": [{\"requestId\": 900000, "
                      "\"mapping\": \"M\", \"status\": \"Success\", \"step\": {\"outcome\": "
                      "\"success\", \"numRecords\": 2}, \"createdMs\": 1735689600000, \"polls\": "
                      "1, \"numRecords\": 2, \"batchId\": \"\", \"resolvedMs\": 1735689600000}]}";
    struct response r = mock_call(s, "PUT", "/_mock/tenants/far/snapshot", doc);
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_POLL(s, "far", "M", 900000, acs_success(e, sizeof(e), 900000, "M", 2));
    long long next = trigger_id(s, "far", "M");
    CHECK_INT(next, 900001);
    long long other = trigger_id(s, "far-2", "XDM1");
    CHECK_INT(other, 900002);
    /* The same document again, on the same tenant: its own ids are no conflict. */
    CHECK_CALL(s, "PUT", "/_mock/tenants/far/snapshot", doc, 200, NULL);
    CHECK_INT(trigger_id(s, "far", "M"), 900003);
}

/* Ids up to 2^53 round-trip exactly (regression: 9007199254740991 was printed as
 * 9.00719925474099e+15, so that two ids became one and the tenant's own snapshot was then
 * refused); 2^53 + 1 is refused, not read as 2^53; and once 2^53 is taken, a trigger is
 * refused instead of acknowledging an id the status call would refuse. Runs last: it
 * uses up the id sequence. */
static void test_big_ids(const struct server *s)
{
    char e[512];
    const char *doc =
        "{\"mappings\": [{\"id\": \"M\"}, {\"id\": \"N\"}], \"requests\": ["
        "{\"requestId\": 9007199254740991, \"mapping\": \"M\", \"status\": \"Success\", "
        "\"step\": {\"outcome\": \"success\", \"numRecords\": 9007199254740992}, "
        "\"createdMs\": 1735689600000, \"polls\": 1, \"numRecords\": 9007199254740992, "
        "\"batchId\": \"\", \"resolvedMs\": 1735689600000}, "
        "{\"requestId\": 9007199254740992, \"mapping\": \"N\", \"status\": \"Success\", "
        "\"step\": {\"outcome\": \"success\", \"numRecords\": 1}, \"createdMs\": "
        "1735689600000, \"polls\": 1, \"numRecords\": 1, \"batchId\": \"\", "
        "\"resolvedMs\": 1735689600000}]}";
    CHECK_CALL(s, "PUT", "/_mock/tenants/big/snapshot", doc, 200, NULL);
    struct response r = mock_call(s, "GET", "/_mock/tenants/big/snapshot", NULL);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "\"requestId\":9007199254740991,") &&
              strstr(r.body, "\"requestId\":9007199254740992,") &&
              strstr(r.body, "\"numRecords\":9007199254740992") && !strstr(r.body, "e+"),
          "exact integers: %s", r.body);
    char *exported = strdup(r.body);
    response_free(&r);
    /* The export restores as it is, and exports the same bytes. */
    CHECK_CALL(s, "PUT", "/_mock/tenants/big/snapshot", exported, 200, exported);
    CHECK_CALL(s, "GET", "/_mock/tenants/big/snapshot", NULL, 200, exported);
    free(exported);
    CHECK_POLL(s, "big", "M", 9007199254740991LL,
               acs_success(e, sizeof(e), 9007199254740991LL, "M", 9007199254740992LL));
    /* 2^53 + 1 cannot be carried by JSON: refused, nothing changed. */
    r = mock_call(s, "PUT", "/_mock/tenants/big2/snapshot",
                  "{\"mappings\": [{\"id\": \"M\"}], \"requests\": [{\"requestId\": "
                  "9007199254740993, \"mapping\": \"M\", \"status\": \"Success\"}]}");
    CHECK_ERROR(&r, 400, "invalid_json", "beyond 2^53");
    response_free(&r);
    /* The sequence is past 2^53: a trigger is refused and creates nothing. */
    r = mock_call_h(s, "POST", "/big/campaign/dataIngestion/xdmIngestion/M/ingest", NULL,
                    AUTH_HEADERS);
    CHECK_ERROR(&r, 409, "conflict",
                "the request ids are used up: the last one, 9007199254740992 (2^53), has "
                "been given; POST /_mock/reset starts them over");
    response_free(&r);
    r = mock_call(s, "GET", "/_mock/tenants/big/requests", NULL);
    CHECK(r.status == 200 && !strstr(r.body, "9007199254740993"), "no request past 2^53: %s",
          r.body);
    response_free(&r);
}

static void test_invalid(const struct server *s)
{
    CHECK_CALL(s, "POST", "/_mock/tenants/bad/mappings/XDM1/records", "{\"add\": 1}", 200, NULL);
    const char *req = "\"requestId\": 800000, \"mapping\": \"XDM1\", \"step\": {\"outcome\": "
                      "\"success\"}, \"createdMs\": 1735689600000";
    char body[1024];
    REFUSED(s, "bad", "[]", 400, "invalid_field", NULL);
    REFUSED(s, "bad", "{\"mappings\": {}}", 400, "invalid_field", "mappings");
    REFUSED(s, "bad", "{\"requests\": 5}", 400, "invalid_field", "requests");
    REFUSED(s, "bad", "{\"extra\": []}", 400, "invalid_field", "extra");
    REFUSED(s, "bad", "{\"mappings\": [{\"id\": 5}]}", 400, "invalid_field", "id");
    REFUSED(s, "bad", "{\"mappings\": [{\"id\": \"A\"}, {\"id\": \"A\"}]}", 400, "invalid_field",
            "duplicate");
    REFUSED(s, "bad", "{\"mappings\": [{\"id\": \"A\", \"script\": [{\"outcome\": \"x\"}]}]}", 400,
            "invalid_field", "script[0].outcome");
    snprintf(body, sizeof(body),
             "{\"mappings\": [{\"id\": \"XDM1\"}], \"requests\": [{%s, \"status\": \"Done\", "
             "\"resolvedMs\": null}]}",
             req);
    REFUSED(s, "bad", body, 400, "invalid_field", "requests[0].status");
    snprintf(body, sizeof(body),
             "{\"mappings\": [{\"id\": \"OTHER\"}], \"requests\": [{%s, \"status\": \"In "
             "Progress\", \"resolvedMs\": null}]}",
             req);
    REFUSED(s, "bad", body, 400, "invalid_field", "requests[0].mapping");
    snprintf(body, sizeof(body),
             "{\"mappings\": [{\"id\": \"XDM1\"}], \"requests\": [{%s, \"status\": \"In "
             "Progress\", \"resolvedMs\": 1735689600000}]}",
             req);
    REFUSED(s, "bad", body, 400, "invalid_field", "requests[0].resolvedMs");
    snprintf(body, sizeof(body),
             "{\"mappings\": [{\"id\": \"XDM1\"}], \"requests\": [{%s, \"status\": \"In "
             "Progress\", \"resolvedMs\": null, \"colour\": 1}]}",
             req);
    REFUSED(s, "bad", body, 400, "invalid_field", "requests[0].colour");
    snprintf(body, sizeof(body),
             "{\"mappings\": [{\"id\": \"XDM1\"}], \"requests\": [{%s, \"status\": \"In "
             "Progress\", \"resolvedMs\": null}, {%s, \"status\": \"In Progress\", "
             "\"resolvedMs\": null}]}",
             req, req);
    REFUSED(s, "bad", body, 400, "invalid_field", "requests[1].requestId");
    /* Two requests In Progress on one mapping: the database refuses the second. */
    snprintf(body, sizeof(body),
             "{\"mappings\": [{\"id\": \"XDM1\"}], \"requests\": [{%s, \"status\": \"In "
             "Progress\", \"resolvedMs\": null}, {\"requestId\": 800001, \"mapping\": \"XDM1\", "
             "\"step\": {\"outcome\": \"hang\"}, \"createdMs\": 1735689600000, \"status\": "
             "\"In Progress\", \"resolvedMs\": null}]}",
             req);
    REFUSED(s, "bad", body, 400, "invalid_field", "requests[1]");
    snprintf(body, sizeof(body),
             "{\"mappings\": [{\"id\": \"XDM1\"}], \"requests\": [{%s, \"status\": \"In "
             "Progress\", \"resolvedMs\": null, \"polls\": -1}]}",
             req);
    REFUSED(s, "bad", body, 400, "invalid_field", "requests[0].polls");
    REFUSED(s, "bad", "{\"mappings\": [", 400, "invalid_json", NULL);
    REFUSED(s, "bad", "", 400, "invalid_json", NULL);
    /* The id in a refused document was not reserved by the sequence either. */
    long long id = trigger_id(s, "bad", "XDM1");
    CHECK(id < 800000, "a refused restore moved the id sequence: %lld", id);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    const char *args[] = {"--clock", "manual", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    test_round_trip_and_restore(&s);
    test_invalid(&s);
    test_ids_not_reused(&s);
    test_big_ids(&s);
    CHECK_INT(server_stop(&s), 0);
    curl_global_cleanup();
    return test_report();
}
