/*
 * Test harness implementation: process control with fork/exec, HTTP with libcurl.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "http/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "utf8.h"

CHECK_DEFINE_COUNTERS;

const char *const AUTH_HEADERS[] = {"Authorization: Bearer test-token", "X-Api-Key: test-key",
                                    NULL};

static const char *binary(void)
{
    const char *b = getenv("CAMPAIGN_MOCK_BIN");
    return b ? b : "./campaign-mock";
}

const char *source_path(const char *rel)
{
    static char buf[8][1024];
    static int next;
    const char *root = getenv("CAMPAIGN_MOCK_SOURCE");
    char *out = buf[next++ % 8];
    snprintf(out, sizeof(buf[0]), "%s/%s", root ? root : ".", rel);
    return out;
}

long harness_bound(long n)
{
    const char *v = getenv("CAMPAIGN_MOCK_VALGRIND");
    return v && *v && strcmp(v, "0") != 0 ? n * HARNESS_VALGRIND_FACTOR : n;
}

void harness_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void print_log(const struct server *s)
{
    FILE *f = fopen(s->log_path, "r");
    if (!f)
        return;
    char line[1024];
    fprintf(stderr, "--- server log (%s) ---\n", s->log_path);
    while (fgets(line, sizeof(line), f))
        fputs(line, stderr);
    fclose(f);
}

/* Temporary directories made by server_start, removed when the test program exits
 * (restarts reuse a directory, so they cannot go at server_stop). */
#define MADE_DIRS_MAX 256
static char made_dirs[MADE_DIRS_MAX][256];
static int n_made_dirs;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_made_dirs(void)
{
    if (getenv("CAMPAIGN_MOCK_KEEP_TEST_DIRS"))
        return;
    for (int i = 0; i < n_made_dirs; i++)
        nftw(made_dirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void remember_dir(const char *dir)
{
    if (n_made_dirs == 0)
        atexit(remove_made_dirs);
    if (n_made_dirs < MADE_DIRS_MAX)
        snprintf(made_dirs[n_made_dirs++], sizeof(made_dirs[0]), "%s", dir);
}

int harness_temp_dir(char *out, size_t size)
{
    snprintf(out, size, "/tmp/campaign-mock-test-XXXXXX");
    if (!mkdtemp(out))
        return -1;
    remember_dir(out);
    return 0;
}

int server_start(struct server *s, const char *dir, const char *const *args)
{
    memset(s, 0, sizeof(*s));
    if (dir)
        snprintf(s->dir, sizeof(s->dir), "%s", dir);
    else if (harness_temp_dir(s->dir, sizeof(s->dir)) < 0)
        return -1;
    char port_file[300];
    snprintf(port_file, sizeof(port_file), "%s/port", s->dir);
    snprintf(s->log_path, sizeof(s->log_path), "%s/server.log", s->dir);
    unlink(port_file);

    const char *argv[64];
    int n = 0;
    argv[n++] = binary();
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--port-file";
    argv[n++] = port_file;
    for (int i = 0; args && args[i] && n < 62; i++)
        argv[n++] = args[i];
    argv[n] = NULL;

    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    s->pid = pid;
    for (long waited = 0; waited < harness_bound(10000); waited += 10) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            int port = 0;
            int ok = fscanf(f, "%d", &port) == 1;
            fclose(f);
            if (ok && port > 0) {
                s->port = port;
                snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", port);
                return 0;
            }
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            s->pid = 0;
            print_log(s);
            return -1;
        }
        harness_sleep_ms(10);
    }
    print_log(s);
    server_kill(s);
    return -1;
}

int server_stop(struct server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int status = 0;
    pid_t r = waitpid(s->pid, &status, 0);
    s->pid = 0;
    if (r < 0 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

void server_kill(struct server *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

int run_binary(const char *const *args, char **output)
{
    char path[] = "/tmp/campaign-mock-run-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    const char *argv[64];
    int n = 0;
    argv[n++] = binary();
    for (int i = 0; args && args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (output) {
        off_t size = lseek(fd, 0, SEEK_END);
        *output = calloc(1, (size_t)size + 1);
        if (*output && pread(fd, *output, (size_t)size, 0) < 0)
            (*output)[0] = '\0';
    }
    close(fd);
    unlink(path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

size_t harness_collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct harness_buf *b = userdata;
    size_t n = size * nmemb;
    char *grown = realloc(b->data, b->len + n + 1);
    if (!grown)
        return 0;
    b->data = grown;
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* With CAMPAIGN_MOCK_RESPONSE_LOG=DIR, every HTTP answer is appended to DIR/<pid>.jsonl
 * as one JSON line, for tests/openapi/validate.mjs to check against the OpenAPI
 * document. One write() per line with O_APPEND: threads of a test may call at once. */
static void log_response(CURL *c, const struct response *out, const char *method, const char *url,
                         const struct harness_buf *bp)
{
    struct harness_buf b = *bp;
    const char *log_dir = getenv("CAMPAIGN_MOCK_RESPONSE_LOG");
    if (out->status <= 0 || !log_dir || !*log_dir)
        return;
    const char *ctype = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
    const char *path = strstr(url, "://");
    path = path ? strchr(path + 3, '/') : url;
    struct {
        const char *name, *text;
        size_t len;
    } fields[] = {{"method", method, strlen(method)},
                  {"path", path ? path : "/", path ? strlen(path) : 1},
                  {"contentType", ctype, ctype ? strlen(ctype) : 0},
                  {"body", b.data ? b.data : "", b.data ? b.len : 0}};
    /* An escaped byte takes at most 6 bytes ("\u00XX"); 256 covers names and braces. */
    size_t cap = 256;
    for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
        cap += 6 * fields[f].len;
    char *line = malloc(cap);
    size_t n = 0;
    if (line)
        n = (size_t)snprintf(line, cap, "{\"status\":%ld", out->status);
    for (size_t f = 0; line && f < sizeof(fields) / sizeof(fields[0]); f++) {
        n += (size_t)snprintf(line + n, cap - n, ",\"%s\":", fields[f].name);
        if (!fields[f].text) {
            n += (size_t)snprintf(line + n, cap - n, "null");
            continue;
        }
        line[n++] = '"';
        for (size_t i = 0; i < fields[f].len; i++) {
            unsigned char ch = (unsigned char)fields[f].text[i];
            if (ch == '"' || ch == '\\') {
                line[n++] = '\\';
                line[n++] = (char)ch;
            } else if (ch < 0x20 || ch == 0x7f) {
                n += (size_t)snprintf(line + n, cap - n, "\\u%04x", ch);
            } else {
                line[n++] = (char)ch; /* bytes >= 0x80 kept: the validator checks UTF-8 */
            }
        }
        line[n++] = '"';
    }
    char file[1024];
    snprintf(file, sizeof(file), "%s/%ld.jsonl", log_dir, (long)getpid());
    int fd = line ? open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
    if (fd < 0 && line && errno == ENOENT && mkdir(log_dir, 0755) == 0)
        fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (line) {
        line[n++] = '}';
        line[n++] = '\n';
    }
    if (fd < 0 || write(fd, line, n) != (ssize_t)n)
        fprintf(stderr, "response log: cannot append to %s: %s\n", file, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(line);
}

struct chunk_source {
    const char *data;
    size_t len, pos;
};

static size_t chunk_read(char *buf, size_t size, size_t nitems, void *userdata)
{
    struct chunk_source *src = userdata;
    size_t n = src->len - src->pos, max = size * nitems;
    if (n > max)
        n = max;
    if (n > 65536)
        n = 65536;
    memcpy(buf, src->data + src->pos, n);
    src->pos += n;
    return n;
}

/* What varies between the calls a test makes. */
struct call_opts {
    const char *method, *url, *body;
    size_t body_len;
    const char *const *headers;
    int chunked;     /* send the body with Transfer-Encoding: chunked */
    long timeout_ms; /* client timeout */
    char *errbuf;    /* libcurl's error text, HTTP_ERRBUF_SIZE bytes, or NULL */
    int fresh;       /* a new connection, never reused */
};

/* The one libcurl transfer behind every http_call* function; returns the CURLcode. */
static int call(struct response *out, const struct call_opts *o)
{
    memset(out, 0, sizeof(*out));
    if (o->errbuf)
        o->errbuf[0] = '\0';
    CURL *c = curl_easy_init();
    if (!c)
        return out->curl_code = (int)CURLE_FAILED_INIT;
    struct harness_buf b = {calloc(1, 1), 0}, h = {calloc(1, 1), 0};
    struct chunk_source src = {o->body, o->body_len, 0};
    struct curl_slist *list = NULL;
    for (int i = 0; o->headers && o->headers[i]; i++)
        list = curl_slist_append(list, o->headers[i]);
    /* libcurl adds "Expect: 100-continue" to large bodies; tests want one round trip. */
    list = curl_slist_append(list, "Expect:");
    if (o->chunked)
        list = curl_slist_append(list, "Transfer-Encoding: chunked");
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, o->method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, harness_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, harness_collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (o->fresh)
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    if (o->body && o->chunked) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, chunk_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &src);
    } else if (o->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, o->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
    } else if (strcmp(o->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    }
    CURLcode rc = curl_easy_perform(c);
    out->curl_code = (int)rc;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    if (rc == CURLE_OK)
        log_response(c, out, o->method, o->url, &b);
    if (o->errbuf)
        snprintf(o->errbuf, HTTP_ERRBUF_SIZE, "%s", err);
    out->body = b.data;
    out->len = b.len;
    out->headers = h.data;
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return (int)rc;
}

int http_call(struct response *out, const char *method, const char *url, const char *body,
              long body_len, const char *const *headers)
{
    size_t len = body ? (body_len < 0 ? strlen(body) : (size_t)body_len) : 0;
    struct call_opts o = {.method = method,
                          .url = url,
                          .body = body,
                          .body_len = len,
                          .headers = headers,
                          .timeout_ms = harness_bound(30000)};
    return call(out, &o) == CURLE_OK ? 0 : -1;
}

void response_free(struct response *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof(*r));
}

const char *response_header(const struct response *r, const char *name, char *buf, size_t size)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            snprintf(buf, size, "%.*s", (int)(len - (size_t)(v - line)), v);
            return buf;
        }
        line = end ? end + 2 : line + len;
    }
    return NULL;
}

const char *ingest_url(const struct server *s, const char *tenant, const char *mapping, char *buf,
                       size_t size)
{
    snprintf(buf, size, "%s/%s/campaign/dataIngestion/xdmIngestion/%s/ingest", s->base, tenant,
             mapping);
    return buf;
}

int trigger(struct response *out, const struct server *s, const char *tenant, const char *mapping)
{
    char url[1024];
    return http_call(out, "POST", ingest_url(s, tenant, mapping, url, sizeof(url)), NULL, 0,
                     AUTH_HEADERS);
}

int poll_status(struct response *out, const struct server *s, const char *tenant,
                const char *mapping, long long request_id)
{
    char url[1024], full[1100];
    ingest_url(s, tenant, mapping, url, sizeof(url));
    snprintf(full, sizeof(full), "%s?requestId=%lld", url, request_id);
    return http_call(out, "GET", full, NULL, 0, AUTH_HEADERS);
}

int poll_raw(struct response *out, const struct server *s, const char *tenant, const char *mapping,
             const char *query, const char *body, long body_len)
{
    char url[1024], full[2048];
    ingest_url(s, tenant, mapping, url, sizeof(url));
    snprintf(full, sizeof(full), "%s%s", url, query);
    return http_call(out, "GET", full, body, body ? body_len : 0, AUTH_HEADERS);
}

long long body_request_id(const char *body)
{
    const char *p = body ? strstr(body, "\"requestId\": ") : NULL;
    if (!p)
        return -1;
    return strtoll(p + strlen("\"requestId\": "), NULL, 10);
}

/* --- processes, error replies, chunked bodies ---------------------------------------- */

static char *slurp_fd(int fd)
{
    off_t size = lseek(fd, 0, SEEK_END);
    char *text = calloc(1, size > 0 ? (size_t)size + 1 : 1);
    if (text && size > 0 && pread(fd, text, (size_t)size, 0) < 0)
        text[0] = '\0';
    return text;
}

int run_binary_split(const char *const *args, char **out, char **err, int timeout_ms)
{
    char out_path[] = "/tmp/campaign-mock-out-XXXXXX", err_path[] = "/tmp/campaign-mock-err-XXXXXX";
    int ofd = mkstemp(out_path), efd = mkstemp(err_path);
    if (ofd < 0 || efd < 0) {
        if (ofd >= 0)
            close(ofd);
        if (efd >= 0)
            close(efd);
        return -1;
    }
    unlink(out_path);
    unlink(err_path);
    const char *argv[64];
    int n = 0;
    argv[n++] = binary();
    for (int i = 0; args && args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(ofd, 1);
        dup2(efd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0, done = 0;
    long bound = harness_bound(timeout_ms);
    for (long waited = 0; pid > 0 && waited <= bound; waited += 5) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            done = 1;
            break;
        }
        harness_sleep_ms(5);
    }
    if (pid > 0 && !done) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    if (out)
        *out = slurp_fd(ofd);
    if (err)
        *err = slurp_fd(efd);
    close(ofd);
    close(efd);
    return done && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int http_call_chunked(struct response *out, const char *method, const char *url, const char *body,
                      size_t body_len, const char *const *headers)
{
    struct call_opts o = {.method = method,
                          .url = url,
                          .body = body,
                          .body_len = body_len,
                          .headers = headers,
                          .chunked = 1,
                          .timeout_ms = harness_bound(30000)};
    return call(out, &o) == CURLE_OK ? 0 : -1;
}

int response_is_json(const struct response *r)
{
    char ct[128];
    const char *v = response_header(r, "Content-Type", ct, sizeof(ct));
    return v && strcmp(v, "application/json;charset=utf-8") == 0;
}

void check_error_reply_at(const char *file, int line, const struct response *r, long status,
                          const char *error_code, const char *message_part)
{
    check_error_at(file, line, r, status, error_code, message_part, PROBLEMS_NONE, NULL);
}

/* --- the control API, Adobe's documented bodies --------------------------------------- */

struct response mock_call_h(const struct server *s, const char *method, const char *path,
                            const char *body, const char *const *headers)
{
    const char *all[32];
    int n = 0;
    if (body)
        all[n++] = "Content-Type: application/json";
    for (int i = 0; headers && headers[i] && n < 31; i++)
        all[n++] = headers[i];
    all[n] = NULL;
    char url[8192];
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    struct response r;
    http_call(&r, method, url, body, -1, all);
    return r;
}

struct response mock_call(const struct server *s, const char *method, const char *path,
                          const char *body)
{
    return mock_call_h(s, method, path, body, NULL);
}

cJSON *response_json(const struct response *r)
{
    return r->body ? cJSON_ParseWithLength(r->body, r->len) : NULL;
}

const cJSON *json_at(const cJSON *doc, const char *path)
{
    const cJSON *cur = doc;
    const char *p = path;
    while (cur && *p) {
        if (*p == '.') {
            p++;
        } else if (*p == '[') {
            char *end;
            long i = strtol(p + 1, &end, 10);
            if (*end != ']' || !cJSON_IsArray(cur))
                return NULL;
            cur = cJSON_GetArrayItem(cur, (int)i);
            p = end + 1;
        } else {
            size_t n = strcspn(p, ".[");
            char key[256];
            if (n >= sizeof(key) || !cJSON_IsObject(cur))
                return NULL;
            memcpy(key, p, n);
            key[n] = '\0';
            cur = cJSON_GetObjectItemCaseSensitive(cur, key);
            p += n;
        }
    }
    return cur;
}

long long json_int(const cJSON *doc, const char *path)
{
    const cJSON *v = json_at(doc, path);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

const char *json_str(const cJSON *doc, const char *path)
{
    const cJSON *v = json_at(doc, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *tenant_state(const struct server *s, const char *tenant)
{
    char path[512];
    snprintf(path, sizeof(path), "/_mock/tenants/%s/snapshot", tenant);
    struct response r = mock_call(s, "GET", path, NULL);
    char *text = r.status == 200 && r.body ? strdup(r.body) : strdup("");
    response_free(&r);
    return text;
}

void check_error_problems_at(const char *file, int line, const struct response *r, long status,
                             const char *error_code, const char *message_part,
                             const char *problem_part)
{
    check_error_at(file, line, r, status, error_code, message_part, PROBLEMS_REQUIRED,
                   problem_part);
}

void check_error_at(const char *file, int line, const struct response *r, long status,
                    const char *error_code, const char *message_part, enum problems_mode mode,
                    const char *problem_part)
{
    char why[512] = "";
    cJSON *doc = r->body ? cJSON_ParseWithLength(r->body, r->len) : NULL;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "code");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "error_code");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
    const cJSON *problems = cJSON_GetObjectItemCaseSensitive(doc, "problems");
    if (mode == PROBLEMS_ALLOWED)
        mode = problems ? PROBLEMS_REQUIRED : PROBLEMS_NONE;
    int members = mode == PROBLEMS_REQUIRED ? 4 : 3;
    int found = problem_part == NULL, strings = 1;
    for (const cJSON *p = problems ? problems->child : NULL; p; p = p->next) {
        strings &= cJSON_IsString(p);
        if (cJSON_IsString(p) && problem_part && strstr(p->valuestring, problem_part))
            found = 1;
    }
    if (r->status != status)
        snprintf(why, sizeof(why), "status %ld, expected %ld", r->status, status);
    else if (!response_is_json(r))
        snprintf(why, sizeof(why), "Content-Type is not application/json;charset=utf-8");
    else if (!cJSON_IsObject(doc) || cJSON_GetArraySize(doc) != members)
        snprintf(why, sizeof(why), "body is not a JSON object of %d members", members);
    else if (!cJSON_IsNumber(code) || code->valuedouble != (double)status)
        snprintf(why, sizeof(why), "\"code\" is not %ld", status);
    else if (!cJSON_IsString(name) || (error_code && strcmp(name->valuestring, error_code) != 0))
        snprintf(why, sizeof(why), "\"error_code\" is not \"%s\"", error_code);
    else if (!cJSON_IsString(msg) || !msg->valuestring[0])
        snprintf(why, sizeof(why), "\"message\" is not a non-empty string");
    else if (message_part && !strstr(msg->valuestring, message_part))
        snprintf(why, sizeof(why), "\"message\" does not contain \"%s\"", message_part);
    else if (mode == PROBLEMS_REQUIRED &&
             (!cJSON_IsArray(problems) || cJSON_GetArraySize(problems) == 0 || !strings))
        snprintf(why, sizeof(why), "\"problems\" is not a non-empty array of strings");
    else if (mode == PROBLEMS_REQUIRED && !found)
        snprintf(why, sizeof(why), "no problem contains \"%s\"", problem_part);
    else if (!utf8_valid(r->body, r->len))
        snprintf(why, sizeof(why), "body is not valid UTF-8");
    if (why[0]) {
        check_failed++;
        fprintf(stderr, "%s:%d: error reply check failed: %s\n  body: %.600s\n", file, line, why,
                r->body ? r->body : "(none)");
    } else {
        check_passed++;
    }
    cJSON_Delete(doc);
}

void check_refused_at(const char *file, int line, const struct server *s, const char *tenant,
                      const char *method, const char *path, const char *body, long status,
                      const char *code, const char *part, enum problems_mode mode,
                      const char *problem)
{
    char *before = tenant_state(s, tenant);
    struct response r = mock_call(s, method, path, body);
    check_error_at(file, line, &r, status, code, part, mode, problem);
    response_free(&r);
    char *after = tenant_state(s, tenant);
    CHECK(before[0] && strcmp(before, after) == 0,
          "%s:%d: a refused %s %s changed tenant %s:\n  before: %s\n  after:  %s", file, line,
          method, path, tenant, before, after);
    free(before);
    free(after);
}

long long metric_value(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, series, n) == 0 && line[n] == ' ')
            return strtoll(line + n + 1, NULL, 10);
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return -1;
}

long long mock_metric(const struct server *s, const char *series)
{
    struct response r = mock_call(s, "GET", "/_mock/metrics", NULL);
    long long v = r.status == 200 ? metric_value(r.body, series) : -1;
    response_free(&r);
    return v;
}

const char *acs_submitted(char *buf, size_t n, long long id, const char *mapping)
{
    snprintf(buf, n,
             "{\"requestId\": %lld, \"info\": \"Ingestion request submitted successfully for the "
             "Mapping ID: %s\", \"status\": \"Success\"}",
             id, mapping);
    return buf;
}

const char *acs_already(char *buf, size_t n, long long id, const char *mapping)
{
    snprintf(buf, n,
             "{\"requestId\": %lld, \"info\": \"Ingestion request already in progress for the "
             "Mapping ID: %s\", \"status\": \"In Progress\"}",
             id, mapping);
    return buf;
}

const char *acs_refused(char *buf, size_t n, const char *mapping, const char *why)
{
    snprintf(buf, n,
             "{\"info\": \"Unable to submit data ingestion request, XDM Mapping ID: %s is not "
             "%s\", \"status\": \"Failed\"}",
             mapping, why);
    return buf;
}

const char *acs_in_progress(char *buf, size_t n, long long id, const char *mapping)
{
    snprintf(buf, n,
             "{\"batchId\": \"\", \"info\": \"Mapping Id: %s.\", \"numRecords\": 0, "
             "\"requestId\": %lld, \"status\": \"In Progress\"}",
             mapping, id);
    return buf;
}

const char *acs_success(char *buf, size_t n, long long id, const char *mapping, long long records)
{
    snprintf(buf, n,
             "{\"batchId\": \"\", \"info\": \"Mapping Id: %s. \", \"numRecords\": %lld, "
             "\"requestId\": %lld, \"status\": \"Success\"}",
             mapping, records, id);
    return buf;
}

const char *acs_failed_fetch(char *buf, size_t n, long long id, const char *mapping)
{
    snprintf(buf, n,
             "{\"batchId\": \"\", \"info\": \"Mapping Id: %s. ACP-880056 Failed to fetch the "
             "record from the database.\", \"numRecords\": 0, \"requestId\": %lld, \"status\": "
             "\"Failed\"}",
             mapping, id);
    return buf;
}

const char *acs_failed_upload(char *buf, size_t n, long long id, const char *mapping,
                              const char *batch)
{
    snprintf(buf, n,
             "{\"batchId\": \"%s\", \"info\": \"Mapping Id: %s. ACP-880096 Sync Job failed to "
             "upload. Please check the error in the Platform UI.\", \"numRecords\": 0, "
             "\"requestId\": %lld, \"status\": \"Failed\"}",
             batch, mapping, id);
    return buf;
}

const char *acs_aborted(char *buf, size_t n, long long id, const char *mapping)
{
    snprintf(buf, n,
             "{\"batchId\": \"\", \"info\": \"Mapping Id: %s. Ingestion request aborted due to "
             "some issue with data ingestion service. Please submit a new request\", "
             "\"numRecords\": 0, \"requestId\": %lld, \"status\": \"Aborted\"}",
             mapping, id);
    return buf;
}

static void check_reply(const char *file, int line, const char *what, const struct response *r,
                        long status, const char *expected)
{
    const char *why = NULL;
    if (r->status != status)
        why = "status";
    else if (!response_is_json(r))
        why = "Content-Type is not application/json;charset=utf-8";
    else if (expected && (!r->body || strcmp(r->body, expected) != 0))
        why = "body";
    if (why) {
        check_failed++;
        fprintf(stderr,
                "%s:%d: %s: %s differs\n  status:   %ld (expected %ld)\n  expected: %s\n"
                "  actual:   %.2000s\n",
                file, line, what, why, r->status, status, expected ? expected : "(any)",
                r->body ? r->body : "(none)");
    } else {
        check_passed++;
    }
}

void check_call_at(const char *file, int line, const struct server *s, const char *method,
                   const char *path, const char *body, long status, const char *expected)
{
    struct response r = mock_call(s, method, path, body);
    char what[600];
    snprintf(what, sizeof(what), "%s %s", method, path);
    check_reply(file, line, what, &r, status, expected);
    response_free(&r);
}

void check_trigger_at(const char *file, int line, const struct server *s, const char *tenant,
                      const char *mapping, const char *expected)
{
    struct response r;
    trigger(&r, s, tenant, mapping);
    char what[300];
    snprintf(what, sizeof(what), "trigger %s/%s", tenant, mapping);
    check_reply(file, line, what, &r, 200, expected);
    response_free(&r);
}

void check_poll_at(const char *file, int line, const struct server *s, const char *tenant,
                   const char *mapping, long long id, const char *expected)
{
    struct response r;
    poll_status(&r, s, tenant, mapping, id);
    char what[300];
    snprintf(what, sizeof(what), "poll %s/%s %lld", tenant, mapping, id);
    check_reply(file, line, what, &r, 200, expected);
    response_free(&r);
}

/* --- faults, timing, raw sockets ----------------------------------------------------- */

int http_call_timed(struct response *out, char *errbuf, const char *method, const char *url,
                    const char *body, const char *const *headers, long timeout_ms)
{
    /* A fresh connection per call: a broken transport must not leak into the next one. */
    struct call_opts o = {.method = method,
                          .url = url,
                          .body = body,
                          .body_len = body ? strlen(body) : 0,
                          .headers = headers,
                          .timeout_ms = timeout_ms,
                          .errbuf = errbuf,
                          .fresh = 1};
    return call(out, &o);
}

double monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void add_fault_at(const char *file, int line, const struct server *s, const char *rule)
{
    struct response r = mock_call(s, "POST", "/_mock/faults", rule);
    CHECK(r.status == 201, "%s:%d: POST /_mock/faults %s: %ld %s", file, line, rule, r.status,
          r.body ? r.body : "");
    response_free(&r);
}

int raw_connect(const struct server *s, const char *src)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (src) {
        struct sockaddr_in b = {0};
        b.sin_family = AF_INET;
        if (inet_pton(AF_INET, src, &b.sin_addr) != 1 ||
            bind(fd, (struct sockaddr *)&b, sizeof(b)) < 0) {
            close(fd);
            return -1;
        }
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)s->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

long long trigger_id(const struct server *s, const char *tenant, const char *mapping)
{
    struct response r;
    trigger(&r, s, tenant, mapping);
    long long id = r.status == 200 ? body_request_id(r.body) : -1;
    CHECK(id > 0, "trigger %s/%s: %ld %s", tenant, mapping, r.status, r.body);
    response_free(&r);
    return id;
}
