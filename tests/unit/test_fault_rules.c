/*
 * The fault rules kept parsed (server/faults/rules.c), on an in-memory store: a rule
 * is parsed once when it is stored and the same parsed rule serves every later read;
 * a change rolled back is undone in memory at the next read; every change marks the
 * rules for a recount, so that no caller has to.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "faults/internal.h"
#include "store/store.h"

CHECK_DEFINE_COUNTERS;

struct step {
    struct faults *f;
    const char *json; /* rules to add, or NULL */
    const char *delete_id;
    int roll_back;
    int rc;
};

static int step_tx(struct store *st, void *arg)
{
    struct step *s = arg;
    int rc = 0;
    if (s->json) {
        cJSON *rules = cJSON_Parse(s->json);
        cJSON *added = cJSON_CreateArray();
        int conflict = -1;
        rc = faults_add(s->f, st, rules, 1000, added, &conflict);
        cJSON_Delete(added);
        cJSON_Delete(rules);
    }
    if (rc == 0 && s->delete_id)
        rc = faults_delete(s->f, st, s->delete_id);
    s->rc = rc;
    return rc ? rc : s->roll_back ? 1 : 0;
}

static int sync_tx(struct store *st, void *arg)
{
    struct faults *f = arg;
    pthread_mutex_lock(&f->lock);
    int rc = faults_sync(f, st);
    pthread_mutex_unlock(&f->lock);
    return rc;
}

/* The ids of the rules in memory, joined by spaces. */
static const char *ids(const struct faults *f)
{
    static char out[256];
    out[0] = '\0';
    for (int i = 0; i < f->n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, sizeof(out) - used, "%s%s", i ? " " : "", f->rules[i]->id);
    }
    return out;
}

static void test_parsed_once(void)
{
    struct store *st = NULL;
    char err[256];
    CHECK_INT(store_open(&st, ":memory:", err, sizeof(err)), 0);
    struct faults *f = faults_new();
    CHECK(faults_any(f), "a new module must read the store before saying there is no rule");

    struct step add = {f,
                       "[{\"id\": \"a\", \"action\": {\"error\": \"503\"}}, {\"action\": "
                       "{\"transport\": \"truncate\"}, \"times\": 2}]",
                       NULL, 0, 0};
    CHECK_INT(store_transact(st, step_tx, &add), 0);
    /* Parsed when stored, in the same transaction. */
    CHECK_STR(ids(f), "a fault-1");
    CHECK_INT(f->rules[1]->action.kind, FAULT_TRANSPORT);
    CHECK_STR(f->rules[1]->action.def->name, "truncate");
    CHECK_INT(f->rules[1]->action.def->answers, 0);
    CHECK_INT(f->rules[1]->schedule.times, 2);
    CHECK_STR(f->rules[0]->action.def->name, "503");
    struct fault_rule *a = f->rules[0], *b = f->rules[1];

    /* Later reads keep the same parsed rules: nothing is parsed again. */
    CHECK_INT(store_transact(st, sync_tx, f), 0);
    CHECK_INT(store_transact(st, sync_tx, f), 0);
    CHECK(f->rules[0] == a && f->rules[1] == b, "rules parsed again");

    /* A change rolled back is undone at the next read; the rules kept stay as parsed. */
    struct step rolled = {f, "[{\"id\": \"c\", \"action\": {\"delayMs\": 5}}]", "a", 1, 0};
    CHECK_INT(store_transact(st, step_tx, &rolled), 1);
    CHECK_INT(rolled.rc, 0);
    CHECK_STR(ids(f), "fault-1 c"); /* as the rolled-back transaction saw it */
    CHECK_INT(store_transact(st, sync_tx, f), 0);
    CHECK_STR(ids(f), "a fault-1");
    CHECK(f->rules[1] == b, "a rule kept was parsed again");
    a = f->rules[0]; /* its deletion, rolled back, dropped it: parsed again, once */

    /* A deletion in the middle keeps the others as they were. */
    struct step more = {f, "[{\"id\": \"c\", \"action\": {\"delayMs\": [1, 9]}}]", "fault-1", 0, 0};
    CHECK_INT(store_transact(st, step_tx, &more), 0);
    CHECK_STR(ids(f), "a c");
    CHECK(f->rules[0] == a, "the first rule was parsed again");
    CHECK_INT(f->rules[1]->action.delay_min, 1);
    CHECK_INT(f->rules[1]->action.delay_max, 9);

    /* A conflict refuses the batch. */
    struct step dup = {f,
                       "[{\"id\": \"d\", \"action\": {\"error\": \"500\"}}, {\"id\": \"a\", "
                       "\"action\": {\"error\": \"500\"}}]",
                       NULL, 0, 0};
    CHECK_INT(store_transact(st, step_tx, &dup), STORE_CONSTRAINT);
    CHECK_INT(store_transact(st, sync_tx, f), 0);
    CHECK_STR(ids(f), "a c");

    /* Every change asks for a recount (the next evaluation takes it). */
    atomic_store(&f->stale, 0);
    atomic_store(&f->count, 0);
    CHECK(!faults_any(f), "no rule, nothing stale");
    struct step del = {f, NULL, "c", 0, 0};
    CHECK_INT(store_transact(st, step_tx, &del), 0);
    CHECK(faults_any(f), "a deletion must ask for a recount");

    faults_free(f);
    store_close(st);
}

int main(void)
{
    test_parsed_once();
    return test_report();
}
