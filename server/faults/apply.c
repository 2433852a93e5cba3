/*
 * Fault evaluation: the rules, parsed once (rules.c), matched against a call in its
 * transaction; the first that applies shapes the reply. The only file of the module
 * that knows the HTTP layer's reply.
 */
#include "faults/internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/gateway.h"
#include "app.h"
#include "http/reply.h"
#include "http/router.h"
#include "json.h"
#include "rng.h"
#include "store/store_faults.h"

static int draw(struct store *st, double *unit, uint64_t *bits)
{
    uint64_t s;
    int rc = app_rng_load(st, APP_RNG_DRAWS, 0, &s);
    if (rc != 0)
        return rc;
    if (unit)
        *unit = rng_unit(&s);
    if (bits)
        *bits = rng_next(&s);
    return app_rng_save(st, APP_RNG_DRAWS, s);
}

/* The HTTP layer's transport of a table row, by its name (http/reply.c). */
static enum reply_transport transport_of(const struct fault_action_def *def)
{
    for (int t = TRANSPORT_NORMAL + 1; t < TRANSPORT_COUNT; t++) {
        if (strcmp(reply_transport_name((enum reply_transport)t), def->name) == 0)
            return (enum reply_transport)t;
    }
    assert(!"a transport of the action table that http/reply.c does not name");
    return TRANSPORT_HANG;
}

struct eval {
    struct app *app;
    const struct http_request *req;
    struct reply *rep;
    const char *tenant, *mapping;
    int result;
};

/* Shapes the reply by the action of the rule that applied. */
static int apply(struct store *st, struct eval *e, const struct fault_rule *r)
{
    const struct fault_action *a = &r->action;
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
        if (gateway_error_parse(&g, a->def->name) == 0)
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
        rep->transport = transport_of(a->def);
        /* A truncated reply needs the real answer to cut; the others send nothing. */
        e->result = a->def->answers ? 1 : -1;
        break;
    }
    snprintf(rep->note, sizeof(rep->note), "fault %s", r->id);
    return 0;
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
    struct faults *f = app->faults;
    pthread_mutex_lock(&f->lock);
    int rc = faults_sync(f, st);
    if (rc == 0) {
        atomic_store(&f->count, f->n);
        atomic_store(&f->stale, 0);
    }
    long long now = clock_now_ms(&app->clock);
    for (int i = 0; i < f->n && rc == 0 && e.result == 0; i++) {
        struct fault_rule *r = f->rules[i];
        if (!fault_matches(&r->match, req->method, req->endpoint, e.tenant, e.mapping))
            continue;
        double unit = 0;
        if (fault_needs_draw(&r->schedule, &r->state, now))
            rc = draw(st, &unit, NULL);
        int applies = rc == 0 && fault_decide(&r->schedule, &r->state, now, unit);
        if (rc == 0)
            rc = store_fault_set_counters(st, r->id, r->state.seen, r->state.hits);
        if (rc == 0 && applies)
            rc = apply(st, &e, r);
    }
    pthread_mutex_unlock(&f->lock);
    *answered = rc == 0 ? e.result : 0;
    return rc;
}
