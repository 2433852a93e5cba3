/*
 * Every body Adobe documents for the trigger and status endpoints, byte for byte,
 * from the bundled fixtures (tenant acme, as in Adobe's examples) and from our own
 * fixtures: poll counting, changed records, template tenants, the ways of passing a
 * requestId, and batch ids drawn from --seed.
 */
#include "http/harness.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

/* Status 200, the JSON content type, and exactly these bytes. */
#define CHECK_DOC(r, expected)                                                                     \
    do {                                                                                           \
        CHECK_INT((r)->status, 200);                                                               \
        CHECK(response_is_json(r), "Content-Type of %s", (r)->body);                               \
        CHECK_STR((r)->body, (expected));                                                          \
    } while (0)

static void post_expect(const struct server *s, const char *tenant, const char *mapping,
                        const char *expected)
{
    struct response r;
    trigger(&r, s, tenant, mapping);
    CHECK_DOC(&r, expected);
    response_free(&r);
}

static void poll_expect(const struct server *s, const char *tenant, const char *mapping,
                        long long id, const char *expected)
{
    struct response r;
    poll_status(&r, s, tenant, mapping, id);
    CHECK_DOC(&r, expected);
    response_free(&r);
}

/* GET with a body instead of ?requestId= (the body forms the reference accepts). */
static void poll_body_expect(const struct server *s, const char *tenant, const char *mapping,
                             const char *body, const char *expected)
{
    char url[512];
    struct response r;
    http_call(&r, "GET", ingest_url(s, tenant, mapping, url, sizeof(url)), body, -1, AUTH_HEADERS);
    CHECK_DOC(&r, expected);
    response_free(&r);
}

/* Adobe's own example values: tenant acme, request ids from 3520. */
static void test_bundled(void)
{
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512];
    post_expect(&s, "acme", "XDM44", acs_submitted(e, sizeof(e), 3520, "XDM44"));
    /* A second trigger while the first runs names the running request. */
    post_expect(&s, "acme", "XDM44", acs_already(e, sizeof(e), 3520, "XDM44"));
    poll_expect(&s, "acme", "XDM44", 3520, acs_in_progress(e, sizeof(e), 3520, "XDM44"));
    poll_expect(&s, "acme", "XDM44", 3520, acs_success(e, sizeof(e), 3520, "XDM44", 15));
    /* A finished request keeps answering its outcome. */
    poll_expect(&s, "acme", "XDM44", 3520, acs_success(e, sizeof(e), 3520, "XDM44", 15));

    post_expect(&s, "acme", "XDM95", acs_submitted(e, sizeof(e), 3521, "XDM95"));
    poll_expect(&s, "acme", "XDM95", 3521, acs_in_progress(e, sizeof(e), 3521, "XDM95"));
    poll_expect(&s, "acme", "XDM95", 3521, acs_failed_fetch(e, sizeof(e), 3521, "XDM95"));

    post_expect(&s, "acme", "XDM96", acs_submitted(e, sizeof(e), 3522, "XDM96"));
    poll_expect(&s, "acme", "XDM96", 3522, acs_in_progress(e, sizeof(e), 3522, "XDM96"));
    poll_expect(&s, "acme", "XDM96", 3522,
                acs_failed_upload(e, sizeof(e), 3522, "XDM96", "592743400bb44ae6bd5bc99a37c7ddc0"));

    post_expect(&s, "acme", "XDM97", acs_submitted(e, sizeof(e), 3523, "XDM97"));
    poll_expect(&s, "acme", "XDM97", 3523, acs_in_progress(e, sizeof(e), 3523, "XDM97"));
    poll_expect(&s, "acme", "XDM97", 3523, acs_aborted(e, sizeof(e), 3523, "XDM97"));

    post_expect(&s, "acme", "TestDoc", acs_refused(e, sizeof(e), "TestDoc", "stopped"));
    post_expect(&s, "acme", "XDM10", acs_refused(e, sizeof(e), "XDM10", "published"));

    /* A hang stays In Progress however often it is polled. */
    post_expect(&s, "acme", "XDM98", acs_submitted(e, sizeof(e), 3524, "XDM98"));
    for (int i = 0; i < 5; i++)
        poll_expect(&s, "acme", "XDM98", 3524, acs_in_progress(e, sizeof(e), 3524, "XDM98"));
    post_expect(&s, "acme", "XDM98", acs_already(e, sizeof(e), 3524, "XDM98"));

    /* After an outcome, the mapping takes a new request (ids from one sequence). */
    post_expect(&s, "acme", "XDM95", acs_submitted(e, sizeof(e), 3525, "XDM95"));

    /* The template "*" makes a tenant on first use; its XDM1 has 10 changed records,
     * ingested by the first success, so the next success finds 0. */
    post_expect(&s, "team-one", "XDM1", acs_submitted(e, sizeof(e), 3526, "XDM1"));
    poll_expect(&s, "team-one", "XDM1", 3526, acs_in_progress(e, sizeof(e), 3526, "XDM1"));
    poll_expect(&s, "team-one", "XDM1", 3526, acs_success(e, sizeof(e), 3526, "XDM1", 10));
    post_expect(&s, "team-one", "XDM1", acs_submitted(e, sizeof(e), 3527, "XDM1"));
    poll_expect(&s, "team-one", "XDM1", 3527, acs_in_progress(e, sizeof(e), 3527, "XDM1"));
    poll_expect(&s, "team-one", "XDM1", 3527, acs_success(e, sizeof(e), 3527, "XDM1", 0));
    /* Another tenant from the same template starts from the template, not team-one. */
    post_expect(&s, "team-two", "XDM1", acs_submitted(e, sizeof(e), 3528, "XDM1"));
    poll_expect(&s, "team-two", "XDM1", 3528, acs_in_progress(e, sizeof(e), 3528, "XDM1"));
    poll_expect(&s, "team-two", "XDM1", 3528, acs_success(e, sizeof(e), 3528, "XDM1", 10));
    /* acme's own state is untouched by template tenants. */
    poll_expect(&s, "acme", "XDM44", 3520, acs_success(e, sizeof(e), 3520, "XDM44", 15));

    CHECK_INT(server_stop(&s), 0);
}

static void test_scripts(void)
{
    struct server s;
    const char *args[] = {"--fixtures", source_path("tests/http/fixtures/documented.json"), NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512];
    /* afterPolls 3: polls 1..3 In Progress, poll 4 the outcome; POSTs are not polls. */
    post_expect(&s, "docs", "POLL3", acs_submitted(e, sizeof(e), 100, "POLL3"));
    poll_expect(&s, "docs", "POLL3", 100, acs_in_progress(e, sizeof(e), 100, "POLL3"));
    for (int i = 0; i < 3; i++)
        post_expect(&s, "docs", "POLL3", acs_already(e, sizeof(e), 100, "POLL3"));
    poll_expect(&s, "docs", "POLL3", 100, acs_in_progress(e, sizeof(e), 100, "POLL3"));
    post_expect(&s, "docs", "POLL3", acs_already(e, sizeof(e), 100, "POLL3"));
    poll_expect(&s, "docs", "POLL3", 100, acs_in_progress(e, sizeof(e), 100, "POLL3"));
    poll_expect(&s, "docs", "POLL3", 100, acs_success(e, sizeof(e), 100, "POLL3", 7));

    /* afterPolls 0: the first poll shows the outcome. */
    post_expect(&s, "docs", "POLL3", acs_submitted(e, sizeof(e), 101, "POLL3"));
    poll_expect(&s, "docs", "POLL3", 101, acs_success(e, sizeof(e), 101, "POLL3", 2));
    /* A due request is decided by the next read, a POST included: the POST after an
     * afterPolls 0 trigger finds it finished and submits a new one. */
    post_expect(&s, "docs", "POLL3", acs_submitted(e, sizeof(e), 102, "POLL3"));
    post_expect(&s, "docs", "POLL3", acs_submitted(e, sizeof(e), 103, "POLL3"));
    poll_expect(&s, "docs", "POLL3", 102, acs_failed_fetch(e, sizeof(e), 102, "POLL3"));
    /* The script is used up: the default (hang) applies from now on. */
    poll_expect(&s, "docs", "POLL3", 103, acs_in_progress(e, sizeof(e), 103, "POLL3"));
    post_expect(&s, "docs", "POLL3", acs_already(e, sizeof(e), 103, "POLL3"));

    /* A success without numRecords ingests the changed records (42), then 0. */
    post_expect(&s, "docs", "REC", acs_submitted(e, sizeof(e), 104, "REC"));
    poll_expect(&s, "docs", "REC", 104, acs_in_progress(e, sizeof(e), 104, "REC"));
    poll_expect(&s, "docs", "REC", 104, acs_success(e, sizeof(e), 104, "REC", 42));
    post_expect(&s, "docs", "REC", acs_submitted(e, sizeof(e), 105, "REC"));
    poll_expect(&s, "docs", "REC", 105, acs_success(e, sizeof(e), 105, "REC", 0));
    /* A scripted numRecords is reported as is. */
    post_expect(&s, "docs", "REC", acs_submitted(e, sizeof(e), 106, "REC"));
    poll_expect(&s, "docs", "REC", 106, acs_success(e, sizeof(e), 106, "REC", 9));

    post_expect(&s, "docs", "FETCH", acs_submitted(e, sizeof(e), 107, "FETCH"));
    poll_expect(&s, "docs", "FETCH", 107, acs_in_progress(e, sizeof(e), 107, "FETCH"));
    poll_expect(&s, "docs", "FETCH", 107, acs_in_progress(e, sizeof(e), 107, "FETCH"));
    poll_expect(&s, "docs", "FETCH", 107, acs_failed_fetch(e, sizeof(e), 107, "FETCH"));

    post_expect(&s, "docs", "UPLOAD", acs_submitted(e, sizeof(e), 108, "UPLOAD"));
    poll_expect(&s, "docs", "UPLOAD", 108,
                acs_failed_upload(e, sizeof(e), 108, "UPLOAD", "0123456789abcdef0123456789abcdef"));

    post_expect(&s, "docs", "ABORT", acs_submitted(e, sizeof(e), 109, "ABORT"));
    poll_expect(&s, "docs", "ABORT", 109, acs_aborted(e, sizeof(e), 109, "ABORT"));

    post_expect(&s, "docs", "Run.Ning-1_x", acs_refused(e, sizeof(e), "Run.Ning-1_x", "stopped"));
    post_expect(&s, "docs", "Dr@ft", acs_refused(e, sizeof(e), "Dr@ft", "published"));
    /* Not published comes first in the rules, even for a started mapping. */
    post_expect(&s, "docs", "DraftStarted", acs_refused(e, sizeof(e), "DraftStarted", "published"));

    /* Our template: a fresh tenant per name, each with its own changed records. */
    post_expect(&s, "qa-1", "TPL", acs_submitted(e, sizeof(e), 110, "TPL"));
    poll_expect(&s, "qa-1", "TPL", 110, acs_success(e, sizeof(e), 110, "TPL", 5));
    post_expect(&s, "qa-2", "TPL", acs_submitted(e, sizeof(e), 111, "TPL"));
    poll_expect(&s, "qa-2", "TPL", 111, acs_success(e, sizeof(e), 111, "TPL", 5));
    post_expect(&s, "qa-1", "TPL", acs_submitted(e, sizeof(e), 112, "TPL"));
    poll_expect(&s, "qa-1", "TPL", 112, acs_success(e, sizeof(e), 112, "TPL", 0));

    CHECK_INT(server_stop(&s), 0);
}

/* ?requestId=, a JSON number, a JSON string, and Adobe's {"requestId"="N"}. */
static void test_request_id_forms(void)
{
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512];
    /* XDM98 hangs, so every form answers the same In Progress body. */
    post_expect(&s, "acme", "XDM98", acs_submitted(e, sizeof(e), 3520, "XDM98"));
    acs_in_progress(e, sizeof(e), 3520, "XDM98");
    poll_expect(&s, "acme", "XDM98", 3520, e);
    poll_body_expect(&s, "acme", "XDM98", "{\"requestId\": 3520}", e);
    poll_body_expect(&s, "acme", "XDM98", "{\"requestId\":3520}", e);
    poll_body_expect(&s, "acme", "XDM98", "{\"requestId\": \"3520\"}", e);
    poll_body_expect(&s, "acme", "XDM98", "{\"requestId\"=\"3520\"}", e);
    poll_body_expect(&s, "acme", "XDM98", " {\"requestId\" = \"3520\"} ", e);
    poll_body_expect(&s, "acme", "XDM98", "{\"requestId\"=3520}", e);
    poll_body_expect(&s, "acme", "XDM98", "\n{\n  \"requestId\": 3520\n}\n", e);

    /* Body forms count as polls too: XDM44 (afterPolls 1) by body, then by query. */
    post_expect(&s, "acme", "XDM44", acs_submitted(e, sizeof(e), 3521, "XDM44"));
    poll_body_expect(&s, "acme", "XDM44", "{\"requestId\"=\"3521\"}",
                     acs_in_progress(e, sizeof(e), 3521, "XDM44"));
    poll_body_expect(&s, "acme", "XDM44", "{\"requestId\": \"3521\"}",
                     acs_success(e, sizeof(e), 3521, "XDM44", 15));

    /* The query wins over a body. */
    char url[512], full[600];
    snprintf(full, sizeof(full), "%s?requestId=3520",
             ingest_url(&s, "acme", "XDM98", url, sizeof(url)));
    struct response r;
    http_call(&r, "GET", full, "{\"requestId\": 3521}", -1, AUTH_HEADERS);
    CHECK_DOC(&r, acs_in_progress(e, sizeof(e), 3520, "XDM98"));
    response_free(&r);

    /* requestId is a JSON number in every body that has one. */
    trigger(&r, &s, "acme", "XDM98");
    CHECK(strstr(r.body, "\"requestId\": 3520,") != NULL, "%s", r.body);
    response_free(&r);

    CHECK_INT(server_stop(&s), 0);
}

/* Draws the batch id of a failed-upload without one under --seed seed. */
static void draw_batch(const char *seed, char out[33])
{
    out[0] = '\0';
    struct server s;
    const char *args[] = {"--fixtures", source_path("tests/http/fixtures/seeded.json"), "--seed",
                          seed, NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char e[512];
    post_expect(&s, "seed", "DRAW", acs_submitted(e, sizeof(e), 7, "DRAW"));
    struct response r;
    poll_status(&r, &s, "seed", "DRAW", 7);
    const char *p = r.body ? strstr(r.body, "{\"batchId\": \"") : NULL;
    if (p) {
        p += strlen("{\"batchId\": \"");
        size_t n = strspn(p, "0123456789abcdef");
        CHECK(n == 32 && p[32] == '"', "batch id of 32 lowercase hex: %s", r.body);
        if (n == 32)
            snprintf(out, 33, "%.32s", p);
    }
    CHECK_DOC(&r, acs_failed_upload(e, sizeof(e), 7, "DRAW", out));
    response_free(&r);
    /* A second request draws again: another id, still 32 lowercase hex. */
    post_expect(&s, "seed", "DRAW", acs_submitted(e, sizeof(e), 8, "DRAW"));
    poll_status(&r, &s, "seed", "DRAW", 8);
    p = r.body ? strstr(r.body, "{\"batchId\": \"") : NULL;
    CHECK(p && strspn(p + 13, "0123456789abcdef") == 32 && strncmp(p + 13, out, 32) != 0,
          "second draw: %s", r.body);
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

static void test_seeded_batch_ids(void)
{
    char a[33], b[33], c[33];
    draw_batch("42", a);
    draw_batch("42", b);
    draw_batch("43", c);
    CHECK(a[0] && strcmp(a, b) == 0, "same seed, same batch id: %s vs %s", a, b);
    CHECK(c[0] && strcmp(a, c) != 0, "another seed, another batch id: %s vs %s", a, c);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    test_bundled();
    test_scripts();
    test_request_id_forms();
    test_seeded_batch_ids();
    curl_global_cleanup();
    return test_report();
}
