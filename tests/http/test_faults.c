/*
 * Fault injection against the real server, from a libcurl client: every gateway error
 * byte for byte and before authentication, custom replies, broken transports (reset,
 * empty, truncate, hang) and what each does to state, the schedule (times, after,
 * window on the manual clock), matching and rule order, seeded probability (two runs,
 * same decisions), the journal, /_mock/faults counters and the metrics counter, rule
 * validation, and rules from fixture files. Timing (delays, hangs next to other
 * clients, stopping with a hang) is in test_faults_timing.c.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#define MANUAL_START_MS 1735689600000LL /* --clock manual starts at 2025-01-01T00:00:00Z */

static const char *const NO_HEADERS[] = {NULL};

static const char BODY_500[] =
    "{\"code\":500,\"message\":\"Oops. Something went wrong. Check your URI and try again.\"}";
static const char BODY_502[] =
    "{\"code\":502,\"message\":\"Oops. Something went wrong. Check your URI and try again.\"}";
static const char BODY_503[] = "{\"code\":503,\"message\":\"Service Unavailable\"}";

/* POST /_mock/faults, expecting 201. */
/* DELETE /_mock/faults, expecting {"deleted":n}. */
static void clear_faults_at(int line, const struct server *s, int n)
{
    char want[64];
    snprintf(want, sizeof(want), "{\"deleted\":%d}", n);
    struct response r = mock_call(s, "DELETE", "/_mock/faults", NULL);
    CHECK(r.status == 200 && r.body && strcmp(r.body, want) == 0,
          "line %d: DELETE /_mock/faults: %ld %s, expected %s", line, r.status,
          r.body ? r.body : "", want);
    response_free(&r);
}
#define CLEAR_FAULTS(s, n) clear_faults_at(__LINE__, (s), (n))

/* A call to the emulated API: POST trigger or GET status (?requestId=), with or
 * without credentials, through a fresh connection. */
static struct response api_call(const struct server *s, const char *method, const char *tenant,
                                const char *mapping, long long request_id, int auth)
{
    char url[1024];
    ingest_url(s, tenant, mapping, url, sizeof(url));
    if (request_id > 0) {
        size_t n = strlen(url);
        snprintf(url + n, sizeof(url) - n, "?requestId=%lld", request_id);
    }
    struct response r;
    http_call(&r, method, url, NULL, 0, auth ? AUTH_HEADERS : NO_HEADERS);
    return r;
}

/* Status, JSON content type and exact body of one reply. */
static void check_exact_at(int line, const struct response *r, long status, const char *body)
{
    CHECK(r->curl_code == CURLE_OK, "line %d: curl code %d", line, r->curl_code);
    CHECK(r->status == status, "line %d: status %ld, expected %ld (body %s)", line, r->status,
          status, r->body ? r->body : "");
    CHECK(response_is_json(r), "line %d: Content-Type is not application/json;charset=utf-8", line);
    CHECK(r->body && strcmp(r->body, body) == 0, "line %d:\n  expected: %s\n  actual:   %s", line,
          body, r->body ? r->body : "(none)");
}
#define CHECK_EXACT(r, status, body) check_exact_at(__LINE__, (r), (status), (body))

/* The rule as GET /_mock/faults lists it (a copy; NULL when not listed). */
static cJSON *listed_rule(const struct server *s, const char *id)
{
    struct response r = mock_call(s, "GET", "/_mock/faults", NULL);
    cJSON *doc = response_json(&r);
    cJSON *found = NULL;
    for (const cJSON *x = json_at(doc, "faults") ? json_at(doc, "faults")->child : NULL; x;
         x = x->next) {
        const char *xid = json_str(x, "id");
        if (xid && strcmp(xid, id) == 0)
            found = cJSON_Duplicate(x, 1);
    }
    cJSON_Delete(doc);
    response_free(&r);
    return found;
}

/* hits, seen and remaining (-1 for null) of a listed rule. */
static void check_counters_at(int line, const struct server *s, const char *id, long long hits,
                              long long seen, long long remaining)
{
    cJSON *rule = listed_rule(s, id);
    const cJSON *rem = json_at(rule, "remaining");
    long long got_rem = cJSON_IsNull(rem)     ? -1
                        : cJSON_IsNumber(rem) ? (long long)rem->valuedouble
                                              : -2;
    CHECK(rule && json_int(rule, "hits") == hits && json_int(rule, "seen") == seen &&
              got_rem == remaining,
          "line %d: rule %s: hits %lld seen %lld remaining %lld; expected %lld %lld %lld", line, id,
          json_int(rule, "hits"), json_int(rule, "seen"), got_rem, hits, seen, remaining);
    cJSON_Delete(rule);
}
#define CHECK_COUNTERS(s, id, hits, seen, rem)                                                     \
    check_counters_at(__LINE__, (s), (id), (hits), (seen), (rem))

/* The number of rules listed. */
static int rules_listed(const struct server *s)
{
    struct response r = mock_call(s, "GET", "/_mock/faults", NULL);
    cJSON *doc = response_json(&r);
    int n = cJSON_IsArray(json_at(doc, "faults")) ? cJSON_GetArraySize(json_at(doc, "faults")) : -1;
    cJSON_Delete(doc);
    response_free(&r);
    return n;
}

/* The journal entries of a tenant (parsed; caller deletes). */
static cJSON *journal_of(const struct server *s, const char *tenant)
{
    char path[256];
    snprintf(path, sizeof(path), "/_mock/journal?tenant=%s", tenant);
    struct response r = mock_call(s, "GET", path, NULL);
    cJSON *doc = response_json(&r);
    response_free(&r);
    return doc;
}

/* Checks entry i of a tenant's journal: status and fault (NULL: "fault" is null). */
static void check_journal_at(int line, const cJSON *journal, int i, long status, const char *fault)
{
    char path[64];
    snprintf(path, sizeof(path), "entries[%d]", i);
    const cJSON *e = json_at(journal, path);
    const cJSON *f = json_at(e, "fault");
    int fault_ok =
        fault ? (cJSON_IsString(f) && strcmp(f->valuestring, fault) == 0) : cJSON_IsNull(f);
    CHECK(e && json_int(e, "status") == status && fault_ok,
          "line %d: journal entry %d: status %lld fault %s; expected %ld %s", line, i,
          json_int(e, "status"), cJSON_IsString(f) ? f->valuestring : "null", status,
          fault ? fault : "null");
}
#define CHECK_JOURNAL(j, i, status, fault) check_journal_at(__LINE__, (j), (i), (status), (fault))

/* --- gateway errors ----------------------------------------------------------------- */

static void test_gateway_errors(const struct server *s)
{
    static const struct {
        const char *error;
        long status;
        const char *body;
    } rows[] = {
        {"401013", 401, "{\"error_code\":\"401013\",\"message\":\"Oauth token is not valid\"}"},
        {"403003", 403, "{\"error_code\":\"403003\",\"message\":\"Api Key is invalid\"}"},
        {"403023", 403, "{\"error_code\":\"403023\",\"message\":\"Profile is not valid\"}"},
        {"429050", 429, "{\"error_code\":\"429050\",\"message\":\"Too many requests\"}"},
        {"500", 500, BODY_500},
        {"502", 502, BODY_502},
        {"503", 503, BODY_503},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char tenant[64], rule[256], id[64];
        snprintf(tenant, sizeof(tenant), "gw%s", rows[i].error);
        snprintf(id, sizeof(id), "gw-%s", rows[i].error);
        snprintf(rule, sizeof(rule),
                 "{\"id\": \"%s\", \"match\": {\"tenant\": \"%s\"}, \"action\": {\"error\": "
                 "\"%s\"}}",
                 id, tenant, rows[i].error);
        char *before = tenant_state(s, tenant);
        ADD_FAULT(s, rule);
        /* Without credentials: the fault, not the auth check, answers. */
        struct response r = api_call(s, "POST", tenant, "XDM1", 0, 0);
        CHECK_EXACT(&r, rows[i].status, rows[i].body);
        char v[64];
        const char *retry = response_header(&r, "Retry-After", v, sizeof(v));
        if (rows[i].status == 429)
            CHECK(retry && strcmp(retry, "1") == 0, "429 Retry-After: %s", retry ? retry : "none");
        else
            CHECK(!retry, "%s: unexpected Retry-After: %s", rows[i].error, retry);
        response_free(&r);
        /* With credentials (a 401013 fault answers a valid token too), and on the status
         * endpoint of a mapping that does not exist. */
        r = api_call(s, "POST", tenant, "XDM1", 0, 1);
        CHECK_EXACT(&r, rows[i].status, rows[i].body);
        response_free(&r);
        r = api_call(s, "GET", tenant, "NOSUCH", 99, 0);
        CHECK_EXACT(&r, rows[i].status, rows[i].body);
        response_free(&r);
        /* The triggers created nothing. */
        char *after = tenant_state(s, tenant);
        CHECK(strcmp(before, after) == 0, "%s: state changed:\n  %s\n  %s", id, before, after);
        free(before);
        free(after);
        CHECK_COUNTERS(s, id, 3, 3, -1);
    }
    /* Another tenant is not affected: without credentials, the auth check answers. */
    struct response r = api_call(s, "POST", "gwother", "XDM1", 0, 0);
    CHECK_EXACT(&r, 401, "{\"error_code\":\"401013\",\"message\":\"Oauth token is not valid\"}");
    response_free(&r);
    r = api_call(s, "POST", "gwother", "XDM1", 0, 1);
    CHECK(r.status == 200 && body_request_id(r.body) > 0, "gwother trigger: %ld %s", r.status,
          r.body);
    response_free(&r);
    CLEAR_FAULTS(s, 7);
}

/* --- custom replies ------------------------------------------------------------------ */

static int header_count(const struct response *r, const char *name)
{
    int n = 0;
    size_t len = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        if (strncasecmp(line, name, len) == 0 && line[len] == ':')
            n++;
        line = strstr(line, "\r\n");
        line = line ? line + 2 : NULL;
    }
    return n;
}

static void test_custom(const struct server *s)
{
    ADD_FAULT(s, "{\"id\": \"c-json\", \"match\": {\"tenant\": \"cu1\"}, \"action\": {\"status\": "
                 "418, \"headers\": {\"X-Custom\": \"yes\", \"Cache-Control\": \"no-store\"}, "
                 "\"body\": {\"a\": [1, 2.5, true, null], \"b\": \"x\\u00e9\\\"\"}}}");
    ADD_FAULT(s, "{\"id\": \"c-text\", \"match\": {\"tenant\": \"cu2\"}, \"action\": {\"status\": "
                 "200, \"body\": \"plain \\u00e9 {not json\\n\"}}");
    ADD_FAULT(s, "{\"id\": \"c-ctype\", \"match\": {\"tenant\": \"cu3\"}, \"action\": {\"status\": "
                 "202, \"headers\": {\"content-type\": \"application/xml\"}, \"body\": "
                 "\"<ok/>\"}}");
    ADD_FAULT(s, "{\"id\": \"c-ctype-json\", \"match\": {\"tenant\": \"cu4\"}, \"action\": "
                 "{\"status\": 400, \"headers\": {\"Content-Type\": "
                 "\"application/problem+json\"}, \"body\": {\"title\": \"bad\"}}}");
    ADD_FAULT(s, "{\"id\": \"c-none\", \"match\": {\"tenant\": \"cu5\"}, \"action\": {\"status\": "
                 "503, \"headers\": {\"Retry-After\": \"7\"}}}");
    ADD_FAULT(s, "{\"id\": \"c-204\", \"match\": {\"tenant\": \"cu6\"}, \"action\": {\"status\": "
                 "204}}");
    char v[128];

    /* A JSON body is sent as JSON, compact, with our JSON content type. */
    struct response r = api_call(s, "POST", "cu1", "XDM1", 0, 0);
    CHECK_EXACT(&r, 418, "{\"a\":[1,2.5,true,null],\"b\":\"x\xc3\xa9\\\"\"}");
    CHECK_STR(response_header(&r, "X-Custom", v, sizeof(v)), "yes");
    CHECK_STR(response_header(&r, "Cache-Control", v, sizeof(v)), "no-store");
    CHECK_INT(header_count(&r, "Content-Type"), 1);
    response_free(&r);

    /* A string body is sent as is: bytes unchanged, not as a JSON string. */
    r = api_call(s, "GET", "cu2", "XDM1", 1, 1);
    CHECK_INT(r.status, 200);
    CHECK(r.body && strcmp(r.body, "plain \xc3\xa9 {not json\n") == 0, "string body: [%s]",
          r.body ? r.body : "");
    CHECK_STR(response_header(&r, "Content-Type", v, sizeof(v)), "text/plain; charset=utf-8");
    response_free(&r);

    /* The rule's own Content-Type wins (whatever its case), and comes once. */
    r = api_call(s, "POST", "cu3", "XDM1", 0, 1);
    CHECK_INT(r.status, 202);
    CHECK_STR(r.body, "<ok/>");
    CHECK_STR(response_header(&r, "Content-Type", v, sizeof(v)), "application/xml");
    CHECK_INT(header_count(&r, "Content-Type"), 1);
    response_free(&r);
    r = api_call(s, "POST", "cu4", "XDM1", 0, 1);
    CHECK_INT(r.status, 400);
    CHECK_STR(r.body, "{\"title\":\"bad\"}");
    CHECK_STR(response_header(&r, "Content-Type", v, sizeof(v)), "application/problem+json");
    CHECK_INT(header_count(&r, "Content-Type"), 1);
    response_free(&r);

    /* No body: no Content-Type, an empty body of length 0. */
    r = api_call(s, "POST", "cu5", "XDM1", 0, 1);
    CHECK_INT(r.status, 503);
    CHECK_INT(r.len, 0);
    CHECK(!response_header(&r, "Content-Type", v, sizeof(v)), "Content-Type: %s", v);
    CHECK_STR(response_header(&r, "Content-Length", v, sizeof(v)), "0");
    CHECK_STR(response_header(&r, "Retry-After", v, sizeof(v)), "7");
    response_free(&r);
    r = api_call(s, "GET", "cu6", "XDM1", 5, 1);
    CHECK_INT(r.status, 204);
    CHECK_INT(r.len, 0);
    CHECK(!response_header(&r, "Content-Type", v, sizeof(v)), "Content-Type: %s", v);
    response_free(&r);

    /* The journal keeps what was sent. */
    cJSON *j = journal_of(s, "cu1");
    CHECK_JOURNAL(j, 0, 418, "c-json");
    CHECK_STR(json_str(j, "entries[0].responseBody"),
              "{\"a\":[1,2.5,true,null],\"b\":\"x\xc3\xa9\\\"\"}");
    cJSON_Delete(j);
    j = journal_of(s, "cu2");
    CHECK_JOURNAL(j, 0, 200, "c-text");
    CHECK_STR(json_str(j, "entries[0].responseBody"), "plain \xc3\xa9 {not json\n");
    cJSON_Delete(j);
    CLEAR_FAULTS(s, 6);
}

/* --- transports ---------------------------------------------------------------------- */

static struct response raw_call(const struct server *s, char *err, const char *method,
                                const char *tenant, long long request_id, long timeout_ms)
{
    char url[1024];
    ingest_url(s, tenant, "XDM1", url, sizeof(url));
    if (request_id > 0) {
        size_t n = strlen(url);
        snprintf(url + n, sizeof(url) - n, "?requestId=%lld", request_id);
    }
    struct response r;
    http_call_timed(&r, err, method, url, NULL, AUTH_HEADERS, timeout_ms);
    return r;
}

static void check_healthy_at(int line, const struct server *s)
{
    struct response r = mock_call(s, "GET", "/_mock/health", NULL);
    CHECK(r.status == 200 && r.body && strstr(r.body, "\"status\":\"ready\""),
          "line %d: health: %ld %s", line, r.status, r.body ? r.body : "");
    response_free(&r);
}
#define CHECK_HEALTHY(s) check_healthy_at(__LINE__, (s))

/* reset, empty and hang answer without running the handler: the POST created nothing;
 * the next (unfaulted) POST is the first to submit. */
static void transport_no_state(const struct server *s, const char *transport, int curl_code,
                               const char *err_part, long timeout_ms)
{
    char tenant[64], rule[256], err[HTTP_ERRBUF_SIZE];
    snprintf(tenant, sizeof(tenant), "tr-%s", transport);
    snprintf(rule, sizeof(rule),
             "{\"id\": \"t-%s\", \"match\": {\"tenant\": \"%s\"}, \"action\": {\"transport\": "
             "\"%s\"}, \"times\": 1}",
             transport, tenant, transport);
    char *before = tenant_state(s, tenant);
    ADD_FAULT(s, rule);
    struct response r = raw_call(s, err, "POST", tenant, 0, timeout_ms);
    CHECK(r.curl_code == curl_code, "%s: curl code %d (%s), expected %d", transport, r.curl_code,
          err, curl_code);
    CHECK(err_part == NULL || strstr(err, err_part), "%s: error text \"%s\" lacks \"%s\"",
          transport, err, err_part);
    CHECK(r.status == 0 && r.len == 0, "%s: status %ld, %zu body bytes", transport, r.status,
          r.len);
    response_free(&r);
    CHECK_HEALTHY(s);
    char *after = tenant_state(s, tenant);
    CHECK(strcmp(before, after) == 0, "%s changed state:\n  %s\n  %s", transport, before, after);
    free(before);
    free(after);
    /* times 1: the next POST is answered normally, and it is the one that submits. */
    r = raw_call(s, err, "POST", tenant, 0, 10000);
    CHECK(r.curl_code == CURLE_OK && r.status == 200 && r.body &&
              strstr(r.body, "submitted successfully"),
          "%s: next POST: %d %ld %s", transport, r.curl_code, r.status, r.body ? r.body : "");
    response_free(&r);
    char id[32];
    snprintf(id, sizeof(id), "t-%s", transport);
    CHECK_COUNTERS(s, id, 1, 2, 0);
    cJSON *j = journal_of(s, tenant);
    CHECK_INT(cJSON_GetArraySize(json_at(j, "entries")), 2);
    CHECK_JOURNAL(j, 0, 0, id);
    CHECK_JOURNAL(j, 1, 200, NULL);
    cJSON_Delete(j);
}

static void test_transports(const struct server *s)
{
    transport_no_state(s, "reset", CURLE_RECV_ERROR, "Connection reset by peer", 10000);
    transport_no_state(s, "empty", CURLE_GOT_NOTHING, NULL, 10000);
    /* hang: only the client's own timeout ends the call. */
    transport_no_state(s, "hang", CURLE_OPERATION_TIMEDOUT, NULL, 700);

    /* truncate: the handler ran (the request exists), only the reply was cut: status
     * line, headers with the full Content-Length, then half the body. */
    char err[HTTP_ERRBUF_SIZE], v[64], full[512];
    char *before = tenant_state(s, "tr-truncate");
    ADD_FAULT(s, "{\"id\": \"t-truncate\", \"match\": {\"tenant\": \"tr-truncate\"}, \"action\": "
                 "{\"transport\": \"truncate\"}, \"times\": 1}");
    struct response r = raw_call(s, err, "POST", "tr-truncate", 0, 10000);
    struct response next = raw_call(s, err, "POST", "tr-truncate", 0, 10000);
    long long id = body_request_id(next.body);
    CHECK(next.status == 200 && next.body && strstr(next.body, "already in progress") && id > 0,
          "POST after the truncated one: %ld %s", next.status, next.body ? next.body : "");
    acs_submitted(full, sizeof(full), id, "XDM1");
    CHECK(r.curl_code == CURLE_PARTIAL_FILE, "truncate: curl code %d (%s)", r.curl_code, err);
    CHECK_INT(r.status, 200);
    CHECK(response_is_json(&r), "truncate: not the JSON content type");
    char full_len[32];
    snprintf(full_len, sizeof(full_len), "%zu", strlen(full));
    CHECK_STR(response_header(&r, "Content-Length", v, sizeof(v)), full_len);
    CHECK_INT(r.len, strlen(full) / 2);
    CHECK(r.body && strncmp(r.body, full, strlen(full) / 2) == 0,
          "truncate: received [%s], expected the first half of [%s]", r.body ? r.body : "", full);
    response_free(&r);
    response_free(&next);
    char *after = tenant_state(s, "tr-truncate");
    CHECK(strcmp(before, after) != 0, "truncate: the POST did not create its request");
    free(before);
    free(after);
    CHECK_COUNTERS(s, "t-truncate", 1, 2, 0);
    cJSON *j = journal_of(s, "tr-truncate");
    CHECK_JOURNAL(j, 0, 200, "t-truncate");
    CHECK_STR(json_str(j, "entries[0].transport"), "truncate");
    CHECK_STR(json_str(j, "entries[0].responseBody"), full);
    CHECK_INT(json_int(j, "entries[0].requestId"), id);
    CHECK_JOURNAL(j, 1, 200, NULL);
    cJSON_Delete(j);

    /* A truncated status poll: half of the documented In Progress body. */
    ADD_FAULT(s, "{\"id\": \"t-truncate-get\", \"match\": {\"tenant\": \"tr-truncate\", "
                 "\"method\": \"GET\"}, \"action\": {\"transport\": \"truncate\"}}");
    r = raw_call(s, err, "GET", "tr-truncate", id, 10000);
    acs_in_progress(full, sizeof(full), id, "XDM1");
    CHECK(r.curl_code == CURLE_PARTIAL_FILE && r.status == 200, "truncated GET: %d %ld",
          r.curl_code, r.status);
    CHECK(r.len == strlen(full) / 2 && r.body && strncmp(r.body, full, r.len) == 0,
          "truncated GET: [%s] of [%s]", r.body ? r.body : "", full);
    response_free(&r);
    CHECK_HEALTHY(s);
    CLEAR_FAULTS(s, 5);
}

/* --- schedule, matching, order ------------------------------------------------------- */

/* Status of a POST trigger (with credentials) on tenant/mapping. */
static long post_status(const struct server *s, const char *tenant, const char *mapping)
{
    struct response r = api_call(s, "POST", tenant, mapping, 0, 1);
    long st = r.status;
    response_free(&r);
    return st;
}

static void test_times_after(const struct server *s)
{
    ADD_FAULT(s, "{\"id\": \"times2\", \"match\": {\"tenant\": \"sch-times\"}, \"action\": "
                 "{\"error\": \"503\"}, \"times\": 2}");
    CHECK_COUNTERS(s, "times2", 0, 0, 2);
    CHECK_INT(post_status(s, "sch-times", "XDM1"), 503);
    CHECK_COUNTERS(s, "times2", 1, 1, 1);
    CHECK_INT(post_status(s, "sch-times", "XDM1"), 503);
    CHECK_COUNTERS(s, "times2", 2, 2, 0);
    CHECK_INT(post_status(s, "sch-times", "XDM1"), 200);
    CHECK_INT(post_status(s, "sch-times", "XDM1"), 200);
    /* Used up, still listed. */
    CHECK_COUNTERS(s, "times2", 2, 4, 0);

    ADD_FAULT(s, "{\"id\": \"after3\", \"match\": {\"tenant\": \"sch-after\"}, \"action\": "
                 "{\"error\": \"502\"}, \"after\": 3}");
    const char want[] = "000111";
    char got[8] = "";
    for (int i = 0; i < 6; i++)
        got[i] = post_status(s, "sch-after", "XDM1") == 502 ? '1' : '0';
    CHECK_STR(got, want);
    CHECK_COUNTERS(s, "after3", 3, 6, -1);

    ADD_FAULT(s, "{\"id\": \"both\", \"match\": {\"tenant\": \"sch-both\"}, \"action\": "
                 "{\"error\": \"500\"}, \"after\": 1, \"times\": 2}");
    for (int i = 0; i < 5; i++)
        got[i] = post_status(s, "sch-both", "XDM1") == 500 ? '1' : '0';
    got[5] = '\0';
    CHECK_STR(got, "01100");
    CHECK_COUNTERS(s, "both", 2, 5, 0);

    /* times 0: listed, never applies. */
    ADD_FAULT(s, "{\"id\": \"never\", \"match\": {\"tenant\": \"sch-zero\"}, \"action\": "
                 "{\"error\": \"500\"}, \"times\": 0}");
    CHECK_INT(post_status(s, "sch-zero", "XDM1"), 200);
    CHECK_COUNTERS(s, "never", 0, 1, 0);
    CLEAR_FAULTS(s, 4);
}

/* Needs --clock manual. */
static void test_window(const struct server *s)
{
    struct response r = mock_call(s, "GET", "/_mock/clock", NULL);
    cJSON *clock = response_json(&r);
    long long now = json_int(clock, "nowMs");
    cJSON_Delete(clock);
    response_free(&r);
    ADD_FAULT(s, "{\"id\": \"win\", \"match\": {\"tenant\": \"sch-win\"}, \"action\": {\"error\": "
                 "\"429050\"}, \"window\": {\"startMs\": 1000, \"endMs\": 2000}}");
    cJSON *rule = listed_rule(s, "win");
    CHECK_INT(json_int(rule, "createdMs"), now);
    cJSON_Delete(rule);
    /* Clock moves between calls: at age 0, 999, 1000, 1999, 2000, 5000. */
    static const long long advance[] = {0, 999, 1, 999, 1, 3000};
    const char want[] = "001100";
    char got[8] = "";
    for (int i = 0; i < 6; i++) {
        char body[64];
        snprintf(body, sizeof(body), "{\"advanceMs\": %lld}", advance[i]);
        if (advance[i]) {
            r = mock_call(s, "POST", "/_mock/clock", body);
            CHECK_INT(r.status, 200);
            response_free(&r);
        }
        got[i] = post_status(s, "sch-win", "XDM1") == 429 ? '1' : '0';
    }
    CHECK_STR(got, want);
    CHECK_COUNTERS(s, "win", 2, 6, -1);

    /* A window is relative to each rule's own creation: added now (age 5000 of the
     * first), a second rule with the same window waits its own 1000 ms. */
    ADD_FAULT(s, "{\"id\": \"win2\", \"match\": {\"tenant\": \"sch-win2\"}, \"action\": "
                 "{\"error\": \"429050\"}, \"window\": {\"startMs\": 1000, \"endMs\": 2000}}");
    rule = listed_rule(s, "win2");
    CHECK_INT(json_int(rule, "createdMs"), now + 5000);
    cJSON_Delete(rule);
    CHECK_INT(post_status(s, "sch-win2", "XDM1"), 200);
    r = mock_call(s, "POST", "/_mock/clock", "{\"advanceMs\": 1000}");
    response_free(&r);
    CHECK_INT(post_status(s, "sch-win2", "XDM1"), 429);
    CLEAR_FAULTS(s, 2);
}

static void test_matching(const struct server *s)
{
    /* method */
    ADD_FAULT(s, "{\"id\": \"m-get\", \"match\": {\"tenant\": \"mt-method\", \"method\": "
                 "\"GET\"}, \"action\": {\"error\": \"502\"}}");
    struct response r = api_call(s, "POST", "mt-method", "XDM1", 0, 1);
    long long id = body_request_id(r.body);
    CHECK(r.status == 200 && id > 0, "POST not matched by a GET rule: %ld %s", r.status, r.body);
    response_free(&r);
    r = api_call(s, "GET", "mt-method", "XDM1", id, 1);
    CHECK_EXACT(&r, 502, BODY_502);
    response_free(&r);

    /* endpoint: ingest.trigger vs ingest.status */
    ADD_FAULT(s, "{\"id\": \"m-trigger\", \"match\": {\"tenant\": \"mt-ep\", \"endpoint\": "
                 "\"ingest.trigger\"}, \"action\": {\"error\": \"500\"}}");
    r = api_call(s, "GET", "mt-ep", "XDM1", 123456789, 1);
    CHECK(r.status == 404 && r.body && strstr(r.body, "unknown_request"), "status call: %ld %s",
          r.status, r.body);
    response_free(&r);
    r = api_call(s, "POST", "mt-ep", "XDM1", 0, 1);
    CHECK_EXACT(&r, 500, BODY_500);
    response_free(&r);
    ADD_FAULT(s, "{\"id\": \"m-status\", \"match\": {\"tenant\": \"mt-ep2\", \"endpoint\": "
                 "\"ingest.status\"}, \"action\": {\"error\": \"503\"}}");
    r = api_call(s, "POST", "mt-ep2", "XDM1", 0, 1);
    CHECK_INT(r.status, 200);
    response_free(&r);
    r = api_call(s, "GET", "mt-ep2", "XDM1", 1, 1);
    CHECK_EXACT(&r, 503, BODY_503);
    response_free(&r);

    /* endpoint ims.token: both IMS routes, and no Campaign route */
    ADD_FAULT(s, "{\"id\": \"m-ims\", \"match\": {\"endpoint\": \"ims.token\"}, \"action\": "
                 "{\"error\": \"503\"}}");
    char url[256];
    snprintf(url, sizeof(url), "%s/ims/token/v3", s->base);
    http_call(&r, "POST", url, "", 0, NO_HEADERS);
    CHECK_EXACT(&r, 503, BODY_503);
    response_free(&r);
    snprintf(url, sizeof(url), "%s/ims/exchange/jwt", s->base);
    http_call(&r, "POST", url, "", 0, NO_HEADERS);
    CHECK_EXACT(&r, 503, BODY_503);
    response_free(&r);
    CHECK_COUNTERS(s, "m-ims", 2, 2, -1);
    CHECK_INT(post_status(s, "mt-ims", "XDM1"), 200);
    CHECK_COUNTERS(s, "m-ims", 2, 2, -1);

    /* tenant */
    ADD_FAULT(s, "{\"id\": \"m-tenant\", \"match\": {\"tenant\": \"mt-a\"}, \"action\": "
                 "{\"error\": \"500\"}}");
    CHECK_INT(post_status(s, "mt-b", "XDM1"), 200);
    CHECK_INT(post_status(s, "mt-a", "XDM1"), 500);
    CHECK_COUNTERS(s, "m-tenant", 1, 1, -1);

    /* mapping: only XDM2 of the tenant */
    r = mock_call(s, "PUT", "/_mock/tenants/mt-map/mappings/XDM2",
                  "{\"id\": \"XDM2\", \"published\": true, \"started\": false}");
    CHECK_INT(r.status, 201);
    response_free(&r);
    ADD_FAULT(s, "{\"id\": \"m-mapping\", \"match\": {\"tenant\": \"mt-map\", \"mapping\": "
                 "\"XDM2\"}, \"action\": {\"error\": \"429050\"}}");
    CHECK_INT(post_status(s, "mt-map", "XDM1"), 200);
    CHECK_INT(post_status(s, "mt-map", "XDM2"), 429);
    /* Faults come before the mapping lookup too. */
    r = api_call(s, "POST", "mt-map", "XDM3", 0, 1);
    CHECK(r.status == 404 && r.body && strstr(r.body, "unknown_mapping"), "XDM3: %ld %s", r.status,
          r.body);
    response_free(&r);
    CHECK_COUNTERS(s, "m-mapping", 1, 1, -1);

    /* Control routes are never faulted, even by a rule matching everything. */
    ADD_FAULT(s, "{\"id\": \"m-all\", \"action\": {\"error\": \"500\"}}");
    CHECK_HEALTHY(s);
    r = mock_call(s, "GET", "/_mock/clock", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
    CHECK_INT(post_status(s, "mt-other", "XDM1"), 500);
    CLEAR_FAULTS(s, 7);
}

static void test_order(const struct server *s)
{
    /* Two matching rules: the first added applies; the second is not even reached. */
    ADD_FAULT(s, "[{\"id\": \"o-first\", \"match\": {\"tenant\": \"ord\"}, \"action\": "
                 "{\"error\": \"500\"}}, {\"id\": \"o-second\", \"match\": {\"tenant\": "
                 "\"ord\"}, \"action\": {\"error\": \"503\"}}]");
    CHECK_INT(post_status(s, "ord", "XDM1"), 500);
    CHECK_COUNTERS(s, "o-first", 1, 1, -1);
    CHECK_COUNTERS(s, "o-second", 0, 0, -1);
    struct response r = mock_call(s, "DELETE", "/_mock/faults/o-first", NULL);
    CHECK(r.status == 200 && r.body && strcmp(r.body, "{\"deleted\":\"o-first\"}") == 0,
          "DELETE one: %ld %s", r.status, r.body);
    response_free(&r);
    CHECK_INT(post_status(s, "ord", "XDM1"), 503);
    r = mock_call(s, "DELETE", "/_mock/faults/o-first", NULL);
    CHECK_ERROR(&r, 404, "unknown_fault", "o-first");
    response_free(&r);
    CLEAR_FAULTS(s, 1);

    /* A first rule that matches but does not apply (after) lets the next one apply. */
    ADD_FAULT(s, "{\"id\": \"o-later\", \"match\": {\"tenant\": \"ord2\"}, \"action\": "
                 "{\"error\": \"500\"}, \"after\": 1}");
    ADD_FAULT(s, "{\"id\": \"o-always\", \"match\": {\"tenant\": \"ord2\"}, \"action\": "
                 "{\"error\": \"503\"}}");
    CHECK_INT(post_status(s, "ord2", "XDM1"), 503);
    CHECK_INT(post_status(s, "ord2", "XDM1"), 500);
    CHECK_INT(post_status(s, "ord2", "XDM1"), 500);
    CHECK_COUNTERS(s, "o-later", 2, 3, -1);
    CHECK_COUNTERS(s, "o-always", 1, 1, -1);
    cJSON *j = journal_of(s, "ord2");
    CHECK_JOURNAL(j, 0, 503, "o-always");
    CHECK_JOURNAL(j, 1, 500, "o-later");
    CHECK_JOURNAL(j, 2, 500, "o-later");
    cJSON_Delete(j);
    CLEAR_FAULTS(s, 2);
}

/* --- control API: listing, naming, validation ------------------------------------------ */

static void test_control(const struct server *s)
{
    struct response r = mock_call(s, "GET", "/_mock/faults", NULL);
    CHECK(r.status == 200 && r.body && strcmp(r.body, "{\"faults\":[]}") == 0, "empty list: %s",
          r.body);
    response_free(&r);

    /* One rule: 201 with the rule as listed. */
    r = mock_call(s, "POST", "/_mock/faults",
                  "{\"id\": \"one\", \"match\": {\"endpoint\": \"ingest.status\", \"tenant\": "
                  "\"ctl\"}, \"action\": {\"error\": \"500\"}, \"times\": 4}");
    CHECK_INT(r.status, 201);
    cJSON *doc = response_json(&r);
    CHECK_STR(json_str(doc, "id"), "one");
    CHECK_STR(json_str(doc, "match.endpoint"), "ingest.status");
    CHECK_STR(json_str(doc, "action.error"), "500");
    CHECK_INT(json_int(doc, "times"), 4);
    CHECK_INT(json_int(doc, "hits"), 0);
    CHECK_INT(json_int(doc, "seen"), 0);
    CHECK_INT(json_int(doc, "remaining"), 4);
    CHECK(json_int(doc, "createdMs") > 0, "createdMs");
    cJSON_Delete(doc);
    response_free(&r);

    /* Unnamed rules get the first free "fault-N"; an array answers {"faults": [...]}. */
    r = mock_call(s, "POST", "/_mock/faults",
                  "[{\"match\": {\"tenant\": \"ctl\"}, \"action\": {\"error\": \"502\"}}, "
                  "{\"match\": {\"tenant\": \"ctl\"}, \"action\": {\"delayMs\": [1, 2]}}]");
    CHECK_INT(r.status, 201);
    doc = response_json(&r);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "faults")), 2);
    CHECK_STR(json_str(doc, "faults[0].id"), "fault-1");
    CHECK_STR(json_str(doc, "faults[1].id"), "fault-2");
    CHECK(cJSON_IsNull(json_at(doc, "faults[0].remaining")), "remaining not null");
    cJSON_Delete(doc);
    response_free(&r);
    CHECK_INT(rules_listed(s), 3);
    /* "First free": a gap left by a deleted rule is filled first. */
    r = mock_call(s, "DELETE", "/_mock/faults/fault-1", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
    r = mock_call(s, "POST", "/_mock/faults",
                  "{\"match\": {\"tenant\": \"ctl\"}, "
                  "\"action\": {\"transport\": \"empty\"}}");
    doc = response_json(&r);
    CHECK(r.status == 201 && json_str(doc, "id") && strcmp(json_str(doc, "id"), "fault-1") == 0,
          "refilled name: %ld %s", r.status, r.body);
    cJSON_Delete(doc);
    response_free(&r);
    CHECK_INT(rules_listed(s), 3);

    /* Listing order is the order of addition. */
    r = mock_call(s, "GET", "/_mock/faults", NULL);
    doc = response_json(&r);
    CHECK_STR(json_str(doc, "faults[0].id"), "one");
    CHECK_STR(json_str(doc, "faults[1].id"), "fault-2");
    CHECK_STR(json_str(doc, "faults[2].id"), "fault-1");
    /* A listed rule can be posted again (read-only members dropped) under a new id. */
    cJSON *copy = cJSON_Duplicate(json_at(doc, "faults[0]"), 1);
    cJSON_ReplaceItemInObjectCaseSensitive(copy, "id", cJSON_CreateString("one-again"));
    char *text = cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    cJSON_Delete(doc);
    response_free(&r);
    r = mock_call(s, "POST", "/_mock/faults", text);
    CHECK(r.status == 201, "re-posting a listed rule: %ld %s", r.status, r.body);
    free(text);
    response_free(&r);

    /* Duplicate ids: 409, nothing added (also within one array). */
    r = mock_call(s, "POST", "/_mock/faults",
                  "{\"id\": \"one\", \"action\": {\"error\": \"500\"}}");
    CHECK_ERROR(&r, 409, "conflict", "one");
    response_free(&r);
    r = mock_call(s, "POST", "/_mock/faults",
                  "[{\"id\": \"dup-new\", \"action\": {\"error\": \"500\"}}, {\"id\": \"dup-new\", "
                  "\"action\": {\"error\": \"503\"}}]");
    CHECK_ERROR(&r, 409, "conflict", "[1].id: a rule \"dup-new\" exists already");
    response_free(&r);
    r = mock_call(s, "POST", "/_mock/faults",
                  "[{\"id\": \"dup-other\", \"action\": {\"error\": \"500\"}}, {\"id\": \"one\", "
                  "\"action\": {\"error\": \"503\"}}]");
    CHECK_ERROR(&r, 409, "conflict", "[1].id: a rule \"one\" exists already");
    response_free(&r);
    CHECK_INT(rules_listed(s), 4);

    /* Bad rules: 400 invalid_field naming the field; nothing added. */
    static const struct {
        const char *body, *part;
    } bad[] = {
        {"{\"match\": {\"endpoint\": \"ingest.poll\"}, \"action\": {\"error\": \"500\"}}",
         "match.endpoint"},
        {"{\"action\": {\"error\": \"404\"}}", "action.error"},
        {"{\"action\": {\"error\": 500}}", "action.error"},
        {"{\"action\": {\"error\": \"500\", \"transport\": \"reset\"}}", "action: give one of"},
        {"{\"action\": {\"status\": 200, \"transport\": \"empty\"}}", "action: give one of"},
        {"{\"action\": {\"delayMs\": 700000}}", "action.delayMs"},
        {"{\"action\": {\"delayMs\": [500, 100]}}", "action.delayMs"},
        {"{\"action\": {\"delayMs\": -1}}", "action.delayMs"},
        {"{\"action\": {\"error\": \"500\"}, \"probability\": 2}", "probability"},
        {"{\"action\": {\"error\": \"500\"}, \"probability\": -0.1}", "probability"},
        {"{\"action\": {\"error\": \"500\"}, \"window\": {\"startMs\": 100, \"endMs\": 100}}",
         "window"},
        {"{\"action\": {\"error\": \"500\"}, \"window\": {\"startMs\": 200, \"endMs\": 100}}",
         "window"},
        {"{\"action\": {\"error\": \"500\"}, \"bogus\": 1}", "bogus: unknown field"},
        {"{\"action\": {\"error\": \"500\", \"bogus\": 1}}", "action.bogus: unknown field"},
        {"{\"match\": {\"path\": \"/x\"}, \"action\": {\"error\": \"500\"}}",
         "match.path: unknown field"},
        {"{\"action\": {\"transport\": \"slow\"}}", "action.transport"},
        {"{\"match\": {\"method\": \"get\"}, \"action\": {\"error\": \"500\"}}", "match.method"},
        {"{\"match\": {\"tenant\": \"\"}, \"action\": {\"error\": \"500\"}}", "match.tenant"},
        {"{\"match\": {\"mapping\": 5}, \"action\": {\"error\": \"500\"}}", "match.mapping"},
        {"{\"match\": [], \"action\": {\"error\": \"500\"}}", "match"},
        {"{\"action\": {\"status\": 200, \"headers\": {\"X-A\": \"a\\r\\nX-B: b\"}}}",
         "action.headers.X-A"},
        {"{\"action\": {\"status\": 200, \"headers\": {\"Bad Name\": \"x\"}}}",
         "action.headers.Bad Name"},
        {"{\"action\": {\"error\": \"500\"}, \"probability\": \"0.5\"}", "probability"},
        {"{\"action\": {\"status\": 99}}", "action.status"},
        /* A 1xx is no final answer: the client would wait (100) or be stuck (101). */
        {"{\"action\": {\"status\": 100}}", "action.status: must be an HTTP status from 200"},
        {"{\"action\": {\"status\": 101, \"body\": \"x\"}}", "action.status"},
        {"{\"action\": {\"status\": 600}}", "action.status"},
        {"{\"action\": {\"status\": 200.5}}", "action.status"},
        {"{\"action\": {\"error\": \"500\", \"body\": \"x\"}}", "action.body: goes with status"},
        {"{\"action\": {}}", "action"},
        {"{\"match\": {\"tenant\": \"ctl\"}}", "action: missing"},
        {"{\"action\": {\"error\": \"500\"}, \"times\": -1}", "times"},
        {"{\"action\": {\"error\": \"500\"}, \"after\": 1.5}", "after"},
        {"{\"id\": \"has space\", \"action\": {\"error\": \"500\"}}", "id"},
        {"[{\"id\": \"ok-first\", \"action\": {\"error\": \"500\"}}, {\"action\": {\"error\": "
         "\"404\"}}]",
         "[1].action.error"},
        {"\"a rule\"", "array of rules"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = mock_call(s, "POST", "/_mock/faults", bad[i].body);
        /* Rule validation lists every problem; shape errors have one message. */
        check_error_at(__FILE__, __LINE__, &r, 400, "invalid_field", bad[i].part, PROBLEMS_ALLOWED,
                       bad[i].part);
        if (r.status != 400)
            fprintf(stderr, "  (rule %zu: %s)\n", i, bad[i].body);
        response_free(&r);
    }
    CHECK_INT(rules_listed(s), 4);
    CLEAR_FAULTS(s, 4);
    CLEAR_FAULTS(s, 0);
}

/* --- journal and metrics ------------------------------------------------------------- */

static void test_journal_metrics(const struct server *s)
{
    long long applied = mock_metric(s, "campaign_mock_faults_applied_total");
    CHECK(applied >= 0, "metric campaign_mock_faults_applied_total missing");
    ADD_FAULT(s, "{\"id\": \"j-reset\", \"match\": {\"tenant\": \"jr\"}, \"action\": "
                 "{\"transport\": \"reset\"}, \"times\": 1}");
    ADD_FAULT(s, "{\"id\": \"j-empty\", \"match\": {\"tenant\": \"jr\"}, \"action\": "
                 "{\"transport\": \"empty\"}, \"times\": 1}");
    ADD_FAULT(s, "{\"id\": \"j-503\", \"match\": {\"tenant\": \"jr\"}, \"action\": {\"error\": "
                 "\"503\"}, \"times\": 2}");
    ADD_FAULT(s, "{\"id\": \"j-delay\", \"match\": {\"tenant\": \"jr\"}, \"action\": "
                 "{\"delayMs\": 1}, \"times\": 1}");
    char err[HTTP_ERRBUF_SIZE];
    static const int codes[] = {CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_OK,
                                CURLE_OK,         CURLE_OK,          CURLE_OK};
    static const long statuses[] = {0, 0, 503, 503, 200, 200};
    for (int i = 0; i < 6; i++) {
        struct response r = raw_call(s, err, "POST", "jr", 0, 10000);
        CHECK(r.curl_code == codes[i] && r.status == statuses[i], "call %d: %d %ld (%s)", i,
              r.curl_code, r.status, err);
        response_free(&r);
    }
    cJSON *j = journal_of(s, "jr");
    CHECK_INT(cJSON_GetArraySize(json_at(j, "entries")), 6);
    CHECK_JOURNAL(j, 0, 0, "j-reset");
    CHECK_JOURNAL(j, 1, 0, "j-empty");
    CHECK_JOURNAL(j, 2, 503, "j-503");
    CHECK_STR(json_str(j, "entries[2].responseBody"), BODY_503);
    CHECK_JOURNAL(j, 3, 503, "j-503");
    CHECK_JOURNAL(j, 4, 200, "j-delay"); /* a delay applies, the handler answers */
    CHECK(
        strstr(json_str(j, "entries[4].responseBody") ? json_str(j, "entries[4].responseBody") : "",
               "submitted successfully"),
        "delayed call's response body: %s", json_str(j, "entries[4].responseBody"));
    CHECK_JOURNAL(j, 5, 200, NULL);
    /* Which transport each answer took: the rule's, else normal (a delay is normal). */
    static const char *const transports[] = {"reset",  "empty",  "normal",
                                             "normal", "normal", "normal"};
    for (int i = 0; i < 6; i++) {
        char path[64];
        snprintf(path, sizeof(path), "entries[%d].transport", i);
        CHECK_STR(json_str(j, path), transports[i]);
        snprintf(path, sizeof(path), "entries[%d].scheme", i);
        CHECK_STR(json_str(j, path), "http");
    }
    cJSON_Delete(j);
    /* seen: every call reached the first rule, each applied rule stops the others. */
    CHECK_COUNTERS(s, "j-reset", 1, 6, 0);
    CHECK_COUNTERS(s, "j-empty", 1, 5, 0);
    CHECK_COUNTERS(s, "j-503", 2, 4, 0);
    CHECK_COUNTERS(s, "j-delay", 1, 2, 0);
    CHECK_INT(mock_metric(s, "campaign_mock_faults_applied_total"), applied + 5);
    /* A filter by status finds the faulted answers. */
    struct response r = mock_call(s, "GET", "/_mock/journal/count?tenant=jr&status=503", NULL);
    CHECK_STR(r.body, "{\"count\":2}");
    response_free(&r);
    /* status=0 selects the broken transports (reset, empty), and only them. */
    r = mock_call(s, "GET", "/_mock/journal/count?tenant=jr&status=0", NULL);
    CHECK_STR(r.body, "{\"count\":2}");
    response_free(&r);
    r = mock_call(s, "GET", "/_mock/journal/count?status=99", NULL);
    CHECK_INT(r.status, 400);
    response_free(&r);
    CLEAR_FAULTS(s, 4);
}

/* --- probability ---------------------------------------------------------------------- */

/* 40 triggers under a probability 0.5 rule on a fresh server with --seed seed: the
 * applied (1) / not (0) sequence. The rule's hits must equal the number of 1s. */
static void probability_run(const char *seed, char out[41])
{
    struct server s;
    const char *args[] = {"--seed", seed, "--clock", "manual", NULL};
    memset(out, 0, 41);
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    ADD_FAULT(&s, "{\"id\": \"coin\", \"match\": {\"tenant\": \"prob\", \"endpoint\": "
                  "\"ingest.trigger\"}, \"action\": {\"error\": \"503\"}, \"probability\": 0.5}");
    int ones = 0;
    for (int i = 0; i < 40; i++) {
        long st = post_status(&s, "prob", "XDM1");
        CHECK(st == 503 || st == 200, "call %d: %ld", i, st);
        out[i] = st == 503 ? '1' : '0';
        ones += st == 503;
    }
    CHECK_COUNTERS(&s, "coin", ones, 40, -1);
    CHECK_INT(server_stop(&s), 0);
}

static int count_ones(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '1';
    return n;
}

static void test_probability(void)
{
    char a[41], b[41], c[41];
    probability_run("12345", a);
    probability_run("12345", b);
    probability_run("54321", c);
    CHECK(strcmp(a, b) == 0, "same seed, different decisions:\n  %s\n  %s", a, b);
    CHECK(strcmp(a, c) != 0, "another seed, same decisions: %s", a);
    /* Fair enough to be a coin: both outcomes show up. */
    CHECK(strchr(a, '0') && strchr(a, '1'), "seed 12345: %s", a);
    CHECK(strchr(c, '0') && strchr(c, '1'), "seed 54321: %s", c);
    printf("seed 12345: %s\nseed 54321: %s\n", a, c);

    /* The generator state is kept with the rules: 20 calls, a restart on the same
     * database file, 20 more make the same 40 decisions as one run. */
    char d[41] = "";
    struct server first;
    char db[400];
    const char *dargs[] = {"--seed", "12345", "--clock", "manual", "--db", db, NULL};
    char tmpl[] = "/tmp/campaign-mock-faults-XXXXXX";
    const char *dir = mkdtemp(tmpl);
    snprintf(db, sizeof(db), "%s/state.db", dir ? dir : "/tmp");
    if (dir && server_start(&first, dir, dargs) == 0) {
        ADD_FAULT(&first, "{\"id\": \"coin\", \"match\": {\"tenant\": \"prob\", \"endpoint\": "
                          "\"ingest.trigger\"}, \"action\": {\"error\": \"503\"}, \"probability\": "
                          "0.5}");
        for (int i = 0; i < 20; i++)
            d[i] = post_status(&first, "prob", "XDM1") == 503 ? '1' : '0';
        CHECK_INT(server_stop(&first), 0);
        struct server second;
        if (server_start(&second, dir, dargs) == 0) {
            for (int i = 20; i < 40; i++)
                d[i] = post_status(&second, "prob", "XDM1") == 503 ? '1' : '0';
            CHECK_COUNTERS(&second, "coin", count_ones(d), 40, -1);
            CHECK_INT(server_stop(&second), 0);
        } else {
            CHECK(0, "restart on %s failed", db);
        }
    } else {
        CHECK(0, "server with --db %s did not start", db);
    }
    CHECK(strcmp(a, d) == 0, "a restart changed the decisions:\n  %s\n  %s", a, d);
    static const char *const leftovers[] = {"state.db",         "state.db-wal", "state.db-shm",
                                            "state.db-journal", "port",         "server.log"};
    for (size_t i = 0; dir && i < sizeof(leftovers) / sizeof(leftovers[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, leftovers[i]);
        unlink(path);
    }
    if (dir)
        rmdir(dir);

    /* probability 0 and 1 on one server. */
    struct server s;
    const char *args[] = {"--seed", "1", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    ADD_FAULT(&s, "[{\"id\": \"p0\", \"match\": {\"tenant\": \"p0\"}, \"action\": {\"error\": "
                  "\"500\"}, \"probability\": 0}, {\"id\": \"p1\", \"match\": {\"tenant\": "
                  "\"p1\"}, \"action\": {\"error\": \"500\"}, \"probability\": 1}]");
    for (int i = 0; i < 10; i++) {
        CHECK_INT(post_status(&s, "p0", "XDM1"), 200);
        CHECK_INT(post_status(&s, "p1", "XDM1"), 500);
    }
    CHECK_COUNTERS(&s, "p0", 0, 10, -1);
    CHECK_COUNTERS(&s, "p1", 10, 10, -1);
    CHECK_INT(server_stop(&s), 0);
}

/* --- fixture files --------------------------------------------------------------------- */

static void test_fixture_faults(void)
{
    struct server s;
    const char *args[] = {"--fixtures", source_path("tests/http/fixtures/faults-rules.json"),
                          "--clock", "manual", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start with faults-rules.json");
        return;
    }
    struct response r = mock_call(&s, "GET", "/_mock/faults", NULL);
    cJSON *doc = response_json(&r);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "faults")), 3);
    CHECK_STR(json_str(doc, "faults[0].id"), "fx-first-trigger");
    CHECK_STR(json_str(doc, "faults[1].id"), "fx-second-poll");
    CHECK_STR(json_str(doc, "faults[2].id"), "fx-first-minute");
    /* Fixture rules are created when the server starts, on the server clock. */
    for (int i = 0; i < 3; i++) {
        char path[32];
        snprintf(path, sizeof(path), "faults[%d].createdMs", i);
        CHECK(json_int(doc, path) == MANUAL_START_MS, "%s: %lld, expected %lld", path,
              json_int(doc, path), MANUAL_START_MS);
    }
    cJSON_Delete(doc);
    response_free(&r);
    /* So a window counts from the start: in the first minute, and not after it. */
    r = api_call(&s, "POST", "fxw", "FX1", 0, 1);
    CHECK_EXACT(&r, 502, BODY_502);
    response_free(&r);
    r = mock_call(&s, "POST", "/_mock/clock", "{\"advanceMs\": 60000}");
    response_free(&r);
    CHECK_INT(post_status(&s, "fxw", "FX1"), 200);
    CHECK_COUNTERS(&s, "fx-first-minute", 1, 2, -1);
    CHECK_COUNTERS(&s, "fx-first-trigger", 0, 0, 1);
    CHECK_COUNTERS(&s, "fx-second-poll", 0, 0, 1);

    r = api_call(&s, "POST", "fx", "FX1", 0, 1);
    CHECK_EXACT(&r, 503, BODY_503);
    response_free(&r);
    r = api_call(&s, "POST", "fx", "FX1", 0, 1);
    long long id = body_request_id(r.body);
    CHECK(r.status == 200 && id > 0, "second trigger: %ld %s", r.status, r.body);
    response_free(&r);
    char e[512], v[64];
    r = api_call(&s, "GET", "fx", "FX1", id, 1); /* after 1: this poll passes */
    CHECK_EXACT(&r, 200, acs_in_progress(e, sizeof(e), id, "FX1"));
    response_free(&r);
    r = api_call(&s, "GET", "fx", "FX1", id, 1);
    CHECK_EXACT(&r, 418, "{\"brewing\":true}");
    CHECK_STR(response_header(&r, "X-Fixture", v, sizeof(v)), "fx");
    response_free(&r);
    CHECK_COUNTERS(&s, "fx-first-trigger", 1, 2, 0);
    CHECK_COUNTERS(&s, "fx-second-poll", 1, 2, 0);

    /* POST /_mock/reset: the fixture rules again, fresh, created now; added ones gone. */
    ADD_FAULT(&s, "{\"id\": \"runtime\", \"action\": {\"error\": \"500\"}}");
    r = mock_call(&s, "POST", "/_mock/clock", "{\"advanceMs\": 5000}");
    response_free(&r);
    r = mock_call(&s, "POST", "/_mock/reset", NULL);
    CHECK(r.status == 200, "reset: %ld %s", r.status, r.body);
    response_free(&r);
    CHECK_INT(rules_listed(&s), 3);
    CHECK_COUNTERS(&s, "fx-first-trigger", 0, 0, 1);
    CHECK_COUNTERS(&s, "fx-second-poll", 0, 0, 1);
    cJSON *rule = listed_rule(&s, "fx-first-trigger");
    CHECK_INT(json_int(rule, "createdMs"), MANUAL_START_MS + 65000);
    cJSON_Delete(rule);
    r = api_call(&s, "POST", "fx", "FX1", 0, 0);
    CHECK_EXACT(&r, 503, BODY_503);
    response_free(&r);
    CHECK_INT(post_status(&s, "fxw", "FX1"), 502); /* a new first minute */
    CHECK_INT(server_stop(&s), 0);

    /* A bad fixture: `check` names each problem, and the server refuses to start. */
    const char *bad = source_path("tests/http/fixtures/faults-bad.json");
    char *out = NULL, *err = NULL;
    const char *check_args[] = {"check", bad, NULL};
    int rc = run_binary_split(check_args, &out, &err, 10000);
    CHECK_INT(rc, 1);
    char *all = malloc(strlen(out ? out : "") + strlen(err ? err : "") + 1);
    snprintf(all, strlen(out ? out : "") + strlen(err ? err : "") + 1, "%s%s", out ? out : "",
             err ? err : "");
    static const char *const lines[] = {
        "faults[0].action.error: must be one of \"401013\", \"403003\", \"403023\", \"429050\", "
        "\"500\", \"502\", \"503\"\n",
        "faults[1].match.endpoint: must be one of ingest.trigger, ingest.status, ims.token, "
        "any\n",
        "faults[2].action: give one of error, status, transport",
        "faults[3].action.delayMs: must be milliseconds from 0 to 600000",
        "faults[3].id: missing\n",
        "faults[4].probability: must be a number from 0 to 1\n",
        "faults[5].window: needs integers startMs < endMs",
        "faults[6].extra: unknown field\n",
        "faults[6].id: duplicate id \"bad-error\"",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        char want[600];
        snprintf(want, sizeof(want), "%s: %s", bad, lines[i]);
        int at_line_start = 0;
        const char *p = strstr(all, want);
        at_line_start = p && (p == all || p[-1] == '\n');
        CHECK(at_line_start, "check output lacks the line \"%s\":\n%s", want, all);
    }
    free(all);
    free(out);
    free(err);
    const char *serve_args[] = {"--port", "0", "--fixtures", bad, NULL};
    rc = run_binary_split(serve_args, &out, &err, 10000);
    CHECK(rc != 0 && rc != -1, "a server with a bad fault fixture: exit %d", rc);
    CHECK(err && strstr(err, "faults[0].action.error: must be one of"),
          "start refusal does not name the problem:\n%s", err ? err : "");
    free(out);
    free(err);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct server s;
    const char *args[] = {"--clock", "manual", "--seed", "7", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    test_control(&s);
    test_gateway_errors(&s);
    test_custom(&s);
    test_transports(&s);
    test_times_after(&s);
    test_window(&s);
    test_matching(&s);
    test_order(&s);
    test_journal_metrics(&s);
    CHECK_INT(server_stop(&s), 0);

    test_probability();
    test_fixture_faults();
    curl_global_cleanup();
    return test_report();
}
