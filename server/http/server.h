/*
 * The HTTP layer: the only code that calls libmicrohttpd. It reads requests (with
 * hard caps on URL, headers and body), hands each to one dispatch function and sends
 * the reply it returns, carrying out its delay and transport directives without
 * blocking other clients (a delayed or hanging connection is suspended, and resumed
 * from a timer thread). It takes no lock around dispatch and knows nothing of what
 * the requests mean.
 */
#ifndef CAMPAIGN_HTTP_SERVER_H
#define CAMPAIGN_HTTP_SERVER_H

#include <stddef.h>

#include "http/reply.h"
#include "http/router.h"

/* Request bodies larger than this get 413: the largest legitimate body (a snapshot
 * or a mapping with a long script) is a few KiB; 1 MiB leaves ample room. */
#define HTTP_BODY_MAX (1024u * 1024)
/* URLs longer than this get 414; Adobe's paths are under 200 bytes. */
#define HTTP_URL_MAX 4096
/* Request headers (names and values) larger than this in all get 431: half the
 * connection's memory, so that most oversized heads get our answer, not the library's. */
#define HTTP_HEADERS_MAX (32u * 1024)
/* Per-connection memory for the request line and headers; a request whose headers
 * do not fit gets 431 from libmicrohttpd (with its own HTML body). */
#define HTTP_CONN_MEMORY (64u * 1024)

struct http_server;

/* Decides the reply to a parsed request (see pipeline_dispatch). Called on the worker
 * threads, several at once; must not block for long (delays and hangs are reply
 * directives, carried out here without holding a thread). */
typedef void (*http_dispatch)(void *ctx, struct http_request *req, struct reply *rep);

struct http_options {
    const char *host;
    int port;            /* 0 = a free port */
    int threads;         /* worker threads, each polling its share of the connections */
    int max_connections; /* open connections served; beyond, requests get 503 */
    int max_per_client;  /* the same for the connections of one client address */
    int request_timeout; /* seconds from a request's first byte to its last; 0 = none */
    int idle_timeout;    /* seconds a connection may stay idle */
    /* HTTPS: a PEM certificate (chain) and its unencrypted PEM key, both kept by the
     * caller until http_server_stop; NULL = plain HTTP. */
    const char *tls_cert_pem, *tls_key_pem;
};

/* Connections accepted beyond max_connections, only to answer their request 503 (past
 * those the kernel holds new clients in the listen backlog). */
#define HTTP_OVERFLOW_CONNECTIONS 64

/*
 * Binds host:port and starts serving: every request is handed to dispatch(ctx, ...).
 * *bound_port receives the port. On failure writes a one-line reason into err and
 * returns -1.
 */
int http_server_start(struct http_server **out, const struct http_options *opt,
                      http_dispatch dispatch, void *ctx, int *bound_port, char *err,
                      size_t err_size);

/* Stops accepting and starts draining: every request dispatched is answered, a delayed
 * one when its delay ends, for up to grace_s seconds (a hanging one is let go at once);
 * answers then close their connections. Returns at once; http_server_stop waits. */
void http_server_drain(struct http_server *srv, int grace_s);

/* Stops accepting; when draining, waits for it to end (all answered, or the grace
 * spent); ends held connections, waits for the requests being handled, frees. */
void http_server_stop(struct http_server *srv);

#endif
