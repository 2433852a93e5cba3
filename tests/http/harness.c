/*
 * Test harness implementation: process control with fork/exec, HTTP with libcurl.
 */
#include "http/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

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

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
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

int server_start(struct server *s, const char *dir, const char *const *args)
{
    memset(s, 0, sizeof(*s));
    if (dir) {
        snprintf(s->dir, sizeof(s->dir), "%s", dir);
    } else {
        snprintf(s->dir, sizeof(s->dir), "/tmp/campaign-mock-test-XXXXXX");
        if (!mkdtemp(s->dir))
            return -1;
    }
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
    for (int waited = 0; waited < 10000; waited += 10) {
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
        sleep_ms(10);
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

struct buf {
    char *data;
    size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct buf *b = userdata;
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

int http_call(struct response *out, const char *method, const char *url, const char *body,
              long body_len, const char *const *headers)
{
    memset(out, 0, sizeof(*out));
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    struct buf b = {calloc(1, 1), 0}, h = {calloc(1, 1), 0};
    struct curl_slist *list = NULL;
    for (int i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    /* libcurl adds "Expect: 100-continue" to large bodies; tests want one round trip. */
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(body_len < 0 ? (long)strlen(body) : body_len));
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    }
    CURLcode rc = curl_easy_perform(c);
    out->curl_code = (int)rc;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = b.data;
    out->len = b.len;
    out->headers = h.data;
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
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

long long body_request_id(const char *body)
{
    const char *p = body ? strstr(body, "\"requestId\": ") : NULL;
    if (!p)
        return -1;
    return strtoll(p + strlen("\"requestId\": "), NULL, 10);
}
