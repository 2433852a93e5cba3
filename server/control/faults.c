/*
 * /_mock/faults: list the rules with what each has done (hits, seen) and what is left
 * (remaining), add rules (one object or an array), delete one or all.
 */
#include "control/control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/faults.h"
#include "json.h"
#include "store/store_faults.h"

static int add_rule(void *arg, const struct fault_row *r)
{
    cJSON *o = cJSON_Parse(r->rule);
    if (!o)
        return 0;
    struct model_fault_match m;
    struct model_fault_schedule s;
    struct fault_action a;
    fixtures_fault_parse(o, &m, &s, &a);
    struct model_fault_state state = {r->created_ms, r->seen, r->hits};
    long long remaining = model_fault_remaining(&s, &state);
    cJSON_AddNumberToObject(o, "hits", (double)r->hits);
    cJSON_AddNumberToObject(o, "seen", (double)r->seen);
    if (remaining >= 0)
        cJSON_AddNumberToObject(o, "remaining", (double)remaining);
    else
        cJSON_AddNullToObject(o, "remaining");
    cJSON_AddNumberToObject(o, "createdMs", (double)r->created_ms);
    cJSON_AddItemToArray(arg, o);
    return 0;
}

static int list_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    c->out = cJSON_CreateObject();
    return store_fault_each(st, add_rule, cJSON_AddArrayToObject(c->out, "faults"));
}

void handle_faults_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, list_tx);
}

/* Read-only members of a listed rule, accepted and dropped so that a listed rule can
 * be posted again. */
static const char *const read_only[] = {"hits", "seen", "remaining", "createdMs", NULL};

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

static int post_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    int single = cJSON_IsObject(c->body);
    if (!single && !cJSON_IsArray(c->body))
        return ctl_fail(c, ERR_BAD_FIELD, "the body must be a fault rule or an array of rules");
    if (single) {
        cJSON *arr = cJSON_CreateArray();
        cJSON_AddItemToArray(arr, c->body);
        c->body = arr;
    }
    struct problems p;
    problems_init(&p);
    int i = 0;
    for (cJSON *r = c->body->child; r; r = r->next, i++) {
        char prefix[32] = "";
        if (!single)
            snprintf(prefix, sizeof(prefix), "[%d]", i);
        for (const char *const *k = read_only; cJSON_IsObject(r) && *k; k++)
            cJSON_DeleteItemFromObjectCaseSensitive(r, *k);
        fixtures_fault_validate(r, "body", prefix, &p);
    }
    if (p.count) {
        int rc = ctl_refuse_problems(c, &p);
        problems_free(&p);
        return rc;
    }
    problems_free(&p);
    long long now = clock_now_ms(&c->app->clock);
    struct used_numbers used = {0};
    int rc = store_fault_each(st, used_stored, &used);
    for (cJSON *r = c->body->child; r; r = r->next) {
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
    cJSON *added = cJSON_CreateArray();
    i = 0;
    for (cJSON *r = c->body->child; r && rc == 0; r = r->next, i++) {
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
        rc = store_fault_insert(st, id->valuestring, text, now);
        if (rc == STORE_CONSTRAINT) {
            char where[32] = "";
            if (!single)
                snprintf(where, sizeof(where), "[%d].", i);
            rc = ctl_fail(c, ERR_CONFLICT, "%sid: a rule \"%.128s\" exists already", where,
                          id->valuestring);
        } else if (rc == 0) {
            /* The reply lists each rule as GET would, straight from what was stored. */
            struct fault_row row = {id->valuestring, text, now, 0, 0};
            add_rule(added, &row);
        }
        free(text);
    }
    free(used.n);
    if (rc) {
        cJSON_Delete(added);
        return rc;
    }
    c->status = 201;
    if (single) {
        c->out = cJSON_DetachItemFromArray(added, 0);
        cJSON_Delete(added);
    } else {
        c->out = cJSON_CreateObject();
        cJSON_AddItemToObject(c->out, "faults", added);
    }
    return rc;
}

void handle_faults_post(struct app *app, const struct http_request *req, struct reply *rep)
{
    if (ctl_run(app, req, rep, CTL_BODY_REQUIRED, post_tx) == 0)
        app_faults_recount(app, app_store(app));
}

static int clear_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    long long n = 0;
    int rc = store_fault_clear(st, &n);
    c->out = cJSON_CreateObject();
    cJSON_AddNumberToObject(c->out, "deleted", (double)n);
    return rc;
}

void handle_faults_delete(struct app *app, const struct http_request *req, struct reply *rep)
{
    if (ctl_run(app, req, rep, CTL_NO_BODY, clear_tx) == 0)
        app_faults_recount(app, app_store(app));
}

static int delete_one_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    const char *id = c->req->params[0];
    int rc = store_fault_delete(st, id);
    if (rc == STORE_NOTFOUND)
        return ctl_fail(c, ERR_UNKNOWN_FAULT, "no fault rule \"%.128s\"", id);
    c->out = cJSON_CreateObject();
    cJSON_AddStringToObject(c->out, "deleted", id);
    return rc;
}

void handle_fault_delete(struct app *app, const struct http_request *req, struct reply *rep)
{
    if (ctl_run(app, req, rep, CTL_NO_BODY, delete_one_tx) == 0)
        app_faults_recount(app, app_store(app));
}
