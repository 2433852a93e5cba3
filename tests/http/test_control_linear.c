/*
 * Control calls cost time linear in their input (regression tests). Before the fixes:
 * 3,000 fault rules without an id took cubic time to name (each tried fault-1,
 * fault-2, ... against the whole table: 2,000 rules took over 120 s, the server
 * answering nothing meanwhile); a refusal's problems were appended by reallocating the
 * whole text each time (quadratic: an ASan build froze on a large invalid script); the
 * duplicate checks of fixtures and snapshots compared every id with every earlier one.
 * Each call here must answer within CALL_TIMEOUT_MS, a functional bound that a fixed
 * server meets in well under a second, even under sanitizers (stretched under valgrind,
 * where the 40,000-mapping snapshot alone takes about 25 s).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "harness.h"
#include "jsonw.h"

#define CALL_TIMEOUT_MS 30000
#define RULES           3000
#define STEPS           30000
#define MAPPINGS        40000

static const char *const JSON[] = {"Content-Type: application/json", NULL};

static void call(struct response *r, const struct server *s, const char *method, const char *path,
                 const char *body)
{
    char url[256];
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    long bound = harness_bound(CALL_TIMEOUT_MS);
    int rc = http_call_timed(r, NULL, method, url, body, JSON, bound);
    CHECK(rc == CURLE_OK, "%s %s: no answer within %ld ms (curl %d)", method, path, bound, rc);
}

static void test_unnamed_rules(const struct server *s)
{
    struct jsonw w;
    jsonw_init(&w);
    jsonw_raw(&w, "[");
    for (int i = 0; i < RULES; i++)
        jsonw_rawf(&w,
                   "%s{\"match\":{\"endpoint\":\"ingest.status\",\"tenant\":\"t%d\"},"
                   "\"action\":{\"delayMs\":1}}",
                   i ? "," : "", i);
    jsonw_raw(&w, "]");
    size_t len = 0;
    char *body = jsonw_take(&w, &len);
    struct response r;
    call(&r, s, "POST", "/_mock/faults", body);
    free(body);
    CHECK_INT(r.status, 201);
    cJSON *doc = response_json(&r);
    const cJSON *faults = json_at(doc, "faults");
    CHECK_INT(cJSON_GetArraySize(faults), RULES);
    int named_in_order = 1, n = 1;
    for (const cJSON *f = faults ? faults->child : NULL; f; f = f->next, n++) {
        char want[32];
        snprintf(want, sizeof(want), "fault-%d", n);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
        named_in_order &= cJSON_IsString(id) && strcmp(id->valuestring, want) == 0;
    }
    CHECK(named_in_order, "unnamed rules are fault-1 ... fault-%d in order", RULES);
    cJSON_Delete(doc);
    response_free(&r);

    /* A freed number is taken first; an id given in the same batch is not taken twice. */
    call(&r, s, "DELETE", "/_mock/faults/fault-2", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
    call(&r, s, "POST", "/_mock/faults",
         "[{\"action\":{\"delayMs\":1}},{\"action\":{\"delayMs\":1}},"
         "{\"id\":\"fault-3002\",\"action\":{\"delayMs\":1}},{\"action\":{\"delayMs\":1}}]");
    CHECK_INT(r.status, 201);
    doc = response_json(&r);
    CHECK_STR(json_str(doc, "faults[0].id"), "fault-2");
    CHECK_STR(json_str(doc, "faults[1].id"), "fault-3001");
    CHECK_STR(json_str(doc, "faults[2].id"), "fault-3002");
    CHECK_STR(json_str(doc, "faults[3].id"), "fault-3003");
    CHECK_INT(json_int(doc, "faults[3].hits"), 0);
    cJSON_Delete(doc);
    response_free(&r);
    call(&r, s, "DELETE", "/_mock/faults", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
}

static void test_many_problems(const struct server *s)
{
    struct jsonw w;
    jsonw_init(&w);
    jsonw_raw(&w, "[");
    for (int i = 0; i < STEPS; i++)
        jsonw_rawf(&w, "%s{\"outcome\":\"x\"}", i ? "," : "");
    jsonw_raw(&w, "]");
    size_t len = 0;
    char *body = jsonw_take(&w, &len);
    struct response r;
    call(&r, s, "PUT", "/_mock/tenants/acme/mappings/XDM44/script", body);
    free(body);
    CHECK_ERROR_PROBLEMS(&r, 400, "invalid_field", "script[0].outcome", "script[29999].outcome");
    cJSON *doc = response_json(&r);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "problems")), STEPS);
    cJSON_Delete(doc);
    response_free(&r);
}

static void test_many_mappings(const struct server *s)
{
    struct jsonw w;
    jsonw_init(&w);
    jsonw_raw(&w, "{\"mappings\":[");
    for (int i = 0; i < MAPPINGS; i++)
        jsonw_rawf(&w, "%s{\"id\":\"m%d\"}", i ? "," : "", i);
    jsonw_raw(&w, ",{\"id\":\"m7\"}],\"requests\":[]}");
    size_t len = 0;
    char *body = jsonw_take(&w, &len);
    struct response r;
    call(&r, s, "PUT", "/_mock/tenants/acme/snapshot", body);
    CHECK_ERROR_PROBLEMS(&r, 400, "invalid_field",
                         "mappings[40000].id: duplicate mapping id \"m7\" (also "
                         "tenants.acme.mappings[7])",
                         NULL);
    response_free(&r);
    /* Without the duplicate the same document is taken whole. */
    char *end = strstr(body, ",{\"id\":\"m7\"}]");
    memmove(end, end + strlen(",{\"id\":\"m7\"}"), strlen(end + strlen(",{\"id\":\"m7\"}")) + 1);
    call(&r, s, "PUT", "/_mock/tenants/acme/snapshot", body);
    CHECK_INT(r.status, 200);
    response_free(&r);
    free(body);
    char *state = tenant_state(s, "acme");
    cJSON *doc = cJSON_Parse(state);
    CHECK_INT(cJSON_GetArraySize(json_at(doc, "mappings")), MAPPINGS);
    cJSON_Delete(doc);
    free(state);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    const char *args[] = {"--log-level", "warn", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    test_unnamed_rules(&s);
    test_many_problems(&s);
    test_many_mappings(&s);
    CHECK_INT(server_stop(&s), 0);
    curl_global_cleanup();
    return test_report();
}
