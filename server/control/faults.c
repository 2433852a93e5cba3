/*
 * /_mock/faults: list the rules with what each has done (hits, seen) and what is left
 * (remaining), add rules (one object or an array), delete one or all.
 */
#include "control/control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/faults.h"
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

struct find_id {
    const char *id;
    int found;
};

static int has_id(void *arg, const struct fault_row *r)
{
    struct find_id *f = arg;
    f->found |= strcmp(f->id, r->id) == 0;
    return f->found;
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
    i = 0;
    for (cJSON *r = c->body->child; r; r = r->next, i++) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
        char made[32];
        if (!id) {
            /* Unnamed rules get the first free "fault-N". */
            for (long long n = 1;; n++) {
                snprintf(made, sizeof(made), "fault-%lld", n);
                struct find_id f = {made, 0};
                int rc = store_fault_each(st, has_id, &f);
                if (rc)
                    return rc;
                if (!f.found)
                    break;
            }
            cJSON *named = cJSON_CreateString(made);
            cJSON_AddItemToObject(r, "id", named);
            id = named;
        }
        char *text = cJSON_PrintUnformatted(r);
        if (!text)
            return STORE_ERROR;
        int rc = store_fault_insert(st, id->valuestring, text, now);
        free(text);
        if (rc == STORE_CONSTRAINT) {
            char where[32] = "";
            if (!single)
                snprintf(where, sizeof(where), "[%d].", i);
            return ctl_fail(c, ERR_CONFLICT, "%sid: a rule \"%.128s\" exists already", where,
                            id->valuestring);
        }
        if (rc)
            return rc;
    }
    /* Reply with the rules as now listed. */
    cJSON *all = cJSON_CreateArray();
    int rc = store_fault_each(st, add_rule, all);
    cJSON *added = cJSON_CreateArray();
    for (cJSON *r = c->body->child; r; r = r->next) {
        const char *id = cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring;
        for (cJSON *l = all->child; l; l = l->next) {
            if (strcmp(cJSON_GetObjectItemCaseSensitive(l, "id")->valuestring, id) == 0) {
                cJSON_AddItemToArray(added, cJSON_Duplicate(l, 1));
                break;
            }
        }
    }
    cJSON_Delete(all);
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
