/*
 * Long control reads are read a page per transaction (CTL_PAGE_ROWS rows, 256): the
 * journal, a tenant's snapshot and its request list must come back whole, in order,
 * each item once, whatever their length against the page size; a journal limit takes
 * exactly the newest entries. The journal and the snapshot are streamed (sent a page at
 * a time as they are read, chunked), so that memory holds one page whatever the total;
 * a mapping read counts its requests rather than listing them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "harness.h"

/* Past two pages, not a multiple of the page size. */
#define TRIGGERS 600

/* Checks that arr holds n objects whose member `key` rises by one from first. */
static void check_ascending(const cJSON *arr, const char *key, long long first, int n,
                            const char *what)
{
    CHECK(cJSON_IsArray(arr), "%s: not an array", what);
    CHECK_INT(cJSON_GetArraySize(arr), n);
    long long want = first;
    int i = 0, order_ok = 1;
    for (const cJSON *o = arr ? arr->child : NULL; o; o = o->next, i++, want++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        if (!cJSON_IsNumber(v) || (long long)v->valuedouble != want) {
            order_ok = 0;
            fprintf(stderr, "  %s[%d].%s: expected %lld\n", what, i, key, want);
            break;
        }
    }
    CHECK(order_ok, "%s: %s not contiguous and rising from %lld", what, key, first);
}

static cJSON *get_json(const struct server *s, const char *path)
{
    struct response r = mock_call(s, "GET", path, NULL);
    CHECK_INT(r.status, 200);
    cJSON *doc = response_json(&r);
    CHECK(doc != NULL, "%s: not JSON: %.200s", path, r.body ? r.body : "");
    response_free(&r);
    return doc;
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
    /* A mapping whose requests succeed at once: every trigger makes a new request. */
    struct response r = mock_call(&s, "PUT", "/_mock/tenants/pages/mappings/NOW",
                                  "{\"id\":\"NOW\",\"published\":true,\"started\":false,"
                                  "\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":0}}");
    CHECK_INT(r.status, 201);
    response_free(&r);
    long long first_id = -1, last_id = -1;
    int ok = 1;
    for (int i = 0; i < TRIGGERS && ok; i++) {
        trigger(&r, &s, "pages", "NOW");
        long long id = body_request_id(r.body);
        ok = r.status == 200 && id > 0 && strstr(r.body, "submitted successfully");
        if (first_id < 0)
            first_id = id;
        last_id = id;
        response_free(&r);
    }
    CHECK(ok, "every trigger made a new request");
    CHECK_INT(last_id - first_id + 1, TRIGGERS);

    /* The journal: all of the tenant's entries, oldest first, ids contiguous. */
    cJSON *all = get_json(&s, "/_mock/journal?tenant=pages");
    const cJSON *entries = json_at(all, "entries");
    long long j_first = json_int(all, "entries[0].id");
    check_ascending(entries, "id", j_first, TRIGGERS, "journal");
    CHECK_INT(json_int(all, "entries[0].requestId"), first_id);
    CHECK_INT(json_int(all, "entries[599].requestId"), last_id);
    cJSON_Delete(all);

    /* Limits below, at and above the page size take exactly the newest entries. */
    static const int limits[] = {1, 255, 256, 257, 512, 599, 600, 601};
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        char path[128], what[64];
        snprintf(path, sizeof(path), "/_mock/journal?tenant=pages&limit=%d", limits[i]);
        snprintf(what, sizeof(what), "journal limit=%d", limits[i]);
        cJSON *doc = get_json(&s, path);
        int n = limits[i] < TRIGGERS ? limits[i] : TRIGGERS;
        check_ascending(json_at(doc, "entries"), "id", j_first + TRIGGERS - n, n, what);
        CHECK_INT(json_int(doc, "evicted"), 0);
        cJSON_Delete(doc);
    }
    /* A filter that matches nothing, and one that matches every entry. */
    cJSON *none = get_json(&s, "/_mock/journal?tenant=pages&method=DELETE");
    CHECK_INT(cJSON_GetArraySize(json_at(none, "entries")), 0);
    cJSON_Delete(none);
    cJSON *posts = get_json(&s, "/_mock/journal?tenant=pages&method=POST&status=200&limit=300");
    check_ascending(json_at(posts, "entries"), "id", j_first + TRIGGERS - 300, 300,
                    "journal POST 200 limit=300");
    cJSON_Delete(posts);

    /* The snapshot: every request once, in id order. */
    cJSON *snap = get_json(&s, "/_mock/tenants/pages/snapshot");
    check_ascending(json_at(snap, "requests"), "requestId", first_id, TRIGGERS, "snapshot");
    /* The template's XDM1 and NOW. */
    CHECK_INT(cJSON_GetArraySize(json_at(snap, "mappings")), 2);
    cJSON_Delete(snap);

    /* Both exports come chunked, without a length: streamed, never whole in memory. */
    static const char *const streamed[] = {"/_mock/journal", "/_mock/journal?limit=5",
                                           "/_mock/tenants/pages/snapshot"};
    for (size_t i = 0; i < sizeof(streamed) / sizeof(streamed[0]); i++) {
        struct response st = mock_call(&s, "GET", streamed[i], NULL);
        char buf[64];
        CHECK_STR(response_header(&st, "Transfer-Encoding", buf, sizeof(buf)), "chunked");
        CHECK(response_header(&st, "Content-Length", buf, sizeof(buf)) == NULL,
              "%s: a Content-Length on a streamed answer", streamed[i]);
        response_free(&st);
    }
    /* A refused export is a normal answer, whole. */
    CHECK_CALL(&s, "GET", "/_mock/journal?limit=x", NULL, 400, NULL);
    CHECK_CALL(&s, "GET", "/_mock/tenants/no%20such/snapshot", NULL, 404, NULL);

    /* The request list, whole, by mapping, and by status after the refresh of reads. */
    cJSON *list = get_json(&s, "/_mock/tenants/pages/requests");
    check_ascending(json_at(list, "requests"), "requestId", first_id, TRIGGERS, "requests");
    cJSON_Delete(list);
    list = get_json(&s, "/_mock/tenants/pages/requests?mapping=NOW&status=Success");
    check_ascending(json_at(list, "requests"), "requestId", first_id, TRIGGERS, "requests Success");
    cJSON_Delete(list);
    list = get_json(&s, "/_mock/tenants/pages/requests?status=In%20Progress");
    CHECK_INT(cJSON_GetArraySize(json_at(list, "requests")), 0);
    cJSON_Delete(list);
    /* The mapping read (after the list's read finished the last request): counts by
     * status, not 600 ids. */
    cJSON *m = get_json(&s, "/_mock/tenants/pages/mappings/NOW");
    CHECK_INT(json_int(m, "requestCounts.Success"), TRIGGERS);
    CHECK_INT(json_int(m, "requestCounts.In Progress"), 0);
    CHECK(json_at(m, "requests") == NULL, "a mapping read lists no ids");
    cJSON_Delete(m);

    /* A misspelt filter is refused, not ignored (it would read everything). */
    CHECK_CALL(&s, "GET", "/_mock/journal/count?tennant=pages", NULL, 400,
               "{\"code\":400,\"error_code\":\"invalid_field\",\"message\":\"unknown query "
               "parameter \\\"tennant\\\" (it takes tenant, mapping, method, status or limit)\"}");
    CHECK_CALL(&s, "GET", "/_mock/journal?tenant=pages&mapp=NOW", NULL, 400, NULL);
    CHECK_CALL(&s, "GET", "/_mock/tenants/pages/requests?mapp=NOW", NULL, 400,
               "{\"code\":400,\"error_code\":\"invalid_field\",\"message\":\"unknown query "
               "parameter \\\"mapp\\\" (it takes mapping, status, limit or after)\"}");
    CHECK_CALL(&s, "GET", "/_mock/report?sinc=0", NULL, 400,
               "{\"code\":400,\"error_code\":\"invalid_field\",\"message\":\"unknown query "
               "parameter \\\"sinc\\\" (it takes tenant, since or pollIntervalMs)\"}");

    CHECK_INT(server_stop(&s), 0);
    curl_global_cleanup();
    return test_report();
}
