/*
 * The store on :memory: and on a file: migrations and PRAGMA user_version, every
 * table's statements, the constraints the database enforces by itself (one request
 * In Progress per mapping, foreign keys, checks), transactions that roll back, and a
 * file database that keeps its state across a reopen.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "embedded.h"
#include "store/store.h"
#include "store/store_auth.h"
#include "store/store_internal.h"

CHECK_DEFINE_COUNTERS;

/* The number of schema/NNN_*.sql files in the source tree (found from this file). */
static int count_migration_files(void)
{
    char here[1024];
    snprintf(here, sizeof(here), "%s", __FILE__);
    char dir[1100];
    snprintf(dir, sizeof(dir), "%s/../../schema", dirname(here));
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *s = e->d_name;
        size_t l = strlen(s);
        if (l > 8 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
            s[2] <= '9' && s[3] == '_' && strcmp(s + l - 4, ".sql") == 0)
            n++;
    }
    closedir(d);
    return n;
}

static int user_version(struct store *st)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return -1;
    int v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
}

static struct model_mapping mapping(const char *tenant, const char *id)
{
    struct model_mapping m;
    memset(&m, 0, sizeof(m));
    snprintf(m.tenant, sizeof(m.tenant), "%s", tenant);
    snprintf(m.id, sizeof(m.id), "%s", id);
    snprintf(m.label, sizeof(m.label), "label of %s", id);
    snprintf(m.targeting_dimension, sizeof(m.targeting_dimension), "profile");
    snprintf(m.dataset, sizeof(m.dataset), "5da558abd538ed18ae12261e");
    m.published = 1;
    m.changed_records = 15;
    model_step_default(&m.default_step);
    return m;
}

static struct model_step step(enum model_outcome o, long long records, long long after_polls)
{
    struct model_step s;
    memset(&s, 0, sizeof(s));
    s.outcome = o;
    s.num_records = records;
    s.after_polls = after_polls;
    s.after_ms = after_polls * 10;
    if (o == OUTCOME_FAILED_UPLOAD)
        snprintf(s.batch_id, sizeof(s.batch_id), "592743400bb44ae6bd5bc99a37c7ddc0");
    return s;
}

static struct model_request request(long long id, const char *tenant, const char *mapping_id)
{
    struct model_request r;
    struct model_step s = step(OUTCOME_FAILED_UPLOAD, -1, 2);
    model_request_create(&r, id, tenant, mapping_id, 1735689600000LL + id, &s, NULL);
    return r;
}

static int same_step(const struct model_step *a, const struct model_step *b)
{
    return a->outcome == b->outcome && a->num_records == b->num_records &&
           strcmp(a->batch_id, b->batch_id) == 0 && a->after_ms == b->after_ms &&
           a->after_polls == b->after_polls;
}

static int same_mapping(const struct model_mapping *a, const struct model_mapping *b)
{
    return strcmp(a->tenant, b->tenant) == 0 && strcmp(a->id, b->id) == 0 &&
           strcmp(a->label, b->label) == 0 &&
           strcmp(a->targeting_dimension, b->targeting_dimension) == 0 &&
           strcmp(a->dataset, b->dataset) == 0 && a->published == b->published &&
           a->started == b->started && a->changed_records == b->changed_records &&
           same_step(&a->default_step, &b->default_step);
}

static int same_request(const struct model_request *a, const struct model_request *b)
{
    return a->id == b->id && strcmp(a->tenant, b->tenant) == 0 &&
           strcmp(a->mapping, b->mapping) == 0 && a->created_ms == b->created_ms &&
           same_step(&a->step, &b->step) && a->polls == b->polls && a->status == b->status &&
           a->num_records == b->num_records && strcmp(a->batch_id, b->batch_id) == 0 &&
           a->resolved_ms == b->resolved_ms;
}

struct names {
    char list[8][MODEL_NAME_MAX + 1];
    int n;
};

static int tenant_cb(void *arg, const char *name)
{
    struct names *n = arg;
    if (n->n < 8)
        snprintf(n->list[n->n++], sizeof(n->list[0]), "%s", name);
    return 0;
}

static int mapping_cb(void *arg, const struct model_mapping *m)
{
    return tenant_cb(arg, m->id);
}

static int request_cb(void *arg, const struct model_request *r)
{
    struct names *n = arg;
    if (n->n < 8)
        snprintf(n->list[n->n++], sizeof(n->list[0]), "%lld", r->id);
    return 0;
}

static int step_cb(void *arg, const struct model_step *s)
{
    struct names *n = arg;
    if (n->n < 8)
        snprintf(n->list[n->n++], sizeof(n->list[0]), "%s", model_outcome_name(s->outcome));
    return 0;
}

static int stop_cb(void *arg, const char *name)
{
    (void)name;
    (*(int *)arg)++;
    return 1;
}

static void check_names(const struct names *n, const char *joined, int line)
{
    char got[512] = "";
    size_t len = 0;
    for (int i = 0; i < n->n; i++)
        len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? "," : "", n->list[i]);
    CHECK(strcmp(got, joined) == 0, "line %d: expected [%s], got [%s]", line, joined, got);
}

#define CHECK_NAMES(n, joined) check_names(n, joined, __LINE__)

static void test_meta_tenants(struct store *st)
{
    long long v = -1;
    CHECK_INT(store_meta_get(st, "next_request_id", &v), STORE_NOTFOUND);
    CHECK_INT(v, -1);
    CHECK_INT(store_meta_set(st, "next_request_id", 3520), 0);
    CHECK_INT(store_meta_get(st, "next_request_id", &v), 0);
    CHECK_INT(v, 3520);
    CHECK_INT(store_meta_set(st, "next_request_id", 9007199254740992LL), 0);
    CHECK_INT(store_meta_get(st, "next_request_id", &v), 0);
    CHECK_INT(v, 9007199254740992LL);

    CHECK_INT(store_tenant_get(st, "acme", NULL), STORE_NOTFOUND);
    CHECK_INT(store_tenant_put(st, "acme", "{\"mappings\": []}"), 0);
    CHECK_INT(store_tenant_put(st, "*", "{\"mappings\": [{\"id\": \"XDM1\"}]}"), 0);
    CHECK_INT(store_tenant_put(st, "beta", "{}"), 0);
    char *fixture = NULL;
    CHECK_INT(store_tenant_get(st, "acme", &fixture), 0);
    CHECK_STR(fixture, "{\"mappings\": []}");
    free(fixture);
    CHECK_INT(store_tenant_put(st, "acme", "{\"mappings\": [{\"id\": \"X\"}]}"), 0); /* upsert */
    fixture = NULL;
    CHECK_INT(store_tenant_get(st, "acme", &fixture), 0);
    CHECK_STR(fixture, "{\"mappings\": [{\"id\": \"X\"}]}");
    free(fixture);
    /* The template is not listed as a tenant. */
    struct names n = {.n = 0};
    CHECK_INT(store_tenant_each(st, tenant_cb, &n), 0);
    CHECK_NAMES(&n, "acme,beta");
    int calls = 0;
    CHECK_INT(store_tenant_each(st, stop_cb, &calls), 0);
    CHECK_INT(calls, 1);
    CHECK_INT(store_tenant_delete(st, "beta"), 0);
    CHECK_INT(store_tenant_delete(st, "beta"), STORE_NOTFOUND);
    CHECK_INT(store_tenant_get(st, "beta", NULL), STORE_NOTFOUND);
}

static void test_mappings(struct store *st)
{
    struct model_mapping m = mapping("acme", "XDM44"), got;
    m.default_step = step(OUTCOME_FAILED_UPLOAD, -1, 3);
    CHECK_INT(store_mapping_get(st, "acme", "XDM44", &got), STORE_NOTFOUND);
    CHECK_INT(store_mapping_put(st, &m), 0);
    memset(&got, 0x5a, sizeof(got));
    CHECK_INT(store_mapping_get(st, "acme", "XDM44", &got), 0);
    CHECK(same_mapping(&m, &got), "mapping read back as written");

    /* Upsert: a second put replaces every field. */
    snprintf(m.label, sizeof(m.label), "Profiles to AEP");
    snprintf(m.targeting_dimension, sizeof(m.targeting_dimension), "nmsRecipient");
    m.dataset[0] = '\0';
    m.published = 0;
    m.started = 1;
    m.changed_records = 0;
    m.default_step = step(OUTCOME_HANG, -1, 0);
    CHECK_INT(store_mapping_put(st, &m), 0);
    CHECK_INT(store_mapping_get(st, "acme", "XDM44", &got), 0);
    CHECK(same_mapping(&m, &got), "mapping replaced by a second put");

    CHECK_INT(store_mapping_set_changed(st, "acme", "XDM44", 99), 0);
    CHECK_INT(store_mapping_get(st, "acme", "XDM44", &got), 0);
    CHECK_INT(got.changed_records, 99);
    CHECK_INT(store_mapping_set_changed(st, "acme", "nope", 1), STORE_NOTFOUND);
    /* The checks hold in the database too. */
    CHECK_INT(store_mapping_set_changed(st, "acme", "XDM44", -1), STORE_CONSTRAINT);
    struct model_mapping bad = mapping("acme", "Bad");
    bad.changed_records = -5;
    CHECK_INT(store_mapping_put(st, &bad), STORE_CONSTRAINT);
    bad = mapping("acme", "Bad");
    bad.default_step.after_polls = -1;
    CHECK_INT(store_mapping_put(st, &bad), STORE_CONSTRAINT);
    /* A mapping needs its tenant (foreign keys are on). */
    struct model_mapping orphan = mapping("nobody", "X");
    CHECK_INT(store_mapping_put(st, &orphan), STORE_CONSTRAINT);

    /* Same id, other tenant: another mapping. */
    CHECK_INT(store_tenant_put(st, "other", "{}"), 0);
    struct model_mapping o = mapping("other", "XDM44");
    CHECK_INT(store_mapping_put(st, &o), 0);
    CHECK_INT(store_mapping_get(st, "acme", "XDM44", &got), 0);
    CHECK_STR(got.label, "Profiles to AEP");

    struct model_mapping b = mapping("acme", "A1"), c = mapping("acme", "Z9");
    CHECK_INT(store_mapping_put(st, &c), 0);
    CHECK_INT(store_mapping_put(st, &b), 0);
    struct names n = {.n = 0};
    CHECK_INT(store_mapping_each(st, "acme", mapping_cb, &n), 0);
    CHECK_NAMES(&n, "A1,XDM44,Z9");

    CHECK_INT(store_mapping_delete(st, "acme", "Z9"), 0);
    CHECK_INT(store_mapping_delete(st, "acme", "Z9"), STORE_NOTFOUND);
    CHECK_INT(store_mapping_get(st, "acme", "Z9", &got), STORE_NOTFOUND);
    CHECK_INT(store_mapping_get(st, "other", "XDM44", &got), 0);
}

static void test_script(struct store *st)
{
    struct model_step out;
    CHECK_INT(store_script_pop(st, "acme", "A1", &out), STORE_NOTFOUND);
    struct model_step s1 = step(OUTCOME_SUCCESS, 15, 1), s2 = step(OUTCOME_FAILED_FETCH, -1, 0),
                      s3 = step(OUTCOME_FAILED_UPLOAD, -1, 2), s4 = step(OUTCOME_HANG, -1, 0);
    CHECK_INT(store_script_append(st, "acme", "A1", &s1), 0);
    CHECK_INT(store_script_append(st, "acme", "A1", &s2), 0);
    CHECK_INT(store_script_append(st, "acme", "A1", &s3), 0);
    CHECK_INT(store_script_append(st, "acme", "XDM44", &s4), 0); /* another mapping's */
    struct names n = {.n = 0};
    CHECK_INT(store_script_each(st, "acme", "A1", step_cb, &n), 0);
    CHECK_NAMES(&n, "success,failed-fetch,failed-upload");

    memset(&out, 0x5a, sizeof(out));
    CHECK_INT(store_script_pop(st, "acme", "A1", &out), 0);
    CHECK(same_step(&out, &s1), "first pop: the first step");
    /* Appending after a pop goes to the end. */
    CHECK_INT(store_script_append(st, "acme", "A1", &s4), 0);
    CHECK_INT(store_script_pop(st, "acme", "A1", &out), 0);
    CHECK(same_step(&out, &s2), "second pop");
    CHECK_INT(store_script_pop(st, "acme", "A1", &out), 0);
    CHECK(same_step(&out, &s3), "third pop, batch id kept");
    CHECK_INT(store_script_pop(st, "acme", "A1", &out), 0);
    CHECK(same_step(&out, &s4), "fourth pop");
    CHECK_INT(store_script_pop(st, "acme", "A1", &out), STORE_NOTFOUND);
    /* An emptied script starts again from the front. */
    CHECK_INT(store_script_append(st, "acme", "A1", &s2), 0);
    CHECK_INT(store_script_append(st, "acme", "A1", &s1), 0);
    CHECK_INT(store_script_pop(st, "acme", "A1", &out), 0);
    CHECK(same_step(&out, &s2), "pop after refill");
    CHECK_INT(store_script_clear(st, "acme", "A1"), 0);
    CHECK_INT(store_script_pop(st, "acme", "A1", &out), STORE_NOTFOUND);
    CHECK_INT(store_script_pop(st, "acme", "XDM44", &out), 0);
    CHECK(same_step(&out, &s4), "other mapping's script untouched");
    /* A script needs its mapping. */
    CHECK_INT(store_script_append(st, "acme", "nope", &s1), STORE_CONSTRAINT);
    struct model_step neg = step(OUTCOME_SUCCESS, 1, 0);
    neg.after_ms = -1;
    CHECK_INT(store_script_append(st, "acme", "A1", &neg), STORE_CONSTRAINT);
}

static void test_requests(struct store *st)
{
    struct model_request r = request(3520, "acme", "XDM44"), got;
    CHECK_INT(store_request_get(st, 3520, &got), STORE_NOTFOUND);
    CHECK_INT(store_request_in_progress(st, "acme", "XDM44", &got), STORE_NOTFOUND);
    CHECK_INT(store_request_insert(st, &r), 0);
    memset(&got, 0x5a, sizeof(got));
    CHECK_INT(store_request_get(st, 3520, &got), 0);
    CHECK(same_request(&r, &got), "request read back as written");
    CHECK_INT(got.resolved_ms, -1);
    CHECK_INT(store_request_in_progress(st, "acme", "XDM44", &got), 0);
    CHECK_INT(got.id, 3520);

    /* The same id twice is refused. */
    struct model_request dup = request(3520, "acme", "A1");
    CHECK_INT(store_request_insert(st, &dup), STORE_CONSTRAINT);
    /* A second In Progress request for the same mapping is refused by the index ... */
    struct model_request second = request(3521, "acme", "XDM44");
    CHECK_INT(store_request_insert(st, &second), STORE_CONSTRAINT);
    CHECK_INT(store_request_get(st, 3521, &got), STORE_NOTFOUND);
    /* ... but another mapping, or the same id in another tenant, is fine. */
    struct model_request a1 = request(3522, "acme", "A1");
    CHECK_INT(store_request_insert(st, &a1), 0);
    struct model_request other = request(3523, "other", "XDM44");
    CHECK_INT(store_request_insert(st, &other), 0);
    long long count = -1;
    CHECK_INT(store_request_count_in_progress(st, &count), 0);
    CHECK_INT(count, 3);
    /* A request needs its mapping. */
    struct model_request orphan = request(3600, "acme", "nope");
    CHECK_INT(store_request_insert(st, &orphan), STORE_CONSTRAINT);

    /* Update: polls, then the outcome; the status check holds. */
    r.polls = 2;
    CHECK_INT(store_request_update(st, &r), 0);
    CHECK_INT(store_request_get(st, 3520, &got), 0);
    CHECK_INT(got.polls, 2);
    long long changed = 0;
    CHECK_INT(model_request_advance(&r, r.created_ms + 20, 1, &changed), 1);
    CHECK_INT(r.status, STATUS_FAILED);
    CHECK_INT(store_request_update(st, &r), 0);
    CHECK_INT(store_request_get(st, 3520, &got), 0);
    CHECK(same_request(&r, &got), "final request read back");
    CHECK_STR(got.batch_id, "592743400bb44ae6bd5bc99a37c7ddc0");
    CHECK_INT(got.resolved_ms, r.created_ms + 20);
    CHECK_INT(store_request_in_progress(st, "acme", "XDM44", &got), STORE_NOTFOUND);
    CHECK_INT(store_request_count_in_progress(st, &count), 0);
    CHECK_INT(count, 2);

    /* Once the first is final, a new In Progress request for the mapping is allowed. */
    CHECK_INT(store_request_insert(st, &second), 0);
    CHECK_INT(store_request_in_progress(st, "acme", "XDM44", &got), 0);
    CHECK_INT(got.id, 3521);
    /* The index also refuses an update that would make two In Progress. */
    struct model_request back = r;
    back.status = STATUS_IN_PROGRESS;
    back.resolved_ms = -1;
    CHECK_INT(store_request_update(st, &back), STORE_CONSTRAINT);
    CHECK_INT(store_request_get(st, 3520, &got), 0);
    CHECK_INT(got.status, STATUS_FAILED);
    /* Updating an unknown request is not found. */
    struct model_request ghost = request(4000, "acme", "XDM44");
    CHECK_INT(store_request_update(st, &ghost), STORE_NOTFOUND);

    /* Listing in id order, a tenant's or a mapping's, and the counts by status. */
    struct names n = {.n = 0};
    int got_n = 0;
    CHECK_INT(store_request_page(st, "acme", NULL, 0, 0, 10, request_cb, &n, &got_n), 0);
    CHECK_NAMES(&n, "3520,3521,3522");
    n.n = 0;
    CHECK_INT(store_request_page(st, "acme", "XDM44", 0, 0, 10, request_cb, &n, &got_n), 0);
    CHECK_NAMES(&n, "3520,3521");
    n.n = 0;
    CHECK_INT(store_request_page(st, "acme", NULL, 0, 3520, 1, request_cb, &n, &got_n), 0);
    CHECK_NAMES(&n, "3521");
    CHECK_INT(got_n, 1);
    n.n = 0;
    CHECK_INT(store_request_page(st, "other", NULL, 0, 0, 10, request_cb, &n, &got_n), 0);
    CHECK_NAMES(&n, "3523");
    n.n = 0; /* In Progress only: 3521 (XDM44) and 3522 (A1) */
    CHECK_INT(store_request_page(st, "acme", NULL, 1, 0, 10, request_cb, &n, &got_n), 0);
    CHECK_NAMES(&n, "3521,3522");
    n.n = 0;
    CHECK_INT(store_request_page(st, "acme", "XDM44", 1, 0, 10, request_cb, &n, &got_n), 0);
    CHECK_NAMES(&n, "3521");
    long long counts[MODEL_STATUS_COUNT];
    CHECK_INT(store_request_counts(st, "acme", "XDM44", counts), 0);
    CHECK_INT(counts[STATUS_IN_PROGRESS], 1);
    CHECK_INT(counts[STATUS_FAILED], 1);
    CHECK_INT(counts[STATUS_SUCCESS], 0);
    CHECK_INT(counts[STATUS_ABORTED], 0);
    CHECK_INT(store_request_counts(st, "acme", "nope", counts), 0);
    CHECK_INT(counts[STATUS_IN_PROGRESS] + counts[STATUS_FAILED], 0);

    /* The counts follow a status change: XDM44's In Progress 3521 fails. */
    struct model_request change;
    CHECK_INT(store_request_get(st, 3521, &change), 0);
    change.status = STATUS_FAILED;
    change.resolved_ms = 1;
    CHECK_INT(store_request_update(st, &change), 0);
    CHECK_INT(store_request_counts(st, "acme", "XDM44", counts), 0);
    CHECK_INT(counts[STATUS_IN_PROGRESS], 0);
    CHECK_INT(counts[STATUS_FAILED], 2);
    CHECK_INT(store_request_counts(st, "acme", "A1", counts), 0);
    CHECK_INT(counts[STATUS_IN_PROGRESS], 1);
    change.status = STATUS_IN_PROGRESS; /* and back, as the tests below expect it */
    change.resolved_ms = -1;
    CHECK_INT(store_request_update(st, &change), 0);
    CHECK_INT(store_request_counts(st, "acme", "XDM44", counts), 0);
    CHECK_INT(counts[STATUS_IN_PROGRESS], 1);
    CHECK_INT(counts[STATUS_FAILED], 1);

    /* Deleting a mapping takes its requests, their counts and its script with it. */
    struct model_step s = step(OUTCOME_SUCCESS, 1, 0);
    CHECK_INT(store_script_append(st, "acme", "A1", &s), 0);
    CHECK_INT(store_mapping_delete(st, "acme", "A1"), 0);
    CHECK_INT(store_request_get(st, 3522, &got), STORE_NOTFOUND);
    struct model_step out;
    CHECK_INT(store_script_pop(st, "acme", "A1", &out), STORE_NOTFOUND);
    CHECK_INT(store_request_counts(st, "acme", "A1", counts), 0);
    CHECK_INT(counts[STATUS_IN_PROGRESS], 0);
    /* No count row is left for it (a count that falls to 0 goes). */
    sqlite3_stmt *q;
    long long left = -1;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM request_count WHERE mapping = 'A1'",
                           -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            left = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    CHECK_INT(left, 0);
}

/* Deleting a tenant cascades to mappings, scripts and requests; others stay. */
static void test_cascade(struct store *st)
{
    struct model_step s = step(OUTCOME_SUCCESS, 1, 0), out;
    CHECK_INT(store_script_append(st, "other", "XDM44", &s), 0);
    CHECK_INT(store_tenant_delete(st, "other"), 0);
    struct model_mapping m;
    struct model_request r;
    CHECK_INT(store_mapping_get(st, "other", "XDM44", &m), STORE_NOTFOUND);
    CHECK_INT(store_request_get(st, 3523, &r), STORE_NOTFOUND);
    CHECK_INT(store_script_pop(st, "other", "XDM44", &out), STORE_NOTFOUND);
    CHECK_INT(store_mapping_get(st, "acme", "XDM44", &m), 0);
    CHECK_INT(store_request_get(st, 3520, &r), 0);
    long long count = -1;
    CHECK_INT(store_request_count_in_progress(st, &count), 0);
    CHECK_INT(count, 1);
}

struct tx {
    int rc;
    const char *tenant;
};

static int tx_fn(struct store *st, void *arg)
{
    struct tx *t = arg;
    int rc = store_tenant_put(st, t->tenant, "{}");
    if (rc == 0) {
        struct model_mapping m = mapping(t->tenant, "M");
        rc = store_mapping_put(st, &m);
    }
    if (rc == 0)
        rc = store_meta_set(st, "tx_marker", 1);
    return rc ? rc : t->rc;
}

static int tx_constraint_fn(struct store *st, void *arg)
{
    (void)arg;
    int rc = store_tenant_put(st, "half", "{}");
    if (rc == 0)
        rc = store_meta_set(st, "tx_marker", 5);
    if (rc == 0) {
        struct model_mapping m = mapping("no-such-tenant", "M");
        rc = store_mapping_put(st, &m);
    }
    return rc;
}

static void test_transact(struct store *st)
{
    struct tx t = {-7, "rolled"};
    CHECK_INT(store_transact(st, tx_fn, &t), -7);
    struct model_mapping m;
    long long v;
    CHECK_INT(store_tenant_get(st, "rolled", NULL), STORE_NOTFOUND);
    CHECK_INT(store_mapping_get(st, "rolled", "M", &m), STORE_NOTFOUND);
    CHECK_INT(store_meta_get(st, "tx_marker", &v), STORE_NOTFOUND);
    t.rc = STORE_NOTFOUND;
    CHECK_INT(store_transact(st, tx_fn, &t), STORE_NOTFOUND);
    CHECK_INT(store_tenant_get(st, "rolled", NULL), STORE_NOTFOUND);
    t.rc = 1; /* any non-zero value rolls back */
    CHECK_INT(store_transact(st, tx_fn, &t), 1);
    CHECK_INT(store_tenant_get(st, "rolled", NULL), STORE_NOTFOUND);
    /* A constraint failure inside rolls back what came before it. */
    CHECK_INT(store_transact(st, tx_constraint_fn, NULL), STORE_CONSTRAINT);
    CHECK_INT(store_tenant_get(st, "half", NULL), STORE_NOTFOUND);
    CHECK_INT(store_meta_get(st, "tx_marker", &v), STORE_NOTFOUND);
    struct tx again = {0, "kept"};
    CHECK_INT(store_transact(st, tx_fn, &again), 0);
    CHECK_INT(store_tenant_get(st, "kept", NULL), 0);
    CHECK_INT(store_mapping_get(st, "kept", "M", &m), 0);
    CHECK_INT(store_meta_get(st, "tx_marker", &v), 0);
    CHECK_INT(v, 1);
    /* The connection is usable after a rollback (no transaction left open). */
    t.rc = -7;
    t.tenant = "rolled2";
    CHECK_INT(store_transact(st, tx_fn, &t), -7);
    CHECK_INT(store_transact(st, tx_fn, &again), 0);
    CHECK_INT(sqlite3_get_autocommit(store_db(st)), 1);
}

static void test_wipe(struct store *st)
{
    CHECK_INT(store_wipe(st), 0);
    struct names n = {.n = 0};
    CHECK_INT(store_tenant_each(st, tenant_cb, &n), 0);
    CHECK_INT(n.n, 0);
    CHECK_INT(store_tenant_get(st, "*", NULL), STORE_NOTFOUND);
    long long count = -1;
    CHECK_INT(store_request_count_in_progress(st, &count), 0);
    CHECK_INT(count, 0);
    /* Meta survives a wipe (the sequence is reset by whoever loads fixtures). */
    long long v = 0;
    CHECK_INT(store_meta_get(st, "next_request_id", &v), 0);
}

static void run_all(struct store *st)
{
    test_meta_tenants(st);
    test_mappings(st);
    test_script(st);
    test_requests(st);
    test_cascade(st);
    test_transact(st);
}

static void test_memory(int migrations)
{
    struct store *st = NULL;
    char err[256] = "";
    CHECK(store_open(&st, ":memory:", err, sizeof(err)) == 0, "store_open: %s", err);
    if (!st)
        return;
    CHECK_INT(user_version(st), migrations);
    int fk = -1;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "PRAGMA foreign_keys", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            fk = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    CHECK_INT(fk, 1);
    run_all(st);
    test_wipe(st);
    store_close(st);
    /* Two :memory: stores are two databases. */
    struct store *a = NULL, *b = NULL;
    CHECK_INT(store_open(&a, ":memory:", NULL, 0), 0);
    CHECK_INT(store_open(&b, ":memory:", NULL, 0), 0);
    if (a && b) {
        CHECK_INT(store_tenant_put(a, "only-a", "{}"), 0);
        CHECK_INT(store_tenant_get(b, "only-a", NULL), STORE_NOTFOUND);
    }
    store_close(a);
    store_close(b);
    store_close(NULL);
}

static void test_file(int migrations)
{
    char dir[] = "/tmp/cm-test-store-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    char path[128];
    snprintf(path, sizeof(path), "%s/state.db", dir);
    struct store *st = NULL;
    char err[256] = "";
    CHECK(store_open(&st, path, err, sizeof(err)) == 0, "store_open(file): %s", err);
    if (!st)
        goto cleanup;
    CHECK_INT(user_version(st), migrations);
    run_all(st);
    store_close(st);

    /* Reopened: no migration re-applied, everything kept. */
    st = NULL;
    CHECK(store_open(&st, path, err, sizeof(err)) == 0, "reopen: %s", err);
    if (!st)
        goto cleanup;
    CHECK_INT(user_version(st), migrations);
    long long v = 0;
    CHECK_INT(store_meta_get(st, "next_request_id", &v), 0);
    CHECK_INT(v, 9007199254740992LL);
    char *fixture = NULL;
    CHECK_INT(store_tenant_get(st, "*", &fixture), 0);
    CHECK_STR(fixture, "{\"mappings\": [{\"id\": \"XDM1\"}]}");
    free(fixture);
    struct model_mapping m;
    CHECK_INT(store_mapping_get(st, "acme", "XDM44", &m), 0);
    CHECK_STR(m.label, "Profiles to AEP");
    CHECK_INT(m.started, 1);
    CHECK_INT(m.default_step.outcome, OUTCOME_HANG);
    struct model_request r;
    CHECK_INT(store_request_get(st, 3520, &r), 0);
    CHECK_INT(r.status, STATUS_FAILED);
    CHECK_STR(r.batch_id, "592743400bb44ae6bd5bc99a37c7ddc0");
    CHECK_INT(store_request_in_progress(st, "acme", "XDM44", &r), 0);
    CHECK_INT(r.id, 3521);
    CHECK_INT(r.resolved_ms, -1);
    /* The partial unique index is still there after a reopen. */
    struct model_request again = request(3700, "acme", "XDM44");
    CHECK_INT(store_request_insert(st, &again), STORE_CONSTRAINT);
    CHECK_INT(store_tenant_get(st, "kept", NULL), 0);
    CHECK_INT(store_tenant_get(st, "rolled", NULL), STORE_NOTFOUND);
    /* WAL for files. */
    sqlite3_stmt *s;
    char mode[16] = "";
    if (sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    CHECK_STR(mode, "wal");
    /* Incremental auto-vacuum, chosen before the first page was written (WAL mode writes
     * one: set after it, the mode was silently ignored and no reset gave space back). */
    long long vacuum = -1;
    if (sqlite3_prepare_v2(store_db(st), "PRAGMA auto_vacuum", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            vacuum = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    CHECK_INT(vacuum, 2);
    /* A database from a newer campaign-mock is refused, with the reason. */
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", migrations + 1);
    CHECK_INT(sqlite3_exec(store_db(st), pragma, NULL, NULL, NULL), SQLITE_OK);
    store_close(st);
    st = NULL;
    CHECK_INT(store_open(&st, path, err, sizeof(err)), STORE_ERROR);
    CHECK(st == NULL, "*out untouched on failure");
    char want[128];
    snprintf(want, sizeof(want),
             "database schema version %d is newer than this campaign-mock (%d); it was left as "
             "it is",
             migrations + 1, migrations);
    CHECK_STR(err, want);

    /* A path that cannot be a database fails with a reason. */
    err[0] = '\0';
    CHECK_INT(store_open(&st, dir, err, sizeof(err)), STORE_ERROR);
    CHECK(err[0] != '\0', "a reason for a directory path");

cleanup:;
    char f[160];
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(f, sizeof(f), "%s%s", path, suffixes[i]);
        unlink(f);
    }
    rmdir(dir);
}

/* The whole content of a file (malloc'd; *len its size), or NULL when absent. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    for (;;) {
        if (*len + 4096 > cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + *len, 1, cap - *len, f);
        if (got == 0)
            break;
        *len += got;
    }
    fclose(f);
    return buf;
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* store_open refuses path with a message starting with want, and leaves the file byte
 * for byte as it was, with no journal, WAL or shared-memory file beside it. */
static void check_refused(const char *path, const char *want, const char *what)
{
    size_t before_len = 0, after_len = 0;
    char *before = slurp(path, &before_len);
    struct store *st = NULL;
    char err[256] = "";
    CHECK(store_open(&st, path, err, sizeof(err)) == STORE_ERROR && !st, "%s: refused", what);
    CHECK(strncmp(err, want, strlen(want)) == 0, "%s: reason \"%s\", expected \"%s...\"", what, err,
          want);
    char *after = slurp(path, &after_len);
    CHECK(before_len == after_len && (!before_len || memcmp(before, after, before_len) == 0),
          "%s: the file is byte-identical (%zu bytes, now %zu)", what, before_len, after_len);
    static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
    for (int i = 0; i < 3; i++) {
        char f[200];
        snprintf(f, sizeof(f), "%s%s", path, suffixes[i]);
        CHECK(!exists(f), "%s: no %s file made", what, suffixes[i]);
    }
    free(before);
    free(after);
}

static void make_db(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* Files that are not ours, newer, damaged or not files are refused before anything is
 * written to them (regression: another application's database was adopted, its tables
 * added and the file switched to WAL; newer and damaged ones were changed before they
 * were refused; a device got a -journal file beside it). */
static void test_refused_files(int migrations)
{
    char dir[] = "/tmp/cm-test-refused-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    char path[128], want[256];
    snprintf(path, sizeof(path), "%s/other.db", dir);
    make_db(path, "CREATE TABLE notes(x); INSERT INTO notes VALUES ('mine')");
    check_refused(path,
                  "not a campaign-mock database (its application_id is 0, ours is "
                  "1129148267); it was left as it is",
                  "another application's database");
    unlink(path);
    make_db(path, "CREATE TABLE meta(k, v); PRAGMA user_version = 2");
    check_refused(path, "not a campaign-mock database", "one at user_version 2 with a meta table");
    unlink(path);
    /* Ours, from a newer campaign-mock, in rollback mode: not switched to WAL. */
    char sql[256];
    snprintf(sql, sizeof(sql),
             "PRAGMA application_id = 1129148267; PRAGMA user_version = %d; CREATE TABLE t(x)",
             migrations + 1);
    make_db(path, sql);
    snprintf(want, sizeof(want),
             "database schema version %d is newer than this campaign-mock (%d); it was left as "
             "it is",
             migrations + 1, migrations);
    check_refused(path, want, "a newer campaign-mock's database in rollback mode");
    unlink(path);
    /* Ours, damaged: garbage over a page of the requests' table. */
    struct store *st = NULL;
    CHECK_INT(store_open(&st, path, NULL, 0), 0);
    for (int i = 0; st && i < 200; i++) {
        struct model_request r = request(5000 + i, "acme", i % 2 ? "A" : "B");
        r.status = STATUS_SUCCESS;
        store_request_insert(st, &r);
    }
    store_close(st);
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL, "open to damage");
    if (f) {
        char junk[4096];
        memset(junk, 0x5a, sizeof(junk));
        fseek(f, 4096L * 6, SEEK_SET);
        fwrite(junk, 1, sizeof(junk), f);
        fclose(f);
    }
    check_refused(path, "the database is damaged (quick_check: ", "a damaged database");
    unlink(path);
    /* Not a database at all. */
    f = fopen(path, "wb");
    if (f) {
        fputs("these are not the bytes of a database, but of a note left here by hand\n", f);
        fclose(f);
    }
    check_refused(path, "file is not a database", "a text file");
    unlink(path);
    /* A device, through a link: no -journal beside the link. */
    snprintf(path, sizeof(path), "%s/device.db", dir);
    CHECK_INT(symlink("/dev/null", path), 0);
    check_refused(path, "not a regular file; it was left as it is", "a link to /dev/null");
    unlink(path);
    rmdir(dir);
}

/* Statements are prepared at their first use, not at open: each of the table prepares
 * (on a first connection and a peer), and one that cannot be prepared fails its call
 * with the reason, as any failed statement does, and never hands a caller NULL. */
static void test_statements(void)
{
    struct store *st = NULL, *peer = NULL;
    char err[256] = "";
    CHECK(store_open(&st, ":memory:", err, sizeof(err)) == 0, "store_open: %s", err);
    if (!st)
        return;
    CHECK(store_check_statements(st, err, sizeof(err)) == 0, "the table prepares: %s", err);
    CHECK(store_open_peer(&peer, st, err, sizeof(err)) == 0, "store_open_peer: %s", err);
    if (peer)
        CHECK(store_check_statements(peer, err, sizeof(err)) == 0, "on a peer: %s", err);
    store_close(peer);
    store_close(st);

    /* A table gone before its statements' first use: the call fails, the reason kept. */
    st = NULL;
    CHECK_INT(store_open(&st, ":memory:", NULL, 0), 0);
    if (!st)
        return;
    CHECK_INT(sqlite3_exec(store_db(st), "DROP TABLE ims_token", NULL, NULL, NULL), SQLITE_OK);
    long long n = 42;
    CHECK_INT(store_token_count(st, &n), STORE_ERROR);
    CHECK_INT(n, 42);
    CHECK(store_check_statements(st, err, sizeof(err)) == STORE_ERROR &&
              strstr(err, "no such table: ims_token"),
          "check names the statement: %s", err);
    /* The connection serves on: another statement still prepares and runs. */
    CHECK_INT(store_tenant_put(st, "still", "{}"), 0);
    CHECK_INT(store_tenant_get(st, "still", NULL), 0);
    store_close(st);
}

int main(void)
{
    int files = count_migration_files();
    CHECK(files >= 1, "schema/ has migrations (%d)", files);
    CHECK_INT(store_migrations_count, files);
    test_memory(files);
    test_refused_files(files);
    /* What each SQLite failure becomes (the HTTP answer follows from it: 507, 503). */
    CHECK_INT(store_fail(NULL, SQLITE_FULL), STORE_FULL);
    CHECK_INT(store_fail(NULL, SQLITE_CORRUPT), STORE_DAMAGED);
    CHECK_INT(store_fail(NULL, SQLITE_NOTADB), STORE_DAMAGED);
    CHECK_INT(store_fail(NULL, SQLITE_IOERR_READ), STORE_IO);
    CHECK_INT(store_fail(NULL, SQLITE_READONLY), STORE_IO);
    CHECK_INT(store_fail(NULL, SQLITE_BUSY), STORE_BUSY);
    CHECK_INT(store_fail(NULL, SQLITE_CONSTRAINT_UNIQUE), STORE_CONSTRAINT);
    CHECK_INT(store_fail(NULL, SQLITE_MISUSE), STORE_ERROR);
    CHECK_INT(store_fail(NULL, SQLITE_DONE), 0);
    test_file(files);
    test_statements();
    return test_report();
}
