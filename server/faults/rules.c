/*
 * The stored rules, kept parsed: each rule is parsed once, when it is stored (or, on a
 * database that already held it, when first met), never on every call. Each call still
 * reads the rules' counters in its own transaction, which also saves them and the
 * generator state: the same seed and the same calls give the same decisions, across
 * restarts too; reading the rows also tells a parsed rule that is no longer stored (a
 * change rolled back) from one that is.
 */
#include "faults/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "store/store_faults.h"

struct faults *faults_new(void)
{
    struct faults *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    pthread_mutex_init(&f->lock, NULL);
    /* What the database holds is not known yet: the first call reads it. */
    atomic_init(&f->stale, 1);
    atomic_init(&f->count, 0);
    return f;
}

static void rule_free(struct fault_rule *r)
{
    if (!r)
        return;
    free(r->id);
    free(r->text);
    cJSON_Delete(r->json);
    free(r);
}

void faults_free(struct faults *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++)
        rule_free(f->rules[i]);
    free(f->rules);
    free(f->next);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

int faults_any(struct faults *f)
{
    return atomic_load(&f->stale) || atomic_load(&f->count) > 0;
}

/* A rule parsed from its stored row; NULL when out of memory, or when cJSON cannot
 * parse the text (*unreadable then set). */
static struct fault_rule *rule_parse(const struct fault_row *row, int *unreadable)
{
    struct fault_rule *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->id = strdup(row->id);
    r->text = strdup(row->rule);
    r->json = r->text ? cJSON_Parse(r->text) : NULL;
    if (!r->id || !r->json) {
        /* As ever: a text cJSON cannot parse is skipped, whatever the reason. */
        *unreadable = r->id && r->text;
        rule_free(r);
        return NULL;
    }
    faults_rule_parse(r->json, &r->match, &r->schedule, &r->action);
    return r;
}

struct sync {
    struct faults *f;
    int n_next;
    int from; /* the first rule of f->rules not yet met again */
    int failed;
};

static int sync_row(void *arg, const struct fault_row *row)
{
    struct sync *s = arg;
    struct faults *f = s->f;
    if (s->n_next == f->next_cap) {
        int cap = f->next_cap ? f->next_cap * 2 : 16;
        struct fault_rule **grown = realloc(f->next, (size_t)cap * sizeof(*grown));
        if (!grown) {
            s->failed = 1;
            return 1;
        }
        f->next = grown;
        f->next_cap = cap;
    }
    /* Rules keep their order: the row is the next rule kept, after those deleted. */
    struct fault_rule *r = NULL;
    for (int k = s->from; k < f->n && !r; k++) {
        struct fault_rule *c = f->rules[k];
        if (strcmp(c->id, row->id) == 0 && strcmp(c->text, row->rule) == 0) {
            r = c;
            r->taken = 1;
            s->from = k + 1;
        }
    }
    int unreadable = 0;
    if (!r && !(r = rule_parse(row, &unreadable))) {
        if (unreadable)
            return 0; /* a rule that is not JSON never applies (it is not ours) */
        s->failed = 1;
        return 1;
    }
    r->state = (struct fault_state){row->created_ms, row->seen, row->hits};
    f->next[s->n_next++] = r;
    return 0;
}

int faults_sync(struct faults *f, struct store *st)
{
    struct sync s = {f, 0, 0, 0};
    int rc = store_fault_each(st, sync_row, &s);
    if (rc == 0 && s.failed)
        rc = STORE_ERROR;
    if (rc != 0) {
        /* Start over from nothing at the next call: every rule is parsed again then. */
        for (int i = 0; i < s.n_next; i++) {
            if (!f->next[i]->taken)
                rule_free(f->next[i]);
        }
        for (int i = 0; i < f->n; i++)
            rule_free(f->rules[i]);
        f->n = 0;
        atomic_store(&f->stale, 1);
        return rc;
    }
    for (int i = 0; i < f->n; i++) {
        if (!f->rules[i]->taken)
            rule_free(f->rules[i]);
    }
    for (int i = 0; i < s.n_next; i++)
        f->next[i]->taken = 0;
    struct fault_rule **old = f->rules;
    int old_cap = f->cap;
    f->rules = f->next;
    f->cap = f->next_cap;
    f->n = s.n_next;
    f->next = old;
    f->next_cap = old_cap;
    return 0;
}

/* After a change, inside its transaction: the rules are parsed now, and the count is
 * taken again by the next call (the change may yet be rolled back). */
static int changed(struct faults *f, struct store *st, int rc)
{
    pthread_mutex_lock(&f->lock);
    if (rc == 0)
        rc = faults_sync(f, st);
    pthread_mutex_unlock(&f->lock);
    atomic_store(&f->stale, 1);
    return rc;
}

int faults_load(struct faults *f, struct store *st, const cJSON *rules, long long now_ms)
{
    int rc = store_fault_clear(st, NULL);
    for (const cJSON *r = rules ? rules->child : NULL; r && rc == 0; r = r->next) {
        char *text = json_print(r);
        if (!text) {
            rc = STORE_ERROR;
            break;
        }
        rc = store_fault_insert(st, cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring, text,
                                now_ms);
        free(text);
    }
    return changed(f, st, rc);
}

/* A rule as listed: as given, plus its counters. NULL when the text is not JSON. */
static cJSON *listed(const struct fault_row *r)
{
    cJSON *o = cJSON_Parse(r->rule);
    if (!o)
        return NULL;
    struct fault_match m;
    struct fault_schedule s;
    struct fault_action a;
    faults_rule_parse(o, &m, &s, &a);
    struct fault_state state = {r->created_ms, r->seen, r->hits};
    long long remaining = fault_remaining(&s, &state);
    cJSON_AddNumberToObject(o, "hits", (double)r->hits);
    cJSON_AddNumberToObject(o, "seen", (double)r->seen);
    if (remaining >= 0)
        cJSON_AddNumberToObject(o, "remaining", (double)remaining);
    else
        cJSON_AddNullToObject(o, "remaining");
    cJSON_AddNumberToObject(o, "createdMs", (double)r->created_ms);
    return o;
}

static int list_row(void *arg, const struct fault_row *r)
{
    cJSON *o = listed(r);
    if (o)
        cJSON_AddItemToArray(arg, o);
    return 0;
}

int faults_list(struct store *st, cJSON *out)
{
    return store_fault_each(st, list_row, out);
}

/* The numbers N of the ids "fault-N" in use, sorted, so that unnamed rules take the
 * smallest free ones in one pass: a batch of n rules costs O(n log n), where trying
 * fault-1, fault-2, ... against the whole table cost O(n^3). */
struct used_numbers {
    long long *n;
    size_t len, cap;
    int failed;
};

/* N when id is "fault-N" as this file writes it (no sign, no leading zero); else 0. */
static long long auto_number(const char *id)
{
    if (strncmp(id, "fault-", 6) != 0 || id[6] < '1' || id[6] > '9')
        return 0;
    long long v = 0;
    for (const char *p = id + 6; *p; p++) {
        if (*p < '0' || *p > '9' || p - (id + 6) >= 18)
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v;
}

static void used_add(struct used_numbers *u, const char *id)
{
    long long v = auto_number(id);
    if (v == 0 || u->failed)
        return;
    if (u->len == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 64;
        long long *grown = realloc(u->n, cap * sizeof(*grown));
        if (!grown) {
            u->failed = 1;
            return;
        }
        u->n = grown;
        u->cap = cap;
    }
    u->n[u->len++] = v;
}

static int used_stored(void *arg, const struct fault_row *r)
{
    used_add(arg, r->id);
    return 0;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* The next free number from *next on (u sorted; *at is the read position). */
static long long used_next_free(const struct used_numbers *u, size_t *at, long long *next)
{
    while (*at < u->len && u->n[*at] <= *next) {
        if (u->n[*at] == *next)
            ++*next;
        ++*at;
    }
    return (*next)++;
}

static int add_all(struct store *st, cJSON *rules, long long now_ms, cJSON *added, int *conflict)
{
    struct used_numbers used = {0};
    int rc = store_fault_each(st, used_stored, &used);
    for (cJSON *r = rules->child; r; r = r->next) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
        if (id)
            used_add(&used, id->valuestring);
    }
    if (used.failed && rc == 0)
        rc = STORE_ERROR;
    if (rc) {
        free(used.n);
        return rc;
    }
    if (used.len) /* qsort's array may not be NULL, even when empty */
        qsort(used.n, used.len, sizeof(*used.n), cmp_ll);
    size_t at = 0;
    long long next = 1;
    int i = 0;
    for (cJSON *r = rules->child; r && rc == 0; r = r->next, i++) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
        if (!id) {
            /* Unnamed rules get the first free "fault-N". */
            char made[32];
            snprintf(made, sizeof(made), "fault-%lld", used_next_free(&used, &at, &next));
            cJSON *named = cJSON_CreateString(made);
            cJSON_AddItemToObject(r, "id", named);
            id = named;
        }
        char *text = json_print(r);
        if (!text) {
            rc = STORE_ERROR;
            break;
        }
        rc = store_fault_insert(st, id->valuestring, text, now_ms);
        if (rc == STORE_CONSTRAINT) {
            *conflict = i;
        } else if (rc == 0) {
            /* Listed as GET lists it, straight from what was stored. */
            struct fault_row row = {id->valuestring, text, now_ms, 0, 0};
            cJSON *o = listed(&row);
            if (o)
                cJSON_AddItemToArray(added, o);
        }
        free(text);
    }
    free(used.n);
    return rc;
}

int faults_add(struct faults *f, struct store *st, cJSON *rules, long long now_ms, cJSON *added,
               int *conflict)
{
    return changed(f, st, add_all(st, rules, now_ms, added, conflict));
}

int faults_delete(struct faults *f, struct store *st, const char *id)
{
    return changed(f, st, store_fault_delete(st, id));
}

int faults_clear(struct faults *f, struct store *st, long long *deleted)
{
    return changed(f, st, store_fault_clear(st, deleted));
}
