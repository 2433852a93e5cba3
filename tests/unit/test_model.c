/*
 * The pure model, table by table: the trigger verdict for every mapping state, the
 * progress of a request for every outcome and schedule (polls, non-poll reads, clock),
 * control resolves, records accounting, and Adobe's documented bodies byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "model/model.h"

CHECK_DEFINE_COUNTERS;

#define T0 1000000LL /* creation time of every request below, server clock ms */

static const char *const verdict_names[] = {"not published", "not stopped", "already in progress",
                                            "submitted"};

static struct model_step step_of(enum model_outcome o, long long num_records, const char *batch,
                                 long long after_ms, long long after_polls)
{
    struct model_step s;
    memset(&s, 0, sizeof(s));
    s.outcome = o;
    s.num_records = num_records;
    snprintf(s.batch_id, sizeof(s.batch_id), "%s", batch ? batch : "");
    s.after_ms = after_ms;
    s.after_polls = after_polls;
    return s;
}

static void test_names(void)
{
    static const char *const outcomes[] = {"success", "failed-fetch", "failed-upload", "aborted",
                                           "hang"};
    for (int i = 0; i <= OUTCOME_HANG; i++) {
        enum model_outcome o = OUTCOME_HANG;
        CHECK_STR(model_outcome_name((enum model_outcome)i), outcomes[i]);
        CHECK_INT(model_outcome_parse(&o, outcomes[i]), 0);
        CHECK_INT(o, i);
    }
    enum model_outcome o = OUTCOME_ABORTED;
    CHECK_INT(model_outcome_parse(&o, "sucess"), -1);
    CHECK_INT(model_outcome_parse(&o, "Success"), -1);
    CHECK_INT(model_outcome_parse(&o, ""), -1);
    CHECK_INT(o, OUTCOME_ABORTED); /* untouched on failure */

    static const char *const statuses[] = {"In Progress", "Success", "Failed", "Aborted"};
    for (int i = 0; i <= STATUS_ABORTED; i++) {
        enum model_status s = STATUS_ABORTED;
        CHECK_STR(model_status_name((enum model_status)i), statuses[i]);
        CHECK_INT(model_status_parse(&s, statuses[i]), 0);
        CHECK_INT(s, i);
    }
    enum model_status s = STATUS_FAILED;
    CHECK_INT(model_status_parse(&s, "in progress"), -1);
    CHECK_INT(model_status_parse(&s, "InProgress"), -1);
    CHECK_INT(s, STATUS_FAILED);

    struct model_step d;
    memset(&d, 0x5a, sizeof(d));
    model_step_default(&d);
    CHECK_INT(d.outcome, OUTCOME_SUCCESS);
    CHECK_INT(d.num_records, -1);
    CHECK_STR(d.batch_id, "");
    CHECK_INT(d.after_ms, 0);
    CHECK_INT(d.after_polls, 1);
}

/* Every mapping state (published x started x has-in-progress) -> verdict. */
static void test_trigger_table(void)
{
    static const struct {
        int published, started, in_progress;
        enum model_trigger_verdict verdict;
    } rows[] = {
        {0, 0, 0, TRIGGER_NOT_PUBLISHED},       {0, 0, 1, TRIGGER_NOT_PUBLISHED},
        {0, 1, 0, TRIGGER_NOT_PUBLISHED},       {0, 1, 1, TRIGGER_NOT_PUBLISHED},
        {1, 1, 0, TRIGGER_NOT_STOPPED},         {1, 1, 1, TRIGGER_NOT_STOPPED},
        {1, 0, 1, TRIGGER_ALREADY_IN_PROGRESS}, {1, 0, 0, TRIGGER_SUBMITTED},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct model_mapping m;
        memset(&m, 0, sizeof(m));
        snprintf(m.tenant, sizeof(m.tenant), "acme");
        snprintf(m.id, sizeof(m.id), "XDM44");
        m.published = rows[i].published;
        m.started = rows[i].started;
        model_step_default(&m.default_step);
        enum model_trigger_verdict v = model_trigger_decide(&m, rows[i].in_progress);
        CHECK(v == rows[i].verdict, "published=%d started=%d in_progress=%d: expected %s, got %s",
              rows[i].published, rows[i].started, rows[i].in_progress,
              verdict_names[rows[i].verdict], verdict_names[v]);
    }
}

static void test_create(void)
{
    struct model_request r;
    struct model_step s = step_of(OUTCOME_SUCCESS, 15, NULL, 250, 2);
    memset(&r, 0x5a, sizeof(r));
    model_request_create(&r, 3520, "acme", "XDM44", T0, &s, "ffffffffffffffffffffffffffffffff");
    CHECK_INT(r.id, 3520);
    CHECK_STR(r.tenant, "acme");
    CHECK_STR(r.mapping, "XDM44");
    CHECK_INT(r.created_ms, T0);
    CHECK_INT(r.step.outcome, OUTCOME_SUCCESS);
    CHECK_INT(r.step.num_records, 15);
    CHECK_STR(r.step.batch_id, ""); /* a drawn id only goes to a failed-upload */
    CHECK_INT(r.step.after_ms, 250);
    CHECK_INT(r.step.after_polls, 2);
    CHECK_INT(r.polls, 0);
    CHECK_INT(r.status, STATUS_IN_PROGRESS);
    CHECK_INT(r.num_records, 0);
    CHECK_STR(r.batch_id, "");
    CHECK_INT(r.resolved_ms, -1);

    /* failed-upload: the step's batch id when given, else the drawn one. */
    s = step_of(OUTCOME_FAILED_UPLOAD, -1, "592743400bb44ae6bd5bc99a37c7ddc0", 0, 0);
    model_request_create(&r, 1, "acme", "XDM96", T0, &s, "0123456789abcdef0123456789abcdef");
    CHECK_STR(r.step.batch_id, "592743400bb44ae6bd5bc99a37c7ddc0");
    s = step_of(OUTCOME_FAILED_UPLOAD, -1, NULL, 0, 0);
    model_request_create(&r, 1, "acme", "XDM96", T0, &s, "0123456789abcdef0123456789abcdef");
    CHECK_STR(r.step.batch_id, "0123456789abcdef0123456789abcdef");
}

/* The final state each outcome reaches (changed records 20 before). */
static void check_reached(const struct model_request *r, const struct model_step *s, long long now,
                          long long changed_after, const char *ctx)
{
    long long expect_records = 0, expect_changed = 20;
    enum model_status expect = STATUS_SUCCESS;
    const char *expect_batch = "";
    switch (s->outcome) {
    case OUTCOME_SUCCESS:
        expect_records = s->num_records >= 0 ? s->num_records : 20;
        expect_changed = 0;
        break;
    case OUTCOME_FAILED_FETCH:
        expect = STATUS_FAILED;
        break;
    case OUTCOME_FAILED_UPLOAD:
        expect = STATUS_FAILED;
        expect_batch = s->batch_id;
        break;
    case OUTCOME_ABORTED:
        expect = STATUS_ABORTED;
        break;
    case OUTCOME_HANG:
        expect = STATUS_IN_PROGRESS;
        break;
    }
    CHECK(r->status == expect, "%s: status %s, expected %s", ctx, model_status_name(r->status),
          model_status_name(expect));
    CHECK(r->num_records == expect_records, "%s: numRecords %lld, expected %lld", ctx,
          r->num_records, expect_records);
    CHECK(strcmp(r->batch_id, expect_batch) == 0, "%s: batchId \"%s\", expected \"%s\"", ctx,
          r->batch_id, expect_batch);
    CHECK(changed_after == expect_changed, "%s: changed records %lld, expected %lld", ctx,
          changed_after, expect_changed);
    if (s->outcome != OUTCOME_HANG)
        CHECK(r->resolved_ms == now, "%s: resolved_ms %lld, expected %lld", ctx, r->resolved_ms,
              now);
}

/*
 * Request advance for every outcome x afterMs x afterPolls, read by polls and by
 * non-poll reads, with the clock before, at and after the due time.
 */
static void test_advance_table(void)
{
    static const struct model_step steps[] = {
        {OUTCOME_SUCCESS, 15, "", 0, 0},
        {OUTCOME_SUCCESS, -1, "", 0, 0},
        {OUTCOME_SUCCESS, 0, "", 0, 0},
        {OUTCOME_FAILED_FETCH, -1, "", 0, 0},
        {OUTCOME_FAILED_UPLOAD, -1, "592743400bb44ae6bd5bc99a37c7ddc0", 0, 0},
        {OUTCOME_ABORTED, -1, "", 0, 0},
        {OUTCOME_HANG, -1, "", 0, 0},
    };
    static const long long after_ms[] = {0, 1, 5000};
    static const long long after_polls[] = {0, 1, 2, 5};
    for (size_t si = 0; si < sizeof(steps) / sizeof(steps[0]); si++) {
        for (size_t mi = 0; mi < 3; mi++) {
            for (size_t pi = 0; pi < 4; pi++) {
                struct model_step s = steps[si];
                s.after_ms = after_ms[mi];
                s.after_polls = after_polls[pi];
                int hang = s.outcome == OUTCOME_HANG;
                char ctx[160];
                long long due_at = T0 + s.after_ms;

                /* A: the clock already at the due time; polls 1..N In Progress, N+1 final. */
                struct model_request r;
                long long changed = 20;
                model_request_create(&r, 7, "acme", "XDM44", T0, &s, NULL);
                for (long long k = 1; k <= s.after_polls + 3; k++) {
                    snprintf(ctx, sizeof(ctx), "A %s afterMs=%lld afterPolls=%lld poll %lld",
                             model_outcome_name(s.outcome), s.after_ms, s.after_polls, k);
                    int was_final = r.status != STATUS_IN_PROGRESS;
                    struct model_request before = r;
                    int changed_flag = model_request_advance(&r, due_at, 1, &changed);
                    if (was_final) {
                        CHECK(changed_flag == 0 && memcmp(&before, &r, sizeof(r)) == 0,
                              "%s: a final request changed", ctx);
                        continue;
                    }
                    CHECK(changed_flag == 1, "%s: advance returned %d", ctx, changed_flag);
                    if (hang || k <= s.after_polls) {
                        CHECK(r.status == STATUS_IN_PROGRESS, "%s: status %s", ctx,
                              model_status_name(r.status));
                        CHECK(r.polls == k, "%s: polls %lld", ctx, r.polls);
                        CHECK(changed == 20, "%s: changed records %lld", ctx, changed);
                    } else {
                        CHECK(k == s.after_polls + 1, "%s: outcome at the wrong poll", ctx);
                        /* The poll that shows the outcome is not counted. */
                        CHECK(r.polls == s.after_polls, "%s: polls %lld", ctx, r.polls);
                        check_reached(&r, &s, due_at, changed, ctx);
                    }
                }
                if (hang)
                    CHECK_INT(r.status, STATUS_IN_PROGRESS);
                else
                    CHECK(r.status != STATUS_IN_PROGRESS, "A: never reached");

                /* B: non-poll reads never count as polls and never move a request whose
                 * afterPolls is not reached; with afterPolls 0 they reach it when due. */
                model_request_create(&r, 8, "acme", "XDM44", T0, &s, NULL);
                changed = 20;
                for (int k = 0; k < 3; k++) {
                    snprintf(ctx, sizeof(ctx), "B %s afterMs=%lld afterPolls=%lld read %d",
                             model_outcome_name(s.outcome), s.after_ms, s.after_polls, k);
                    long long now = due_at + 1000000;
                    struct model_request before = r;
                    int rc = model_request_advance(&r, now, 0, &changed);
                    if (hang || s.after_polls > 0) {
                        CHECK(rc == 0 && memcmp(&before, &r, sizeof(r)) == 0,
                              "%s: a non-poll read changed the request", ctx);
                    } else if (k == 0) {
                        CHECK(rc == 1, "%s: rc %d", ctx, rc);
                        check_reached(&r, &s, now, changed, ctx);
                        CHECK_INT(r.polls, 0);
                    } else {
                        CHECK(rc == 0 && memcmp(&before, &r, sizeof(r)) == 0,
                              "%s: a final request changed", ctx);
                    }
                }

                /* C: the clock before the due time: every poll answers In Progress and
                 * counts; at the due time the next poll shows the outcome. */
                if (s.after_ms > 0) {
                    model_request_create(&r, 9, "acme", "XDM44", T0, &s, NULL);
                    changed = 20;
                    long long polls = s.after_polls + 2;
                    for (long long k = 1; k <= polls; k++) {
                        snprintf(ctx, sizeof(ctx), "C %s afterMs=%lld afterPolls=%lld poll %lld",
                                 model_outcome_name(s.outcome), s.after_ms, s.after_polls, k);
                        long long now = k == 1 ? T0 : due_at - 1;
                        CHECK(model_request_due(&r, now) == 0, "%s: due too early", ctx);
                        CHECK_INT(model_request_advance(&r, now, 1, &changed), 1);
                        CHECK(r.status == STATUS_IN_PROGRESS && r.polls == k, "%s: %s, polls %lld",
                              ctx, model_status_name(r.status), r.polls);
                    }
                    /* A non-poll read at the due time reaches it too (polls are enough). */
                    struct model_request copy = r;
                    long long changed_copy = changed;
                    CHECK_INT(model_request_due(&r, due_at), !hang);
                    CHECK_INT(model_request_advance(&copy, due_at, 0, &changed_copy), !hang);
                    snprintf(ctx, sizeof(ctx), "C %s afterMs=%lld afterPolls=%lld at due",
                             model_outcome_name(s.outcome), s.after_ms, s.after_polls);
                    if (!hang)
                        check_reached(&copy, &s, due_at, changed_copy, ctx);
                    CHECK_INT(model_request_advance(&r, due_at, 1, &changed), 1);
                    if (hang) {
                        CHECK_INT(r.polls, polls + 1);
                    } else {
                        CHECK_INT(r.polls, polls);
                        check_reached(&r, &s, due_at, changed, ctx);
                    }
                }
            }
        }
    }
}

/* afterMs boundary: due exactly when now - created == afterMs. */
static void test_due_boundary(void)
{
    struct model_step s = step_of(OUTCOME_SUCCESS, 1, NULL, 5000, 0);
    struct model_request r;
    model_request_create(&r, 1, "acme", "XDM44", T0, &s, NULL);
    CHECK_INT(model_request_due(&r, T0), 0);
    CHECK_INT(model_request_due(&r, T0 + 4999), 0);
    CHECK_INT(model_request_due(&r, T0 + 5000), 1);
    CHECK_INT(model_request_due(&r, T0 + 5001), 1);
    long long changed = 3;
    CHECK_INT(model_request_advance(&r, T0 + 4999, 0, &changed), 0);
    CHECK_INT(r.status, STATUS_IN_PROGRESS);
    CHECK_INT(model_request_advance(&r, T0 + 5000, 0, &changed), 1);
    CHECK_INT(r.status, STATUS_SUCCESS);
    CHECK_INT(r.resolved_ms, T0 + 5000);
    CHECK_INT(model_request_due(&r, T0 + 5000), 0); /* final: never due again */

    /* afterPolls boundary alone. */
    s = step_of(OUTCOME_ABORTED, -1, NULL, 0, 3);
    model_request_create(&r, 2, "acme", "XDM97", T0, &s, NULL);
    r.polls = 2;
    CHECK_INT(model_request_due(&r, T0), 0);
    r.polls = 3;
    CHECK_INT(model_request_due(&r, T0), 1);

    /* hang is never due, whatever the clock and polls. */
    s = step_of(OUTCOME_HANG, -1, NULL, 0, 0);
    model_request_create(&r, 3, "acme", "XDM98", T0, &s, NULL);
    r.polls = 1000000;
    CHECK_INT(model_request_due(&r, T0 + 1000000000LL), 0);
    CHECK_INT(model_request_advance(&r, T0 + 1000000000LL, 0, &changed), 0);
    CHECK_INT(r.status, STATUS_IN_PROGRESS);
}

/* resolve() with each step on an In Progress request, whatever its schedule. */
static void test_resolve(void)
{
    static const struct model_step steps[] = {
        {OUTCOME_SUCCESS, 15, "", 99999, 99},
        {OUTCOME_SUCCESS, -1, "", 99999, 99},
        {OUTCOME_FAILED_FETCH, -1, "", 99999, 99},
        {OUTCOME_FAILED_UPLOAD, -1, "592743400bb44ae6bd5bc99a37c7ddc0", 99999, 99},
        {OUTCOME_ABORTED, -1, "", 99999, 99},
        {OUTCOME_HANG, -1, "", 0, 0},
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        struct model_step original = step_of(OUTCOME_HANG, -1, NULL, 0, 0);
        struct model_request r;
        model_request_create(&r, 5, "acme", "XDM98", T0, &original, NULL);
        long long changed = 20;
        char ctx[64];
        snprintf(ctx, sizeof(ctx), "resolve %s", model_outcome_name(steps[i].outcome));
        CHECK_INT(model_request_resolve(&r, &steps[i], T0 + 10, NULL, &changed), 1);
        check_reached(&r, &steps[i], T0 + 10, changed, ctx);
        if (steps[i].outcome == OUTCOME_HANG) {
            /* Still In Progress, and still never due. */
            CHECK_INT(r.resolved_ms, -1);
            CHECK_INT(model_request_advance(&r, T0 + 1000000, 1, &changed), 1);
            CHECK_INT(r.status, STATUS_IN_PROGRESS);
        }
        /* Already final: a second resolve changes nothing. */
        if (r.status != STATUS_IN_PROGRESS) {
            struct model_request before = r;
            struct model_step other = step_of(OUTCOME_ABORTED, -1, NULL, 0, 0);
            long long c2 = 7;
            CHECK_INT(model_request_resolve(&r, &other, T0 + 20, NULL, &c2), 0);
            CHECK(memcmp(&before, &r, sizeof(r)) == 0, "%s: resolve changed a final request", ctx);
            CHECK_INT(c2, 7);
        }
    }

    /* A resolve may replace a scheduled success by a hang and back. */
    struct model_step s = step_of(OUTCOME_SUCCESS, -1, NULL, 0, 5);
    struct model_request r;
    model_request_create(&r, 6, "acme", "XDM44", T0, &s, NULL);
    long long changed = 4;
    struct model_step h = step_of(OUTCOME_HANG, -1, NULL, 0, 0);
    CHECK_INT(model_request_resolve(&r, &h, T0, NULL, &changed), 1);
    for (int k = 0; k < 10; k++)
        model_request_advance(&r, T0 + 100000, 1, &changed);
    CHECK_INT(r.status, STATUS_IN_PROGRESS);
    struct model_step ok = step_of(OUTCOME_SUCCESS, -1, NULL, 0, 0);
    CHECK_INT(model_request_resolve(&r, &ok, T0 + 5, NULL, &changed), 1);
    CHECK_INT(r.status, STATUS_SUCCESS);
    CHECK_INT(r.num_records, 4);
    CHECK_INT(changed, 0);

    /* failed-upload: given batch id wins; without one the drawn one is used. */
    struct model_step up = step_of(OUTCOME_FAILED_UPLOAD, -1, NULL, 0, 0);
    model_request_create(&r, 7, "acme", "XDM96", T0, &h, NULL);
    CHECK_INT(model_request_resolve(&r, &up, T0, "abcdefabcdefabcdefabcdefabcdef01", &changed), 1);
    CHECK_STR(r.batch_id, "abcdefabcdefabcdefabcdefabcdef01");
    CHECK_INT(r.status, STATUS_FAILED);
    up = step_of(OUTCOME_FAILED_UPLOAD, -1, "592743400bb44ae6bd5bc99a37c7ddc0", 0, 0);
    model_request_create(&r, 8, "acme", "XDM96", T0, &h, NULL);
    CHECK_INT(model_request_resolve(&r, &up, T0, "abcdefabcdefabcdefabcdefabcdef01", &changed), 1);
    CHECK_STR(r.batch_id, "592743400bb44ae6bd5bc99a37c7ddc0");
}

/* Success numRecords: from the step, else from changed records; changed records -> 0. */
static void test_records(void)
{
    struct model_request r;
    long long changed = 42;
    struct model_step s = step_of(OUTCOME_SUCCESS, 7, NULL, 0, 0);
    model_request_create(&r, 1, "acme", "XDM44", T0, &s, NULL);
    CHECK_INT(model_request_advance(&r, T0, 0, &changed), 1);
    CHECK_INT(r.num_records, 7);
    CHECK_INT(changed, 0);

    changed = 42;
    s = step_of(OUTCOME_SUCCESS, -1, NULL, 0, 0);
    model_request_create(&r, 2, "acme", "XDM44", T0, &s, NULL);
    CHECK_INT(model_request_advance(&r, T0, 1, &changed), 1);
    CHECK_INT(r.num_records, 42);
    CHECK_INT(changed, 0);

    /* A second success with nothing changed since ingests 0 records. */
    model_request_create(&r, 3, "acme", "XDM44", T0, &s, NULL);
    CHECK_INT(model_request_advance(&r, T0, 1, &changed), 1);
    CHECK_INT(r.num_records, 0);
    CHECK_INT(changed, 0);

    /* Failed and aborted ingest nothing and keep the changed records for next time. */
    static const enum model_outcome failing[] = {OUTCOME_FAILED_FETCH, OUTCOME_FAILED_UPLOAD,
                                                 OUTCOME_ABORTED};
    for (int i = 0; i < 3; i++) {
        changed = 42;
        s = step_of(failing[i], -1, failing[i] == OUTCOME_FAILED_UPLOAD ? NULL : "", 0, 0);
        model_request_create(&r, 4, "acme", "XDM44", T0, &s, "00000000000000000000000000000000");
        CHECK_INT(model_request_advance(&r, T0, 1, &changed), 1);
        CHECK_INT(r.num_records, 0);
        CHECK_INT(changed, 42);
        CHECK_STR(r.batch_id,
                  failing[i] == OUTCOME_FAILED_UPLOAD ? "00000000000000000000000000000000" : "");
    }
}

/* Renders a request of XDM44/3520 that reached step s (or is In Progress). */
static char *render_after(const struct model_step *s, int reach, size_t *len)
{
    struct model_request r;
    long long changed = 15;
    model_request_create(&r, 3520, "acme", "XDM44", T0, s, NULL);
    if (reach)
        model_request_advance(&r, T0, 0, &changed);
    return model_render_status(&r, len);
}

static void check_render(char *body, size_t len, const char *expected)
{
    CHECK_STR(body, expected);
    if (body)
        CHECK_INT(len, strlen(body));
    free(body);
}

static void test_render(void)
{
    size_t len = 0;
    char *b;
    b = model_render_trigger(TRIGGER_SUBMITTED, "XDM44", 3520, &len);
    check_render(b, len,
                 "{\"requestId\": 3520, \"info\": \"Ingestion request submitted successfully for "
                 "the Mapping ID: XDM44\", \"status\": \"Success\"}");
    b = model_render_trigger(TRIGGER_ALREADY_IN_PROGRESS, "XDM44", 3519, &len);
    check_render(b, len,
                 "{\"requestId\": 3519, \"info\": \"Ingestion request already in progress for the "
                 "Mapping ID: XDM44\", \"status\": \"In Progress\"}");
    b = model_render_trigger(TRIGGER_NOT_STOPPED, "XDM44", 3520, &len);
    check_render(b, len,
                 "{\"info\": \"Unable to submit data ingestion request, XDM Mapping ID: XDM44 is "
                 "not stopped\", \"status\": \"Failed\"}");
    b = model_render_trigger(TRIGGER_NOT_PUBLISHED, "XDM44", 0, &len);
    check_render(b, len,
                 "{\"info\": \"Unable to submit data ingestion request, XDM Mapping ID: XDM44 is "
                 "not published\", \"status\": \"Failed\"}");
    /* len may be NULL. */
    b = model_render_trigger(TRIGGER_SUBMITTED, "XDM44", 9007199254740992LL, NULL);
    CHECK_STR(b, "{\"requestId\": 9007199254740992, \"info\": \"Ingestion request submitted "
                 "successfully for the Mapping ID: XDM44\", \"status\": \"Success\"}");
    free(b);

    struct model_step s = step_of(OUTCOME_SUCCESS, 15, NULL, 0, 0);
    b = render_after(&s, 1, &len);
    check_render(b, len,
                 "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44. \", \"numRecords\": 15, "
                 "\"requestId\": 3520, \"status\": \"Success\"}");
    s = step_of(OUTCOME_FAILED_FETCH, -1, NULL, 0, 0);
    b = render_after(&s, 1, &len);
    check_render(b, len,
                 "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44. ACP-880056 Failed to fetch "
                 "the record from the database.\", \"numRecords\": 0, \"requestId\": 3520, "
                 "\"status\": \"Failed\"}");
    s = step_of(OUTCOME_FAILED_UPLOAD, -1, "592743400bb44ae6bd5bc99a37c7ddc0", 0, 0);
    b = render_after(&s, 1, &len);
    check_render(b, len,
                 "{\"batchId\": \"592743400bb44ae6bd5bc99a37c7ddc0\", \"info\": \"Mapping Id: "
                 "XDM44. ACP-880096 Sync Job failed to upload. Please check the error in the "
                 "Platform UI.\", \"numRecords\": 0, \"requestId\": 3520, \"status\": "
                 "\"Failed\"}");
    s = step_of(OUTCOME_ABORTED, -1, NULL, 0, 0);
    b = render_after(&s, 1, &len);
    check_render(b, len,
                 "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44. Ingestion request aborted "
                 "due to some issue with data ingestion service. Please submit a new request\", "
                 "\"numRecords\": 0, \"requestId\": 3520, \"status\": \"Aborted\"}");
    static const char in_progress[] =
        "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44.\", \"numRecords\": 0, "
        "\"requestId\": 3520, \"status\": \"In Progress\"}";
    /* In Progress looks the same whatever it will become (no batch id, no records). */
    static const struct model_step pending[] = {
        {OUTCOME_SUCCESS, 15, "", 0, 1},
        {OUTCOME_FAILED_UPLOAD, -1, "592743400bb44ae6bd5bc99a37c7ddc0", 0, 1},
        {OUTCOME_HANG, -1, "", 0, 0},
    };
    for (int i = 0; i < 3; i++) {
        b = render_after(&pending[i], 1, &len);
        check_render(b, len, in_progress);
    }
    /* A success after changed records renders them. */
    s = step_of(OUTCOME_SUCCESS, -1, NULL, 0, 0);
    b = render_after(&s, 1, &len);
    check_render(b, len,
                 "{\"batchId\": \"\", \"info\": \"Mapping Id: XDM44. \", \"numRecords\": 15, "
                 "\"requestId\": 3520, \"status\": \"Success\"}");
}

/* A mapping id with quotes and backslashes stays valid JSON and reads back intact. */
static void test_render_escaping(void)
{
    const char *id = "a\"b\\c'd";
    size_t len = 0;
    char *b = model_render_trigger(TRIGGER_SUBMITTED, id, 12, &len);
    CHECK_STR(b, "{\"requestId\": 12, \"info\": \"Ingestion request submitted successfully for "
                 "the Mapping ID: a\\\"b\\\\c'd\", \"status\": \"Success\"}");
    cJSON *doc = b ? cJSON_Parse(b) : NULL;
    CHECK(doc != NULL, "trigger body is not valid JSON: %s", b ? b : "(null)");
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(doc, "info");
    CHECK(cJSON_IsString(info) &&
              strcmp(info->valuestring,
                     "Ingestion request submitted successfully for the Mapping ID: a\"b\\c'd") == 0,
          "info read back: %s", cJSON_IsString(info) ? info->valuestring : "(none)");
    cJSON_Delete(doc);
    free(b);

    static const enum model_trigger_verdict failing[] = {TRIGGER_NOT_PUBLISHED,
                                                         TRIGGER_NOT_STOPPED};
    for (int i = 0; i < 2; i++) {
        b = model_render_trigger(failing[i], id, 0, &len);
        doc = b ? cJSON_Parse(b) : NULL;
        CHECK(doc != NULL, "failed trigger body is not valid JSON: %s", b ? b : "(null)");
        info = cJSON_GetObjectItemCaseSensitive(doc, "info");
        CHECK(cJSON_IsString(info) && strstr(info->valuestring, "XDM Mapping ID: a\"b\\c'd is not"),
              "info read back: %s", cJSON_IsString(info) ? info->valuestring : "(none)");
        cJSON_Delete(doc);
        free(b);
    }

    struct model_step s = step_of(OUTCOME_FAILED_FETCH, -1, NULL, 0, 0);
    struct model_request r;
    long long changed = 0;
    model_request_create(&r, 12, "acme", id, T0, &s, NULL);
    model_request_advance(&r, T0, 1, &changed);
    b = model_render_status(&r, &len);
    CHECK_STR(b, "{\"batchId\": \"\", \"info\": \"Mapping Id: a\\\"b\\\\c'd. ACP-880056 Failed to "
                 "fetch the record from the database.\", \"numRecords\": 0, \"requestId\": 12, "
                 "\"status\": \"Failed\"}");
    doc = b ? cJSON_Parse(b) : NULL;
    CHECK(doc != NULL, "status body is not valid JSON: %s", b ? b : "(null)");
    info = cJSON_GetObjectItemCaseSensitive(doc, "info");
    CHECK(cJSON_IsString(info) &&
              strcmp(info->valuestring,
                     "Mapping Id: a\"b\\c'd. ACP-880056 Failed to fetch the record from the "
                     "database.") == 0,
          "info read back: %s", cJSON_IsString(info) ? info->valuestring : "(none)");
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(doc, "requestId");
    CHECK(cJSON_IsNumber(rid) && rid->valuedouble == 12, "requestId is a JSON number");
    cJSON_Delete(doc);
    free(b);
}

int main(void)
{
    test_names();
    test_trigger_table();
    test_create();
    test_advance_table();
    test_due_boundary();
    test_resolve();
    test_records();
    test_render();
    test_render_escaping();
    return test_report();
}
