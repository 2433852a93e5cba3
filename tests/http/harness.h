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

#include <cjson/cJSON.h>

#include "check.h"

struct server {
    pid_t pid;
    int port;
    char base[64];      /* "http://127.0.0.1:PORT" */
    char dir[256];      /* a private temporary directory (port file, log, databases) */
    char log_path[300]; /* the server's stdout + stderr */
};

/*
 * A bound as the normal run has it (milliseconds, or a number of tries that stands for
 * a time), stretched HARNESS_VALGRIND_FACTOR times when $CAMPAIGN_MOCK_VALGRIND is set
 * (make test-valgrind: the server runs 20-50x slower under memcheck). Only for bounds
 * that tell a hang or a stall from an answer, never for a measurement a test asserts.
 */
#define HARNESS_VALGRIND_FACTOR 10
long harness_bound(long n);

/*
 * Starts the server with "--port 0 --port-file DIR/port" plus args (NULL-terminated;
 * may be NULL). dir may be NULL (a new temporary directory is made) or an existing
 * server's dir (to restart on the same files). Waits up to harness_bound(10 s) for
 * the port file. Returns 0, or -1 when the server did not come up (its log is printed).
 */
int server_start(struct server *s, const char *dir, const char *const *args);

/* A new private temporary directory into out (at least 32 bytes), removed with all it
 * holds when the test exits (kept with CAMPAIGN_MOCK_KEEP_TEST_DIRS); 0 or -1. */
int harness_temp_dir(char *out, size_t size);

/* SIGTERM, then waits; returns the exit status (or -1). */
int server_stop(struct server *s);

/* SIGKILL, then waits. */
void server_kill(struct server *s);

/* Runs the binary with args to completion (no server); captures stdout+stderr into
 * *output (malloc'd, caller frees). Returns the exit status. */
int run_binary(const char *const *args, char **output);

/* Path to a file of the source tree, e.g. source_path("tests/http/fixtures/x.json"). */
const char *source_path(const char *rel);

/* A growing buffer, and the libcurl write callback that fills it (userdata: the
 * buffer; data stays NUL-terminated). */
struct harness_buf {
    char *data;
    size_t len;
};
size_t harness_collect(char *ptr, size_t size, size_t nmemb, void *userdata);

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

/* A status poll as a client may malform it: GET BASE/TENANT/.../MAPPING/ingest + query
 * (e.g. "?requestId=7", or "" for none) with body (NULL: none; body_len < 0 means
 * strlen(body)) and AUTH_HEADERS. */
int poll_raw(struct response *out, const struct server *s, const char *tenant, const char *mapping,
             const char *query, const char *body, long body_len);

/* Extracts "requestId": N from a body; -1 when absent. */
long long body_request_id(const char *body);
/* A trigger (AUTH_HEADERS) that must answer 200 with an id: the id (checked), or -1. */
long long trigger_id(const struct server *s, const char *tenant, const char *mapping);

/* --- processes, error replies, chunked bodies ---------------------------------------- */

/* Like run_binary, with stdout and stderr captured apart (either may be NULL); the
 * child is killed after harness_bound(timeout_ms) (a server that should have
 * refused to start must not hang the suite). Returns the exit status, or -1 (killed,
 * or not run). */
int run_binary_split(const char *const *args, char **out, char **err, int timeout_ms);

/* http_call with the body sent as "Transfer-Encoding: chunked" (no Content-Length),
 * in pieces of at most 64 KiB. */
int http_call_chunked(struct response *out, const char *method, const char *url, const char *body,
                      size_t body_len, const char *const *headers);

/* Checks one of our error replies: the status, Content-Type application/json;charset=utf-8,
 * a body that is a JSON object with exactly "code" (= status), "error_code" and
 * "message", error_code (any when NULL), a message containing message_part (when
 * not NULL), and a body of valid UTF-8. Counts as
 * checks; failures name file:line of the caller. */
void check_error_reply_at(const char *file, int line, const struct response *r, long status,
                          const char *error_code, const char *message_part);
#define CHECK_ERROR(r, status, code, part)                                                         \
    check_error_reply_at(__FILE__, __LINE__, (r), (status), (code), (part))

/* Whether the response's Content-Type is exactly application/json;charset=utf-8. */
int response_is_json(const struct response *r);

/* --- the control API, Adobe's documented bodies --------------------------------------- */

/* A call to BASE + path (e.g. "/_mock/clock"): body (NULL: none) sent as
 * application/json, plus extra headers (NULL-terminated, may be NULL). The caller
 * frees the response with response_free. */
struct response mock_call_h(const struct server *s, const char *method, const char *path,
                            const char *body, const char *const *headers);
/* mock_call_h without extra headers. */
struct response mock_call(const struct server *s, const char *method, const char *path,
                          const char *body);

/* The body parsed (free with cJSON_Delete); NULL when it is not JSON. */
cJSON *response_json(const struct response *r);

/* A member by a dotted path with [i] indexes ("mappings[0].id", "[2]"); NULL when absent. */
const cJSON *json_at(const cJSON *doc, const char *path);
/* The number / string at path; fallback (-1 / NULL) when absent or of another type. */
long long json_int(const cJSON *doc, const char *path);
const char *json_str(const cJSON *doc, const char *path);

/* GET /_mock/tenants/{tenant}/snapshot as text (malloc'd; "" on failure): a pure read
 * (requests are not advanced), so equal texts before and after a call mean that the
 * call changed nothing in the tenant. */
char *tenant_state(const struct server *s, const char *tenant);

/* Like CHECK_ERROR for an error body that also carries "problems": exactly 4 members,
 * "problems" a non-empty array of strings, one of which contains problem_part (when
 * not NULL). */
void check_error_problems_at(const char *file, int line, const struct response *r, long status,
                             const char *error_code, const char *message_part,
                             const char *problem_part);
#define CHECK_ERROR_PROBLEMS(r, status, code, part, problem)                                       \
    check_error_problems_at(__FILE__, __LINE__, (r), (status), (code), (part), (problem))

/* The error envelope, with a "problems" array as mode says (PROBLEMS_ALLOWED: checked
 * when present, e.g. a refusal that is either a validation or a shape error). The
 * other two error checks are this one with a fixed mode. */
enum problems_mode { PROBLEMS_NONE = 0, PROBLEMS_REQUIRED, PROBLEMS_ALLOWED };
void check_error_at(const char *file, int line, const struct response *r, long status,
                    const char *error_code, const char *message_part, enum problems_mode mode,
                    const char *problem_part);

/*
 * A call refused with one of our error replies that changes nothing: the tenant's
 * state (tenant_state) is read, the call made (mock_call) and its reply checked as
 * check_error_at does with mode and problem, then the state is read again and must
 * equal the first, non-empty, reading. Two checks; failures name file:line of the
 * caller. The tests wrap it in REFUSED macros of their own.
 */
void check_refused_at(const char *file, int line, const struct server *s, const char *tenant,
                      const char *method, const char *path, const char *body, long status,
                      const char *code, const char *part, enum problems_mode mode,
                      const char *problem);

/* The value of the sample series ("name" or "name{labels}", exactly as exposed) in a
 * Prometheus text exposition: its first line "series value"; -1 when absent. */
long long metric_value(const char *text, const char *series);
/* metric_value of GET /_mock/metrics. */
long long mock_metric(const struct server *s, const char *series);

/* Adobe's documented bodies, as the reference writes them (one line, ", " and ": "),
 * into buf; each returns buf. why is "published" or "stopped". */
const char *acs_submitted(char *buf, size_t n, long long id, const char *mapping);
const char *acs_already(char *buf, size_t n, long long id, const char *mapping);
const char *acs_refused(char *buf, size_t n, const char *mapping, const char *why);
const char *acs_in_progress(char *buf, size_t n, long long id, const char *mapping);
const char *acs_success(char *buf, size_t n, long long id, const char *mapping, long long records);
const char *acs_failed_fetch(char *buf, size_t n, long long id, const char *mapping);
const char *acs_failed_upload(char *buf, size_t n, long long id, const char *mapping,
                              const char *batch);
const char *acs_aborted(char *buf, size_t n, long long id, const char *mapping);

/* One call, checked: the status, the JSON content type, and (when expected is not NULL)
 * exactly these body bytes. Failures name file:line of the caller. */
void check_call_at(const char *file, int line, const struct server *s, const char *method,
                   const char *path, const char *body, long status, const char *expected);
#define CHECK_CALL(s, method, path, body, status, expected)                                        \
    check_call_at(__FILE__, __LINE__, (s), (method), (path), (body), (status), (expected))

/* A trigger / status poll (AUTH_HEADERS) answering 200, JSON, exactly expected. */
void check_trigger_at(const char *file, int line, const struct server *s, const char *tenant,
                      const char *mapping, const char *expected);
void check_poll_at(const char *file, int line, const struct server *s, const char *tenant,
                   const char *mapping, long long id, const char *expected);
#define CHECK_TRIGGER(s, tenant, mapping, expected)                                                \
    check_trigger_at(__FILE__, __LINE__, (s), (tenant), (mapping), (expected))
#define CHECK_POLL(s, tenant, mapping, id, expected)                                               \
    check_poll_at(__FILE__, __LINE__, (s), (tenant), (mapping), (id), (expected))

/* --- faults, timing ------------------------------------------------------------------ */

/* libcurl's error text fits in this many bytes (CURL_ERROR_SIZE). */
#define HTTP_ERRBUF_SIZE 256

/*
 * http_call with the client's own timeout (timeout_ms, whole transfer) and libcurl's
 * error text (errbuf: HTTP_ERRBUF_SIZE bytes, may be NULL; "" when none). Unlike
 * http_call, status is read even when the transfer failed part way (a truncated reply
 * still had its status line), and body holds whatever bytes arrived. Returns the
 * CURLcode (also in out->curl_code). Safe to call from several threads at once once
 * curl_global_init has run.
 */
int http_call_timed(struct response *out, char *errbuf, const char *method, const char *url,
                    const char *body, const char *const *headers, long timeout_ms);

/* Milliseconds of a monotonic clock (for ordering and loose timing checks). */
double monotonic_ms(void);

/* Sleeps ms milliseconds of wall-clock time (a signal may cut it short). The one sleep
 * of the tests: a bounded wait's step, or a pause a test's order depends on. */
void harness_sleep_ms(long ms);

/* POST /_mock/faults with rule (a JSON fault rule), expecting 201; one check, whose
 * failure names file:line of the caller. */
void add_fault_at(const char *file, int line, const struct server *s, const char *rule);
#define ADD_FAULT(s, rule) add_fault_at(__FILE__, __LINE__, (s), (rule))

/* --- raw sockets (stall, capacity, framing, held connections) ------------------------ */

/* A TCP connection to the server on 127.0.0.1, from the source address src when not
 * NULL (e.g. "127.0.0.2", another client on the loopback network), with TCP_NODELAY.
 * Returns the descriptor, or -1. */
int raw_connect(const struct server *s, const char *src);

#endif
