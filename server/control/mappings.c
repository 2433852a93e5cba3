/*
 * /_mock/tenants/{org}/mappings: list, read, create or replace (fixture form), delete,
 * the Campaign UI buttons (publish, unpublish, start, stop), changed records, and the
 * outcome script (read, replace, append).
 */
#include "control/control.h"

#include <stdio.h>
#include <string.h>

#include "fixtures/fixtures.h"
#include "json.h"

/* Read-only members of the control form, accepted and ignored on PUT so that a mapping
 * read back can be sent again as it is ("requests": the ids a read gave before it gave
 * requestCounts, still accepted from a mapping saved then). */
static const char *const read_only[] = {"publication",   "execution", "inProgressRequestId",
                                        "requestCounts", "requests",  NULL};

static int list_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    int rc = ctl_tenant(c, st, c->req->params[0]);
    if (rc)
        return rc;
    c->out = cJSON_CreateObject();
    return ctl_mappings_json(st, c->req->params[0], cJSON_AddArrayToObject(c->out, "mappings"));
}

void handle_mappings_list(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, list_tx);
}

static int get_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    struct model_mapping m;
    int rc = ctl_mapping(c, st, &m);
    if (rc)
        return rc;
    c->out = ctl_mapping_json(st, &m);
    return c->out ? 0 : STORE_ERROR;
}

void handle_mapping_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, get_tx);
}

static int put_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    const char *tenant = c->req->params[0], *id = c->req->params[1];
    if (!fixtures_mapping_id_valid(id))
        return ctl_fail(c, ERR_BAD_FIELD,
                        "mapping id \"%.128s\": must be 1 to 128 printable ASCII characters "
                        "without spaces, '/', '?', '#' or '%%'",
                        id);
    if (!cJSON_IsObject(c->body))
        return ctl_fail(c, ERR_BAD_FIELD, "the body must be a mapping object (fixture form)");
    for (const char *const *k = read_only; *k; k++)
        cJSON_DeleteItemFromObjectCaseSensitive(c->body, *k);
    const cJSON *body_id = cJSON_GetObjectItemCaseSensitive(c->body, "id");
    if (!body_id)
        cJSON_AddStringToObject(c->body, "id", id);
    else if (cJSON_IsString(body_id) && strcmp(body_id->valuestring, id) != 0)
        return ctl_fail(c, ERR_BAD_FIELD, "id: \"%.128s\" differs from the mapping id in the path",
                        body_id->valuestring);
    struct problems p;
    problems_init(&p);
    if (fixtures_mapping_validate(c->body, "body", "", &p) < 0) {
        int rc = ctl_refuse_problems(c, &p);
        problems_free(&p);
        return rc;
    }
    problems_free(&p);
    /* A PUT may create its tenant: from the template when there is one, else empty. */
    int rc =
        fixtures_tenant_name_valid(tenant) ? app_tenant_ensure(c->app, st, tenant) : STORE_NOTFOUND;
    if (rc == STORE_NOTFOUND) {
        if (!fixtures_tenant_name_valid(tenant))
            return ctl_fail(c, ERR_INVALID_TENANT,
                            "tenant \"%.128s\": tenant names are " MODEL_TENANT_RULE, tenant);
        rc = store_tenant_put(st, tenant, "{\"mappings\":[]}");
    }
    if (rc)
        return rc;
    struct model_mapping m;
    int existed = store_mapping_get(st, tenant, id, &m) == 0;
    rc = fixtures_mapping_apply(st, tenant, c->body);
    if (rc == 0)
        rc = store_mapping_get(st, tenant, id, &m);
    if (rc)
        return rc;
    c->status = existed ? 200 : 201;
    c->out = ctl_mapping_json(st, &m);
    return c->out ? 0 : STORE_ERROR;
}

void handle_mapping_put(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_BODY_REQUIRED, put_tx);
}

static int delete_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    /* A delete makes no tenant: one the template has not made yet holds nothing. */
    const char *tenant = c->req->params[0];
    if (fixtures_tenant_name_valid(tenant) && store_tenant_get(st, tenant, NULL) == STORE_NOTFOUND)
        return ctl_fail(c, ERR_UNKNOWN_MAPPING,
                        "unknown mapping \"%.128s\" in tenant %.128s: the tenant has not been "
                        "used yet, so it holds no mapping to delete",
                        c->req->params[1], tenant);
    struct model_mapping m;
    int rc = ctl_mapping(c, st, &m);
    if (rc)
        return rc;
    rc = store_mapping_delete(st, m.tenant, m.id);
    if (rc == 0) {
        c->out = cJSON_CreateObject();
        cJSON_AddStringToObject(c->out, "deleted", m.id);
    }
    return rc;
}

void handle_mapping_delete(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, delete_tx);
}

/* --- the Campaign UI buttons ----------------------------------------------------- */

enum button { PUBLISH, UNPUBLISH, START, STOP };

static int press(struct ctl *c, struct store *st, enum button b)
{
    struct model_mapping m;
    int rc = ctl_mapping(c, st, &m);
    if (rc)
        return rc;
    switch (b) {
    case PUBLISH: /* publishing starts the scheduled replication, as in Campaign */
        m.published = 1;
        m.started = 1;
        break;
    case UNPUBLISH:
        m.published = 0;
        m.started = 0;
        break;
    case START:
        if (!m.published)
            return ctl_fail(c, ERR_CONFLICT,
                            "XDM Mapping ID: %.128s is not published: publish it before "
                            "starting it",
                            m.id);
        m.started = 1;
        break;
    case STOP:
        m.started = 0;
        break;
    }
    rc = store_mapping_put(st, &m);
    if (rc == 0 && !(c->out = ctl_mapping_json(st, &m)))
        rc = STORE_ERROR;
    return rc;
}

static int publish_tx(struct store *st, void *arg)
{
    return press(arg, st, PUBLISH);
}
static int unpublish_tx(struct store *st, void *arg)
{
    return press(arg, st, UNPUBLISH);
}
static int start_tx(struct store *st, void *arg)
{
    return press(arg, st, START);
}
static int stop_tx(struct store *st, void *arg)
{
    return press(arg, st, STOP);
}

void handle_mapping_publish(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, publish_tx);
}

void handle_mapping_unpublish(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, unpublish_tx);
}

void handle_mapping_start(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, start_tx);
}

void handle_mapping_stop(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, stop_tx);
}

/* Changed records never exceed 2^53, the largest count a JSON client reads exactly. */
#define RECORDS_MAX JSON_INT_MAX

static int records_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    if (!cJSON_IsObject(c->body))
        return ctl_fail(c, ERR_BAD_FIELD, "the body must be an object {\"add\": N}");
    for (const cJSON *k = c->body->child; k; k = k->next) {
        if (strcmp(k->string, "add") != 0)
            return ctl_fail(c, ERR_BAD_FIELD, "%.64s: unknown field (expected {\"add\": N})",
                            k->string);
    }
    long long add = 0;
    int present = 0;
    int rc = ctl_get_count(c, c->body, "add", RECORDS_MAX, &add, &present);
    if (rc)
        return rc;
    if (!present)
        return ctl_fail(c, ERR_BAD_FIELD, "add: missing (expected {\"add\": N})");
    struct model_mapping m;
    if ((rc = ctl_mapping(c, st, &m)) != 0)
        return rc;
    if (add > RECORDS_MAX - m.changed_records)
        return ctl_fail(c, ERR_BAD_FIELD, "add: the total would exceed %lld", RECORDS_MAX);
    m.changed_records += add;
    rc = store_mapping_set_changed(st, m.tenant, m.id, m.changed_records);
    if (rc == 0 && !(c->out = ctl_mapping_json(st, &m)))
        rc = STORE_ERROR;
    return rc;
}

void handle_mapping_records(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_BODY_REQUIRED, records_tx);
}

/* --- scripts --------------------------------------------------------------------- */

static int script_json(struct ctl *c, struct store *st, const struct model_mapping *m)
{
    cJSON_Delete(c->out); /* a retried transaction starts over */
    c->out = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(c->out, "script");
    cJSON_AddItemToObject(c->out, "defaultOutcome", fixtures_step_to_json(&m->default_step));
    return ctl_script_json(st, m, arr);
}

static int script_get_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    struct model_mapping m;
    int rc = ctl_mapping(c, st, &m);
    return rc ? rc : script_json(c, st, &m);
}

void handle_script_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, script_get_tx);
}

/* Validates an array of steps (or one step when single is allowed). */
static int validate_steps(struct ctl *c, const cJSON *steps, const char *path)
{
    struct problems p;
    problems_init(&p);
    int i = 0;
    for (const cJSON *s = steps->child; s; s = s->next, i++) {
        char sp[64];
        snprintf(sp, sizeof(sp), "%s[%d]", path, i);
        fixtures_step_validate(s, "body", sp, &p);
    }
    int rc = p.count ? ctl_refuse_problems(c, &p) : 0;
    problems_free(&p);
    return rc;
}

static int append_steps(struct store *st, const struct model_mapping *m, const cJSON *steps)
{
    int rc = 0;
    for (const cJSON *s = steps->child; s && rc == 0; s = s->next) {
        struct model_step step;
        fixtures_step_from_json(&step, s);
        rc = store_script_append(st, m->tenant, m->id, &step);
    }
    return rc;
}

static int script_put_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    const cJSON *steps = c->body, *def = NULL;
    if (cJSON_IsObject(c->body)) {
        for (const cJSON *k = c->body->child; k; k = k->next) {
            if (strcmp(k->string, "script") != 0 && strcmp(k->string, "defaultOutcome") != 0)
                return ctl_fail(c, ERR_BAD_FIELD,
                                "%.64s: unknown field (expected \"script\" "
                                "and \"defaultOutcome\")",
                                k->string);
        }
        steps = cJSON_GetObjectItemCaseSensitive(c->body, "script");
        def = cJSON_GetObjectItemCaseSensitive(c->body, "defaultOutcome");
        if (!steps && !def)
            return ctl_fail(c, ERR_BAD_FIELD, "script: missing");
    }
    if (steps && !cJSON_IsArray(steps))
        return ctl_fail(c, ERR_BAD_FIELD, "script: must be an array of steps");
    int rc = steps ? validate_steps(c, steps, "script") : 0;
    if (rc)
        return rc;
    if (def) {
        struct problems p;
        problems_init(&p);
        fixtures_step_validate(def, "body", "defaultOutcome", &p);
        rc = p.count ? ctl_refuse_problems(c, &p) : 0;
        problems_free(&p);
        if (rc)
            return rc;
    }
    struct model_mapping m;
    if ((rc = ctl_mapping(c, st, &m)) != 0)
        return rc;
    if (steps) {
        rc = store_script_clear(st, m.tenant, m.id);
        if (rc == 0)
            rc = append_steps(st, &m, steps);
    }
    if (rc == 0 && def) {
        fixtures_step_from_json(&m.default_step, def);
        rc = store_mapping_put(st, &m);
    }
    return rc ? rc : script_json(c, st, &m);
}

void handle_script_put(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_BODY_REQUIRED, script_put_tx);
}

static int script_post_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    cJSON *steps = c->body;
    if (cJSON_IsObject(c->body)) {
        /* One step: wrap it so that both forms take the same path. */
        steps = cJSON_CreateArray();
        cJSON_AddItemToArray(steps, cJSON_Duplicate(c->body, 1));
        cJSON_Delete(c->body);
        c->body = steps;
    }
    if (!cJSON_IsArray(steps))
        return ctl_fail(c, ERR_BAD_FIELD, "the body must be a step object or an array of steps");
    int rc = validate_steps(c, steps, "steps");
    if (rc)
        return rc;
    struct model_mapping m;
    if ((rc = ctl_mapping(c, st, &m)) != 0)
        return rc;
    rc = append_steps(st, &m, steps);
    return rc ? rc : script_json(c, st, &m);
}

void handle_script_post(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_BODY_REQUIRED, script_post_tx);
}
