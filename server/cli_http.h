/*
 * The commands that talk to a running server (probe, report): which server, and one
 * GET over a plain socket (the binary does not link an HTTP client library).
 */
#ifndef CAMPAIGN_CLI_HTTP_H
#define CAMPAIGN_CLI_HTTP_H

#include <stddef.h>

#include "config.h"

/* The server of cmd (its name, for messages): URL args[0] (http:// only), else
 * --host/--port (0.0.0.0 asked as 127.0.0.1), the port from --port-file when one is
 * given. Returns 0; 2 for a bad URL, 1 for an unreadable port file (message on stderr). */
int cli_target(const struct config *cfg, const char *cmd, char *host, size_t host_size, char *port,
               size_t port_size);

/* GET path with Connection: close (and X-Mock-Admin-Token when admin_token is set),
 * within timeout_s seconds: *status and *body (malloc'd, NUL-terminated; at most
 * 64 MiB). 0, or 1 with a message on stderr. */
int cli_get(const char *cmd, const char *host, const char *port, const char *path,
            const char *admin_token, int timeout_s, int *status, char **body);

#endif
