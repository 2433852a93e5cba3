/*
 * The benchmark's load generator (see load.h). One thread, one epoll loop, one request
 * in flight per connection (keep-alive, no pipelining): a closed-loop load, so the
 * throughput measured is what the server sustains and the latency is its answer time
 * plus the loop's own small overhead, equal for both servers.
 */
#include "load.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Answers of either server are a few hundred bytes; the journal count is tiny. A larger
 * answer means something is wrong and is counted as an error. */
#define IN_MAX 16384
/* The longest request we build: a path of a few dozen bytes plus fixed headers. */
#define OUT_MAX 1024
/* A cycle that has not reached a terminal status after this many polls is broken
 * (the template mapping ends after one In Progress poll). */
#define CYCLE_POLLS_MAX 50

static const char AUTH[] = "Authorization: Bearer bench-token\r\nX-Api-Key: bench-key\r\n";

double load_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

long long load_body_request_id(const char *body)
{
    const char *p = strstr(body, "\"requestId\"");
    if (!p)
        return -1;
    p += strlen("\"requestId\"");
    while (*p == ' ' || *p == ':')
        p++;
    if (*p == '"')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    return strtoll(p, NULL, 10);
}

int load_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((unsigned short)port);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

/* --- parsing an answer ------------------------------------------------------------ */

/* memmem is a GNU extension; the build asks for POSIX only. */
static const char *find(const char *hay, size_t len, const char *needle, size_t nlen)
{
    for (size_t i = 0; i + nlen <= len; i++) {
        if (memcmp(hay + i, needle, nlen) == 0)
            return hay + i;
    }
    return NULL;
}

/* Whether buf[0..len) holds one complete answer; then its status, body and total size.
 * Returns 1 complete, 0 need more, -1 malformed. */
static int parse_answer(const char *buf, size_t len, int *status, const char **body,
                        size_t *body_len, size_t *total)
{
    const char *end = find(buf, len, "\r\n\r\n", 4);
    if (!end)
        return len >= IN_MAX ? -1 : 0;
    if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0)
        return -1;
    *status = atoi(buf + 9);
    size_t head = (size_t)(end - buf) + 4;
    long long cl = -1;
    for (const char *p = buf; p < end;) {
        const char *eol = find(p, (size_t)(end - p) + 2, "\r\n", 2);
        if (!eol)
            break;
        if ((size_t)(eol - p) > 15 && strncasecmp(p, "content-length:", 15) == 0)
            cl = strtoll(p + 15, NULL, 10);
        p = eol + 2;
    }
    if (cl < 0 || cl > IN_MAX)
        return -1;
    if (len < head + (size_t)cl)
        return 0;
    *body = buf + head;
    *body_len = (size_t)cl;
    *total = head + (size_t)cl;
    return 1;
}

/* --- one blocking call ------------------------------------------------------------ */

/* Sends all of buf; 0, or -1 on a broken socket (or the send timeout). */
static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int load_call_body(int port, const char *method, const char *path, const char *content_type,
                   const char *req_body, char *body, size_t size)
{
    int fd = load_connect(port);
    if (fd < 0)
        return -1;
    struct timeval tv = {10, 0}; /* set-up calls answer in milliseconds */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    size_t body_len = req_body ? strlen(req_body) : 0;
    /* The head only (the body is sent after it, from the caller's buffer): OUT_MAX. */
    char req[OUT_MAX];
    int n = snprintf(req, sizeof(req),
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s%sContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     method, path, AUTH, content_type ? "Content-Type: " : "",
                     content_type ? content_type : "", content_type ? "\r\n" : "", body_len);
    char buf[IN_MAX];
    size_t len = 0;
    int status = -1;
    if (n <= 0 || (size_t)n >= sizeof(req) || send_all(fd, req, (size_t)n) < 0 ||
        send_all(fd, req_body ? req_body : "", body_len) < 0)
        goto done;
    for (;;) {
        ssize_t got = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
        if (got <= 0)
            break;
        len += (size_t)got;
        int st;
        const char *b;
        size_t blen, total;
        int rc = parse_answer(buf, len, &st, &b, &blen, &total);
        if (rc < 0)
            break;
        if (rc == 1) {
            status = st;
            snprintf(body, size, "%.*s", (int)blen, b);
            break;
        }
    }
done:
    close(fd);
    return status;
}

int load_call(int port, const char *method, const char *path, char *body, size_t size)
{
    return load_call_body(port, method, path, NULL, NULL, body, size);
}

/* --- the load loop ---------------------------------------------------------------- */

struct lconn {
    int fd;
    int index;
    int busy;      /* a request is in flight */
    int phase;     /* LOAD_CYCLE: 0 = next is the POST, n > 0 = next is poll n */
    long long rid; /* LOAD_CYCLE: the request being polled */
    char out[OUT_MAX];
    size_t out_len, out_off;
    char in[IN_MAX];
    size_t in_len;
    double sent_ms;
};

struct loop {
    const struct load_spec *spec;
    struct load_result *res;
    struct lconn *conns;
    int epfd;
    long issued;
    double *lat; /* one latency per answer, in ms */
};

/* Counts an error; the first one is kept, as "what: detail" (detail may be NULL). */
static void fail(struct loop *l, const char *what, const char *detail)
{
    l->res->errors++;
    if (!l->res->first_error[0])
        snprintf(l->res->first_error, sizeof(l->res->first_error), "%s%s%.200s", what,
                 detail ? ": " : "", detail ? detail : "");
}

static int build(struct loop *l, struct lconn *c)
{
    const struct load_spec *s = l->spec;
    int n = 0;
    switch (s->kind) {
    case LOAD_POLL:
        n = snprintf(c->out, sizeof(c->out), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
                     s->path, AUTH);
        break;
    case LOAD_CONTROL:
        n = snprintf(c->out, sizeof(c->out),
                     "GET /_mock/journal/count HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        break;
    case LOAD_TRIGGER:
        n = snprintf(c->out, sizeof(c->out),
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Length: 0\r\n\r\n", s->path,
                     AUTH);
        break;
    case LOAD_CYCLE:
        if (c->phase == 0)
            n = snprintf(c->out, sizeof(c->out),
                         "POST /%s%d/campaign/dataIngestion/xdmIngestion/XDM1/ingest HTTP/1.1\r\n"
                         "Host: 127.0.0.1\r\n%sContent-Length: 0\r\n\r\n",
                         s->tenant_prefix, c->index, AUTH);
        else
            n = snprintf(c->out, sizeof(c->out),
                         "GET /%s%d/campaign/dataIngestion/xdmIngestion/XDM1/ingest?requestId=%lld "
                         "HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
                         s->tenant_prefix, c->index, c->rid, AUTH);
        break;
    }
    if (n <= 0 || (size_t)n >= sizeof(c->out))
        return -1;
    c->out_len = (size_t)n;
    c->out_off = 0;
    return 0;
}

static void watch(struct loop *l, struct lconn *c, int want_out)
{
    struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0u), .data.ptr = c};
    epoll_ctl(l->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Writes what is left of the request; 0 when done or pending, -1 on a broken socket. */
static int flush_out(struct loop *l, struct lconn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                watch(l, c, 1);
                return 0;
            }
            if (errno == EINTR)
                continue;
            fail(l, "send", strerror(errno));
            return -1;
        }
        c->out_off += (size_t)n;
    }
    return 0;
}

/* Sends this connection's next request when the run still has some to send. */
static int next(struct loop *l, struct lconn *c)
{
    if (l->issued >= l->spec->requests)
        return 0;
    if (build(l, c) < 0) {
        fail(l, "request too long", NULL);
        return -1;
    }
    l->issued++;
    c->busy = 1;
    c->in_len = 0;
    c->sent_ms = load_now_ms();
    return flush_out(l, c);
}

static int reconnect(struct loop *l, struct lconn *c)
{
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = load_connect(l->spec->port);
    if (c->fd < 0)
        return -1;
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    return epoll_ctl(l->epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

/* Moves a LOAD_CYCLE connection on after an answer. */
static void advance_cycle(struct loop *l, struct lconn *c, const char *body, size_t len)
{
    char text[IN_MAX];
    snprintf(text, sizeof(text), "%.*s", (int)len, body);
    if (c->phase == 0) {
        c->phase = 1;
        if (!l->spec->follow_bodies) {
            c->rid = 3520;
            return;
        }
        c->rid = load_body_request_id(text);
        if (!strstr(text, "submitted successfully") || c->rid < 0) {
            fail(l, "trigger not submitted", text);
            c->phase = 0;
        }
        return;
    }
    int terminal;
    if (l->spec->follow_bodies)
        terminal = !strstr(text, "\"status\": \"In Progress\"");
    else
        terminal = c->phase >= 2; /* campaign-mock's shape: one In Progress, then the end */
    if (terminal) {
        l->res->cycles++;
        c->phase = 0;
    } else if (++c->phase > CYCLE_POLLS_MAX) {
        fail(l, "cycle never ended", text);
        c->phase = 0;
    }
}

/* Reads what the socket has; completes the answer when it is whole. */
static int on_readable(struct loop *l, struct lconn *c)
{
    for (;;) {
        if (c->in_len >= sizeof(c->in)) {
            fail(l, "answer too large", NULL);
            return -1;
        }
        ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
        if (n == 0) {
            if (c->busy)
                fail(l, "connection closed by the server mid-request", NULL);
            return -1;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            fail(l, "recv", strerror(errno));
            return -1;
        }
        c->in_len += (size_t)n;
        int status;
        const char *body;
        size_t blen, total;
        int rc = parse_answer(c->in, c->in_len, &status, &body, &blen, &total);
        if (rc < 0) {
            fail(l, "malformed answer", NULL);
            return -1;
        }
        if (rc == 0)
            continue;
        if (!c->busy || total != c->in_len) {
            fail(l, "unexpected bytes after an answer", NULL);
            return -1;
        }
        l->lat[l->res->done++] = load_now_ms() - c->sent_ms;
        c->busy = 0;
        if (status != 200) {
            char text[128];
            snprintf(text, sizeof(text), "%d %.*s", status, (int)(blen < 100 ? blen : 100), body);
            fail(l, "answer", text);
        }
        if (l->spec->kind == LOAD_CYCLE)
            advance_cycle(l, c, body, blen);
        /* Each POST must make a new request: "already in progress" would measure the
         * cheaper refusal instead. */
        static const char submitted[] = "submitted successfully";
        if (l->spec->kind == LOAD_TRIGGER && l->spec->follow_bodies && status == 200 &&
            !find(body, blen, submitted, sizeof(submitted) - 1)) {
            char text[128];
            snprintf(text, sizeof(text), "%.*s", (int)(blen < 100 ? blen : 100), body);
            fail(l, "trigger not submitted", text);
        }
        return next(l, c);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of sorted v[0..n). */
static double percentile(const double *v, long n, double p)
{
    if (n <= 0)
        return 0;
    long rank = (long)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

int load_run(struct load_result *out, const struct load_spec *spec)
{
    memset(out, 0, sizeof(*out));
    struct loop l = {.spec = spec, .res = out, .epfd = -1};
    int rc = -1;
    l.conns = calloc((size_t)spec->conns, sizeof(*l.conns));
    l.lat = calloc((size_t)spec->requests + 1, sizeof(double));
    l.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!l.conns || !l.lat || l.epfd < 0)
        goto done;
    for (int i = 0; i < spec->conns; i++)
        l.conns[i].fd = -1;
    for (int i = 0; i < spec->conns; i++) {
        struct lconn *c = &l.conns[i];
        c->index = i;
        c->fd = load_connect(spec->port);
        if (c->fd < 0) {
            fail(&l, "cannot connect", strerror(errno));
            goto done;
        }
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(l.epfd, EPOLL_CTL_ADD, c->fd, &ev);
    }
    double start = load_now_ms();
    double deadline = start + spec->timeout_s * 1e3;
    /* A request that cannot be sent is counted by next(); its broken socket then shows
     * up in epoll like any other. */
    for (int i = 0; i < spec->conns; i++)
        next(&l, &l.conns[i]);
    struct epoll_event evs[64];
    while (out->done < l.issued || l.issued < spec->requests) {
        double now = load_now_ms();
        if (now > deadline) {
            out->timed_out = 1;
            fail(&l, "timed out", NULL);
            break;
        }
        int n = epoll_wait(l.epfd, evs, 64, (int)(deadline - now) + 1);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; i++) {
            struct lconn *c = evs[i].data.ptr;
            if (evs[i].events & EPOLLOUT) {
                watch(&l, c, 0);
                if (flush_out(&l, c) < 0)
                    goto broken;
            }
            if (!(evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                continue;
            if (on_readable(&l, c) == 0)
                continue;
        broken:
            /* The request in flight is lost: counted as answered (with its error) so the
             * run still ends; the connection is replaced and carries on. */
            if (c->busy) {
                l.lat[out->done++] = load_now_ms() - c->sent_ms;
                c->busy = 0;
            }
            c->phase = 0;
            if (reconnect(&l, c) < 0) {
                fail(&l, "cannot reconnect", strerror(errno));
                goto done;
            }
            next(&l, c);
        }
    }
    out->seconds = (load_now_ms() - start) / 1e3;
    out->rps = out->seconds > 0 ? (double)out->done / out->seconds : 0;
    qsort(l.lat, (size_t)out->done, sizeof(double), cmp_double);
    out->p50_ms = percentile(l.lat, out->done, 50);
    out->p99_ms = percentile(l.lat, out->done, 99);
    rc = out->timed_out ? -1 : 0;
done:
    for (int i = 0; l.conns && i < spec->conns; i++) {
        if (l.conns[i].fd >= 0)
            close(l.conns[i].fd);
    }
    if (l.epfd >= 0)
        close(l.epfd);
    free(l.conns);
    free(l.lat);
    return rc;
}

/* --- processes ---------------------------------------------------------------------- */

int proc_start(struct proc *p, const char *const *argv, const char *stderr_path, double timeout_ms)
{
    memset(p, 0, sizeof(*p));
    p->out_fd = -1;
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    /* Not inherited by later children (the other server, the next start). */
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    double t0 = load_now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        int err = stderr_path ? open(stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0644)
                              : open("/dev/null", O_WRONLY);
        if (err >= 0)
            dup2(err, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    p->pid = pid;
    p->out_fd = fds[0];
    char line[512];
    size_t len = 0;
    for (;;) {
        double left = t0 + timeout_ms - load_now_ms();
        struct pollfd pfd = {.fd = p->out_fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left + 1) <= 0)
            break;
        ssize_t n = read(p->out_fd, line + len, sizeof(line) - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = '\0';
        char *nl = strchr(line, '\n');
        if (nl) {
            p->ready_ms = load_now_ms() - t0;
            const char *at = strstr(line, "listening on http://");
            const char *colon = at ? strrchr(at, ':') : NULL;
            p->port = colon ? atoi(colon + 1) : 0;
            if (p->port > 0)
                return 0;
            break;
        }
        if (len >= sizeof(line) - 1)
            break;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(p->out_fd);
    p->out_fd = -1;
    p->pid = 0;
    return -1;
}

int proc_stop(struct proc *p)
{
    if (p->pid <= 0)
        return -1;
    kill(p->pid, SIGTERM);
    int status = 0, rc = -1;
    double deadline = load_now_ms() + 10000; /* a clean stop takes milliseconds */
    for (;;) {
        pid_t w = waitpid(p->pid, &status, WNOHANG);
        if (w == p->pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            break;
        }
        if (w < 0)
            break;
        if (load_now_ms() > deadline) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, NULL, 0);
            break;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    if (p->out_fd >= 0)
        close(p->out_fd);
    p->out_fd = -1;
    p->pid = 0;
    return rc;
}

long proc_status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t flen = strlen(field);
    long kb = -1;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
            kb = strtol(line + flen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

/* From the clock tick counts of /proc/PID/stat: the fallback when schedstat is absent. */
static double stat_cpu_ms(pid_t pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *got = fgets(line, sizeof(line), f);
    fclose(f);
    /* The command name may hold spaces and parentheses: fields count from the last ')'.
     * After it come field 3 (state) onwards; utime and stime are fields 14 and 15. */
    const char *p = got ? strrchr(line, ')') : NULL;
    if (!p)
        return -1;
    p++;
    for (int field = 3; field < 14; field++) {
        p = strchr(p + 1, ' ');
        if (!p)
            return -1;
    }
    char *end;
    unsigned long long utime = strtoull(p, &end, 10);
    unsigned long long stime = strtoull(end, NULL, 10);
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? (double)(utime + stime) * 1e3 / (double)hz : -1;
}

double proc_cpu_ms(pid_t pid)
{
    /* Each thread's schedstat starts with its time on a CPU in nanoseconds: far finer
     * than the 10 ms ticks of /proc/PID/stat. The servers' threads live as long as the
     * server, so the sum over the live threads is the process's time. */
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return stat_cpu_ms(pid);
    double ns = 0;
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char file[400];
        snprintf(file, sizeof(file), "%s/%s/schedstat", path, e->d_name);
        FILE *f = fopen(file, "r");
        if (!f)
            continue;
        unsigned long long run = 0;
        if (fscanf(f, "%llu", &run) == 1) {
            ns += (double)run;
            seen++;
        }
        fclose(f);
    }
    closedir(d);
    return seen ? ns / 1e6 : stat_cpu_ms(pid);
}

void load_sibling(char *out, size_t size, const char *name)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        snprintf(out, size, "./%s", name);
        return;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    snprintf(out, size, "%.*s/%s", slash ? (int)(slash - self) : 1, slash ? self : ".", name);
}
