/*
 * Store tests (:memory:) of the statements of store_journal.c, store_faults.c,
 * store_auth.c and store_control.c: what each writes, and what each read gives back,
 * field by field (a column read from the wrong position shows here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "store/store.h"
#include "store/store_auth.h"
#include "store/store_control.h"
#include "store/store_faults.h"
#include "store/store_journal.h"

CHECK_DEFINE_COUNTERS;

/* --- the journal ----------------------------------------------------------------------- */

#define ENTRIES 24

/* Entry i (1-based): tenants a/b alternate, mappings M1/M2 every two, methods GET/POST
 * every three, statuses 200/404 every four. */
static struct journal_entry entry(int i)
{
    static char paths[ENTRIES + 8][32];
    snprintf(paths[i], sizeof(paths[i]), "/p/%d", i);
    struct journal_entry e = {
        .server_ms = 1000 + i,
        .wall_ms = 2000 + i,
        .method = i % 3 ? "GET" : "POST",
        .path = paths[i],
        .query = i == 1 ? NULL : "requestId=7",
        .endpoint = "ingest.status",
        .tenant = i % 2 ? "a" : "b",
        .mapping = (i / 2) % 2 ? "M1" : "M2",
        .request_id = i == 1 ? -1 : 100 + i,
        .status = i % 4 ? 200 : 404,
        .request_headers = "{\"accept\":\"*/*\"}",
        .request_body = "",
        .response_body = "{\"status\":\"Success\"}",
        .fault = i == 3 ? "slow" : "",
        .duration_ms = 1.5 * i,
        .transport = i == 2 ? "reset" : NULL,
        .scheme = i == 2 ? "https" : NULL,
    };
    return e;
}

static int matches(const struct journal_entry *e, const struct journal_filter *f)
{
    return (!f->tenant || strcmp(f->tenant, e->tenant) == 0) &&
           (!f->mapping || strcmp(f->mapping, e->mapping) == 0) &&
           (!f->method || strcmp(f->method, e->method) == 0) &&
           (!f->has_status || f->status == e->status);
}

/* The filter of set (bits: tenant, mapping, method, status). */
static struct journal_filter filter(int set)
{
    struct journal_filter f;
    memset(&f, 0, sizeof(f));
    f.tenant = set & 1 ? "a" : NULL;
    f.mapping = set & 2 ? "M1" : NULL;
    f.method = set & 4 ? "GET" : NULL;
    f.has_status = (set & 8) != 0;
    f.status = 200;
    return f;
}

struct collected {
    long long ids[ENTRIES + 8];
    int n;
    int stop_after; /* 0: never */
};

static int collect(void *arg, const struct journal_entry *e)
{
    struct collected *c = arg;
    c->ids[c->n++] = e->id;
    return c->stop_after && c->n >= c->stop_after;
}

static struct journal_entry got;
static char got_texts[12][128];

/* Keeps a copy of the one entry read (the strings die with the call). */
static int keep(void *arg, const struct journal_entry *e)
{
    (void)arg;
    got = *e;
    const char **texts[] = {&got.method,          &got.path,         &got.query,
                            &got.endpoint,        &got.tenant,       &got.mapping,
                            &got.request_headers, &got.request_body, &got.response_body,
                            &got.fault,           &got.transport,    &got.scheme};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        snprintf(got_texts[i], sizeof(got_texts[i]), "%s", *texts[i]);
        *texts[i] = got_texts[i];
    }
    return 0;
}

static void read_one(struct store *st, long long id)
{
    struct journal_filter all;
    memset(&all, 0, sizeof(all));
    memset(&got, 0, sizeof(got));
    int n = 0;
    CHECK_INT(store_journal_page(st, &all, id - 1, id, 1, keep, NULL, &n), 0);
    CHECK_INT(n, 1);
}

static void test_journal(struct store *st)
{
    struct journal_entry all[ENTRIES + 1];
    long long evicted = -1;
    for (int i = 1; i <= ENTRIES; i++) {
        all[i] = entry(i);
        CHECK_INT(store_journal_append(st, &all[i], 1000, 1 << 20, &evicted), 0);
        CHECK_INT(evicted, 0);
    }
    long long first = -1, last = -1;
    CHECK_INT(store_journal_first_id(st, &first), 0);
    CHECK_INT(store_journal_last_id(st, &last), 0);
    CHECK_INT(first, 1);
    CHECK_INT(last, ENTRIES);

    /* Every field back as written, the defaults of the NULL ones included. */
    read_one(st, 1);
    CHECK_INT(got.id, 1);
    CHECK_INT(got.server_ms, 1001);
    CHECK_INT(got.wall_ms, 2001);
    CHECK_STR(got.method, "GET");
    CHECK_STR(got.path, "/p/1");
    CHECK_STR(got.query, "");
    CHECK_STR(got.endpoint, "ingest.status");
    CHECK_STR(got.tenant, "a");
    CHECK_STR(got.mapping, "M2");
    CHECK_INT(got.request_id, -1);
    CHECK_INT(got.status, 200);
    CHECK_STR(got.request_headers, "{\"accept\":\"*/*\"}");
    CHECK_STR(got.request_body, "");
    CHECK_STR(got.response_body, "{\"status\":\"Success\"}");
    CHECK_STR(got.fault, "");
    CHECK(got.duration_ms == 1.5, "duration_ms %g", got.duration_ms);
    CHECK_STR(got.transport, "normal");
    CHECK_STR(got.scheme, "http");
    read_one(st, 2);
    CHECK_STR(got.query, "requestId=7");
    CHECK_INT(got.request_id, 102);
    CHECK_STR(got.transport, "reset");
    CHECK_STR(got.scheme, "https");
    CHECK_STR(got.tenant, "b");
    CHECK_STR(got.mapping, "M1");
    read_one(st, 3);
    CHECK_STR(got.fault, "slow");
    CHECK_STR(got.method, "POST");
    read_one(st, 4);
    CHECK_INT(got.status, 404);

    /* Each of the 16 filter sets: its count, its entries oldest first, and where the
     * newest 3 of them begin. */
    for (int set = 0; set < 16; set++) {
        struct journal_filter f = filter(set);
        long long want = 0, count = -1;
        long long want_ids[ENTRIES];
        for (int i = 1; i <= ENTRIES; i++) {
            if (matches(&all[i], &f))
                want_ids[want++] = i;
        }
        CHECK(want > 3, "set %d matches %lld", set, want);
        CHECK_INT(store_journal_count(st, &f, &count), 0);
        CHECK(count == want, "set %d: count %lld, want %lld", set, count, want);
        struct collected c = {{0}, 0, 0};
        int n = 0;
        CHECK_INT(store_journal_page(st, &f, 0, last, 100, collect, &c, &n), 0);
        CHECK(n == want && c.n == want, "set %d: page of %d, want %lld", set, n, want);
        for (int k = 0; k < c.n && k < want; k++)
            CHECK(c.ids[k] == want_ids[k], "set %d: entry %d is %lld, want %lld", set, k, c.ids[k],
                  want_ids[k]);
        long long after = -1;
        CHECK_INT(store_journal_start(st, &f, 3, last, &after), 0);
        CHECK(after == want_ids[want - 3] - 1, "set %d: start %lld, want %lld", set, after,
              want_ids[want - 3] - 1);
        /* More than match: from the first. */
        after = -1;
        CHECK_INT(store_journal_start(st, &f, 1000, last, &after), 0);
        CHECK_INT(after, 0);
    }

    /* A page is bounded by after, upto and limit, and stops when fn asks. */
    struct journal_filter none = filter(0);
    struct collected c = {{0}, 0, 0};
    int n = 0;
    CHECK_INT(store_journal_page(st, &none, 5, 10, 3, collect, &c, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(c.ids[0], 6);
    CHECK_INT(c.ids[2], 8);
    memset(&c, 0, sizeof(c));
    CHECK_INT(store_journal_page(st, &none, 5, 10, 100, collect, &c, &n), 0);
    CHECK_INT(n, 5);
    CHECK_INT(c.ids[4], 10);
    memset(&c, 0, sizeof(c));
    c.stop_after = 2;
    CHECK_INT(store_journal_page(st, &none, 0, last, 100, collect, &c, &n), 0);
    CHECK_INT(c.n, 2);

    /* Eviction by count: the oldest beyond max go, the bytes they weighed with them. */
    long long bytes_before = 0, bytes_after = 0, upto = 0;
    CHECK_INT(store_meta_get(st, "journal_bytes", &bytes_before), 0);
    struct journal_entry e = entry(ENTRIES + 1);
    CHECK_INT(store_journal_append(st, &e, 10, 1 << 20, &evicted), 0);
    CHECK_INT(evicted, ENTRIES + 1 - 10);
    CHECK_INT(store_journal_first_id(st, &first), 0);
    CHECK_INT(first, ENTRIES + 1 - 10 + 1);
    CHECK_INT(store_meta_get(st, "journal_evicted_upto", &upto), 0);
    CHECK_INT(upto, first - 1);
    CHECK_INT(store_meta_get(st, "journal_bytes", &bytes_after), 0);
    CHECK(bytes_after < bytes_before, "bytes %lld then %lld", bytes_before, bytes_after);
    long long count = 0;
    CHECK_INT(store_journal_count(st, &none, &count), 0);
    CHECK_INT(count, 10);

    /* Eviction by size: room for about three entries keeps the newest that fit (never
     * the one just added). */
    long long one = bytes_after / 10;
    e = entry(ENTRIES + 2);
    CHECK_INT(store_journal_append(st, &e, 1000, one * 3, &evicted), 0);
    CHECK_INT(store_journal_count(st, &none, &count), 0);
    CHECK(count >= 1 && count <= 3, "%lld entries left", count);
    CHECK_INT(evicted, 11 - count);
    CHECK_INT(store_meta_get(st, "journal_bytes", &bytes_after), 0);
    CHECK(bytes_after <= one * 3, "bytes %lld over %lld", bytes_after, one * 3);

    /* Cleared: nothing left, no bytes, and the last id still says where the ids went. */
    CHECK_INT(store_journal_clear(st), 0);
    CHECK_INT(store_journal_count(st, &none, &count), 0);
    CHECK_INT(count, 0);
    CHECK_INT(store_journal_first_id(st, &first), 0);
    CHECK_INT(first, 0);
    CHECK_INT(store_journal_last_id(st, &last), 0);
    CHECK_INT(last, ENTRIES + 2);
    CHECK_INT(store_meta_get(st, "journal_bytes", &bytes_after), 0);
    CHECK_INT(bytes_after, 0);
}

/* --- fault rules ----------------------------------------------------------------------- */

struct rules {
    char text[256];
};

static int list_rule(void *arg, const struct fault_row *r)
{
    struct rules *rs = arg;
    size_t used = strlen(rs->text);
    snprintf(rs->text + used, sizeof(rs->text) - used, "%s%s=%s@%lld:%lld/%lld", used ? " " : "",
             r->id, r->rule, r->created_ms, r->seen, r->hits);
    return 0;
}

static int first_rule(void *arg, const struct fault_row *r)
{
    list_rule(arg, r);
    return 1;
}

static void test_faults(struct store *st)
{
    long long n = -1;
    CHECK_INT(store_fault_count(st, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_fault_insert(st, "b", "{\"x\":1}", 10), 0);
    CHECK_INT(store_fault_insert(st, "a", "{\"x\":2}", 20), 0);
    CHECK_INT(store_fault_insert(st, "c", "{}", 30), 0);
    CHECK_INT(store_fault_insert(st, "a", "{}", 40), STORE_CONSTRAINT);
    struct rules rs = {""};
    /* In the order they were added, not by id. */
    CHECK_INT(store_fault_each(st, list_rule, &rs), 0);
    CHECK_STR(rs.text, "b={\"x\":1}@10:0/0 a={\"x\":2}@20:0/0 c={}@30:0/0");
    CHECK_INT(store_fault_set_counters(st, "a", 5, 3), 0);
    CHECK_INT(store_fault_delete(st, "b"), 0);
    CHECK_INT(store_fault_delete(st, "b"), STORE_NOTFOUND);
    /* Added after a delete: still last. */
    CHECK_INT(store_fault_insert(st, "d", "{}", 50), 0);
    memset(&rs, 0, sizeof(rs));
    CHECK_INT(store_fault_each(st, list_rule, &rs), 0);
    CHECK_STR(rs.text, "a={\"x\":2}@20:5/3 c={}@30:0/0 d={}@50:0/0");
    memset(&rs, 0, sizeof(rs));
    CHECK_INT(store_fault_each(st, first_rule, &rs), 0);
    CHECK_STR(rs.text, "a={\"x\":2}@20:5/3");
    CHECK_INT(store_fault_count(st, &n), 0);
    CHECK_INT(n, 3);
    long long deleted = -1;
    CHECK_INT(store_fault_clear(st, &deleted), 0);
    CHECK_INT(deleted, 3);
    CHECK_INT(store_fault_clear(st, NULL), 0);
    CHECK_INT(store_fault_count(st, &n), 0);
    CHECK_INT(n, 0);
}

/* --- IMS tokens ------------------------------------------------------------------------ */

static void test_tokens(struct store *st)
{
    long long n = -1, evicted = -1;
    CHECK_INT(store_token_insert(st, "t1", "cid", 100, 200), 0);
    CHECK_INT(store_token_insert(st, "t1", "other", 100, 200), STORE_CONSTRAINT);
    /* The schema refuses a token that expires before it is issued. */
    CHECK_INT(store_token_insert(st, "bad", "cid", 200, 200), STORE_CONSTRAINT);
    CHECK_INT(store_token_insert(st, "t2", "cid2", 150, 300), 0);
    struct store_token t;
    memset(&t, 0, sizeof(t));
    CHECK_INT(store_token_get(st, "t2", &t), 0);
    CHECK_STR(t.client_id, "cid2");
    CHECK_INT(t.issued_ms, 150);
    CHECK_INT(t.expires_ms, 300);
    CHECK_INT(store_token_get(st, "nope", &t), STORE_NOTFOUND);
    CHECK_INT(store_token_count(st, &n), 0);
    CHECK_INT(n, 2);
    /* Expired at or before now. */
    CHECK_INT(store_token_purge_expired(st, 200), 0);
    CHECK_INT(store_token_get(st, "t1", &t), STORE_NOTFOUND);
    CHECK_INT(store_token_get(st, "t2", &t), 0);
    /* The newest keep stay, counted from the last insert. */
    CHECK_INT(store_token_insert(st, "t3", "cid", 160, 400), 0);
    CHECK_INT(store_token_insert(st, "t4", "cid", 170, 400), 0);
    CHECK_INT(store_token_evict(st, 2, &evicted), 0);
    CHECK_INT(evicted, 1);
    CHECK_INT(store_token_get(st, "t2", &t), STORE_NOTFOUND);
    CHECK_INT(store_token_get(st, "t3", &t), 0);
    CHECK_INT(store_token_get(st, "t4", &t), 0);
    CHECK_INT(store_token_evict(st, 2, &evicted), 0);
    CHECK_INT(evicted, 0);
    CHECK_INT(store_token_count(st, &n), 0);
    CHECK_INT(n, 2);
}

/* --- control-only statements ----------------------------------------------------------- */

static void test_control(struct store *st)
{
    long long n = -1;
    CHECK_INT(store_tenant_put(st, "*", "{}"), 0);
    CHECK_INT(store_tenant_put(st, "acme", "{}"), 0);
    CHECK_INT(store_tenant_put(st, "zeta", "{}"), 0);
    /* The template is not a tenant. */
    CHECK_INT(store_tenant_count(st, &n), 0);
    CHECK_INT(n, 2);
    struct model_mapping m;
    memset(&m, 0, sizeof(m));
    snprintf(m.tenant, sizeof(m.tenant), "acme");
    model_step_default(&m.default_step);
    for (int i = 0; i < 3; i++) {
        snprintf(m.id, sizeof(m.id), "M%d", i);
        CHECK_INT(store_mapping_put(st, &m), 0);
    }
    CHECK_INT(store_mapping_count(st, "acme", &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(store_mapping_count(st, "zeta", &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_tenant_clear(st, "acme"), 0);
    CHECK_INT(store_mapping_count(st, "acme", &n), 0);
    CHECK_INT(n, 0);
    /* The tenant itself stays. */
    CHECK_INT(store_tenant_get(st, "acme", NULL), 0);
}

int main(void)
{
    struct store *st = NULL;
    char err[256];
    CHECK_INT(store_open(&st, ":memory:", err, sizeof(err)), 0);
    if (!st)
        return test_report();
    test_journal(st);
    test_faults(st);
    test_tokens(st);
    test_control(st);
    store_close(st);
    return test_report();
}
