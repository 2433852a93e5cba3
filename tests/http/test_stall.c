/*
 * Regression test: no request is left unanswered because of how many connections
 * became ready at once. libmicrohttpd's epoll loop called epoll_wait again whenever the
 * previous call returned exactly its 128-event buffer, and that call blocked for the
 * connection timeout with the 128 ready connections unprocessed: a worker that got
 * exactly 128 (or 256, ...) ready requests at once slept for two minutes.
 *
 * Deterministic form: with one worker thread (--threads 1) every connection belongs to
 * it. The server is stopped (SIGSTOP), one request is written on each of exactly N
 * keep-alive connections, the server resumes (SIGCONT): all N must be answered. The
 * bound (ANSWER_TIMEOUT_MS) is functional, not a measurement: a healthy server answers
 * in milliseconds, a stalled one in 120 s.
 *
 * Then bursts on the default workers: N keep-alive connections idle for a while, then
 * all send at once, several rounds.
 */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

/* A stalled worker wakes only after the 120 s connection timeout; 3 s is far beyond
 * any healthy answer on loopback, even under sanitizers. Under valgrind the bound is
 * harness_bound(3 s), still well short of the stall. */
#define ANSWER_TIMEOUT_MS 3000
#define CONNS_MAX         512

static const char request[] = "GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

struct client {
    int fd;
    char buf[2048];
    size_t len;
    int answered;
};

static struct client clients[CONNS_MAX];

/* Whether buf holds one whole response (headers and Content-Length bytes of body). */
static int response_complete(const char *buf, size_t len)
{
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    long body = cl && cl < end ? strtol(cl + 17, NULL, 10) : 0;
    return (size_t)(end + 4 - buf) + (size_t)body <= len;
}

static void send_all(int n)
{
    for (int i = 0; i < n; i++) {
        clients[i].len = 0;
        clients[i].answered = 0;
        if (send(clients[i].fd, request, sizeof(request) - 1, MSG_NOSIGNAL) !=
            (ssize_t)(sizeof(request) - 1))
            clients[i].answered = -1;
    }
}

/* Reads until every client has a whole response or the deadline passes; returns how
 * many were answered with a 200. */
static int collect_all(int n)
{
    static struct pollfd pfd[CONNS_MAX];
    double deadline = monotonic_ms() + (double)harness_bound(ANSWER_TIMEOUT_MS);
    int done = 0;
    for (;;) {
        int waiting = 0;
        for (int i = 0; i < n; i++) {
            if (clients[i].answered)
                continue;
            pfd[waiting].fd = clients[i].fd;
            pfd[waiting].events = POLLIN;
            pfd[waiting].revents = 0;
            waiting++;
        }
        double left = deadline - monotonic_ms();
        if (waiting == 0 || left <= 0)
            break;
        if (poll(pfd, (nfds_t)waiting, (int)left + 1) <= 0)
            continue;
        for (int i = 0, k = 0; i < n; i++) {
            struct client *c = &clients[i];
            if (c->answered)
                continue;
            short ev = pfd[k++].revents;
            if (!ev)
                continue;
            ssize_t got = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
            if (got <= 0) {
                c->answered = -1;
                continue;
            }
            c->len += (size_t)got;
            c->buf[c->len] = '\0';
            if (response_complete(c->buf, c->len)) {
                c->answered = strncmp(c->buf, "HTTP/1.1 200 ", 13) == 0 ? 1 : -1;
                done += c->answered == 1;
            }
        }
    }
    return done;
}

static int open_clients(const struct server *s, int n)
{
    for (int i = 0; i < n; i++) {
        clients[i].fd = raw_connect(s, NULL);
        if (clients[i].fd < 0) {
            for (int j = 0; j < i; j++)
                close(clients[j].fd);
            return -1;
        }
    }
    /* One round trip on each: every connection is accepted and idle when this returns. */
    send_all(n);
    return collect_all(n) == n ? 0 : -1;
}

static void close_clients(int n)
{
    for (int i = 0; i < n; i++)
        close(clients[i].fd);
}

/* Waits until the process is stopped (state T in /proc/PID/stat). */
static int wait_stopped(pid_t pid)
{
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 2000; i++) {
        FILE *f = fopen(path, "r");
        if (!f)
            return -1;
        size_t n = fread(line, 1, sizeof(line) - 1, f);
        fclose(f);
        line[n] = '\0';
        const char *p = strrchr(line, ')');
        if (p && p[1] == ' ' && p[2] == 'T')
            return 0;
        harness_sleep_ms(1);
    }
    return -1;
}

/* SIGSTOP, one request on each of n connections, SIGCONT: all n answered. */
static void ready_at_once(int n)
{
    struct server s;
    const char *args[] = {"--threads", "1", NULL};
    CHECK(server_start(&s, NULL, args) == 0, "the server did not start");
    if (s.pid <= 0)
        return;
    CHECK(open_clients(&s, n) == 0, "%d connections were not all set up", n);
    CHECK(kill(s.pid, SIGSTOP) == 0, "SIGSTOP: %s", strerror(errno));
    CHECK(wait_stopped(s.pid) == 0, "the server did not stop");
    send_all(n);
    /* Let the bytes reach the server's sockets before it runs again. */
    harness_sleep_ms(50);
    CHECK(kill(s.pid, SIGCONT) == 0, "SIGCONT: %s", strerror(errno));
    int answered = collect_all(n);
    if (answered != n)
        fprintf(stderr, "  %d ready connections on one worker: %d answered in %ld ms\n", n,
                answered, harness_bound(ANSWER_TIMEOUT_MS));
    CHECK_INT(answered, n);
    close_clients(n);
    CHECK(server_stop(&s) == 0, "the server did not exit cleanly");
}

/* n idle keep-alive connections send at once after each pause; every round answered. */
static void bursts(int n, int rounds, long pause_ms)
{
    struct server s;
    CHECK(server_start(&s, NULL, NULL) == 0, "the server did not start");
    if (s.pid <= 0)
        return;
    CHECK(open_clients(&s, n) == 0, "%d connections were not all set up", n);
    for (int r = 0; r < rounds; r++) {
        harness_sleep_ms(pause_ms);
        send_all(n);
        int answered = collect_all(n);
        if (answered != n)
            fprintf(stderr, "  burst of %d, round %d: %d answered\n", n, r + 1, answered);
        CHECK_INT(answered, n);
    }
    close_clients(n);
    CHECK(server_stop(&s) == 0, "the server did not exit cleanly");
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    ready_at_once(127);
    ready_at_once(128);
    ready_at_once(129);
    ready_at_once(256);
    bursts(128, 5, 200);
    bursts(512, 5, 200);
    return test_report();
}
