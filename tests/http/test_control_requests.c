/*
 * Control API, requests: list (by mapping and status), read one, a request of another
 * tenant is 404, resolving a hang with each outcome (the status poll then answers the
 * documented body), resolving a final request is 409 and changes nothing; and control
 * reads never count as status polls.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

/* GET path: the requestId of each listed request, in order, into ids (at most max);
 * returns how many were listed (-1 on a non-200). */
static int listed(const struct server *s, const char *path, long long *ids, int max)
{
    struct response r = mock_call(s, "GET", path, NULL);
    int n = -1;
    if (r.status == 200) {
        cJSON *doc = response_json(&r);
        const cJSON *arr = json_at(doc, "requests");
        n = 0;
        for (const cJSON *o = arr ? arr->child : NULL; o; o = o->next, n++) {
            if (n < max)
                ids[n] = json_int(o, "requestId");
        }
        cJSON_Delete(doc);
    }
    response_free(&r);
    return n;
}

/* The refused call changes nothing in the tenant (check_refused_at). Step validation
 * also lists every problem. */
#define REFUSED(s, tenant, method, path, body, status, code, part)                                 \
    check_refused_at(__FILE__, __LINE__, (s), (tenant), (method), (path), (body), (status),        \
                     (code), (part), PROBLEMS_ALLOWED, (part))

static void test_list_and_get(const struct server *s)
{
    char e[512], path[160];
    /* XDM1 hangs; X2 succeeds on its second poll. */
    CHECK_CALL(s, "PUT", "/_mock/tenants/rq/mappings/XDM1/script", "[{\"outcome\": \"hang\"}]", 200,
               NULL);
    CHECK_CALL(s, "PUT", "/_mock/tenants/rq/mappings/X2",
               "{\"defaultOutcome\": {\"outcome\": \"success\", \"numRecords\": 3, "
               "\"afterPolls\": 1}}",
               201, NULL);
    long long h = trigger_id(s, "rq", "XDM1");
    long long x = trigger_id(s, "rq", "X2");

    long long ids[8];
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests", ids, 8), 2);
    CHECK(ids[0] == h && ids[1] == x, "%lld %lld", ids[0], ids[1]);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?mapping=XDM1", ids, 8), 1);
    CHECK_INT(ids[0], h);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?mapping=X2", ids, 8), 1);
    CHECK_INT(ids[0], x);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?mapping=NOPE", ids, 8), 0);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?status=In%20Progress", ids, 8), 2);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?status=Success", ids, 8), 0);

    /* X2's step is due after one poll; then any read, the filter too, sees it. */
    CHECK_POLL(s, "rq", "X2", x, acs_in_progress(e, sizeof(e), x, "X2"));
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?status=Success", ids, 8), 1);
    CHECK_INT(ids[0], x);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?status=In+Progress", ids, 8), 1);
    CHECK_INT(ids[0], h);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?status=In%20Progress&mapping=X2", ids, 8), 0);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?status=Success&mapping=X2", ids, 8), 1);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?status=Failed", ids, 8), 0);
    CHECK_INT(listed(s, "/_mock/tenants/rq/requests?status=Aborted", ids, 8), 0);
    REFUSED(s, "rq", "GET", "/_mock/tenants/rq/requests?status=Done", NULL, 400, "invalid_field",
            "status: \"Done\"");
    REFUSED(s, "rq", "GET", "/_mock/tenants/rq/requests?status=success", NULL, 400, "invalid_field",
            "status");

    /* One request, in control form. */
    snprintf(path, sizeof(path), "/_mock/tenants/rq/requests/%lld", h);
    struct response r = mock_call(s, "GET", path, NULL);
    CHECK_INT(r.status, 200);
    CHECK(response_is_json(&r), "content type");
    cJSON *doc = response_json(&r);
    CHECK_INT(json_int(doc, "requestId"), h);
    CHECK_STR(json_str(doc, "mapping"), "XDM1");
    CHECK_STR(json_str(doc, "status"), "In Progress");
    CHECK_STR(json_str(doc, "step.outcome"), "hang");
    CHECK_INT(json_int(doc, "polls"), 0);
    CHECK_INT(json_int(doc, "numRecords"), 0);
    CHECK_STR(json_str(doc, "batchId"), "");
    CHECK(cJSON_IsNull(json_at(doc, "resolvedMs")), "%s", r.body);
    CHECK(cJSON_IsNull(json_at(doc, "resolvedAt")), "%s", r.body);
    CHECK(json_int(doc, "createdMs") > 0, "%s", r.body);
    CHECK(json_str(doc, "createdAt") != NULL, "%s", r.body);
    cJSON_Delete(doc);
    response_free(&r);
    snprintf(path, sizeof(path), "/_mock/tenants/rq/requests/%lld", x);
    r = mock_call(s, "GET", path, NULL);
    doc = response_json(&r);
    CHECK_STR(json_str(doc, "status"), "Success");
    CHECK_INT(json_int(doc, "numRecords"), 3);
    CHECK_INT(json_int(doc, "polls"), 1);
    CHECK(json_int(doc, "resolvedMs") >= json_int(doc, "createdMs"), "%s", r.body);
    cJSON_Delete(doc);
    response_free(&r);

    /* Bad and unknown ids; another tenant's request. */
    REFUSED(s, "rq", "GET", "/_mock/tenants/rq/requests/abc", NULL, 400, "invalid_request_id",
            "abc");
    REFUSED(s, "rq", "GET", "/_mock/tenants/rq/requests/99999999", NULL, 404, "unknown_request",
            "99999999");
    REFUSED(s, "rq", "GET", "/_mock/tenants/rq/requests/99999999999999999999", NULL, 400,
            "invalid_request_id", NULL);
    snprintf(path, sizeof(path), "/_mock/tenants/rq-other/requests/%lld", h);
    REFUSED(s, "rq-other", "GET", path, NULL, 404, "unknown_request", "rq-other");
    snprintf(path, sizeof(path), "/_mock/tenants/rq-other/requests/%lld/resolve", h);
    REFUSED(s, "rq-other", "POST", path, "{\"outcome\": \"success\"}", 404, "unknown_request",
            NULL);
    CHECK_INT(listed(s, "/_mock/tenants/rq-other/requests", ids, 8), 0);
    /* The request of rq was not touched by those calls. */
    CHECK_POLL(s, "rq", "XDM1", h, acs_in_progress(e, sizeof(e), h, "XDM1"));
}

/* A hang, resolved by hand with a step, answers that step's documented body. */
static long long hang(const struct server *s, const char *tenant)
{
    char path[160];
    snprintf(path, sizeof(path), "/_mock/tenants/%s/mappings/XDM1/script", tenant);
    CHECK_CALL(s, "POST", path, "{\"outcome\": \"hang\"}", 200, NULL);
    long long id = trigger_id(s, tenant, "XDM1");
    char e[512];
    CHECK_POLL(s, tenant, "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    return id;
}

static struct response resolve(const struct server *s, long long id, const char *body)
{
    char path[160];
    snprintf(path, sizeof(path), "/_mock/tenants/res/requests/%lld/resolve", id);
    return mock_call(s, "POST", path, body);
}

static void test_resolve(const struct server *s)
{
    char e[512], path[160];
    long long id = hang(s, "res");
    struct response r = resolve(s, id, "{\"outcome\": \"success\", \"numRecords\": 12}");
    CHECK_INT(r.status, 200);
    cJSON *doc = response_json(&r);
    CHECK_INT(json_int(doc, "requestId"), id);
    CHECK_STR(json_str(doc, "status"), "Success");
    CHECK_INT(json_int(doc, "numRecords"), 12);
    CHECK(json_int(doc, "resolvedMs") > 0, "%s", r.body);
    cJSON_Delete(doc);
    response_free(&r);
    CHECK_POLL(s, "res", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 12));
    /* A final request cannot be resolved again. */
    snprintf(path, sizeof(path), "/_mock/tenants/res/requests/%lld/resolve", id);
    REFUSED(s, "res", "POST", path, "{\"outcome\": \"aborted\"}", 409, "conflict",
            "already Success");
    CHECK_POLL(s, "res", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 12));

    /* A success without numRecords ingests the changed records (the template's 10 were
     * emptied by the success above): add some first. */
    id = hang(s, "res");
    CHECK_CALL(s, "POST", "/_mock/tenants/res/mappings/XDM1/records", "{\"add\": 6}", 200, NULL);
    r = resolve(s, id, "{\"outcome\": \"success\"}");
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_POLL(s, "res", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 6));
    r = mock_call(s, "GET", "/_mock/tenants/res/mappings/XDM1", NULL);
    doc = response_json(&r);
    CHECK_INT(json_int(doc, "changedRecords"), 0);
    cJSON_Delete(doc);
    response_free(&r);

    id = hang(s, "res");
    r = resolve(s, id, "{\"outcome\": \"failed-fetch\"}");
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_POLL(s, "res", "XDM1", id, acs_failed_fetch(e, sizeof(e), id, "XDM1"));
    snprintf(path, sizeof(path), "/_mock/tenants/res/requests/%lld/resolve", id);
    REFUSED(s, "res", "POST", path, "{\"outcome\": \"success\"}", 409, "conflict", "Failed");

    id = hang(s, "res");
    r = resolve(
        s, id,
        "{\"outcome\": \"failed-upload\", \"batchId\": \"abcdefabcdefabcdefabcdefabcdef00\"}");
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_POLL(s, "res", "XDM1", id,
               acs_failed_upload(e, sizeof(e), id, "XDM1", "abcdefabcdefabcdefabcdefabcdef00"));

    /* Without a batch id, one is drawn: 32 lowercase hex characters. */
    id = hang(s, "res");
    r = resolve(s, id, "{\"outcome\": \"failed-upload\"}");
    CHECK_INT(r.status, 200);
    doc = response_json(&r);
    const char *batch = json_str(doc, "batchId");
    int hex = batch && strlen(batch) == 32;
    for (const char *c = batch; hex && *c; c++)
        hex = (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f');
    CHECK(hex, "batch id %s", batch ? batch : "(none)");
    if (hex)
        CHECK_POLL(s, "res", "XDM1", id, acs_failed_upload(e, sizeof(e), id, "XDM1", batch));
    cJSON_Delete(doc);
    response_free(&r);

    id = hang(s, "res");
    r = resolve(s, id, "{\"outcome\": \"aborted\"}");
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_POLL(s, "res", "XDM1", id, acs_aborted(e, sizeof(e), id, "XDM1"));
    snprintf(path, sizeof(path), "/_mock/tenants/res/requests/%lld/resolve", id);
    REFUSED(s, "res", "POST", path, "{\"outcome\": \"aborted\"}", 409, "conflict", "Aborted");

    /* The step is applied now: its afterMs and afterPolls do not delay it. */
    id = hang(s, "res");
    r = resolve(s, id, "{\"outcome\": \"aborted\", \"afterPolls\": 3, \"afterMs\": 60000}");
    CHECK_INT(r.status, 200);
    doc = response_json(&r);
    CHECK_STR(json_str(doc, "status"), "Aborted");
    cJSON_Delete(doc);
    response_free(&r);
    CHECK_POLL(s, "res", "XDM1", id, acs_aborted(e, sizeof(e), id, "XDM1"));

    /* Resolving with hang keeps a request running that would otherwise have ended. */
    id = trigger_id(s, "res", "XDM1");
    r = resolve(s, id, "{\"outcome\": \"hang\"}");
    CHECK_INT(r.status, 200);
    doc = response_json(&r);
    CHECK_STR(json_str(doc, "status"), "In Progress");
    CHECK_STR(json_str(doc, "step.outcome"), "hang");
    cJSON_Delete(doc);
    response_free(&r);
    for (int i = 0; i < 4; i++)
        CHECK_POLL(s, "res", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_TRIGGER(s, "res", "XDM1", acs_already(e, sizeof(e), id, "XDM1"));

    /* Bad bodies and unknown requests are refused before anything moves. */
    snprintf(path, sizeof(path), "/_mock/tenants/res/requests/%lld/resolve", id);
    REFUSED(s, "res", "POST", path, "{\"outcome\": \"boom\"}", 400, "invalid_field",
            "outcome: unknown outcome \"boom\"");
    REFUSED(s, "res", "POST", path, "{}", 400, "invalid_field", "outcome: missing");
    REFUSED(s, "res", "POST", path, "{\"outcome\": \"success\", \"numRecords\": -2}", 400,
            "invalid_field", "numRecords");
    REFUSED(s, "res", "POST", path, "{\"outcome\": \"aborted\", \"numRecords\": 2}", 400,
            "invalid_field", "numRecords: only a success ingests records");
    REFUSED(s, "res", "POST", path, "{\"outcome\": \"success\", \"extra\": 1}", 400,
            "invalid_field", "extra: unknown field");
    REFUSED(s, "res", "POST", path, "[]", 400, "invalid_field", "must be an object");
    REFUSED(s, "res", "POST", path, "", 400, "invalid_json", NULL);
    REFUSED(s, "res", "POST", path, "{\"outcome\": ", 400, "invalid_json", NULL);
    REFUSED(s, "res", "POST", "/_mock/tenants/res/requests/99999999/resolve",
            "{\"outcome\": \"success\"}", 404, "unknown_request", NULL);
    REFUSED(s, "res", "POST", "/_mock/tenants/res/requests/x1/resolve",
            "{\"outcome\": \"success\"}", 400, "invalid_request_id", NULL);
    CHECK_POLL(s, "res", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    r = resolve(s, id, "{\"outcome\": \"failed-fetch\"}");
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_POLL(s, "res", "XDM1", id, acs_failed_fetch(e, sizeof(e), id, "XDM1"));
}

/* Reads from the control API are not polls: afterPolls still needs real polls. */
static void test_reads_are_not_polls(const struct server *s)
{
    char e[512], path[160];
    CHECK_CALL(s, "PUT", "/_mock/tenants/np/mappings/XDM1/script",
               "[{\"outcome\": \"success\", \"numRecords\": 5, \"afterPolls\": 2}]", 200, NULL);
    long long id = trigger_id(s, "np", "XDM1");
    snprintf(path, sizeof(path), "/_mock/tenants/np/requests/%lld", id);
    for (int i = 0; i < 3; i++) {
        CHECK_CALL(s, "GET", path, NULL, 200, NULL);
        CHECK_CALL(s, "GET", "/_mock/tenants/np/requests", NULL, 200, NULL);
        CHECK_CALL(s, "GET", "/_mock/tenants/np/requests?status=Success", NULL, 200,
                   "{\"total\":0,\"requests\":[]}");
        CHECK_CALL(s, "GET", "/_mock/tenants/np", NULL, 200, NULL);
        CHECK_CALL(s, "GET", "/_mock/tenants/np/mappings/XDM1", NULL, 200, NULL);
        CHECK_CALL(s, "GET", "/_mock/tenants/np/snapshot", NULL, 200, NULL);
    }
    /* POSTs are not polls either. */
    CHECK_TRIGGER(s, "np", "XDM1", acs_already(e, sizeof(e), id, "XDM1"));
    struct response r = mock_call(s, "GET", path, NULL);
    cJSON *doc = response_json(&r);
    CHECK_INT(json_int(doc, "polls"), 0);
    CHECK_STR(json_str(doc, "status"), "In Progress");
    cJSON_Delete(doc);
    response_free(&r);
    CHECK_POLL(s, "np", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    CHECK_CALL(s, "GET", path, NULL, 200, NULL);
    CHECK_POLL(s, "np", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    /* Two polls answered In Progress: the step is now due, for a control read too. */
    r = mock_call(s, "GET", path, NULL);
    doc = response_json(&r);
    CHECK_INT(json_int(doc, "polls"), 2);
    CHECK_STR(json_str(doc, "status"), "Success");
    cJSON_Delete(doc);
    response_free(&r);
    CHECK_POLL(s, "np", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 5));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    const char *args[] = {"--seed", "7", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    test_list_and_get(&s);
    test_resolve(&s);
    test_reads_are_not_polls(&s);
    CHECK_INT(server_stop(&s), 0);
    curl_global_cleanup();
    return test_report();
}
