/*
 * Control API, clock: with --clock manual the server clock starts at
 * 2025-01-01T00:00:00.000Z and moves only when told, so a 15-minute ingestion
 * (afterMs: 900000) is tested in milliseconds; set to an ISO time; bad bodies are 400
 * and leave the clock where it was; with --clock real, moving it is 409.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static void clock_refused_at(int line, const struct server *s, const char *body, long status,
                             const char *code, const char *part)
{
    struct response before = mock_call(s, "GET", "/_mock/clock", NULL);
    struct response r = mock_call(s, "POST", "/_mock/clock", body);
    check_error_reply_at(__FILE__, line, &r, status, code, part);
    struct response after = mock_call(s, "GET", "/_mock/clock", NULL);
    CHECK(before.body && after.body && strcmp(before.body, after.body) == 0,
          "line %d: a refused clock call moved the clock: %s -> %s", line, before.body, after.body);
    response_free(&before);
    response_free(&r);
    response_free(&after);
}
#define CLOCK_REFUSED(s, body, part)                                                               \
    clock_refused_at(__LINE__, (s), (body), 400, "invalid_field", (part))

static void test_manual(void)
{
    struct server s;
    const char *args[] = {"--clock", "manual", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512], path[160];
    CHECK_CALL(
        &s, "GET", "/_mock/clock", NULL, 200,
        "{\"mode\":\"manual\",\"now\":\"2025-01-01T00:00:00.000Z\",\"nowMs\":1735689600000}");
    CHECK_CALL(&s, "PUT", "/_mock/tenants/clk/mappings/XDM1/script",
               "[{\"outcome\": \"success\", \"numRecords\": 40, \"afterMs\": 900000}, "
               "{\"outcome\": \"failed-fetch\", \"afterMs\": 900000}]",
               200, NULL);

    /* One millisecond short of 15 minutes, polls and control reads say In Progress. */
    long long id = trigger_id(&s, "clk", "XDM1");
    CHECK_CALL(
        &s, "POST", "/_mock/clock", "{\"advanceMs\": 899999}", 200,
        "{\"mode\":\"manual\",\"now\":\"2025-01-01T00:14:59.999Z\",\"nowMs\":1735690499999}");
    for (int i = 0; i < 3; i++)
        CHECK_POLL(&s, "clk", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    snprintf(path, sizeof(path), "/_mock/tenants/clk/requests/%lld", id);
    struct response r = mock_call(&s, "GET", path, NULL);
    cJSON *doc = response_json(&r);
    CHECK_STR(json_str(doc, "status"), "In Progress");
    CHECK_INT(json_int(doc, "createdMs"), 1735689600000LL);
    CHECK_STR(json_str(doc, "createdAt"), "2025-01-01T00:00:00.000Z");
    cJSON_Delete(doc);
    response_free(&r);
    /* The last millisecond makes it due. */
    CHECK_CALL(
        &s, "POST", "/_mock/clock", "{\"advanceMs\": 1}", 200,
        "{\"mode\":\"manual\",\"now\":\"2025-01-01T00:15:00.000Z\",\"nowMs\":1735690500000}");
    CHECK_POLL(&s, "clk", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 40));
    r = mock_call(&s, "GET", path, NULL);
    doc = response_json(&r);
    CHECK_INT(json_int(doc, "resolvedMs"), 1735690500000LL);
    CHECK_STR(json_str(doc, "resolvedAt"), "2025-01-01T00:15:00.000Z");
    cJSON_Delete(doc);
    response_free(&r);

    /* A new request, created at 00:15, is finished by one advance of 900000 ms. */
    long long id2 = trigger_id(&s, "clk", "XDM1");
    CHECK_POLL(&s, "clk", "XDM1", id2, acs_in_progress(e, sizeof(e), id2, "XDM1"));
    CHECK_CALL(
        &s, "POST", "/_mock/clock", "{\"advanceMs\": 900000}", 200,
        "{\"mode\":\"manual\",\"now\":\"2025-01-01T00:30:00.000Z\",\"nowMs\":1735691400000}");
    CHECK_POLL(&s, "clk", "XDM1", id2, acs_failed_fetch(e, sizeof(e), id2, "XDM1"));

    /* Set to an ISO time. */
    CHECK_CALL(
        &s, "POST", "/_mock/clock", "{\"set\": \"2025-06-01T12:00:00.000Z\"}", 200,
        "{\"mode\":\"manual\",\"now\":\"2025-06-01T12:00:00.000Z\",\"nowMs\":1748779200000}");
    CHECK_CALL(
        &s, "GET", "/_mock/clock", NULL, 200,
        "{\"mode\":\"manual\",\"now\":\"2025-06-01T12:00:00.000Z\",\"nowMs\":1748779200000}");
    CHECK_CALL(
        &s, "POST", "/_mock/clock", "{\"advanceMs\": 0}", 200,
        "{\"mode\":\"manual\",\"now\":\"2025-06-01T12:00:00.000Z\",\"nowMs\":1748779200000}");
    /* A time set by "set" makes afterMs steps due as an advance does. */
    CHECK_CALL(&s, "POST", "/_mock/tenants/clk/mappings/XDM1/script",
               "{\"outcome\": \"aborted\", \"afterMs\": 3600000}", 200, NULL);
    long long id3 = trigger_id(&s, "clk", "XDM1");
    CHECK_POLL(&s, "clk", "XDM1", id3, acs_in_progress(e, sizeof(e), id3, "XDM1"));
    CHECK_CALL(&s, "POST", "/_mock/clock", "{\"set\": \"2025-06-01T13:00:00.000Z\"}", 200, NULL);
    CHECK_POLL(&s, "clk", "XDM1", id3, acs_aborted(e, sizeof(e), id3, "XDM1"));

    /* Bad bodies: 400, and the clock does not move. */
    CLOCK_REFUSED(&s, "{}", "advanceMs");
    CLOCK_REFUSED(&s, "{\"advanceMs\": -1}", "advanceMs");
    CLOCK_REFUSED(&s, "{\"advanceMs\": 1.5}", "advanceMs: must be an integer");
    CLOCK_REFUSED(&s, "{\"advanceMs\": \"5\"}", "advanceMs: must be an integer");
    CLOCK_REFUSED(&s, "{\"advanceMs\": null}", "advanceMs");
    CLOCK_REFUSED(&s, "{\"advanceMs\": 1e30}", "advanceMs");
    CLOCK_REFUSED(&s, "{\"set\": \"yesterday\"}", "set: must be a UTC time");
    CLOCK_REFUSED(&s, "{\"set\": 1748779200000}", "set");
    CLOCK_REFUSED(&s, "{\"set\": \"2025-13-01T00:00:00.000Z\"}", "set");
    CLOCK_REFUSED(&s, "{\"set\": \"2025-06-01T12:00:00.000+02:00\"}", "set");
    CLOCK_REFUSED(&s, "{\"advanceMs\": 1, \"set\": \"2025-06-01T12:00:00.000Z\"}",
                  "exactly one of advanceMs and set");
    CLOCK_REFUSED(&s, "{\"advance\": 5}", "advance: unknown field");
    CLOCK_REFUSED(&s, "[]", NULL);
    CLOCK_REFUSED(&s, "900000", NULL);
    clock_refused_at(__LINE__, &s, "", 400, "invalid_json", NULL);
    clock_refused_at(__LINE__, &s, "{\"advanceMs\": ", 400, "invalid_json", NULL);
    CHECK_CALL(
        &s, "GET", "/_mock/clock", NULL, 200,
        "{\"mode\":\"manual\",\"now\":\"2025-06-01T13:00:00.000Z\",\"nowMs\":1748782800000}");

    /* The clock stops at the last time it can show in a form set reads back
     * (regression: past year 9999 it read "+10000-..." and set refused its own reading). */
    CHECK_CALL(&s, "POST", "/_mock/clock", "{\"set\": \"9999-12-31T23:59:59.000Z\"}", 200, NULL);
    CHECK_CALL(&s, "POST", "/_mock/clock", "{\"advanceMs\": 999}", 200,
               "{\"mode\":\"manual\",\"now\":\"9999-12-31T23:59:59.999Z\",\"nowMs\":"
               "253402300799999}");
    CLOCK_REFUSED(&s, "{\"advanceMs\": 1}",
                  "advanceMs: the clock would pass 9999-12-31T23:59:59.999Z, the last time it can "
                  "show");
    CHECK_CALL(&s, "POST", "/_mock/clock", "{\"set\": \"9999-12-31T23:59:59.999Z\"}", 200, NULL);
    CHECK_INT(server_stop(&s), 0);
}

static void test_real(void)
{
    struct server s;
    const char *args[] = {"--clock", "real", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    struct response r = mock_call(&s, "GET", "/_mock/clock", NULL);
    CHECK_INT(r.status, 200);
    cJSON *doc = response_json(&r);
    CHECK_STR(json_str(doc, "mode"), "real");
    /* Real time: after 2025-01-01 (the manual epoch), with an ISO reading. */
    CHECK(json_int(doc, "nowMs") > 1735689600000LL, "%s", r.body);
    const char *now = json_str(doc, "now");
    CHECK(now && strlen(now) == 24 && now[23] == 'Z', "%s", r.body);
    cJSON_Delete(doc);
    response_free(&r);
    /* (A real clock moves between two reads, so only the answers are compared here.) */
    r = mock_call(&s, "POST", "/_mock/clock", "{\"advanceMs\": 1000}");
    CHECK_ERROR(&r, 409, "clock_not_manual", "--clock manual");
    response_free(&r);
    r = mock_call(&s, "POST", "/_mock/clock", "{\"set\": \"2025-06-01T12:00:00.000Z\"}");
    CHECK_ERROR(&r, 409, "clock_not_manual", NULL);
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    test_manual();
    test_real();
    curl_global_cleanup();
    return test_report();
}
