/*
 * /_mock/tenants/{org}/snapshot: export a tenant's state (mappings with their scripts,
 * requests) in fixture form, and restore it. Export is a pure read (requests are not
 * advanced), so export, restore, export gives the same document. It reads the
 * requests a page per transaction: a request that changes meanwhile is exported as it
 * was when its page was read, one created meanwhile may be included.
 */
#include "control/control.h"

#include <stdio.h>
#include <string.h>

#include "fixtures/fixtures.h"
#include "json.h"
#include "store/store_control.h"

#define ID_MAX JSON_INT_MAX

struct export_arg {
    struct store *st;
    cJSON *mappings;
    int rc; /* the first failure to read a script */
};

static int export_mapping(void *arg, const struct model_mapping *m)
{
    struct export_arg *a = arg;
    cJSON *o = fixtures_mapping_to_json(m);
    a->rc = o ? ctl_script_json(a->st, m, cJSON_AddArrayToObject(o, "script")) : STORE_ERROR;
    cJSON_AddItemToArray(a->mappings, o);
    return a->rc;
}

static int export_request(void *arg, const struct model_request *r)
{
    struct ctl *c = arg;
    cJSON_AddItemToArray(c->page_items, ctl_request_json(r));
    c->page_next = r->id;
    return 0;
}

/* The requests, a page per transaction (a tenant may hold millions). */
static int export_page(struct store *st, struct ctl *c)
{
    int n = 0;
    int rc = store_request_page(st, c->req->params[0], NULL, 0, c->cursor, CTL_PAGE_ROWS,
                                export_request, c, &n);
    c->more = rc == 0 && n == CTL_PAGE_ROWS;
    return rc;
}

/* The first transaction: the mappings, whole (a tenant's are few), then the requests
 * streamed a page at a time (ctl_run_stream). */
static int get_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    const char *tenant = c->req->params[0];
    int rc = ctl_tenant(c, st, tenant);
    if (rc)
        return rc;
    cJSON_Delete(c->out); /* a retried transaction starts over */
    c->out = cJSON_CreateObject();
    struct export_arg a = {st, cJSON_AddArrayToObject(c->out, "mappings"), 0};
    rc = store_mapping_each(st, tenant, export_mapping, &a);
    if (rc == 0)
        rc = a.rc;
    c->page_dest = cJSON_AddArrayToObject(c->out, "requests");
    c->page = export_page;
    c->page_read_only = 1;
    c->page_stream = 1;
    c->more = 1;
    c->cursor = 0;
    return rc;
}

void handle_snapshot_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run_stream(app, req, rep, get_tx, NULL, 0);
}

/* Reads an integer member within [min, max]; refuses naming path.field. */
static int get_int(struct ctl *c, const cJSON *o, const char *path, const char *field,
                   long long min, long long max, int required, long long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    if (!v) {
        if (required)
            return ctl_fail(c, ERR_BAD_FIELD, "%s.%s: missing", path, field);
        return 0;
    }
    if (json_int_in(v, min, max, out) != JSON_INT_IS)
        return ctl_fail(c, ERR_BAD_FIELD, "%s.%s: must be an integer from %lld to %lld", path,
                        field, min, max);
    return 0;
}

/* Parses one exported request (validated field by field). */
static int parse_request(struct ctl *c, const cJSON *o, int i, const char *tenant,
                         struct model_request *r)
{
    static const char *const keys[] = {"requestId", "mapping",    "status",     "step",
                                       "createdMs", "createdAt",  "polls",      "numRecords",
                                       "batchId",   "resolvedMs", "resolvedAt", NULL};
    char path[48];
    snprintf(path, sizeof(path), "requests[%d]", i);
    if (!cJSON_IsObject(o))
        return ctl_fail(c, ERR_BAD_FIELD, "%s: must be an object", path);
    for (const cJSON *k = o->child; k; k = k->next) {
        int known = 0;
        for (const char *const *n = keys; *n; n++)
            known |= strcmp(*n, k->string) == 0;
        if (!known)
            return ctl_fail(c, ERR_BAD_FIELD, "%s.%.64s: unknown field", path, k->string);
    }
    memset(r, 0, sizeof(*r));
    snprintf(r->tenant, sizeof(r->tenant), "%.128s", tenant);
    int rc = get_int(c, o, path, "requestId", 1, ID_MAX, 1, &r->id);
    if (rc)
        return rc;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mapping");
    if (!cJSON_IsString(m) || !fixtures_mapping_id_valid(m->valuestring))
        return ctl_fail(c, ERR_BAD_FIELD, "%s.mapping: must be a mapping id", path);
    snprintf(r->mapping, sizeof(r->mapping), "%s", m->valuestring);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "status");
    if (!cJSON_IsString(s) || model_status_parse(&r->status, s->valuestring) < 0)
        return ctl_fail(c, ERR_BAD_FIELD,
                        "%s.status: must be one of In Progress, Success, Failed, Aborted", path);
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(o, "step");
    struct problems p;
    problems_init(&p);
    char sp[64];
    snprintf(sp, sizeof(sp), "%s.step", path);
    if (!step)
        problems_add(&p, "body", sp, "missing");
    else
        fixtures_step_validate(step, "body", sp, &p);
    if (p.count) {
        ctl_fail(c, ERR_BAD_FIELD, "%.*s", (int)strcspn(p.text, "\n"), p.text);
        problems_free(&p);
        return CTL_REFUSED;
    }
    problems_free(&p);
    fixtures_step_from_json(&r->step, step);
    if ((rc = get_int(c, o, path, "createdMs", 0, ID_MAX * 1000, 1, &r->created_ms)) ||
        (rc = get_int(c, o, path, "polls", 0, ID_MAX, 0, &r->polls)) ||
        (rc = get_int(c, o, path, "numRecords", 0, ID_MAX, 0, &r->num_records)))
        return rc;
    r->resolved_ms = -1;
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(o, "resolvedMs");
    if (res && !cJSON_IsNull(res) &&
        (rc = get_int(c, o, path, "resolvedMs", 0, ID_MAX * 1000, 0, &r->resolved_ms)))
        return rc;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "batchId");
    if (b && (!cJSON_IsString(b) || strlen(b->valuestring) > MODEL_BATCH_LEN))
        return ctl_fail(c, ERR_BAD_FIELD, "%s.batchId: must be a batch id or \"\"", path);
    snprintf(r->batch_id, sizeof(r->batch_id), "%s", b ? b->valuestring : "");
    if ((r->status == STATUS_IN_PROGRESS) != (r->resolved_ms < 0))
        return ctl_fail(c, ERR_BAD_FIELD,
                        "%s.resolvedMs: null exactly when the request is In Progress", path);
    return 0;
}

static int put_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    const char *tenant = c->req->params[0];
    static const char *const keys[] = {"mappings", "requests", NULL};
    if (!cJSON_IsObject(c->body))
        return ctl_fail(c, ERR_BAD_FIELD,
                        "the body must be {\"mappings\": [...], \"requests\": "
                        "[...]}");
    for (const cJSON *k = c->body->child; k; k = k->next) {
        if (strcmp(k->string, keys[0]) != 0 && strcmp(k->string, keys[1]) != 0)
            return ctl_fail(c, ERR_BAD_FIELD, "%.64s: unknown field", k->string);
    }
    const cJSON *maps = cJSON_GetObjectItemCaseSensitive(c->body, "mappings");
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(c->body, "requests");
    if (maps && !cJSON_IsArray(maps))
        return ctl_fail(c, ERR_BAD_FIELD, "mappings: must be an array");
    if (reqs && !cJSON_IsArray(reqs))
        return ctl_fail(c, ERR_BAD_FIELD, "requests: must be an array");
    /* Validate the mappings as a tenant of a fixture file would be. */
    cJSON *as_tenant = cJSON_CreateObject();
    cJSON *tenants = cJSON_CreateObject();
    cJSON_AddItemToObject(tenants, tenant, as_tenant);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "tenants", tenants);
    cJSON_AddItemToObject(as_tenant, "mappings",
                          maps ? cJSON_Duplicate(maps, 1) : cJSON_CreateArray());
    struct problems p;
    problems_init(&p);
    int bad = fixtures_validate(doc, "body", &p);
    cJSON_Delete(doc);
    if (bad) {
        int rc = ctl_refuse_problems(c, &p);
        problems_free(&p);
        return rc;
    }
    problems_free(&p);
    int rc = ctl_tenant(c, st, tenant);
    if (rc)
        return rc;
    rc = store_tenant_clear(st, tenant);
    for (const cJSON *m = maps ? maps->child : NULL; m && rc == 0; m = m->next)
        rc = fixtures_mapping_apply(st, tenant, m);
    if (rc)
        return rc;
    long long max_id = 0;
    int i = 0;
    for (const cJSON *o = reqs ? reqs->child : NULL; o; o = o->next, i++) {
        struct model_request r, other;
        if ((rc = parse_request(c, o, i, tenant, &r)) != 0)
            return rc;
        struct model_mapping m;
        if (store_mapping_get(st, tenant, r.mapping, &m) != 0)
            return ctl_fail(c, ERR_BAD_FIELD, "requests[%d].mapping: \"%.128s\" is not in mappings",
                            i, r.mapping);
        if (store_request_get(st, r.id, &other) == 0)
            return strcmp(other.tenant, tenant) != 0
                       ? ctl_fail(c, ERR_CONFLICT,
                                  "requests[%d].requestId: %lld belongs to tenant %.128s", i, r.id,
                                  other.tenant)
                       : ctl_fail(c, ERR_BAD_FIELD, "requests[%d].requestId: %lld given twice", i,
                                  r.id);
        rc = store_request_insert(st, &r);
        if (rc == STORE_CONSTRAINT)
            return ctl_fail(c, ERR_BAD_FIELD,
                            "requests[%d]: mapping %.128s already has a request In Progress", i,
                            r.mapping);
        if (rc)
            return rc;
        if (r.id > max_id)
            max_id = r.id;
    }
    /* Restored ids must never be handed out again. */
    long long next = 1;
    if ((rc = store_meta_get(st, "next_request_id", &next)) < 0 && rc != STORE_NOTFOUND)
        return rc;
    if (max_id >= next && (rc = store_meta_set(st, "next_request_id", max_id + 1)) != 0)
        return rc;
    return get_tx(st, c);
}

void handle_snapshot_put(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_BODY_REQUIRED, put_tx);
}
