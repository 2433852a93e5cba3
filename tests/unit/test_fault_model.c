/*
 * Fault rules, pure (server/faults/faults.h), table by table: endpoint names, which calls
 * a rule matches, and the schedule (after, times, window and probability boundaries,
 * when a random draw is needed, what remains). The server draws only when
 * fault_needs_draw says so, so that the same seed and the same calls give the
 * same decisions: the draw tables pin that contract.
 */
#include <string.h>

#include "check.h"
#include "faults/faults.h"

CHECK_DEFINE_COUNTERS;

#define CREATED 50000LL /* creation time of every rule below, server clock ms */

static void test_endpoint_names(void)
{
    static const struct {
        const char *name;
        enum fault_endpoint e;
    } ok[] = {{"any", FAULT_EP_ANY},
              {"ingest.trigger", FAULT_EP_TRIGGER},
              {"ingest.status", FAULT_EP_STATUS},
              {"ims.token", FAULT_EP_IMS}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        enum fault_endpoint e = FAULT_EP_IMS;
        if (ok[i].e == FAULT_EP_IMS)
            e = FAULT_EP_ANY;
        CHECK(fault_endpoint_parse(&e, ok[i].name) == 0, "%s refused", ok[i].name);
        CHECK_INT(e, ok[i].e);
        CHECK_STR(fault_endpoint_name(ok[i].e), ok[i].name);
        CHECK_INT(fault_endpoint_of(ok[i].name), ok[i].e);
    }
    /* Near misses are refused and leave the output alone. */
    static const char *const bad[] = {"",
                                      "ANY",
                                      "Any",
                                      "ingest",
                                      "ims",
                                      "ims.jwt",
                                      "ingest.trigger ",
                                      " any",
                                      "ingest.get",
                                      "control.faults",
                                      "ingest.status.x",
                                      "ims.token\t"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum fault_endpoint e = FAULT_EP_STATUS;
        CHECK(fault_endpoint_parse(&e, bad[i]) < 0, "\"%s\" accepted", bad[i]);
        CHECK_INT(e, FAULT_EP_STATUS);
    }
    /* A route's endpoint of another family counts as FAULT_EP_ANY only. */
    CHECK_INT(fault_endpoint_of("control.faults"), FAULT_EP_ANY);
    CHECK_INT(fault_endpoint_of("unknown"), FAULT_EP_ANY);
    CHECK_INT(fault_endpoint_of(""), FAULT_EP_ANY);
}

static struct fault_match match_of(const char *method, enum fault_endpoint ep, const char *tenant,
                                   const char *mapping)
{
    struct fault_match m;
    memset(&m, 0, sizeof(m));
    snprintf(m.method, sizeof(m.method), "%s", method);
    m.endpoint = ep;
    snprintf(m.tenant, sizeof(m.tenant), "%s", tenant);
    snprintf(m.mapping, sizeof(m.mapping), "%s", mapping);
    return m;
}

static void test_matching(void)
{
    static const struct {
        const char *method;
        enum fault_endpoint ep;
        const char *tenant, *mapping;
        /* the call */
        const char *c_method, *c_endpoint, *c_tenant, *c_mapping;
        int want;
    } rows[] = {
        /* An empty match is every call, whatever its endpoint. */
        {"", FAULT_EP_ANY, "", "", "POST", "ingest.trigger", "acme", "XDM1", 1},
        {"", FAULT_EP_ANY, "", "", "GET", "ingest.status", "acme", "XDM1", 1},
        {"", FAULT_EP_ANY, "", "", "POST", "ims.token", "", "", 1},
        {"", FAULT_EP_ANY, "", "", "DELETE", "unknown", "", "", 1},
        /* Method: exact and case-sensitive (validation requires capitals). */
        {"POST", FAULT_EP_ANY, "", "", "POST", "ingest.trigger", "acme", "XDM1", 1},
        {"POST", FAULT_EP_ANY, "", "", "GET", "ingest.status", "acme", "XDM1", 0},
        {"GET", FAULT_EP_ANY, "", "", "get", "ingest.status", "acme", "XDM1", 0},
        {"POS", FAULT_EP_ANY, "", "", "POST", "ingest.trigger", "acme", "XDM1", 0},
        /* Endpoint classes. */
        {"", FAULT_EP_TRIGGER, "", "", "POST", "ingest.trigger", "acme", "XDM1", 1},
        {"", FAULT_EP_TRIGGER, "", "", "GET", "ingest.status", "acme", "XDM1", 0},
        {"", FAULT_EP_TRIGGER, "", "", "POST", "ims.token", "", "", 0},
        {"", FAULT_EP_STATUS, "", "", "GET", "ingest.status", "acme", "XDM1", 1},
        {"", FAULT_EP_STATUS, "", "", "POST", "ingest.trigger", "acme", "XDM1", 0},
        {"", FAULT_EP_IMS, "", "", "POST", "ims.token", "", "", 1},
        {"", FAULT_EP_IMS, "", "", "POST", "ingest.trigger", "acme", "XDM1", 0},
        {"", FAULT_EP_IMS, "", "", "GET", "control.faults", "", "", 0},
        /* Tenant and mapping: exact, case-sensitive; an IMS call has neither. */
        {"", FAULT_EP_ANY, "acme", "", "POST", "ingest.trigger", "acme", "XDM1", 1},
        {"", FAULT_EP_ANY, "acme", "", "POST", "ingest.trigger", "ACME", "XDM1", 0},
        {"", FAULT_EP_ANY, "acme", "", "POST", "ingest.trigger", "acme2", "XDM1", 0},
        {"", FAULT_EP_ANY, "acme", "", "POST", "ims.token", "", "", 0},
        {"", FAULT_EP_ANY, "", "XDM1", "GET", "ingest.status", "acme", "XDM1", 1},
        {"", FAULT_EP_ANY, "", "XDM1", "GET", "ingest.status", "acme", "XDM10", 0},
        {"", FAULT_EP_ANY, "", "XDM1", "GET", "ingest.status", "acme", "xdm1", 0},
        /* Every condition together, and each one failing alone. */
        {"GET", FAULT_EP_STATUS, "t1", "M", "GET", "ingest.status", "t1", "M", 1},
        {"GET", FAULT_EP_STATUS, "t1", "M", "POST", "ingest.status", "t1", "M", 0},
        {"GET", FAULT_EP_STATUS, "t1", "M", "GET", "ingest.trigger", "t1", "M", 0},
        {"GET", FAULT_EP_STATUS, "t1", "M", "GET", "ingest.status", "t2", "M", 0},
        {"GET", FAULT_EP_STATUS, "t1", "M", "GET", "ingest.status", "t1", "N", 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct fault_match m =
            match_of(rows[i].method, rows[i].ep, rows[i].tenant, rows[i].mapping);
        int got = fault_matches(&m, rows[i].c_method, rows[i].c_endpoint, rows[i].c_tenant,
                                rows[i].c_mapping);
        CHECK(got == rows[i].want, "row %zu: rule {%s %s %s %s} call {%s %s %s %s}: got %d", i,
              rows[i].method, fault_endpoint_name(rows[i].ep), rows[i].tenant, rows[i].mapping,
              rows[i].c_method, rows[i].c_endpoint, rows[i].c_tenant, rows[i].c_mapping, got);
    }
}

static struct fault_schedule sched(long long times, long long after, double probability,
                                   long long ws, long long we)
{
    struct fault_schedule s = {times, after, probability, ws, we};
    return s;
}

/* A sequence of matching calls, all at clock time CREATED + age with draw 0.99 (no
 * probability rules here): want is the applied pattern, "1" or "0" per call. */
static void run_pattern(int line, struct fault_schedule s, long long age, const char *want)
{
    struct fault_state st = {CREATED, 0, 0};
    char got[64] = "";
    size_t n = strlen(want);
    for (size_t i = 0; i < n && i + 1 < sizeof(got); i++) {
        CHECK(!fault_needs_draw(&s, &st, CREATED + age), "line %d: draw asked", line);
        got[i] = fault_decide(&s, &st, CREATED + age, 0.99) ? '1' : '0';
    }
    CHECK(strcmp(got, want) == 0, "line %d: applied %s, expected %s", line, got, want);
    long long hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += want[i] == '1';
    CHECK(st.seen == (long long)n && st.hits == hits, "line %d: seen %lld hits %lld", line, st.seen,
          st.hits);
    CHECK_INT(st.created_ms, CREATED);
}

static void test_after_times(void)
{
    /* No schedule: every call. */
    run_pattern(__LINE__, sched(-1, 0, 1.0, 0, -1), 0, "1111111");
    /* times N: the first N, then never; times 0 never. */
    run_pattern(__LINE__, sched(1, 0, 1.0, 0, -1), 0, "10000");
    run_pattern(__LINE__, sched(3, 0, 1.0, 0, -1), 0, "1110000");
    run_pattern(__LINE__, sched(0, 0, 1.0, 0, -1), 0, "00000");
    /* after N: the first N matching calls pass, then every one. */
    run_pattern(__LINE__, sched(-1, 1, 1.0, 0, -1), 0, "011111");
    run_pattern(__LINE__, sched(-1, 3, 1.0, 0, -1), 0, "000111");
    /* Both: after skips first, times counts applications only. */
    run_pattern(__LINE__, sched(2, 2, 1.0, 0, -1), 0, "0011000");
    run_pattern(__LINE__, sched(1, 4, 1.0, 0, -1), 0, "0000100");
    /* Outside the window nothing applies, whatever after and times say. */
    run_pattern(__LINE__, sched(-1, 0, 1.0, 100, 200), 99, "0000");
    run_pattern(__LINE__, sched(-1, 0, 1.0, 100, 200), 200, "0000");
    run_pattern(__LINE__, sched(2, 1, 1.0, 100, 200), 150, "01100");
}

static void test_window(void)
{
    /* Window [100, 200) ms after creation: start included, end excluded. */
    static const struct {
        long long ws, we, age;
        int want;
    } rows[] = {
        {100, 200, -1, 0}, /* a clock set before the creation time */
        {100, 200, 0, 0},
        {100, 200, 99, 0},
        {100, 200, 100, 1},
        {100, 200, 150, 1},
        {100, 200, 199, 1},
        {100, 200, 200, 0},
        {100, 200, 5000, 0},
        {0, 1, 0, 1},
        {0, 1, 1, 0},
        {0, 1, -1, 0},
        {0, 1000000000000LL, 999999999999LL, 1},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct fault_schedule s = sched(-1, 0, 1.0, rows[i].ws, rows[i].we);
        struct fault_state st = {CREATED, 0, 0};
        int got = fault_decide(&s, &st, CREATED + rows[i].age, 0.0);
        CHECK(got == rows[i].want, "row %zu: window [%lld, %lld) age %lld: got %d", i, rows[i].ws,
              rows[i].we, rows[i].age, got);
        CHECK_INT(st.seen, 1);
        CHECK_INT(st.hits, rows[i].want);
    }
    /* The same rule over time: calls before, inside and after the window. */
    struct fault_schedule s = sched(-1, 0, 1.0, 1000, 2000);
    struct fault_state st = {CREATED, 0, 0};
    static const long long ages[] = {0, 999, 1000, 1500, 1999, 2000, 2500};
    static const char want[] = "0011100";
    for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
        int got = fault_decide(&s, &st, CREATED + ages[i], 0.0);
        CHECK(got == (want[i] == '1'), "age %lld: got %d", ages[i], got);
    }
    CHECK_INT(st.seen, 7);
    CHECK_INT(st.hits, 3);
}

static void test_probability(void)
{
    /* A draw is needed only when probability < 1 and everything else holds. */
    static const struct {
        long long times, after, ws, we, age, seen, hits;
        double p;
        int want;
    } needs[] = {
        {-1, 0, 0, -1, 0, 0, 0, 1.0, 0}, /* certain: no draw */
        {-1, 0, 0, -1, 0, 0, 0, 0.5, 1},   {-1, 0, 0, -1, 0, 0, 0, 0.0, 1},
        {-1, 0, 0, -1, 0, 0, 0, 0.999, 1}, {-1, 2, 0, -1, 0, 0, 0, 0.5, 0},   /* 1st of after 2 */
        {-1, 2, 0, -1, 0, 1, 0, 0.5, 0},                                      /* 2nd of after 2 */
        {-1, 2, 0, -1, 0, 2, 0, 0.5, 1},                                      /* 3rd */
        {2, 0, 0, -1, 0, 5, 2, 0.5, 0},                                       /* times used up */
        {2, 0, 0, -1, 0, 5, 1, 0.5, 1},    {-1, 0, 10, 20, 9, 0, 0, 0.5, 0},  /* before window */
        {-1, 0, 10, 20, 10, 0, 0, 0.5, 1}, {-1, 0, 10, 20, 20, 0, 0, 0.5, 0}, /* after it */
    };
    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
        struct fault_schedule s =
            sched(needs[i].times, needs[i].after, needs[i].p, needs[i].ws, needs[i].we);
        struct fault_state st = {CREATED, needs[i].seen, needs[i].hits};
        struct fault_state before = st;
        int got = fault_needs_draw(&s, &st, CREATED + needs[i].age);
        CHECK(got == needs[i].want, "needs row %zu: got %d", i, got);
        CHECK(memcmp(&st, &before, sizeof(st)) == 0, "needs row %zu: state changed", i);
    }

    /* The draw decides: applies when draw < probability (draw is in [0, 1)). */
    static const struct {
        double p, draw;
        int want;
    } draws[] = {
        {0.5, 0.0, 1},
        {0.5, 0.4999, 1},
        {0.5, 0.5, 0},
        {0.5, 0.9999, 0},
        {0.0, 0.0, 0},
        {0.0, 0.5, 0},
        {0.25, 0.2499, 1},
        {0.25, 0.25, 0},
        {0.999, 0.998, 1},
        /* Certain rules ignore the draw altogether. */
        {1.0, 0.0, 1},
        {1.0, 0.9999, 1},
    };
    for (size_t i = 0; i < sizeof(draws) / sizeof(draws[0]); i++) {
        struct fault_schedule s = sched(-1, 0, draws[i].p, 0, -1);
        struct fault_state st = {CREATED, 0, 0};
        int got = fault_decide(&s, &st, CREATED, draws[i].draw);
        CHECK(got == draws[i].want, "draw row %zu: p %.4f draw %.4f: got %d", i, draws[i].p,
              draws[i].draw, got);
        CHECK_INT(st.seen, 1);
        CHECK_INT(st.hits, draws[i].want);
    }

    /* A lost draw counts as seen but does not use up times. */
    struct fault_schedule s = sched(2, 1, 0.5, 0, -1);
    struct fault_state st = {CREATED, 0, 0};
    static const double seq[] = {0.1, 0.9, 0.7, 0.2, 0.6, 0.3, 0.1, 0.0};
    static const char want[] = "00010100";
    static const char need[] = "01111100"; /* after 1 skips the first; times 2 ends it */
    char got[16] = "", asked[16] = "";
    for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
        asked[i] = fault_needs_draw(&s, &st, CREATED) ? '1' : '0';
        got[i] = fault_decide(&s, &st, CREATED, seq[i]) ? '1' : '0';
    }
    CHECK_STR(got, want);
    CHECK_STR(asked, need);
    CHECK_INT(st.seen, 8);
    CHECK_INT(st.hits, 2);
    CHECK_INT(fault_remaining(&s, &st), 0);
}

static void test_remaining(void)
{
    static const struct {
        long long times, hits, want;
    } rows[] = {
        {-1, 0, -1},
        {-1, 12, -1},
        {0, 0, 0},
        {1, 0, 1},
        {1, 1, 0},
        {5, 2, 3},
        {5, 5, 0},
        {5, 9, 0}, /* never below zero */
        {9007199254740992LL, 1, 9007199254740991LL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct fault_schedule s = sched(rows[i].times, 0, 1.0, 0, -1);
        struct fault_state st = {CREATED, rows[i].hits + 3, rows[i].hits};
        CHECK(fault_remaining(&s, &st) == rows[i].want, "row %zu: times %lld hits %lld: %lld", i,
              rows[i].times, rows[i].hits, fault_remaining(&s, &st));
    }
    /* remaining follows the decisions: times 3 counts down to 0 and stays there. */
    struct fault_schedule s = sched(3, 0, 1.0, 0, -1);
    struct fault_state st = {CREATED, 0, 0};
    static const long long want[] = {2, 1, 0, 0, 0};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        fault_decide(&s, &st, CREATED, 0.0);
        CHECK_INT(fault_remaining(&s, &st), want[i]);
    }
}

int main(void)
{
    test_endpoint_names();
    test_matching();
    test_after_times();
    test_window();
    test_probability();
    test_remaining();
    return test_report();
}
