/*
 * Control API, journal: every call to the emulated API is recorded with what the
 * client sent (method, path, query, headers as sent, body) and what it got (status,
 * the exact response bytes), its tenant, mapping and request id; control calls are
 * not; the filters, count and delete; eviction of the oldest entries under
 * --journal-max (counted, and shown by /_mock/metrics); and a journal that survives a
 * restart on a --db file.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

/* GET path; the parsed body (caller frees), NULL on a non-200. */
static cJSON *get_json(const struct server *s, const char *path)
{
    struct response r = mock_call(s, "GET", path, NULL);
    CHECK(r.status == 200 && response_is_json(&r), "GET %s: %ld %s", path, r.status, r.body);
    cJSON *doc = r.status == 200 ? response_json(&r) : NULL;
    response_free(&r);
    return doc;
}

/* The journal's size without counting a check (for the bounded waits below). */
static long long count_quiet(const struct server *s)
{
    struct response r = mock_call(s, "GET", "/_mock/journal/count", NULL);
    cJSON *doc = response_json(&r);
    long long n = json_int(doc, "count");
    cJSON_Delete(doc);
    response_free(&r);
    return n;
}

static long long count(const struct server *s, const char *query)
{
    char path[256];
    snprintf(path, sizeof(path), "/_mock/journal/count%s", query);
    cJSON *doc = get_json(s, path);
    long long n = json_int(doc, "count");
    cJSON_Delete(doc);
    return n;
}

/* The number of entries GET /_mock/journal{query} lists. */
static int listed(const struct server *s, const char *query)
{
    char path[256];
    snprintf(path, sizeof(path), "/_mock/journal%s", query);
    cJSON *doc = get_json(s, path);
    int n = cJSON_GetArraySize(json_at(doc, "entries"));
    cJSON_Delete(doc);
    return n;
}

/*
 * Waits (bounded: 2 s) until the journal holds n entries; returns 1 when it does.
 * Only needed because the server records an entry in libmicrohttpd's completion
 * callback, after the client already has its answer (see test_visible_at_once): the
 * checks of what entries hold must not depend on that race.
 */
static int settle(const struct server *s, long long n)
{
    for (int i = 0; i < 2000; i++) {
        if (count_quiet(s) == n)
            return 1;
        harness_sleep_ms(1);
    }
    CHECK(0, "the journal never reached %lld entries", n);
    return 0;
}

/* A client that has its answer finds the call in the journal at once, as with any
 * mock server's request journal (a CI test verifies right after its call). */
static void test_visible_at_once(const struct server *s)
{
    char e[512];
    CHECK_CALL(s, "PUT", "/_mock/tenants/vis/mappings/XDM1/script", "[{\"outcome\": \"hang\"}]",
               200, NULL);
    long long id = trigger_id(s, "vis", "XDM1");
    settle(s, 1);
    int late = 0;
    for (int i = 0; i < 50; i++) {
        CHECK_POLL(s, "vis", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
        if (count_quiet(s) != 2 + i) {
            late++;
            settle(s, 2 + i);
        }
    }
    CHECK(late == 0, "%d of 50 calls were not yet in the journal when their answer came", late);
    CHECK_CALL(s, "DELETE", "/_mock/journal", NULL, 200, "{\"deleted\":51}");
}

static void test_entries(const struct server *s)
{
    char e[512], url[512], full[600];
    /* Control calls before, between and after are not journaled. */
    CHECK_CALL(s, "GET", "/_mock/tenants/jr", NULL, 200, NULL);
    CHECK_INT(count(s, ""), 0);

    /* 1: a trigger with an extra header and a body (ignored by the trigger). */
    const char *hdrs[] = {"Authorization: Bearer tok-1", "X-Api-Key: key-as-sent",
                          "Cache-Control: no-cache", "Content-Type: application/json", NULL};
    struct response r;
    http_call(&r, "POST", ingest_url(s, "jr", "XDM1", url, sizeof(url)), "{\"note\": \"hi\"}", -1,
              hdrs);
    long long id = body_request_id(r.body);
    CHECK_STR(r.body, acs_submitted(e, sizeof(e), id, "XDM1"));
    response_free(&r);
    settle(s, 1);
    CHECK_CALL(s, "POST", "/_mock/tenants/jr/mappings/XDM1/records", "{\"add\": 1}", 200, NULL);
    /* 2: a poll with ?requestId=. */
    CHECK_POLL(s, "jr", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    settle(s, 2);
    /* 3: a poll with the id in a JSON body. */
    char body[64];
    snprintf(body, sizeof(body), "{\"requestId\": %lld}", id);
    http_call(&r, "GET", url, body, -1, AUTH_HEADERS);
    CHECK_STR(r.body, acs_success(e, sizeof(e), id, "XDM1", 11));
    response_free(&r);
    settle(s, 3);
    /* 4: unknown mapping (404 of ours); 5: no token (Adobe's 401). */
    trigger(&r, s, "jr", "NOPE");
    CHECK_ERROR(&r, 404, "unknown_mapping", NULL);
    char notfound[512];
    snprintf(notfound, sizeof(notfound), "%s", r.body ? r.body : "");
    response_free(&r);
    settle(s, 4);
    const char *nokey[] = {"X-Api-Key: k", NULL};
    http_call(&r, "POST", ingest_url(s, "jr2", "XDM1", url, sizeof(url)), NULL, 0, nokey);
    CHECK_INT(r.status, 401);
    response_free(&r);
    settle(s, 5);
    CHECK_CALL(s, "GET", "/_mock/tenants/jr/requests", NULL, 200, NULL);
    CHECK_CALL(s, "GET", "/_mock/clock", NULL, 200, NULL);

    CHECK_INT(count(s, ""), 5);
    cJSON *doc = get_json(s, "/_mock/journal");
    const cJSON *entries = json_at(doc, "entries");
    CHECK_INT(cJSON_GetArraySize(entries), 5);
    CHECK_INT(json_int(doc, "evicted"), 0);

    /* Oldest first. */
    const cJSON *t = cJSON_GetArrayItem(entries, 0);
    char path[256];
    snprintf(path, sizeof(path), "/jr/campaign/dataIngestion/xdmIngestion/XDM1/ingest");
    CHECK_STR(json_str(t, "method"), "POST");
    CHECK_STR(json_str(t, "path"), path);
    CHECK(cJSON_IsObject(json_at(t, "query")) && json_at(t, "query")->child == NULL, "query");
    CHECK_STR(json_str(t, "endpoint"), "ingest.trigger");
    CHECK_STR(json_str(t, "tenant"), "jr");
    CHECK_STR(json_str(t, "mapping"), "XDM1");
    CHECK_INT(json_int(t, "requestId"), id);
    CHECK_INT(json_int(t, "status"), 200);
    CHECK_STR(json_str(t, "requestHeaders.X-Api-Key"), "key-as-sent");
    CHECK_STR(json_str(t, "requestHeaders.Authorization"), "Bearer tok-1");
    CHECK_STR(json_str(t, "requestHeaders.Cache-Control"), "no-cache");
    CHECK_STR(json_str(t, "requestBody"), "{\"note\": \"hi\"}");
    CHECK_STR(json_str(t, "responseBody"), acs_submitted(e, sizeof(e), id, "XDM1"));
    CHECK(cJSON_IsNull(json_at(t, "fault")), "fault");
    CHECK(json_int(t, "id") > 0, "id");
    CHECK_STR(json_str(t, "serverTime"), "2025-01-01T00:00:00.000Z");
    CHECK_INT(json_int(t, "serverMs"), 1735689600000LL);
    CHECK(cJSON_IsNumber(json_at(t, "durationMs")), "durationMs");

    const cJSON *p = cJSON_GetArrayItem(entries, 1);
    CHECK_STR(json_str(p, "method"), "GET");
    CHECK_STR(json_str(p, "endpoint"), "ingest.status");
    snprintf(full, sizeof(full), "%lld", id);
    CHECK_STR(json_str(p, "query.requestId"), full);
    CHECK_INT(json_int(p, "requestId"), id);
    CHECK_STR(json_str(p, "requestHeaders.X-Api-Key"), "test-key");
    CHECK_STR(json_str(p, "requestBody"), "");
    CHECK_STR(json_str(p, "responseBody"), acs_in_progress(e, sizeof(e), id, "XDM1"));

    const cJSON *b = cJSON_GetArrayItem(entries, 2);
    CHECK_STR(json_str(b, "requestBody"), body);
    CHECK_INT(json_int(b, "requestId"), id);
    CHECK_STR(json_str(b, "responseBody"), acs_success(e, sizeof(e), id, "XDM1", 11));

    const cJSON *nf = cJSON_GetArrayItem(entries, 3);
    CHECK_INT(json_int(nf, "status"), 404);
    CHECK_STR(json_str(nf, "mapping"), "NOPE");
    CHECK(cJSON_IsNull(json_at(nf, "requestId")), "requestId of a 404");
    CHECK_STR(json_str(nf, "responseBody"), notfound);

    const cJSON *au = cJSON_GetArrayItem(entries, 4);
    CHECK_INT(json_int(au, "status"), 401);
    CHECK_STR(json_str(au, "tenant"), "jr2");
    CHECK_STR(json_str(au, "responseBody"),
              "{\"error_code\":\"401013\",\"message\":\"Oauth token is not valid\"}");
    CHECK(json_at(au, "requestHeaders.Authorization") == NULL, "no Authorization was sent");
    CHECK(json_int(t, "id") < json_int(p, "id") && json_int(p, "id") < json_int(au, "id"),
          "ids rise");
    cJSON_Delete(doc);

    /* Filters, alone and together; count agrees with the list. */
    struct {
        const char *query;
        int n;
    } filters[] = {
        {"?tenant=jr", 4},
        {"?tenant=jr2", 1},
        {"?tenant=nobody", 0},
        {"?mapping=XDM1", 4},
        {"?mapping=NOPE", 1},
        {"?method=GET", 2},
        {"?method=POST", 3},
        {"?status=200", 3},
        {"?status=404", 1},
        {"?status=401", 1},
        {"?tenant=jr&method=POST", 2},
        {"?tenant=jr&mapping=XDM1&method=GET&status=200", 2},
        {"?limit=2", 2},
        {"?limit=100", 5},
        {"?tenant=jr&limit=1", 1},
    };
    for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
        int got = listed(s, filters[i].query);
        CHECK(got == filters[i].n, "journal%s lists %d, expected %d", filters[i].query, got,
              filters[i].n);
        /* count ignores limit */
        if (!strstr(filters[i].query, "limit")) {
            long long c = count(s, filters[i].query);
            CHECK(c == filters[i].n, "journal/count%s = %lld, expected %d", filters[i].query, c,
                  filters[i].n);
        }
    }
    CHECK_INT(count(s, "?limit=1"), 5);
    /* limit keeps the newest, still oldest first. */
    doc = get_json(s, "/_mock/journal?limit=2");
    CHECK_INT(json_int(doc, "entries[0].status"), 404);
    CHECK_INT(json_int(doc, "entries[1].status"), 401);
    cJSON_Delete(doc);
    doc = get_json(s, "/_mock/journal?tenant=jr&limit=1");
    CHECK_STR(json_str(doc, "entries[0].mapping"), "NOPE");
    cJSON_Delete(doc);

    /* Bad filters: 400 naming them. */
    const char *bad[][2] = {
        {"/_mock/journal?status=abc", "status"},      {"/_mock/journal?status=99", "status"},
        {"/_mock/journal?status=600", "status"},      {"/_mock/journal?limit=0", "limit"},
        {"/_mock/journal?limit=-3", "limit"},         {"/_mock/journal?limit=x", "limit"},
        {"/_mock/journal/count?status=2x", "status"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = mock_call(s, "GET", bad[i][0], NULL);
        CHECK_ERROR(&r, 400, "invalid_field", bad[i][1]);
        response_free(&r);
    }
    CHECK_INT(count(s, ""), 5);

    /* Delete empties it; new calls are journaled again. */
    CHECK_CALL(s, "DELETE", "/_mock/journal", NULL, 200, "{\"deleted\":5}");
    CHECK_INT(count(s, ""), 0);
    CHECK_CALL(s, "GET", "/_mock/journal", NULL, 200, "{\"entries\":[],\"evicted\":0}");
    CHECK_POLL(s, "jr", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 11));
    settle(s, 1);
    CHECK_CALL(s, "DELETE", "/_mock/journal", NULL, 200, "{\"deleted\":1}");
    CHECK_CALL(s, "DELETE", "/_mock/journal", NULL, 200, "{\"deleted\":0}");
}

/* Waits (bounded) until the newest entry of a fresh server (one trigger, then polls)
 * is the last poll: under a cap the count stays put, but journal ids keep rising
 * (the trigger is 1, the polls 2..polls+1). */
static void settle_last(const struct server *s, long long polls)
{
    for (int i = 0; i < 2000; i++) {
        struct response r = mock_call(s, "GET", "/_mock/journal?limit=1", NULL);
        cJSON *doc = response_json(&r);
        long long last = json_int(doc, "entries[0].id");
        cJSON_Delete(doc);
        response_free(&r);
        if (last >= polls + 1)
            return;
        harness_sleep_ms(1);
    }
    CHECK(0, "the journal never recorded %lld polls", polls);
}

/* --journal-max 5: after 12 calls, the 5 newest remain and 7 are counted as evicted. */
static void test_eviction(void)
{
    struct server s;
    const char *args[] = {"--journal-max", "5", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512];
    CHECK_CALL(&s, "PUT", "/_mock/tenants/ev/mappings/XDM1/script", "[{\"outcome\": \"hang\"}]",
               200, NULL);
    long long id = trigger_id(&s, "ev", "XDM1");
    for (int i = 0; i < 11; i++)
        CHECK_POLL(&s, "ev", "XDM1", id, acs_in_progress(e, sizeof(e), id, "XDM1"));
    settle_last(&s, 11);
    CHECK_INT(count(&s, ""), 5);
    cJSON *doc = get_json(&s, "/_mock/journal");
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "entries")), 5);
    CHECK_INT(json_int(doc, "evicted"), 7);
    /* The trigger (the oldest) is gone: all five left are polls, in order. */
    long long first = json_int(doc, "entries[0].id");
    for (int i = 0; i < 5; i++) {
        char p[64];
        snprintf(p, sizeof(p), "entries[%d].method", i);
        CHECK_STR(json_str(doc, p), "GET");
        snprintf(p, sizeof(p), "entries[%d].id", i);
        CHECK_INT(json_int(doc, p), first + i);
    }
    cJSON_Delete(doc);
    struct response r = mock_call(&s, "GET", "/_mock/metrics", NULL);
    CHECK_INT(r.status, 200);
    CHECK(r.body && strstr(r.body, "\ncampaign_mock_journal_evicted_total 7\n"), "%s", r.body);
    CHECK(r.body && strstr(r.body, "\ncampaign_mock_journal_entries 5\n"), "%s", r.body);
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

/* A --db file keeps the journal (and its eviction count) across a restart. */
static void test_restart(void)
{
    struct server s;
    char dir[] = "/tmp/campaign-mock-test-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    char db[300];
    snprintf(db, sizeof(db), "%s/state.db", dir);
    const char *args[] = {"--db", db, "--journal-max", "3", NULL};
    if (server_start(&s, dir, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512];
    long long id = trigger_id(&s, "rs", "XDM1");
    for (int i = 0; i < 3; i++)
        CHECK_POLL(&s, "rs", "XDM1", id,
                   i == 0 ? acs_in_progress(e, sizeof(e), id, "XDM1")
                          : acs_success(e, sizeof(e), id, "XDM1", 10));
    settle_last(&s, 3);
    struct response before = mock_call(&s, "GET", "/_mock/journal", NULL);
    CHECK_INT(before.status, 200);
    cJSON *doc = response_json(&before);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "entries")), 3);
    CHECK_INT(json_int(doc, "evicted"), 1);
    cJSON_Delete(doc);
    CHECK_INT(server_stop(&s), 0);

    if (server_start(&s, dir, args) < 0) {
        CHECK(0, "server did not restart");
        response_free(&before);
        return;
    }
    CHECK_CALL(&s, "GET", "/_mock/journal", NULL, 200, before.body);
    response_free(&before);
    /* And it goes on from there. */
    CHECK_POLL(&s, "rs", "XDM1", id, acs_success(e, sizeof(e), id, "XDM1", 10));
    settle_last(&s, 4);
    doc = get_json(&s, "/_mock/journal");
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "entries")), 3);
    CHECK_INT(json_int(doc, "evicted"), 2);
    cJSON_Delete(doc);
    CHECK_INT(server_stop(&s), 0);
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
    test_visible_at_once(&s);
    test_entries(&s);
    CHECK_INT(server_stop(&s), 0);
    test_eviction();
    test_restart();
    curl_global_cleanup();
    return test_report();
}
