/*
 * Fuzz target: the whole request path, in process. An input is one selector byte, then
 * the bytes a client sends on one connection: HTTP/1.1 requests one after another, each
 * a request line, header lines, a blank line and a body. Each request is read as
 * libmicrohttpd 0.9.75 reads it (what the library refuses itself, or waits on forever,
 * never reaches our code and ends the input), made into a struct http_request as
 * http/server.c makes it, and answered by pipeline_dispatch: the router, the gateway,
 * the fault rules, every handler and the journal, on a real (in-memory) store.
 *
 * The selector's low bit picks one of two apps, opened once and never closed (libFuzzer
 * exits without returning): "lax" (--auth presence, the README's fault rules by tenant
 * name) and "strict" (--auth strict, --admin-token). Both have the bundled fixtures, the
 * README's IMS clients and request-fixtures.json's (fixed tokens), a manual clock (no
 * decision depends on the wall clock) and a journal of JOURNAL_MAX entries. Selector 0xfe or 0xff:
 * the connection is over capacity (in all, or for its client address).
 *
 * State carries over from input to input, as on a real server: a trigger creates a
 * request, the journal fills. To keep it bounded, every MAINTAIN_EVERY inputs the
 * harness itself sends POST /_mock/reset to each app and deletes the IMS tokens issued
 * (the only state a reset keeps that has no cap of its own; see maintain()).
 *
 * Every reply must hold the invariants of check_reply(); a violation aborts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "api/gateway.h"
#include "api/ims.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "errors.h"
#include "faults/faults.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "jsonw.h"
#include "log.h"
#include "pipeline.h"
#include "store/store_auth.h"
#include "text.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef CAMPAIGN_MOCK_SOURCE_DIR
#error "CAMPAIGN_MOCK_SOURCE_DIR: the repository root, for the fixture files"
#endif

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_request: " __VA_ARGS__);                                             \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

#define ADMIN_TOKEN "fuzz-admin-token"
/* Small enough that a GET of the whole journal stays cheap, and that eviction runs
 * all the time; large enough that a journal read sees earlier inputs' calls. */
#define JOURNAL_MAX "64"
/* Inputs between two resets: tenants, requests and fault rules pile up to a few
 * thousand at most, which keeps each call fast. */
#define MAINTAIN_EVERY 1024
/* Requests per input: enough for a sequence (token, trigger, poll, journal read). */
#define REQUESTS_MAX 16
/* Header fields or query arguments per request. libmicrohttpd has no count limit but
 * its 64 KiB pool (HTTP_CONN_MEMORY), from which each field takes a record and its
 * text: far fewer than this fit there. More are refused as it would refuse them (431). */
#define FIELDS_MAX 1024

/* --- the apps ------------------------------------------------------------------------ */

#define ARGS_MAX 20

struct harness_app {
    int strict;
    struct config cfg;
    struct app app;
    char text[ARGS_MAX][512]; /* argv storage: cfg points into it for good */
    char *argv[ARGS_MAX];
    int argc;
};

static struct harness_app apps[2];
static int apps_open;
static long long inputs;
static int trace;

static void arg_add(struct harness_app *h, const char *a, const char *b)
{
    if (h->argc == ARGS_MAX)
        FAIL("too many arguments");
    snprintf(h->text[h->argc], sizeof(h->text[h->argc]), "%s%s", a, b);
    h->argv[h->argc] = h->text[h->argc];
    h->argc++;
}

static void app_start(struct harness_app *h, int strict)
{
    const char *dir = CAMPAIGN_MOCK_SOURCE_DIR;
    h->strict = strict;
    arg_add(h, "campaign-mock", "");
    arg_add(h, "--db", "");
    arg_add(h, ":memory:", "");
    arg_add(h, "--clock", "");
    arg_add(h, "manual", "");
    arg_add(h, "--journal-max", "");
    arg_add(h, JOURNAL_MAX, "");
    arg_add(h, "--log-level", "");
    arg_add(h, "error", "");
    arg_add(h, "--fixtures", "");
    arg_add(h, dir, "/fixtures/acs-docs.json");
    arg_add(h, "--fixtures", "");
    arg_add(h, dir, "/tests/docs/clients.json");
    arg_add(h, "--fixtures", "");
    arg_add(h, dir, "/tests/fuzz/request-fixtures.json");
    arg_add(h, "--auth", "");
    arg_add(h, strict ? "strict" : "presence", "");
    if (strict) {
        arg_add(h, "--admin-token", "");
        arg_add(h, ADMIN_TOKEN, "");
    } else {
        arg_add(h, "--fixtures", "");
        arg_add(h, dir, "/tests/docs/faults.json");
    }
    char err[8192];
    if (config_parse(&h->cfg, h->argc, h->argv, err, sizeof(err)) < 0)
        FAIL("config: %s", err);
    log_configure(h->cfg.log_level, h->cfg.log_format);
    if (app_open(&h->app, &h->cfg, err, sizeof(err)) < 0)
        FAIL("app_open: %s", err);
}

/* A streamed body (a journal or snapshot export), read to its end as the HTTP layer
 * sends it, into body: the checks see the bytes a client would. */
static void drain_stream(struct reply *rep)
{
    if (!rep->stream.next)
        return;
    struct jsonw w;
    jsonw_init(&w);
    int rc;
    while ((rc = rep->stream.next(rep->stream.ctx, &w)) > 0)
        ;
    if (rc < 0 || w.failed)
        FAIL("a streamed reply failed (%d)", rc);
    size_t len = 0;
    char *body = jsonw_take(&w, &len);
    reply_stream_drop(rep);
    rep->body = body;
    rep->body_len = len;
}

/* --- what is known of the replies ------------------------------------------------------ */

/* Adobe's gateway answers, byte for byte, as gateway_reply makes them. */
struct known_body {
    int status;
    char *body;
    size_t len;
};

static struct known_body gateway_bodies[GATEWAY_COUNT];

static void known_init(void)
{
    for (int e = 0; e < GATEWAY_COUNT; e++) {
        struct reply r;
        reply_init(&r);
        gateway_reply(&r, (enum gateway_error)e);
        gateway_bodies[e].status = r.status;
        gateway_bodies[e].len = r.body_len;
        gateway_bodies[e].body = malloc(r.body_len + 1);
        if (!gateway_bodies[e].body)
            FAIL("out of memory");
        memcpy(gateway_bodies[e].body, r.body, r.body_len);
        reply_free(&r);
    }
}

/* The IMS errors, IMS_OK excluded (ims.h lists them in this order). */
#define IMS_FIRST_ERROR IMS_INVALID_CLIENT
#define IMS_LAST_ERROR  IMS_BAD_REQUEST

/* Whether the server ever answers status without a fault rule deciding it. */
static int status_known(int status)
{
    if (status == 200 || status == 201)
        return 1;
    for (int e = 0; e < ERR_COUNT; e++) {
        if (errors_get((enum err_code)e)->status == status)
            return 1;
    }
    for (int e = 0; e < GATEWAY_COUNT; e++) {
        if (gateway_bodies[e].status == status)
            return 1;
    }
    for (int e = IMS_FIRST_ERROR; e <= IMS_LAST_ERROR; e++) {
        if (ims_error_status((enum ims_error)e) == status)
            return 1;
    }
    return 0;
}

static int object_size(const cJSON *o)
{
    int n = 0;
    for (const cJSON *c = o->child; c; c = c->next)
        n++;
    return n;
}

static const cJSON *member(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* {"code":S,"error_code":"name","message":"..."[,"problems":["...",...]]}, with S the
 * status and name an error of the registry that has that status. */
static int our_error_body(const cJSON *doc, int status)
{
    const cJSON *code = member(doc, "code"), *name = member(doc, "error_code");
    const cJSON *msg = member(doc, "message"), *problems = member(doc, "problems");
    if (!cJSON_IsNumber(code) || code->valuedouble != (double)status || !cJSON_IsString(name) ||
        !cJSON_IsString(msg) || object_size(doc) != 3 + (problems != NULL))
        return 0;
    if (problems) {
        if (!cJSON_IsArray(problems))
            return 0;
        for (const cJSON *p = problems->child; p; p = p->next) {
            if (!cJSON_IsString(p))
                return 0;
        }
    }
    for (int e = 0; e < ERR_COUNT; e++) {
        const struct err_def *d = errors_get((enum err_code)e);
        if (strcmp(d->name, name->valuestring) == 0)
            return d->status == status;
    }
    return 0;
}

/* {"error":"name","error_description":"..."} of an IMS error with that status. */
static int ims_error_body(const cJSON *doc, int status)
{
    const cJSON *name = member(doc, "error"), *desc = member(doc, "error_description");
    if (!cJSON_IsString(name) || !cJSON_IsString(desc) || object_size(doc) != 2)
        return 0;
    for (int e = IMS_FIRST_ERROR; e <= IMS_LAST_ERROR; e++) {
        if (strcmp(ims_error_name((enum ims_error)e), name->valuestring) == 0)
            return ims_error_status((enum ims_error)e) == status;
    }
    return 0;
}

static const char *reply_header(const struct reply *rep, const char *name)
{
    for (int i = 0; i < rep->n_headers; i++) {
        if (strcasecmp(rep->headers[i].name, name) == 0)
            return rep->headers[i].value;
    }
    return NULL;
}

/* 1 when s has no byte that would end or split a header line. */
static int header_text(const char *s, int is_name)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\r' || *p == '\n' || (is_name && (*p <= ' ' || *p == ':' || *p == 0x7f)))
            return 0;
    }
    return 1;
}

/* Every method an Allow list names is a route's (or HEAD, which answers as GET), and
 * not the one that was refused. */
static void check_allow(const char *allow, const char *method)
{
    if (!allow || !*allow)
        FAIL("405 without an Allow header");
    for (const char *m = allow; *m;) {
        size_t len = strcspn(m, ",");
        int known = len == 4 && memcmp(m, "HEAD", 4) == 0;
        for (const struct route *r = routes; r->pattern; r++)
            known |= strlen(r->method) == len && memcmp(r->method, m, len) == 0;
        if (!known || (strlen(method) == len && memcmp(method, m, len) == 0))
            FAIL("Allow: %s (method %s)", allow, method);
        m += len;
        if (*m == ',') {
            if (m[1] != ' ')
                FAIL("Allow: %s", allow);
            m += 2;
        }
    }
}

/* "Bearer <token>" as the gateway reads it, and a non-empty X-Api-Key. */
static int has_credentials(const struct http_request *req)
{
    const char *auth = http_request_header(req, "Authorization");
    const char *key = http_request_header(req, "X-Api-Key");
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || !key || !*key)
        return 0;
    auth += 7;
    auth += strspn(auth, " ");
    return *auth != '\0';
}

static void fail_reply(const struct http_request *req, const struct reply *rep, const char *what)
{
    FAIL("%s: %s %s -> %d, body (%zu bytes): %.*s", what, req->method, req->path, rep->status,
         rep->body_len, (int)(rep->body_len > 600 ? 600 : rep->body_len),
         rep->body ? rep->body : "");
}

/* A token the strict app's IMS has just issued, and its client, to be tried on the
 * gateway once the request that got it is done (serve_one): see probe_run. */
static char probe_token[IMS_JWT_MAX + 1];
static char probe_client[256];
static int probe_pending;
static char *probe_fault; /* while a probe runs: where serve_one leaves its fault id */

/* Reads the client_id claim out of the token's payload (it is ours, so well formed). */
static void probe_take(const char *token)
{
    const char *a = strchr(token, '.'), *b = a ? strchr(a + 1, '.') : NULL;
    static unsigned char payload[IMS_JWT_MAX];
    long n =
        b ? ims_base64url_decode(payload, sizeof(payload) - 1, a + 1, (size_t)(b - a - 1)) : -1;
    cJSON *claims = n > 0 ? cJSON_ParseWithLength((const char *)payload, (size_t)n) : NULL;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(claims, "client_id");
    if (!cJSON_IsString(id) || strlen(token) >= sizeof(probe_token) ||
        strlen(id->valuestring) >= sizeof(probe_client))
        FAIL("an issued token whose payload has no client_id: %.200s", token);
    snprintf(probe_token, sizeof(probe_token), "%s", token);
    snprintf(probe_client, sizeof(probe_client), "%s", id->valuestring);
    probe_pending = 1;
    cJSON_Delete(claims);
}

/* The invariants of every reply, whatever the request. */
static void check_reply(const struct harness_app *h, const struct http_request *req,
                        const struct reply *rep)
{
    const struct route *route = req->route;
    unsigned flags = route ? route->flags : 0;
    int faulted = rep->fault_id[0] != '\0';

    /* Directives: a delay or a broken transport only ever comes from a fault rule, and
     * a delay within what a rule may ask. */
    if (rep->transport < TRANSPORT_NORMAL || rep->transport >= TRANSPORT_COUNT)
        fail_reply(req, rep, "unknown transport");
    if (rep->delay_ms < 0 || rep->delay_ms > FAULT_DELAY_MAX)
        fail_reply(req, rep, "delay out of range");
    if ((rep->delay_ms > 0 || rep->transport != TRANSPORT_NORMAL) && !faulted)
        fail_reply(req, rep, "delay or transport without a fault rule");
    if (faulted && !(flags & ROUTE_FAULTABLE))
        fail_reply(req, rep, "a fault rule applied to a route that takes none");
    if (strnlen(rep->tenant, sizeof(rep->tenant)) == sizeof(rep->tenant) ||
        strnlen(rep->mapping, sizeof(rep->mapping)) == sizeof(rep->mapping) ||
        strnlen(rep->fault_id, sizeof(rep->fault_id)) == sizeof(rep->fault_id) ||
        strnlen(rep->note, sizeof(rep->note)) == sizeof(rep->note))
        fail_reply(req, rep, "a reply field is not terminated");
    if (rep->n_headers < 0 || rep->n_headers > REPLY_HEADERS_MAX)
        fail_reply(req, rep, "header count");
    for (int i = 0; i < rep->n_headers; i++) {
        const struct reply_header *x = &rep->headers[i];
        if (!x->name || !x->value || !x->name[0] || !header_text(x->name, 1) ||
            !header_text(x->value, 0))
            fail_reply(req, rep, "a header that is not one header line");
    }
    if (rep->transport == TRANSPORT_RESET || rep->transport == TRANSPORT_EMPTY ||
        rep->transport == TRANSPORT_HANG)
        return; /* nothing is sent */

    if (faulted ? rep->status < 200 || rep->status > 599 : !status_known(rep->status))
        fail_reply(req, rep, "status the server never sends");

    /* Refusals in the pipeline's order, before any route. */
    if (req->timed_out) {
        if (rep->status != 408 || !rep->close)
            fail_reply(req, rep, "a request cut by the deadline but not 408 and close");
    } else if (req->server_full) {
        if (rep->status != 503 || !rep->close || !reply_header(rep, "Retry-After"))
            fail_reply(req, rep, "over capacity but not 503 with Retry-After and close");
    } else if (req->framing) {
        if (rep->status != (req->framing == HTTP_FRAMING_CODING ? 501 : 400) || !rep->close)
            fail_reply(req, rep, "ambiguous framing but not 400 or 501 and close");
    } else if (req->url_len > HTTP_URL_MAX) {
        if (rep->status != 414)
            fail_reply(req, rep, "URL over HTTP_URL_MAX but not 414");
    } else if (req->headers_too_large) {
        if (rep->status != 431 || !rep->close)
            fail_reply(req, rep, "headers over HTTP_HEADERS_MAX but not 431 and close");
    } else if (req->body_too_large) {
        if (rep->status != 413)
            fail_reply(req, rep, "body over HTTP_BODY_MAX but not 413");
    }

    /* The body: typed, UTF-8, and JSON when it says so. */
    if (rep->body_len > 0 && !rep->body)
        fail_reply(req, rep, "body length without a body");
    if (rep->body_len > 0 && !rep->content_type && !reply_header(rep, "Content-Type"))
        fail_reply(req, rep, "body without Content-Type");
    if (rep->content_type && !header_text(rep->content_type, 0))
        fail_reply(req, rep, "Content-Type that is not one header line");
    cJSON *doc = NULL;
    if (rep->content_type && strcmp(rep->content_type, CONTENT_TYPE_JSON) == 0) {
        const char *end = NULL;
        doc = rep->body_len ? cJSON_ParseWithLengthOpts(rep->body, rep->body_len, &end, 0) : NULL;
        if (!doc || end != rep->body + rep->body_len)
            fail_reply(req, rep, "JSON body that does not parse (or has bytes after it)");
    }
    if (rep->body_len > 0 && !utf8_valid(rep->body, rep->body_len))
        fail_reply(req, rep, "body that is not UTF-8");

    if (!faulted) {
        /* Error bodies: ours, or one of Adobe's (gateway, IMS, the sql role). */
        if (rep->status >= 400 && doc) {
            int ok = cJSON_IsObject(doc) && our_error_body(doc, rep->status);
            for (int e = 0; !ok && e < GATEWAY_COUNT; e++)
                ok = gateway_bodies[e].status == rep->status &&
                     gateway_bodies[e].len == rep->body_len &&
                     memcmp(gateway_bodies[e].body, rep->body, rep->body_len) == 0;
            if (!ok && route && strcmp(route->endpoint, "ims.token") == 0)
                ok = cJSON_IsObject(doc) && ims_error_body(doc, rep->status);
            if (!ok && h->strict && rep->status == 403 && (flags & ROUTE_SQL_ROLE))
                ok = cJSON_IsObject(doc) && object_size(doc) == 2 &&
                     cJSON_IsNumber(member(doc, "code")) &&
                     member(doc, "code")->valuedouble == 403.0 &&
                     cJSON_IsString(member(doc, "message"));
            if (!ok)
                fail_reply(req, rep, "error body of no known shape");
        }
        if (rep->status < 400 && doc && cJSON_IsObject(doc) && member(doc, "error_code"))
            fail_reply(req, rep, "a success with an error body");
        if (rep->status >= 400 && rep->body_len > 0 && !doc)
            fail_reply(req, rep, "an error body that is not JSON");
        /* One thread on an in-memory store: a transaction never fails nor waits. */
        const cJSON *name = doc && cJSON_IsObject(doc) ? member(doc, "error_code") : NULL;
        const char *code = cJSON_IsString(name) ? name->valuestring : "";
        if (strcmp(code, "internal_error") == 0)
            fail_reply(req, rep, "a transaction failed (internal_error)");
        if (strcmp(code, "unavailable") == 0 && !req->server_full)
            fail_reply(req, rep, "the database was busy (unavailable)");
        if (rep->status == 405)
            check_allow(reply_header(rep, "Allow"), req->method);
        if (rep->status == 503 && doc && cJSON_IsString(member(doc, "error_code")) &&
            strcmp(member(doc, "error_code")->valuestring, "unavailable") == 0 &&
            !reply_header(rep, "Retry-After"))
            fail_reply(req, rep, "503 unavailable without Retry-After");

        /* The gateway: no Campaign call succeeds without credentials. */
        if ((flags & ROUTE_AUTH) && rep->status == 200 && !has_credentials(req))
            fail_reply(req, rep, "a Campaign call answered 200 without credentials");
        /* Adobe's success bodies carry a documented status. */
        if ((flags & ROUTE_AUTH) && rep->status == 200) {
            const cJSON *s = doc ? member(doc, "status") : NULL;
            const char *v = cJSON_IsString(s) ? s->valuestring : "";
            if (strcmp(v, "Success") != 0 && strcmp(v, "In Progress") != 0 &&
                strcmp(v, "Failed") != 0 && strcmp(v, "Aborted") != 0)
                fail_reply(req, rep, "a Campaign answer without a documented status");
        }
        /* The journal never holds more than --journal-max entries. */
        if (route && strcmp(route->endpoint, "control.journal") == 0 && rep->status == 200) {
            const cJSON *entries = member(doc, "entries"), *count = member(doc, "count");
            if ((entries && cJSON_GetArraySize(entries) > atoi(JOURNAL_MAX)) ||
                (cJSON_IsNumber(count) && count->valuedouble > atof(JOURNAL_MAX)))
                fail_reply(req, rep, "the journal holds more than --journal-max entries");
        }
        /* A token answer: bearer, and not to be cached. */
        if (route && strcmp(route->endpoint, "ims.token") == 0 && rep->status == 200) {
            const cJSON *type = doc ? member(doc, "token_type") : NULL;
            const char *cc = reply_header(rep, "Cache-Control");
            if (!cJSON_IsString(doc ? member(doc, "access_token") : NULL) ||
                !cJSON_IsString(type) || strcmp(type->valuestring, "bearer") != 0 || !cc ||
                strcmp(cc, "no-store") != 0)
                fail_reply(req, rep, "a token answer without its token, type or no-store");
            if (h->strict)
                probe_take(member(doc, "access_token")->valuestring);
        }
    }

    /* The admin token guards every control route but the exempt ones. */
    if ((flags & ROUTE_CONTROL) && h->cfg.admin_token) {
        const char *got = http_request_header(req, "X-Mock-Admin-Token");
        int allowed = (flags & ROUTE_ADMIN_EXEMPT) || (got && strcmp(got, ADMIN_TOKEN) == 0);
        const cJSON *name = doc ? member(doc, "error_code") : NULL;
        int refused = rep->status == 401 && cJSON_IsString(name) &&
                      strcmp(name->valuestring, "admin_token_required") == 0;
        if (allowed == refused)
            fail_reply(req, rep, allowed ? "admin token refused" : "admin token not required");
    }
    cJSON_Delete(doc);
}

/* --- the wire, as libmicrohttpd 0.9.75 reads it ---------------------------------------- */

struct field {
    const char *name;
    const char *value; /* NULL: a query argument without '=' */
};

/* One request's fields, in the order sent; the strings point into the input's copy,
 * except folded header names (owned). */
struct wire {
    struct field headers[FIELDS_MAX];
    int n_headers;
    struct field query[FIELDS_MAX];
    int n_query;
    char *owned[FIELDS_MAX];
    int n_owned;
};

static void wire_reset(struct wire *w)
{
    for (int i = 0; i < w->n_owned; i++)
        free(w->owned[i]);
    w->n_headers = w->n_query = w->n_owned = 0;
}

static void wire_each(const struct http_request *req, enum http_field_kind kind, http_field_fn fn,
                      void *cls)
{
    const struct wire *w = req->conn;
    const struct field *f = kind == HTTP_FIELD_HEADER ? w->headers : w->query;
    int n = kind == HTTP_FIELD_HEADER ? w->n_headers : w->n_query;
    for (int i = 0; i < n; i++) {
        if (fn(cls, f[i].name, f[i].value))
            return;
    }
}

static const struct http_fields wire_fields = {wire_each};

static int field_add(struct field *list, int *n, const char *name, const char *value)
{
    if (*n == FIELDS_MAX)
        return -1;
    list[*n].name = name;
    list[*n].value = value;
    (*n)++;
    return 0;
}

/* The first header of that name (case-insensitive), as MHD_lookup_connection_value. */
static const char *wire_header(const struct wire *w, const char *name)
{
    for (int i = 0; i < w->n_headers; i++) {
        if (strcasecmp(w->headers[i].name, name) == 0)
            return w->headers[i].value;
    }
    return NULL;
}

/* The next line from *pos (ended by CRLF or a bare LF, replaced by NULs), or NULL when
 * there is no whole line left (the library would wait for the rest). */
static char *next_line(char *buf, size_t end, size_t *pos, size_t *line_len)
{
    for (size_t i = *pos; i < end; i++) {
        size_t eol = buf[i] == '\r' && i + 1 < end && buf[i + 1] == '\n' ? 2 : buf[i] == '\n';
        if (eol) {
            char *line = buf + *pos;
            *line_len = i - *pos;
            memset(buf + i, 0, eol);
            *pos = i + eol;
            return line;
        }
    }
    return NULL;
}

/* Percent-decoding in place: http/server.c's unescape callback. */
static void unescape(char *s)
{
    text_url_decode(s, s, strlen(s));
}

static void unescape_plus(char *s)
{
    for (char *p = strchr(s, '+'); p; p = strchr(p + 1, '+'))
        *p = ' ';
}

/* The query string, split and decoded in place as MHD_parse_arguments_ does. -1 when
 * there are more arguments than fit (the library answers 431). */
static int parse_arguments(struct wire *w, char *args)
{
    while (args && args[0]) {
        char *equals = strchr(args, '=');
        char *amper = strchr(args, '&');
        if (!amper) {
            if (!equals) {
                unescape_plus(args);
                unescape(args);
                return field_add(w->query, &w->n_query, args, NULL);
            }
            *equals++ = '\0';
            unescape_plus(args);
            unescape(args);
            unescape_plus(equals);
            unescape(equals);
            return field_add(w->query, &w->n_query, args, equals);
        }
        *amper++ = '\0';
        if (!equals || equals >= amper) {
            unescape_plus(args);
            unescape(args);
            if (field_add(w->query, &w->n_query, args, NULL) < 0)
                return -1;
            args = amper;
            continue;
        }
        *equals++ = '\0';
        unescape_plus(args);
        unescape(args);
        unescape_plus(equals);
        unescape(equals);
        if (field_add(w->query, &w->n_query, args, equals) < 0)
            return -1;
        args = amper;
    }
    return 0;
}

/* A request line's parts (pointers into the line). */
struct request_line {
    const char *method;
    char *uri;  /* the target, NUL-terminated where the version began */
    char *args; /* its '?', or NULL */
};

/* parse_initial_message_line: method SP target SP HTTP/1.x, spaces tolerated around the
 * target and inside it (the version is the last word). -1 when the library refuses. */
static int parse_request_line(struct request_line *rl, char *line, size_t line_len)
{
    char *uri = memchr(line, ' ', line_len);
    if (!uri || uri == line)
        return -1; /* no target, or no method */
    *uri++ = '\0';
    rl->method = line;
    while (*uri == ' ' && (size_t)(uri - line) < line_len)
        uri++;
    if ((size_t)(uri - line) == line_len)
        return -1; /* no target and no version: 400 */
    char *version = line + line_len - 1;
    while (*version == ' ' && version > uri)
        version--;
    while (*version != ' ' && version > uri)
        version--;
    if (version <= uri)
        return -1; /* no version: 400 */
    *version++ = '\0';
    size_t vlen = line_len - (size_t)(version - line);
    if (vlen != 8 || memcmp(version, "HTTP/", 5) != 0 || version[5] != '1' || version[6] != '.' ||
        version[7] < '0' || version[7] > '9')
        return -1; /* 400, or 505 for another major version */
    rl->uri = uri;
    rl->args = memchr(uri, '?', (size_t)(version - 1 - uri));
    return 0;
}

/* process_header_line: "name:value", the value's leading blanks skipped. */
static int header_line(char *line, char **name, char **value)
{
    char *colon = strchr(line, ':');
    if (!colon)
        return -1; /* 400 */
    *colon++ = '\0';
    while (*colon == ' ' || *colon == '\t')
        colon++;
    *name = line;
    *value = colon;
    return 0;
}

/* The header lines up to the blank one. A line that starts with a blank continues the
 * one before: libmicrohttpd 0.9.75 appends it to that header's name (the value stays
 * as it was), and so does this. 0, -1 when the library refuses them, 1 when the input
 * ends before the blank line. */
static int parse_headers(struct wire *w, char *buf, size_t end, size_t *pos)
{
    char *name = NULL, *value = NULL;
    for (;;) {
        size_t len = 0;
        char *line = next_line(buf, end, pos, &len);
        if (!line)
            return 1;
        if (!name) {
            if (!line[0])
                return 0;
            if (header_line(line, &name, &value) < 0)
                return -1;
            continue;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            const char *tail = line + strspn(line, " \t");
            size_t a = strlen(name), b = strlen(tail);
            char *joined = w->n_owned < FIELDS_MAX ? malloc(a + b + 1) : NULL;
            if (!joined)
                return -1; /* 431 */
            memcpy(joined, name, a);
            memcpy(joined + a, tail, b + 1);
            w->owned[w->n_owned++] = joined;
            name = joined;
            continue;
        }
        if (field_add(w->headers, &w->n_headers, name, value) < 0)
            return -1; /* 431 */
        name = NULL;
        if (!line[0])
            return 0;
        if (header_line(line, &name, &value) < 0)
            return -1;
    }
}

/* Content-Length as MHD_str_to_uint64_n_ reads it: digits only, no overflow. */
static int length_parse(const char *s, unsigned long long *out)
{
    unsigned long long v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (~0ull - 9) / 10)
            return -1; /* 400, or 413 for a number too large */
        v = v * 10 + (unsigned)(*s - '0');
    }
    *out = v;
    return 0;
}

/* http/server.c's HTTP_DRAIN_MAX: a body past this is not read to its end. */
#define DRAIN_MAX (16ull * HTTP_BODY_MAX)

/* What became of the bytes of one request. */
enum served {
    SERVED_NEXT,       /* answered; the connection goes on to the next request */
    SERVED_END,        /* the connection ends: refused by the library, or closed after */
    SERVED_INCOMPLETE, /* the input ends inside the request: the deadline answers it */
};

/* A chunked body as libmicrohttpd decodes it (process_request_body): hex size lines
 * (";" starts an extension), CRLF or a bare LF after each, then trailer lines up to a
 * blank one. Appends the data to *body (up to HTTP_BODY_MAX, then only counts it).
 * SERVED_NEXT when whole, SERVED_END when malformed (400) or too long (cut), else
 * SERVED_INCOMPLETE. */
static enum served read_chunked(char *buf, size_t end, size_t *pos, char **body, size_t *len,
                                int *too_large)
{
    size_t total = 0;
    for (;;) {
        size_t i = *pos, size_len = 0;
        int found = 0;
        for (; i < end; i++) {
            if (buf[i] == '\n') {
                if (!found)
                    size_len = i - *pos - (i > *pos && buf[i - 1] == '\r');
                found = 1;
                break;
            }
            if (!found && buf[i] == ';') {
                size_len = i - *pos;
                found = 1;
            }
        }
        if (i == end) { /* the size so far must be hex digits, else 400 at once */
            if (*pos == end)
                return SERVED_INCOMPLETE;
            size_t n = found ? size_len : end - *pos - (buf[end - 1] == '\r'), k = 0;
            while (k < n && text_hex_digit(buf[*pos + k]) >= 0)
                k++;
            return n == 0 || k < n ? SERVED_END : SERVED_INCOMPLETE;
        }
        unsigned long long size = 0;
        if (size_len == 0)
            return SERVED_END;
        for (size_t k = 0; k < size_len; k++) {
            int d = text_hex_digit(buf[*pos + k]);
            if (d < 0 || size > (~0ull >> 4))
                return SERVED_END; /* 400, or 413 for a size too large */
            size = size * 16 + (unsigned)d;
        }
        *pos = i + 1;
        if (size == 0)
            break;
        if (size > end - *pos)
            return SERVED_INCOMPLETE;
        total += size;
        if (total > DRAIN_MAX)
            return SERVED_END; /* cut unanswered (on_request) */
        if (!*too_large && total <= HTTP_BODY_MAX) {
            char *grown = realloc(*body, total + 1);
            if (!grown)
                return SERVED_END;
            memcpy(grown + *len, buf + *pos, size);
            *body = grown;
            *len = total;
        } else if (!*too_large) {
            *too_large = 1;
            *len = 0;
        }
        *pos += size;
        if (end - *pos < 2 && (*pos == end || buf[*pos] != '\n'))
            return SERVED_INCOMPLETE;
        if (buf[*pos] == '\r' && buf[*pos + 1] == '\n')
            *pos += 2;
        else if (buf[*pos] == '\n')
            *pos += 1;
        else
            return SERVED_END; /* 400 */
    }
    for (int first = 1;; first = 0) { /* trailers, as header lines */
        size_t n = 0;
        char *line = next_line(buf, end, pos, &n);
        if (!line)
            return SERVED_INCOMPLETE;
        if (!line[0])
            return SERVED_NEXT;
        if (!strchr(line, ':') && (first || (line[0] != ' ' && line[0] != '\t')))
            return SERVED_END; /* 400 */
    }
}

/* framing_of (http/server.c): the body's framing, and the bytes of the headers. */
static int framing(const struct wire *w, size_t *bytes)
{
    const char *length = NULL;
    int differ = 0, codings = 0, chunked_alone = 0;
    *bytes = 0;
    for (int i = 0; i < w->n_headers; i++) {
        const struct field *f = &w->headers[i];
        *bytes += strlen(f->name) + strlen(f->value);
        if (strcasecmp(f->name, "Content-Length") == 0) {
            if (!length)
                length = f->value;
            else if (strcmp(length, f->value) != 0)
                differ = 1;
        } else if (strcasecmp(f->name, "Transfer-Encoding") == 0 && codings++ == 0) {
            chunked_alone = strcasecmp(f->value, "chunked") == 0;
        }
    }
    if (codings && (codings > 1 || !chunked_alone))
        return HTTP_FRAMING_CODING;
    if (codings && length)
        return HTTP_FRAMING_LENGTH_AND_CODING;
    return differ ? HTTP_FRAMING_TWO_LENGTHS : HTTP_FRAMING_OK;
}

static struct wire the_wire;

static enum served serve_one(struct harness_app *h, char *buf, size_t end, size_t *pos, int full,
                             int *status);

/* Under --auth strict, a token IMS issued opens the gateway to its client: a status
 * poll of acme (every fixture client may use acme) with it and the client's id as
 * X-Api-Key gets past the token and API key checks (it answers 400 for the missing
 * requestId, or what the state makes it), never 401013 or 403003. */
static void probe_run(struct harness_app *h, int full)
{
    probe_pending = 0;
    size_t cap = sizeof(probe_token) + sizeof(probe_client) + 256;
    char *buf = malloc(cap);
    if (!buf)
        return;
    int n = snprintf(buf, cap,
                     "GET /acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest HTTP/1.1\r\n"
                     "Authorization: Bearer %s\r\nX-Api-Key: %s\r\n\r\n",
                     probe_token, probe_client);
    size_t pos = 0;
    int status = 0;
    char fault[sizeof(((struct reply *)0)->fault_id)];
    probe_fault = fault;
    fault[0] = '\0';
    serve_one(h, buf, (size_t)n, &pos, full, &status);
    probe_fault = NULL;
    if (!full && !fault[0] && (status == 401 || status == 403))
        FAIL("a token IMS issued to %s was refused (%d) by the gateway", probe_client, status);
    free(buf);
}

/* Dispatches req to h, checks the reply, and says whether the connection goes on. */
static int answer(struct harness_app *h, struct http_request *req, int *status)
{
    struct reply rep;
    reply_init(&rep);
    pipeline_dispatch(&h->app, req, &rep);
    drain_stream(&rep);
    if (trace) /* FUZZ_REQUEST_TRACE=1: what each request got, to check what a seed reaches */
        fprintf(stderr, "fuzz_request: %s %s %s -> %d%s%s %.*s\n", h->strict ? "strict" : "lax",
                req->method, req->path, rep.status, rep.fault_id[0] ? " fault " : "", rep.fault_id,
                (int)(rep.body_len > 160 ? 160 : rep.body_len), rep.body ? rep.body : "");
    check_reply(h, req, &rep);
    if (status)
        *status = rep.status;
    if (probe_fault)
        snprintf(probe_fault, sizeof(rep.fault_id), "%s", rep.fault_id);
    /* A broken transport or truncated body ends the connection, as a reply that closes. */
    int more = !rep.close && rep.transport == TRANSPORT_NORMAL;
    reply_free(&rep);
    return more;
}

/* The request the deadline makes of a connection whose request did not arrive whole
 * (cut in http/server.c): answered 408, and the connection shut. */
static void serve_timed_out(struct harness_app *h)
{
    struct http_request req;
    http_request_timed_out(&req);
    answer(h, &req, NULL);
}

/*
 * Reads one request from buf at *pos, as libmicrohttpd and http/server.c's on_uri and
 * on_request read it, and dispatches it to h (as dispatch() fills the request).
 */
static enum served serve_one(struct harness_app *h, char *buf, size_t end, size_t *pos, int full,
                             int *status)
{
    struct wire *w = &the_wire;
    wire_reset(w);
    size_t len = 0, start = *pos;
    char *line;
    do { /* empty lines before a request line are skipped */
        line = next_line(buf, end, pos, &len);
    } while (line && !line[0]);
    struct request_line rl;
    if (!line)
        return SERVED_INCOMPLETE;
    if (parse_request_line(&rl, line, len) < 0)
        return SERVED_END;

    /* What on_uri keeps: the target's length, and its path as sent. */
    size_t url_len = strlen(rl.uri);
    size_t raw = strcspn(rl.uri, "?#");
    char *raw_path = strndup(rl.uri, raw > HTTP_URL_MAX ? HTTP_URL_MAX + 1 : raw);
    char *path = NULL, *body = NULL;
    size_t body_len = 0;
    enum served result = SERVED_END;
    if (rl.args) {
        *rl.args = '\0';
        if (parse_arguments(w, rl.args + 1) < 0)
            goto done;
    }
    unescape(rl.uri);
    int headers = parse_headers(w, buf, end, pos);
    if (headers != 0) {
        result = headers > 0 ? SERVED_INCOMPLETE : SERVED_END;
        goto done;
    }
    if (*pos - start > HTTP_CONN_MEMORY)
        goto done; /* libmicrohttpd's own 431: its connection memory is full */

    /* parse_connection_headers: a Transfer-Encoding makes the length unknown (chunked
     * when it is exactly that); else a Content-Length must be a number. */
    const char *te = wire_header(w, "Transfer-Encoding");
    const char *cl = wire_header(w, "Content-Length");
    unsigned long long length = 0;
    if (!te && cl && length_parse(cl, &length) < 0)
        goto done;

    /* on_request, first call: what is refused before the body is read. */
    size_t header_bytes = 0;
    int framed = framing(w, &header_bytes);
    int headers_too_large = header_bytes > HTTP_HEADERS_MAX;
    int now = framed == HTTP_FRAMING_CODING || headers_too_large;
    unsigned long long declared =
        cl && framed != HTTP_FRAMING_LENGTH_AND_CODING ? strtoull(cl, NULL, 10) : 0;
    int too_large = declared > HTTP_BODY_MAX;
    const char *expect = wire_header(w, "Expect");
    if (too_large && (declared > DRAIN_MAX || (expect && strcasecmp(expect, "100-continue") == 0)))
        now = 1;

    /* The body, unless answered now. A chunked body is decoded; a Content-Length body is
     * that many bytes, or what the input has left (a liberty of this harness: a client
     * would send them all, and the fuzzer cannot keep lengths in step with its
     * mutations). */
    if (!now && te) {
        enum served r = read_chunked(buf, end, pos, &body, &body_len, &too_large);
        if (r != SERVED_NEXT) {
            result = r;
            goto done;
        }
    } else if (!now && length) {
        size_t avail = end - *pos;
        size_t n = length < avail ? (size_t)length : avail;
        if (!too_large) {
            body = malloc(n + 1);
            if (!body)
                goto done;
            memcpy(body, buf + *pos, n);
            body_len = n;
        }
        *pos += n;
    }
    if (too_large)
        body_len = 0;
    if (!body || too_large) { /* http/server.c passes "" for no body */
        free(body);
        body = malloc(1);
    }
    path = strndup(rl.uri, HTTP_URL_MAX + 1);
    if (!body || !path || !raw_path)
        goto done;
    body[body_len] = '\0'; /* exact size: ASan sees a read past the end */

    char method[16]; /* http/server.c keeps the first 15 bytes */
    snprintf(method, sizeof(method), "%s", rl.method);
    struct http_request req;
    memset(&req, 0, sizeof(req));
    req.method = method;
    req.path = path;
    req.raw_path = raw_path;
    req.body = body;
    req.body_len = body_len;
    req.conn = w;
    req.fields = &wire_fields;
    req.url_len = url_len;
    req.body_too_large = too_large;
    req.server_full = full;
    req.framing = framed;
    req.headers_too_large = headers_too_large;
    req.started_ms = clock_monotonic_ms();
    /* An answer before the body was read ends the connection (the library discards
     * the rest and closes). */
    result = answer(h, &req, status) && !now ? SERVED_NEXT : SERVED_END;
done:
    free(body);
    free(path);
    free(raw_path);
    wire_reset(w);
    if (probe_pending)
        probe_run(h, full);
    return result;
}

/* Serves the requests of one connection's bytes (copied: parsing writes into them). */
static void serve(struct harness_app *h, const uint8_t *data, size_t size, int full)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return;
    if (size)
        memcpy(buf, data, size);
    buf[size] = '\0';
    size_t pos = 0;
    for (int i = 0; i < REQUESTS_MAX && pos < size; i++) {
        enum served r = serve_one(h, buf, size, &pos, full, NULL);
        if (r == SERVED_INCOMPLETE)
            serve_timed_out(h);
        if (r != SERVED_NEXT)
            break;
    }
    free(buf);
}

/* --- keeping the state bounded --------------------------------------------------------- */

static int purge_tokens(struct store *st, void *arg)
{
    (void)arg;
    return store_token_purge_expired(st, INT64_MAX);
}

/* A reset of each app through its own control route, and the IMS tokens deleted: a
 * reset keeps them (README, "Reset and SIGHUP"), and a manual clock that stands still
 * never lets them expire, so without this each token issued would stay for the rest of
 * the run. */
static void maintain(void)
{
    static const char reset[] = "POST /_mock/reset HTTP/1.1\r\n"
                                "X-Mock-Admin-Token: " ADMIN_TOKEN "\r\n\r\n";
    for (int i = 0; i < 2; i++) {
        char buf[sizeof(reset)];
        memcpy(buf, reset, sizeof(reset));
        size_t pos = 0;
        int status = 0;
        serve_one(&apps[i], buf, sizeof(reset) - 1, &pos, HTTP_FULL_NONE, &status);
        if (status != 200)
            fprintf(stderr, "fuzz_request: POST /_mock/reset answered %d\n", status);
        struct store *st = app_store(&apps[i].app);
        if (!st || store_transact(st, purge_tokens, NULL) != 0)
            FAIL("cannot purge the IMS tokens");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!apps_open) {
        trace = getenv("FUZZ_REQUEST_TRACE") != NULL;
        known_init();
        app_start(&apps[0], 0);
        app_start(&apps[1], 1);
        apps_open = 1;
    }
    if (size == 0)
        return 0;
    if (++inputs % MAINTAIN_EVERY == 0)
        maintain();
    uint8_t sel = data[0];
    int full = sel == 0xfe ? HTTP_FULL_TOTAL : sel == 0xff ? HTTP_FULL_CLIENT : HTTP_FULL_NONE;
    serve(&apps[sel & 1], data + 1, size - 1, full);
    return 0;
}
