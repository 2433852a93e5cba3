/*
 * Every store has a bound, a flag and a count of what it evicted (regression: requests
 * and tokens were never evicted, tenants from the template never capped):
 *   - --requests-max N: a trigger evicts the finished requests older than the newest N
 *     ids, never one In Progress; a poll of an evicted id is 404 unknown_request saying
 *     so; /_mock/metrics counts them;
 *   - --tokens-max N: the oldest tokens go first, even unexpired (a manual clock never
 *     expires any); an evicted token is refused under --auth strict;
 *   - --tenants-max N: a call that would make one more tenant from the template is 507
 *     tenant_limit and makes none; deleting one makes room;
 *   - --journal-max-bytes N: the oldest entries go until the rest weighs at most N
 *     (before, the journal was capped by count only, and kept request headers uncut);
 *     a header value over 8 KiB is cut, saying how long it was;
 *   - a request list gives at most ?limit= requests (default 1000), then "next", the id
 *     to list ?after= (before, every request of the tenant in one document);
 *   - POST /_mock/reset gives a file database's space back (before, a reset after 2 M
 *     requests left a 186 MB file and a 151 MB WAL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

static void test_requests(void)
{
    struct server s;
    const char *args[] = {"--fixtures", source_path("tests/http/fixtures/bounds.json"),
                          "--requests-max", "5", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512];
    /* 100 stays In Progress; then 101..108 are triggered and finished one by one. */
    long long pending = trigger_id(&s, "b", "N");
    CHECK_INT(pending, 100);
    for (int i = 0; i < 8; i++) {
        long long id = trigger_id(&s, "b", "M");
        CHECK_POLL(&s, "b", "M", id, acs_in_progress(e, sizeof(e), id, "M"));
        CHECK_POLL(&s, "b", "M", id, acs_success(e, sizeof(e), id, "M", 1));
    }
    /* The trigger of 108 evicted the finished ones up to 108 - 5 = 103. */
    CHECK_INT(mock_metric(&s, "campaign_mock_ingestion_requests_evicted_total"), 3);
    struct response r;
    poll_status(&r, &s, "b", "M", 101);
    CHECK_ERROR(&r, 404, "unknown_request",
                "requestId 101 is not an ingestion request of XDM Mapping ID: M in organization b "
                "(finished requests older than the newest 5 are evicted: --requests-max)");
    response_free(&r);
    CHECK_POLL(&s, "b", "M", 104, acs_success(e, sizeof(e), 104, "M", 1));
    /* The In Progress one is older than all, and kept. */
    CHECK_POLL(&s, "b", "N", 100, acs_in_progress(e, sizeof(e), 100, "N"));
    CHECK_INT(mock_metric(&s, "campaign_mock_ingestion_requests_in_progress"), 1);
    /* An id that was never given is unknown, without the eviction clause. */
    poll_status(&r, &s, "b", "M", 500);
    CHECK_ERROR(&r, 404, "unknown_request", "in organization b");
    CHECK(r.body && !strstr(r.body, "evicted"), "no eviction clause: %s", r.body);
    response_free(&r);
    /* A delete makes no tenant (regression: it made one from the template to delete
     * from it). */
    r = mock_call(&s, "DELETE", "/_mock/tenants/never/mappings/T", NULL);
    CHECK_ERROR(&r, 404, "unknown_mapping",
                "unknown mapping \"T\" in tenant never: the tenant has not been used yet, so it "
                "holds no mapping to delete");
    response_free(&r);
    CHECK_INT(mock_metric(&s, "campaign_mock_tenants"), 1);
    /* The list, by pages: 100 (In Progress), then 104..108. */
    static const struct {
        const char *query;
        int count;
        const char *tail;
    } pages[] = {
        {"?limit=2", 2, "\"requestId\":104,"},
        {"?after=104&limit=2", 2, "\"requestId\":106,"},
        {"?after=106&limit=10", 2, "\"requestId\":108,"},
        {"?status=Success&limit=1", 1, "\"requestId\":104,"},
    };
    static const char *const nexts[] = {",\"next\":104}", ",\"next\":106}", "]}", ",\"next\":104}"};
    for (int i = 0; i < 4; i++) {
        char path[128];
        snprintf(path, sizeof(path), "/_mock/tenants/b/requests%s", pages[i].query);
        r = mock_call(&s, "GET", path, NULL);
        int count = 0;
        for (const char *p = r.body; p && (p = strstr(p, "\"requestId\":")); p++)
            count++;
        size_t len = r.body ? strlen(r.body) : 0, tl = strlen(nexts[i]);
        CHECK(r.status == 200 && count == pages[i].count && strstr(r.body, pages[i].tail) &&
                  len > tl && strcmp(r.body + len - tl, nexts[i]) == 0,
              "%s: %d requests, ending %s: %s", path, count, nexts[i], r.body);
        response_free(&r);
    }
    r = mock_call(&s, "GET", "/_mock/tenants/b/requests?limit=0", NULL);
    CHECK_ERROR(&r, 400, "invalid_field", "limit: \"0\" is not an integer from 1 to 10000");
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

static char *token_of(const struct server *s)
{
    char url[256];
    snprintf(url, sizeof(url), "%s/ims/token/v3", s->base);
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    struct response r;
    http_call(&r, "POST", url,
              "client_id=cid-b&client_secret=sec-b&grant_type=client_credentials&scope=openid", -1,
              headers);
    CHECK_INT(r.status, 200);
    char *token = NULL;
    const char *at = r.body ? strstr(r.body, "\"access_token\": \"") : NULL;
    if (at) {
        at += strlen("\"access_token\": \"");
        token = strndup(at, strcspn(at, "\""));
    }
    response_free(&r);
    return token;
}

static long status_with(const struct server *s, const char *token)
{
    char url[256], auth[4096];
    snprintf(url, sizeof(url), "%s/b/campaign/dataIngestion/xdmIngestion/M/ingest?requestId=1",
             s->base);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
    const char *headers[] = {auth, "X-Api-Key: cid-b", NULL};
    struct response r;
    http_call(&r, "GET", url, NULL, 0, headers);
    long status = r.status;
    response_free(&r);
    return status;
}

static void test_tokens(void)
{
    struct server s;
    const char *args[] = {"--fixtures",
                          source_path("tests/http/fixtures/bounds.json"),
                          "--tokens-max",
                          "2",
                          "--auth",
                          "strict",
                          "--clock",
                          "manual",
                          NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char *t1 = token_of(&s), *t2 = token_of(&s);
    /* Known tokens pass the gateway: the poll of an unknown id is 404, not 401. */
    CHECK_INT(status_with(&s, t1), 404);
    char *t3 = token_of(&s);
    CHECK_INT(status_with(&s, t1), 401);
    CHECK_INT(status_with(&s, t2), 404);
    CHECK_INT(status_with(&s, t3), 404);
    CHECK_INT(mock_metric(&s, "campaign_mock_ims_tokens"), 2);
    CHECK_INT(mock_metric(&s, "campaign_mock_ims_tokens_evicted_total"), 1);
    free(t1);
    free(t2);
    free(t3);
    CHECK_INT(server_stop(&s), 0);
}

static void test_tenants(void)
{
    struct server s;
    const char *args[] = {"--fixtures", source_path("tests/http/fixtures/bounds.json"),
                          "--tenants-max", "3", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    /* b is one; two more from the template, then none. */
    struct response r;
    CHECK_INT(trigger(&r, &s, "t1", "T"), 0);
    CHECK_INT(r.status, 200);
    response_free(&r);
    trigger(&r, &s, "t2", "T");
    CHECK_INT(r.status, 200);
    response_free(&r);
    trigger(&r, &s, "t3", "T");
    CHECK_ERROR(&r, 507, "tenant_limit",
                "no tenant can be made from the template: 3 tenants exist (--tenants-max); "
                "DELETE /_mock/tenants/NAME or POST /_mock/reset");
    response_free(&r);
    r = mock_call(&s, "GET", "/_mock/tenants/t3/mappings", NULL);
    CHECK_INT(r.status, 507);
    response_free(&r);
    r = mock_call(&s, "GET", "/_mock/tenants", NULL);
    CHECK(r.status == 200 && !strstr(r.body, "\"t3\""), "no t3: %s", r.body);
    response_free(&r);
    CHECK_INT(mock_metric(&s, "campaign_mock_tenants"), 3);

    /* An existing tenant is served as ever; deleting one makes room. */
    trigger(&r, &s, "t1", "T");
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_CALL(&s, "DELETE", "/_mock/tenants/t2", NULL, 200, NULL);
    trigger(&r, &s, "t3", "T");
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

static void test_journal_bytes(void)
{
    struct server s;
    const char *args[] = {"--fixtures", source_path("tests/http/fixtures/bounds.json"),
                          "--journal-max-bytes", "1048576", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    /* 100 polls with a 20 KiB body (kept 16 KiB) and a 20 KiB header (kept 8 KiB). */
    static char body[20 * 1024 + 1], header[20 * 1024 + 16];
    memset(body, 'b', sizeof(body) - 1);
    int n = snprintf(header, sizeof(header), "X-Big: ");
    memset(header + n, 'h', 20 * 1024);
    header[n + 20 * 1024] = '\0';
    char url[256];
    snprintf(url, sizeof(url), "%s/b/campaign/dataIngestion/xdmIngestion/M/ingest?requestId=1",
             s.base);
    const char *headers[] = {"Authorization: Bearer t", "X-Api-Key: k", header, NULL};
    for (int i = 0; i < 100; i++) {
        struct response r;
        http_call(&r, "GET", url, body, -1, headers);
        CHECK_INT(r.status, 404);
        response_free(&r);
    }
    long long bytes = mock_metric(&s, "campaign_mock_journal_bytes");
    long long kept = mock_metric(&s, "campaign_mock_journal_entries");
    long long evicted = mock_metric(&s, "campaign_mock_journal_evicted_total");
    CHECK(bytes > 900 * 1024 && bytes <= 1048576, "journal bytes %lld, within the cap", bytes);
    CHECK(kept > 20 && kept < 50 && kept + evicted == 100, "kept %lld, evicted %lld of 100", kept,
          evicted);
    struct response r = mock_call(&s, "GET", "/_mock/journal?limit=1", NULL);
    CHECK(r.body && strstr(r.body, "hhhh...(20480 bytes in all)\"") &&
              strstr(r.body, "bbbb...(20480 bytes in all)\""),
          "header and body cut: %.200s", r.body ? r.body : "");
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

/* The bytes of the database file and its WAL. */
static long long db_bytes(const char *dir)
{
    long long n = 0;
    static const char *const files[] = {"state.db", "state.db-wal"};
    for (int i = 0; i < 2; i++) {
        char f[400];
        struct stat sb;
        snprintf(f, sizeof(f), "%s/%s", dir, files[i]);
        if (stat(f, &sb) == 0)
            n += sb.st_size;
    }
    return n;
}

static void test_reclaim(void)
{
    struct server s;
    char dir[64];
    if (harness_temp_dir(dir, sizeof(dir)) < 0) {
        CHECK(0, "mkdtemp");
        return;
    }
    char db[300];
    snprintf(db, sizeof(db), "%s/state.db", dir);
    const char *args[] = {"--fixtures",
                          source_path("tests/http/fixtures/bounds.json"),
                          "--db",
                          db,
                          "--journal-max",
                          "10",
                          NULL};
    if (server_start(&s, dir, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    long long start = db_bytes(dir);
    char tenant[32];
    for (int i = 0; i < 1500; i++) {
        snprintf(tenant, sizeof(tenant), "r%d", i);
        trigger_id(&s, tenant, "T");
    }
    long long full = db_bytes(dir);
    CHECK_CALL(&s, "POST", "/_mock/reset", NULL, 200, NULL);
    long long after = db_bytes(dir);
    CHECK(full > 4 * start && after < start + (full - start) / 4,
          "file and WAL: %lld bytes at start, %lld after 1500 tenants, %lld after the reset", start,
          full, after);
    CHECK_INT(server_stop(&s), 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    test_requests();
    test_tokens();
    test_tenants();
    test_journal_bytes();
    test_reclaim();
    curl_global_cleanup();
    return test_report();
}
