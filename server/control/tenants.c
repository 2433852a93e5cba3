/*
 * /_mock/tenants: list, read, delete, and reset one tenant to its fixture (or
 * template) state without touching the others.
 */
#include "control/control.h"

#include <stdlib.h>
#include <string.h>

#include "fixtures/fixtures.h"
#include "store/store_control.h"

struct list_arg {
    struct store *st;
    cJSON *arr;
    int rc; /* a failure of the store, which stops the listing */
};

static int add_tenant(void *arg, const char *name)
{
    struct list_arg *a = arg;
    long long n = 0;
    if ((a->rc = store_mapping_count(a->st, name, &n)) < 0)
        return 1;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddNumberToObject(o, "mappings", (double)n);
    cJSON_AddItemToArray(a->arr, o);
    return 0;
}

static int list_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    c->out = cJSON_CreateObject();
    struct list_arg a = {st, cJSON_AddArrayToObject(c->out, "tenants"), 0};
    int rc = store_tenant_each(st, add_tenant, &a);
    if (rc == 0)
        rc = a.rc;
    cJSON_AddBoolToObject(c->out, "template", store_tenant_get(st, "*", NULL) == 0);
    return rc;
}

void handle_tenants_list(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, list_tx);
}

/* {"name": ..., "mappings": [...]} of a tenant that exists. */
static int tenant_json(struct ctl *c, struct store *st, const char *name)
{
    c->out = cJSON_CreateObject();
    cJSON_AddStringToObject(c->out, "name", name);
    return ctl_mappings_json(st, name, cJSON_AddArrayToObject(c->out, "mappings"));
}

static int get_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    int rc = ctl_tenant(c, st, c->req->params[0]);
    return rc ? rc : tenant_json(c, st, c->req->params[0]);
}

void handle_tenant_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, get_tx);
}

static int delete_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    const char *name = c->req->params[0];
    int rc = fixtures_tenant_name_valid(name) ? store_tenant_delete(st, name) : STORE_NOTFOUND;
    if (rc == STORE_NOTFOUND)
        return ctl_fail(c, ERR_UNKNOWN_TENANT, "unknown tenant \"%.128s\"", name);
    if (rc == 0) {
        c->out = cJSON_CreateObject();
        cJSON_AddStringToObject(c->out, "deleted", name);
    }
    return rc;
}

void handle_tenant_delete(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, delete_tx);
}

static int reset_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    const char *name = c->req->params[0];
    int rc = ctl_tenant(c, st, name);
    if (rc)
        return rc;
    char *text = NULL;
    rc = store_tenant_get(st, name, &text);
    if (rc < 0)
        return rc;
    cJSON *fixture = cJSON_Parse(text);
    free(text);
    if (!fixture)
        return STORE_ERROR;
    rc = store_tenant_clear(st, name);
    if (rc == 0)
        rc = fixtures_tenant_apply(st, name, fixture);
    cJSON_Delete(fixture);
    return rc ? rc : tenant_json(c, st, name);
}

void handle_tenant_reset(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, reset_tx);
}
