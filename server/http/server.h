/*
 * The HTTP layer: the only code that calls libmicrohttpd. It reads requests (with
 * hard caps on URL, headers and body), routes them, runs the handler under the app
 * lock, and sends the reply, carrying out its delay and transport directives without
 * blocking other clients (a delayed or hanging connection is suspended, and resumed
 * from a timer thread).
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
/* Per-connection memory for the request line and headers; a request whose headers
 * do not fit gets 431 from libmicrohttpd. */
#define HTTP_CONN_MEMORY (64u * 1024)

struct app;
struct http_server;

/* Hook run once a reply is decided, before it is sent (journal, metrics), with the
 * app lock held; the duration covers reading and handling the request. */
typedef void (*http_done_hook)(struct app *app, const struct http_request *req,
                               const struct reply *rep, double duration_ms);

/*
 * Hook run for a routed request before its handler, under the app lock (admin token,
 * fault rules). Returns 0 to run the handler on an untouched reply; 1 when it has
 * answered (the handler is skipped); -1 when it decorated the reply (a delay or a
 * transport directive) and the handler must still run.
 */
typedef int (*http_before_hook)(struct app *app, const struct http_request *req, struct reply *rep);

/*
 * Binds host:port (0 = a free port), starts serving with the hooks (either may be
 * NULL). *bound_port receives the port. On failure writes a one-line reason into err
 * and returns -1.
 */
int http_server_start(struct http_server **out, struct app *app, const char *host, int port,
                      http_before_hook before, http_done_hook done, int *bound_port, char *err,
                      size_t err_size);

/* Stops accepting, ends held connections, waits for in-flight requests, frees. */
void http_server_stop(struct http_server *srv);

#endif
