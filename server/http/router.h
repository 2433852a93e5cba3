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

/* What a handler sees of an HTTP request. Header and query values are looked up
 * through the HTTP layer, so handlers never see libmicrohttpd. */
struct http_request {
    const char *method;
    const char *path;
    const char *endpoint; /* the route's endpoint name, e.g. "ingest.status" */
    char params[ROUTE_PARAMS_MAX][ROUTE_SEGMENT_MAX];
    int n_params;
    const char *body; /* NUL-terminated; body_len bytes (may contain NULs) */
    size_t body_len;
    void *conn; /* opaque, for the accessors below */
};

/* A header's value (case-insensitive name) or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);
/* A query argument's (decoded) value or NULL; "" for "?name" without a value. */
const char *http_request_query(const struct http_request *req, const char *name);

/* Every request header as a JSON object text {"Name": "value", ...} (malloc'd, caller
 * frees; NULL when out of memory). The same for the query arguments. */
char *http_request_headers_json(const struct http_request *req);
char *http_request_query_json(const struct http_request *req);

typedef void (*route_handler)(struct app *app, const struct http_request *req, struct reply *rep);

struct route {
    const char *method;
    const char *pattern;
    const char *endpoint;
    route_handler handler;
};

/* The table, in routes.c; ends with a zeroed entry. */
extern const struct route routes[];

/*
 * Finds the route for method and path. On a match, fills req->params, req->n_params
 * and req->endpoint and returns the route. Otherwise returns NULL and *allow holds the
 * methods the path accepts ("" when the path is unknown).
 */
const struct route *router_match(const char *method, const char *path, struct http_request *req,
                                 char *allow, size_t allow_size);

#endif
