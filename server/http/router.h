/*
 * The static route table and its matcher. A pattern is a path whose segments are
 * literals or "{}" (one captured, non-empty segment). Unknown path: 404; known path,
 * wrong method: 405 with the Allow list.
 */
#ifndef CAMPAIGN_ROUTER_H
#define CAMPAIGN_ROUTER_H

#include <stddef.h>

#include "http/reply.h"

#define ROUTE_PARAMS_MAX  4
#define ROUTE_SEGMENT_MAX 256 /* longer path segments never match a route */

struct app;
struct http_request;

/* Which fields of a request http_fields walks. */
enum http_field_kind { HTTP_FIELD_HEADER, HTTP_FIELD_QUERY };

/* Stops a walk of the fields when it returns nonzero. */
typedef int (*http_field_fn)(void *cls, const char *name, const char *value);

/* Where a request's headers and query arguments come from: the HTTP layer's parse of
 * the wire (http/server.c), or a fuzz target's. each() calls fn for every field of
 * kind, in the order they were sent (a repeated name as often as sent; value NULL for
 * a query name without '='), until fn returns nonzero. */
struct http_fields {
    void (*each)(const struct http_request *req, enum http_field_kind kind, http_field_fn fn,
                 void *cls);
};

/* What a handler sees of an HTTP request. Header and query values are looked up
 * through the functions below, so handlers never see libmicrohttpd. */
struct http_request {
    const char *method;
    const char *path;          /* percent-decoded */
    const char *raw_path;      /* as sent, without the query: what routing splits */
    const char *endpoint;      /* the route's endpoint name, e.g. "ingest.status" */
    const struct route *route; /* NULL until routed, or when no route matched */
    char params[ROUTE_PARAMS_MAX][ROUTE_SEGMENT_MAX];
    int n_params;
    const char *body; /* NUL-terminated; body_len bytes (may contain NULs) */
    size_t body_len;
    size_t url_len;        /* the raw request target's length (path and query) */
    int body_too_large;    /* the body was over HTTP_BODY_MAX (and was not kept) */
    int server_full;       /* 0, or why the connection is over capacity (enum http_full) */
    int framing;           /* HTTP_FRAMING_OK, or what is wrong with the body's framing */
    int headers_too_large; /* the headers are over HTTP_HEADERS_MAX */
    int timed_out;         /* asks for the answer to a request cut by the deadline */
    double started_ms;     /* monotonic time the request line arrived */
    int tls;               /* it came in over HTTPS (--tls-port) */
    const struct http_fields *fields;
    void *conn; /* opaque, for fields->each */
};

/* A body whose framing is ambiguous or unknown (RFC 9112, 6). */
enum http_framing {
    HTTP_FRAMING_OK = 0,
    HTTP_FRAMING_TWO_LENGTHS,       /* Content-Length twice, with different values */
    HTTP_FRAMING_LENGTH_AND_CODING, /* Content-Length and Transfer-Encoding */
    HTTP_FRAMING_CODING,            /* a Transfer-Encoding other than "chunked" alone */
};

/* Why a request is refused for capacity: too many connections in all, or from its
 * client's address. */
enum http_full { HTTP_FULL_NONE = 0, HTTP_FULL_TOTAL, HTTP_FULL_CLIENT };

/* Fills req as the request the deadline cut (timed_out): no method, path or body; the
 * pipeline only answers it (408). */
void http_request_timed_out(struct http_request *req);

/* A header's value (case-insensitive name) or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);
/* A query argument's (decoded) value or NULL; "" for "?name" without a value. */
const char *http_request_query(const struct http_request *req, const char *name);
/* Whether the query has a parameter not named in known (NULL-terminated); its name, cut
 * to size, into out. */
int http_request_query_unknown(const struct http_request *req, const char *const known[], char *out,
                               size_t size);

/* Every request header as a JSON object text {"Name": "value", ...} (malloc'd, caller
 * frees; NULL when out of memory). The same for the query arguments. */
char *http_request_headers_json(const struct http_request *req);
char *http_request_query_json(const struct http_request *req);

struct store;

/* A control handler: runs its own transaction(s) (see control/control.h). */
typedef void (*route_handler)(struct app *app, const struct http_request *req, struct reply *rep);

/* A handler of the emulated API: runs inside the call's one transaction (st), after
 * fault rules and authentication, and fills rep. Returns 0, or a STORE_* error: the
 * transaction is then rolled back (and retried from the start when busy). */
typedef int (*route_tx_handler)(struct app *app, struct store *st, const struct http_request *req,
                                struct reply *rep);

/* What a route is; the pipeline (pipeline.c) reads nothing else to decide. */
enum route_flag {
    ROUTE_EMULATED = 1 << 0,     /* Adobe's API (Campaign, IMS): tx_handler, one transaction */
    ROUTE_CONTROL = 1 << 1,      /* /_mock: handler; needs the admin token when one is set */
    ROUTE_ADMIN_EXEMPT = 1 << 2, /* a control route open without the admin token */
    ROUTE_FAULTABLE = 1 << 3,    /* fault rules are evaluated before it */
    ROUTE_JOURNALED = 1 << 4,    /* each call leaves a journal entry */
    ROUTE_AUTH = 1 << 5,         /* the Campaign gateway's credentials check (--auth) */
    ROUTE_SQL_ROLE = 1 << 6,     /* ... which also needs the client's sql role */
    ROUTE_QUIET = 1 << 7,        /* logged at debug level only (health probes) */
    ROUTE_EXCLUSIVE = 1 << 8,    /* replaces the fixture set: runs while no other call does */
};

#define ROUTE_NO_PARAM (-1)

struct route {
    const char *method;
    const char *pattern;
    const char *endpoint;        /* the name fault rules and metrics use */
    unsigned flags;              /* enum route_flag */
    int tenant_param;            /* index in params of the tenant, or ROUTE_NO_PARAM */
    int mapping_param;           /* index in params of the mapping, or ROUTE_NO_PARAM */
    route_handler handler;       /* ROUTE_CONTROL */
    route_tx_handler tx_handler; /* ROUTE_EMULATED */
};

/* The table, in routes.c; ends with a zeroed entry. */
extern const struct route routes[];

/*
 * Finds the route for method and path (as sent: split at '/', then each segment
 * percent-decoded, so that "%2F" stays inside its segment). HEAD takes the GET route
 * of its path (the HTTP layer sends its answer without the body). On a match, fills
 * req->params (decoded), req->n_params, req->endpoint and req->route and returns the
 * route. Otherwise returns NULL and *allow holds the
 * methods the path accepts ("" when the path is unknown).
 */
const struct route *router_match(const char *method, const char *path, struct http_request *req,
                                 char *allow, size_t allow_size);

#endif
