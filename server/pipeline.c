/*
 * The request pipeline (see pipeline.h): route flags -> faults -> auth -> handler ->
 * journal + metrics, one transaction per emulated call.
 */
#include "pipeline.h"

#include <stdatomic.h>
#include <string.h>

#include "faults/faults.h"
#include "api/gateway.h"
#include "app.h"
#include "clock.h"
#include "control/control.h"
#include "errors.h"
#include "http/server.h"
#include "log.h"
#include "utf8.h"

/* Whether a storage failure of this kind was logged at error level already: a full disk
 * or a damaged file fails every write, and one line says it (the rest go to debug). */
static atomic_int storage_logged[3];

void pipeline_store_failure(struct app *app, struct reply *rep, struct store *st, int rc)
{
    if (rc == STORE_BUSY) {
        errors_reply(rep, ERR_UNAVAILABLE, "the database is busy; retry");
        reply_header_add(rep, "Retry-After", "1");
        return;
    }
    if (rc == STORE_TENANTS) {
        errors_reply(rep, ERR_TENANT_LIMIT,
                     "no tenant can be made from the template: %lld tenants exist "
                     "(--tenants-max); DELETE /_mock/tenants/NAME or POST /_mock/reset",
                     app->cfg->tenants_max);
        return;
    }
    const char *why = st ? store_errmsg(st) : "no database connection";
    const char *db = app && app->cfg ? app->cfg->db : "";
    int kind = rc == STORE_FULL ? 0 : rc == STORE_DAMAGED ? 1 : rc == STORE_IO ? 2 : -1;
    if (kind < 0) {
        log_msg(LOG_ERROR, "store: %s", why);
        errors_reply(rep, ERR_INTERNAL, "internal error in the state store");
        return;
    }
    int first = atomic_exchange(&storage_logged[kind], 1) == 0;
    static const char *const what[] = {"is full", "is damaged", "cannot be read or written"};
    log_msg(first ? LOG_ERROR : LOG_DEBUG,
            "store: the database %s %s: %s; writes fail until that is fixed (logged once)", db,
            what[kind], why);
    if (rc == STORE_FULL)
        errors_reply(rep, ERR_STORAGE_FULL,
                     "the database cannot grow: the disk or the file size limit is full; free "
                     "space, or POST /_mock/reset");
    else if (rc == STORE_DAMAGED)
        errors_reply(rep, ERR_STORAGE_DAMAGED,
                     "the database file is damaged; restart on a new --db file");
    else
        errors_reply(rep, ERR_STORAGE_IO, "the database file cannot be read or written (%s)", why);
}

/* Decoded paths are echoed in error bodies, which are JSON: a path that is not UTF-8
 * or holds control characters cannot name a route and is refused before routing. */
static int valid_utf8_path(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    }
    return utf8_valid(s, strlen(s));
}

/* The length of s's longest prefix of at most max bytes that does not end inside a
 * UTF-8 sequence, as a "%.*s" precision. */
static int utf8_cut(const char *s, size_t max)
{
    return (int)utf8_boundary(s, strnlen(s, max + 1), max);
}

/* Routes req; NULL after answering (400 framing, 414, 413, 404, 405). */
static const struct route *route_or_refuse(struct http_request *req, struct reply *rep)
{
    if (req->framing) {
        if (req->framing == HTTP_FRAMING_CODING) {
            const char *te = http_request_header(req, "Transfer-Encoding");
            te = te ? te : "";
            errors_reply(rep, ERR_UNSUPPORTED_CODING,
                         "Transfer-Encoding \"%.*s\" is not supported, only \"chunked\" alone; "
                         "the connection closes",
                         utf8_cut(te, 64), te);
        } else {
            errors_reply(rep, ERR_BAD_FRAMING, "%s; the connection closes",
                         req->framing == HTTP_FRAMING_TWO_LENGTHS
                             ? "Content-Length is given twice with different values"
                             : "Content-Length and Transfer-Encoding are both given");
        }
        rep->close = 1; /* what follows the body cannot be told from a next request */
        return NULL;
    }
    if (req->url_len > HTTP_URL_MAX) {
        errors_reply(rep, ERR_URI_TOO_LONG, "the URL is longer than %d bytes", HTTP_URL_MAX);
        return NULL;
    }
    if (req->headers_too_large) {
        errors_reply(rep, ERR_HEADERS_TOO_LARGE, "the request headers are larger than %u bytes",
                     HTTP_HEADERS_MAX);
        rep->close = 1; /* its body, if any, is not read */
        return NULL;
    }
    if (req->body_too_large) {
        errors_reply(rep, ERR_BODY_TOO_LARGE, "the request body is larger than %u bytes",
                     HTTP_BODY_MAX);
        return NULL;
    }
    if (!valid_utf8_path(req->path)) {
        errors_reply(rep, ERR_ROUTE_NOT_FOUND,
                     "no route for this path (control characters or invalid UTF-8)");
        return NULL;
    }
    char allow[64];
    const struct route *route = router_match(req->method, req->raw_path ? req->raw_path : req->path,
                                             req, allow, sizeof(allow));
    if (route)
        return route;
    if (allow[0]) {
        errors_reply(rep, ERR_METHOD_NOT_ALLOWED, "%s is not allowed here; allowed: %s",
                     req->method, allow);
        reply_header_add(rep, "Allow", allow);
    } else {
        errors_reply(rep, ERR_ROUTE_NOT_FOUND, "no route for %s %.*s", req->method,
                     utf8_cut(req->path, 200), req->path);
    }
    return NULL;
}

static const char *param(const struct http_request *req, int index)
{
    return index >= 0 && index < req->n_params ? req->params[index] : "";
}

struct call {
    struct app *app;
    const struct http_request *req;
    struct reply *rep;
    const struct journal_sent *sent;
    int attempts; /* of the transaction, for a retry to start from a fresh reply */
};

/* One emulated call, whole: a retried transaction starts over from a fresh reply. */
static int emulated_tx(struct store *st, void *arg)
{
    struct call *c = arg;
    const struct route *route = c->req->route;
    struct reply *rep = c->rep;
    if (c->attempts++) { /* a retry: the reply of the attempt before goes */
        reply_free(rep);
        reply_init(rep);
    }
    const char *tenant = param(c->req, route->tenant_param);
    reply_set_field(rep->tenant, sizeof(rep->tenant), tenant);
    reply_set_field(rep->mapping, sizeof(rep->mapping), param(c->req, route->mapping_param));
    int answered = 0; /* 1: a fault rule answered; -1: it decorated the reply */
    int rc = 0;
    if ((route->flags & ROUTE_FAULTABLE) && faults_any(c->app->faults))
        rc = faults_evaluate(c->app, st, c->req, rep, &answered);
    if (rc == 0 && answered <= 0) {
        if (!(route->flags & ROUTE_AUTH) ||
            gateway_authorize(c->app, st, c->req, tenant, (route->flags & ROUTE_SQL_ROLE) != 0,
                              rep) == 0)
            rc = route->tx_handler(c->app, st, c->req, rep);
    }
    if (rc == 0 && (route->flags & ROUTE_JOURNALED))
        rc = control_journal_append(c->app, st, c->req, c->sent, rep);
    return rc;
}

static int journal_tx(struct store *st, void *arg)
{
    struct call *c = arg;
    return control_journal_append(c->app, st, c->req, c->sent, c->rep);
}

/* Records a call whose own transaction failed, or that never reached a route. */
static void journal_alone(struct app *app, struct store *st, const struct http_request *req,
                          const struct journal_sent *sent, struct reply *rep)
{
    struct call c = {app, req, rep, sent, 0};
    int rc = st ? store_transact(st, journal_tx, &c) : 0;
    /* A full or failing file was said once already (pipeline_store_failure). */
    if (rc != 0)
        log_msg(rc == STORE_FULL || rc == STORE_DAMAGED || rc == STORE_IO ? LOG_DEBUG : LOG_WARN,
                "journal: entry not recorded: %s", store_errmsg(st));
}

static void dispatch_emulated(struct app *app, struct store *st, struct http_request *req,
                              struct reply *rep)
{
    struct journal_sent sent;
    control_journal_sent_make(&sent, req);
    struct call c = {app, req, rep, &sent, 0};
    int rc = st ? store_transact(st, emulated_tx, &c) : STORE_ERROR;
    if (rc != 0) {
        reply_free(rep);
        reply_init(rep);
        pipeline_store_failure(app, rep, st, rc);
        if (req->route->flags & ROUTE_JOURNALED)
            journal_alone(app, st, req, &sent, rep);
    }
    control_journal_sent_free(&sent);
}

/* The admin token (--admin-token) on control routes; 0, or -1 after answering. */
static int admin_check(struct app *app, const struct http_request *req, struct reply *rep)
{
    const char *want = app->cfg->admin_token;
    if (!want || (req->route->flags & ROUTE_ADMIN_EXEMPT))
        return 0;
    const char *got = http_request_header(req, "X-Mock-Admin-Token");
    if (got && strcmp(got, want) == 0)
        return 0;
    errors_reply(rep, ERR_ADMIN_TOKEN,
                 got ? "the X-Mock-Admin-Token header does not match --admin-token"
                     : "this server requires the header X-Mock-Admin-Token (see --admin-token)");
    return -1;
}

/* A request over capacity: 503 and the connection closed, so that the slot frees. Not
 * journaled: a crowd that fills the server must not also fill its database. */
static void refuse_full(struct app *app, const struct http_request *req, struct reply *rep)
{
    if (req->server_full == HTTP_FULL_CLIENT)
        errors_reply(rep, ERR_UNAVAILABLE,
                     "too many connections from this client address (--max-connections-per-"
                     "client %d); retry",
                     app->cfg->max_per_client);
    else
        errors_reply(rep, ERR_UNAVAILABLE,
                     "the server is full: more than %d open connections (--max-connections); "
                     "retry",
                     app->cfg->max_connections);
    reply_header_add(rep, "Retry-After", "1");
    rep->close = 1;
}

/* The headers that let a browser page of the --cors origin read the answer. */
static void cors_headers(const struct app *app, struct reply *rep)
{
    const char *origin = app->cfg->cors;
    reply_header_add(rep, "Access-Control-Allow-Origin", origin);
    if (strcmp(origin, "*") != 0)
        reply_header_add(rep, "Vary", "Origin");
    reply_header_add(rep, "Access-Control-Expose-Headers", "Retry-After");
}

/* A browser's preflight (OPTIONS with Access-Control-Request-Method) under --cors: 204
 * with what the path allows, before the admin token (a preflight carries none), never a
 * fault or a journal entry. Returns 1 when req was one and rep is its answer. */
static int cors_preflight(struct app *app, struct http_request *req, struct reply *rep)
{
    if (!app->cfg->cors || strcmp(req->method, "OPTIONS") != 0 ||
        !http_request_header(req, "Access-Control-Request-Method"))
        return 0;
    char allow[64];
    router_match("OPTIONS", req->raw_path ? req->raw_path : req->path, req, allow, sizeof(allow));
    if (!allow[0]) {
        errors_reply(rep, ERR_ROUTE_NOT_FOUND, "no route for this path (a CORS preflight)");
    } else {
        rep->status = 204;
        reply_header_add(rep, "Access-Control-Allow-Methods", allow);
        reply_header_add(rep, "Access-Control-Allow-Headers",
                         "Authorization, X-Api-Key, Content-Type, X-Mock-Admin-Token");
        reply_header_add(rep, "Access-Control-Max-Age", "600");
    }
    cors_headers(app, rep);
    return 1;
}

void pipeline_dispatch(void *ctx, struct http_request *req, struct reply *rep)
{
    struct app *app = ctx;
    req->endpoint = "unknown";
    if (req->timed_out) {
        /* The HTTP layer cut a request that did not arrive whole in time: only its
         * answer is asked for (the request was never read). */
        errors_reply(rep, ERR_REQUEST_TIMEOUT,
                     "the request did not arrive whole within %d s of its first byte "
                     "(--request-timeout); the connection closes",
                     app->cfg->request_timeout);
        rep->close = 1;
        if (app->cfg->cors)
            cors_headers(app, rep);
        metrics_count(&app->metrics, req->endpoint, rep->status, 0);
        return;
    }
    if (req->server_full) {
        refuse_full(app, req, rep);
        if (app->cfg->cors)
            cors_headers(app, rep);
        metrics_count(&app->metrics, req->endpoint, rep->status, 0);
        return;
    }
    if (cors_preflight(app, req, rep)) {
        metrics_count(&app->metrics, req->endpoint, rep->status, 0);
        return;
    }
    const struct route *route = route_or_refuse(req, rep);
    unsigned flags = route ? route->flags : 0;
    if (flags & ROUTE_EXCLUSIVE)
        pthread_rwlock_wrlock(&app->fixtures_lock);
    else
        pthread_rwlock_rdlock(&app->fixtures_lock);
    struct store *st = app_store(app);
    if (!route) {
        /* Unrouted calls outside /_mock are journaled: a client that called a wrong
         * URL finds it there. */
        if (strncmp(req->path, "/_mock", 6) != 0) {
            struct journal_sent sent;
            control_journal_sent_make(&sent, req);
            journal_alone(app, st, req, &sent, rep);
            control_journal_sent_free(&sent);
        }
    } else if (flags & ROUTE_EMULATED) {
        dispatch_emulated(app, st, req, rep);
    } else if (admin_check(app, req, rep) == 0) {
        if (st)
            route->handler(app, req, rep);
        else
            pipeline_store_failure(app, rep, NULL, STORE_ERROR);
    }
    pthread_rwlock_unlock(&app->fixtures_lock);
    if (app->cfg->cors)
        cors_headers(app, rep);
    rep->quiet = (flags & ROUTE_QUIET) != 0;
    int broken = rep->transport != TRANSPORT_NORMAL && rep->transport != TRANSPORT_TRUNCATE;
    metrics_count(&app->metrics, req->endpoint, broken ? 0 : rep->status, rep->fault_id[0] != '\0');
}
