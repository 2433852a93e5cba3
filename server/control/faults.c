/*
 * /_mock/faults: list the rules with what each has done (hits, seen) and what is left
 * (remaining), add rules (one object or an array), delete one or all.
 */
#include "control/control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults/faults.h"
#include "json.h"

static int list_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    c->out = cJSON_CreateObject();
    return faults_list(st, cJSON_AddArrayToObject(c->out, "faults"));
}

void handle_faults_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, list_tx);
}

/* Read-only members of a listed rule, accepted and dropped so that a listed rule can
 * be posted again. */
static const char *const read_only[] = {"hits", "seen", "remaining", "createdMs", NULL};

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
        faults_rule_validate(r, "body", prefix, &p);
    }
    if (p.count) {
        int rc = ctl_refuse_problems(c, &p);
        problems_free(&p);
        return rc;
    }
    problems_free(&p);
    cJSON *added = cJSON_CreateArray();
    int conflict = 0;
    int rc =
        faults_add(c->app->faults, st, c->body, clock_now_ms(&c->app->clock), added, &conflict);
    if (rc == STORE_CONSTRAINT) {
        const cJSON *id =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(c->body, conflict), "id");
        char where[32] = "";
        if (!single)
            snprintf(where, sizeof(where), "[%d].", conflict);
        rc = ctl_fail(c, ERR_CONFLICT, "%sid: a rule \"%.128s\" exists already", where,
                      id->valuestring);
    }
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
    ctl_run(app, req, rep, CTL_BODY_REQUIRED, post_tx);
}

static int clear_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    long long n = 0;
    int rc = faults_clear(c->app->faults, st, &n);
    c->out = cJSON_CreateObject();
    cJSON_AddNumberToObject(c->out, "deleted", (double)n);
    return rc;
}

void handle_faults_delete(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, clear_tx);
}

static int delete_one_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    const char *id = c->req->params[0];
    int rc = faults_delete(c->app->faults, st, id);
    if (rc == STORE_NOTFOUND)
        return ctl_fail(c, ERR_UNKNOWN_FAULT, "no fault rule \"%.128s\"", id);
    c->out = cJSON_CreateObject();
    cJSON_AddStringToObject(c->out, "deleted", id);
    return rc;
}

void handle_fault_delete(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, delete_one_tx);
}
