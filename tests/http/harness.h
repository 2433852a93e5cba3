/*
 * Harness for tests against the real binary: start campaign-mock on --port 0 with a
 * port file, call it with libcurl, stop it with SIGTERM (or SIGKILL).
 * The binary comes from $CAMPAIGN_MOCK_BIN and the source tree from
 * $CAMPAIGN_MOCK_SOURCE (both set by ctest).
 */
#ifndef CAMPAIGN_TEST_HARNESS_H
#define CAMPAIGN_TEST_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#include "check.h"

struct server {
    pid_t pid;
    int port;
    char base[64];      /* "http://127.0.0.1:PORT" */
    char dir[256];      /* a private temporary directory (port file, log, databases) */
    char log_path[300]; /* the server's stdout + stderr */
};

/*
 * Starts the server with "--port 0 --port-file DIR/port" plus args (NULL-terminated;
 * may be NULL). dir may be NULL (a new temporary directory is made) or an existing
 * server's dir (to restart on the same files). Waits up to 10 s for the port file.
 * Returns 0, or -1 when the server did not come up (its log is printed).
 */
int server_start(struct server *s, const char *dir, const char *const *args);

/* SIGTERM, then waits; returns the exit status (or -1). */
int server_stop(struct server *s);

/* SIGKILL, then waits. */
void server_kill(struct server *s);

/* Runs the binary with args to completion (no server); captures stdout+stderr into
 * *output (malloc'd, caller frees). Returns the exit status. */
int run_binary(const char *const *args, char **output);

/* Path to a file of the source tree, e.g. source_path("tests/http/fixtures/x.json"). */
const char *source_path(const char *rel);

struct response {
    long status;   /* 0 when no HTTP answer came */
    int curl_code; /* CURLcode of the transfer */
    char *body;    /* NUL-terminated, malloc'd */
    size_t len;
    char *headers; /* raw header block, malloc'd */
};

/*
 * One HTTP call. headers is NULL-terminated ("Name: value" strings) or NULL.
 * body may be NULL (no body); body_len < 0 means strlen(body).
 */
int http_call(struct response *out, const char *method, const char *url, const char *body,
              long body_len, const char *const *headers);
void response_free(struct response *r);

/* A header's value (case-insensitive name), copied into buf; NULL when absent. */
const char *response_header(const struct response *r, const char *name, char *buf, size_t size);

/* Headers an authenticated Campaign call sends under --auth presence. */
extern const char *const AUTH_HEADERS[];

/* "BASE/TENANT/campaign/dataIngestion/xdmIngestion/MAPPING/ingest" into buf. */
const char *ingest_url(const struct server *s, const char *tenant, const char *mapping, char *buf,
                       size_t size);

/* POST trigger / GET status (with ?requestId=) using AUTH_HEADERS. */
int trigger(struct response *out, const struct server *s, const char *tenant, const char *mapping);
int poll_status(struct response *out, const struct server *s, const char *tenant,
                const char *mapping, long long request_id);

/* Extracts "requestId": N from a body; -1 when absent. */
long long body_request_id(const char *body);

#endif
