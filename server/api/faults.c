/*
 * Fault evaluation. Rules are few (a handful per test), so each call reads them all,
 * in the call's transaction, which also saves their counters and the generator state:
 * the same seed and the same calls give the same decisions, across restarts too.
 */
#include "api/faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/gateway.h"
#include "fixtures/faults.h"
#include "json.h"
#include "log.h"
#include "rng.h"
#include "store/store_faults.h"

struct rule {
    char *id, *json;
    struct model_fault_state state;
};

struct rules {
    struct rule *items;
    int n, cap;
    int failed;
};

static int collect(void *arg, const struct fault_row *r)
{
    struct rules *rs = arg;
    if (rs->n == rs->cap) {
        int cap = rs->cap ? rs->cap * 2 : 8;
        struct rule *grown = realloc(rs->items, (size_t)cap * sizeof(*grown));
        if (!grown) {
            rs->failed = 1;
            return 1;
        }
        rs->items = grown;
        rs->cap = cap;
    }
    struct rule *x = &rs->items[rs->n];
    x->id = strdup(r->id);
    x->json = strdup(r->rule);
    x->state = (struct model_fault_state){r->created_ms, r->seen, r->hits};
    if (!x->id || !x->json) {
        free(x->id);
        free(x->json);
        rs->failed = 1;
        return 1;
    }
    rs->n++;
    return 0;
}

static int draw(struct store *st, double *unit, uint64_t *bits)
{
    long long state = 0;
    int rc = store_meta_get(st, "rng_state", &state);
    if (rc < 0 && rc != STORE_NOTFOUND)
        return rc;
    uint64_t s = (uint64_t)state;
    if (unit)
        *unit = rng_unit(&s);
    if (bits)
        *bits = rng_next(&s);
    return store_meta_set(st, "rng_state", (long long)s);
}

struct eval {
    struct app *app;
    const struct http_request *req;
    struct reply *rep;
    const char *tenant, *mapping;
    int result;
};

/* Shapes the reply by the action of the rule that applied (a points into the rule's
 * parsed JSON, alive during the call). */
static int apply(struct store *st, struct eval *e, const struct rule *r,
                 const struct fault_action *a)
{
    struct reply *rep = e->rep;
    reply_set_field(rep->fault_id, sizeof(rep->fault_id), r->id);
    if (a->delay_min >= 0) {
        long long delay = a->delay_min;
        if (a->delay_max > a->delay_min) {
            uint64_t bits = 0;
            int rc = draw(st, NULL, &bits);
            if (rc)
                return rc;
            delay += (long long)(bits % (uint64_t)(a->delay_max - a->delay_min + 1));
        }
        rep->delay_ms = delay;
    }
    e->result = -1;
    switch (a->kind) {
    case FAULT_DELAY_ONLY:
        break;
    case FAULT_ERROR: {
        enum gateway_error g;
        if (gateway_error_parse(&g, a->error) == 0)
            gateway_reply(rep, g);
        e->result = 1;
        break;
    }
    case FAULT_CUSTOM: {
        char *body = NULL;
        const char *type = CONTENT_TYPE_JSON;
        if (cJSON_IsString(a->body)) {
            body = strdup(a->body->valuestring);
            type = "text/plain; charset=utf-8";
        } else if (a->body) {
            body = json_print(a->body);
        }
        /* No body, no Content-Type: a 204 or a bare 503 carries neither. */
        reply_text(rep, a->status, a->body ? type : NULL, body ? body : "",
                   body ? strlen(body) : 0);
        free(body);
        for (const cJSON *h = a->headers ? a->headers->child : NULL; h; h = h->next) {
            if (strcasecmp(h->string, "Content-Type") == 0)
                rep->content_type = NULL; /* the rule's own header replaces ours */
            reply_header_add(rep, h->string, h->valuestring);
        }
        e->result = 1;
        break;
    }
    case FAULT_TRANSPORT:
        rep->transport = a->transport;
        /* A truncated reply needs the real answer to cut; the others send nothing. */
        e->result = a->transport == TRANSPORT_TRUNCATE ? -1 : 1;
        break;
    }
    snprintf(rep->note, sizeof(rep->note), "fault %s", r->id);
    return 0;
}

static int eval_tx(struct store *st, void *arg)
{
    struct eval *e = arg;
    struct rules rs = {0};
    int rc = store_fault_each(st, collect, &rs);
    if (rs.failed)
        rc = STORE_ERROR;
    long long now = clock_now_ms(&e->app->clock);
    for (int i = 0; i < rs.n && rc == 0 && e->result == 0; i++) {
        struct rule *r = &rs.items[i];
        cJSON *rule = cJSON_Parse(r->json);
        if (!rule)
            continue;
        struct model_fault_match m;
        struct model_fault_schedule s;
        struct fault_action a;
        fixtures_fault_parse(rule, &m, &s, &a);
        if (model_fault_matches(&m, e->req->method, e->req->endpoint, e->tenant, e->mapping)) {
            double unit = 0;
            if (model_fault_needs_draw(&s, &r->state, now))
                rc = draw(st, &unit, NULL);
            int applies = rc == 0 && model_fault_decide(&s, &r->state, now, unit);
            if (rc == 0)
                rc = store_fault_set_counters(st, r->id, r->state.seen, r->state.hits);
            if (rc == 0 && applies)
                rc = apply(st, e, r, &a);
        }
        cJSON_Delete(rule);
    }
    for (int i = 0; i < rs.n; i++) {
        free(rs.items[i].id);
        free(rs.items[i].json);
    }
    free(rs.items);
    return rc;
}

int faults_evaluate(struct app *app, struct store *st, const struct http_request *req,
                    struct reply *rep, int *answered)
{
    const struct route *route = req->route;
    struct eval e = {app,
                     req,
                     rep,
                     route->tenant_param >= 0 ? req->params[route->tenant_param] : "",
                     route->mapping_param >= 0 ? req->params[route->mapping_param] : "",
                     0};
    int rc = eval_tx(st, &e);
    *answered = rc == 0 ? e.result : 0;
    return rc;
}

int faults_load(struct store *st, const cJSON *rules, long long now_ms)
{
    int rc = store_fault_clear(st, NULL);
    for (const cJSON *r = rules ? rules->child : NULL; r && rc == 0; r = r->next) {
        char *text = json_print(r);
        if (!text)
            return STORE_ERROR;
        rc = store_fault_insert(st, cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring, text,
                                now_ms);
        free(text);
    }
    return rc;
}
