/*
 * The request deadline (--request-timeout) and the idle timeout (--idle-timeout)
 * (regression: before, a client sending a byte now and then held its connection
 * forever, as each byte restarted the 120 s idle timeout):
 *   - a request still incomplete S seconds after its first byte, in its head or its
 *     body, is answered 408 request_timeout and its connection closed; the request is
 *     never run (a trigger cut so creates nothing);
 *   - an idle connection (no byte of a next request) is left to the idle timeout,
 *     which closes it without an answer; the deadline runs from the first byte of each
 *     request, not from the connection's start;
 *   - --request-timeout 0 turns the deadline off.
 * Timings are loose (the deadline is checked four times a second).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define EXPECT_408                                                                                 \
    "{\"code\":408,\"error_code\":\"request_timeout\",\"message\":\"the request did not "          \
    "arrive whole within 1 s of its first byte (--request-timeout); the connection closes\"}"

/* Reads what the server sends on fd until it closes or wait_ms pass; returns the bytes
 * read (into out, NUL-terminated) and sets *closed when the server closed. */
static size_t read_until_close(int fd, char *out, size_t size, int wait_ms, int *closed)
{
    size_t len = 0;
    out[0] = '\0';
    *closed = 0;
    double end = monotonic_ms() + wait_ms;
    for (;;) {
        int left = (int)(end - monotonic_ms());
        if (left <= 0)
            break;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, left) <= 0)
            break;
        ssize_t got = recv(fd, out + len, size - 1 - len, 0);
        if (got <= 0) {
            *closed = 1;
            break;
        }
        len += (size_t)got;
        out[len] = '\0';
    }
    return len;
}

/* Sends head at once, then tail one byte every 300 ms, never the last byte, until the
 * server answers or closes; returns the answer and how long after the first byte it
 * came. */
static double drip(const struct server *s, const char *head, const char *tail, char *out,
                   size_t size, int *closed)
{
    int fd = raw_connect(s, NULL);
    if (fd < 0) {
        CHECK(0, "connect");
        return 0;
    }
    double t0 = monotonic_ms();
    send(fd, head, strlen(head), MSG_NOSIGNAL);
    size_t len = 0;
    out[0] = '\0';
    *closed = 0;
    for (size_t i = 0; i + 1 < strlen(tail) && monotonic_ms() - t0 < 6000; i++) {
        send(fd, tail + i, 1, MSG_NOSIGNAL);
        len = read_until_close(fd, out, size, 300, closed);
        if (len || *closed)
            break;
    }
    double took = monotonic_ms() - t0;
    if (len && !*closed) {
        char rest[4096];
        int c2;
        size_t more = read_until_close(fd, rest, sizeof(rest), 2000, &c2);
        if (len + more < size)
            memcpy(out + len, rest, more + 1);
        *closed = c2;
    }
    close(fd);
    return took;
}

static void check_408(const char *what, const char *out, int closed, double took)
{
    CHECK(strncmp(out, "HTTP/1.1 408 Request Timeout\r\n", 30) == 0, "%s: %.60s", what, out);
    const char *body = strstr(out, "\r\n\r\n");
    CHECK(body && strcmp(body + 4, EXPECT_408) == 0, "%s: body %s", what, body ? body + 4 : out);
    CHECK(strstr(out, "\r\nConnection: close\r\n") != NULL, "%s: Connection: close", what);
    CHECK(strstr(out, "\r\nContent-Type: application/json;charset=utf-8\r\n") != NULL,
          "%s: Content-Type", what);
    CHECK(closed, "%s: the connection is closed after the 408", what);
    CHECK(took >= 900 && took < 3000, "%s: answered %.0f ms after the first byte", what, took);
}

static const char *const TRIGGER_HEAD =
    "POST /acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest HTTP/1.1\r\nHost: x\r\n";

static void test_deadline(void)
{
    struct server s;
    const char *args[] = {"--request-timeout", "1", "--idle-timeout", "3", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char out[8192];
    int closed;
    /* The head, dripped. */
    double took = drip(&s, "G", "ET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaa",
                       out, sizeof(out), &closed);
    check_408("head", out, closed, took);
    /* The body of a trigger, dripped: answered 408 and never run. */
    char head[512];
    snprintf(head, sizeof(head),
             "%sAuthorization: Bearer t\r\nX-Api-Key: k\r\nContent-Length: 20\r\n\r\n",
             TRIGGER_HEAD);
    took = drip(&s, head, "{\"a\":\"bbbbbbbbbbbb\"}", out, sizeof(out), &closed);
    check_408("body", out, closed, took);
    struct response r;
    trigger(&r, &s, "acme", "XDM44");
    CHECK(body_request_id(r.body) == 3520,
          "the cut trigger created nothing: the next id is 3520: %s", r.body);
    response_free(&r);

    /* An idle connection outlives the deadline, and a request on it later is served:
     * the deadline runs from a request's first byte. */
    int fd = raw_connect(&s, NULL);
    CHECK(fd >= 0, "connect");
    size_t len = read_until_close(fd, out, sizeof(out), 1800, &closed);
    CHECK(len == 0 && !closed, "idle 1.8 s: still open, nothing sent (%zu bytes, closed %d)", len,
          closed);
    const char *get = "GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n";
    send(fd, get, strlen(get), MSG_NOSIGNAL);
    len = read_until_close(fd, out, sizeof(out), 500, &closed);
    CHECK(strncmp(out, "HTTP/1.1 200 ", 13) == 0 && !closed, "served after idling: %.60s", out);
    /* Again after another idle second and a half: the deadline starts over per request. */
    len = read_until_close(fd, out, sizeof(out), 1500, &closed);
    CHECK(len == 0 && !closed, "idle again: still open");
    send(fd, get, strlen(get), MSG_NOSIGNAL);
    len = read_until_close(fd, out, sizeof(out), 500, &closed);
    CHECK(strncmp(out, "HTTP/1.1 200 ", 13) == 0, "second request served: %.60s", out);
    /* The idle timeout (3 s) closes it, without an answer. */
    double t0 = monotonic_ms();
    len = read_until_close(fd, out, sizeof(out), 6000, &closed);
    CHECK(closed && len == 0, "idle timeout: closed without an answer (%zu bytes)", len);
    CHECK(monotonic_ms() - t0 >= 2500 && monotonic_ms() - t0 < 5500,
          "closed by the idle timeout after %.0f ms", monotonic_ms() - t0);
    close(fd);

    /* The cut requests left no journal entry: only the calls that were answered. */
    r = mock_call(&s, "GET", "/_mock/journal?limit=50", NULL);
    CHECK(r.status == 200 && strstr(r.body, "X-Slow") == NULL && strstr(r.body, "bbbb") == NULL,
          "no journal entry of a cut request: %.200s", r.body);
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

static void test_no_deadline(void)
{
    struct server s;
    const char *args[] = {"--request-timeout", "0", NULL};
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    int fd = raw_connect(&s, NULL);
    const char *req = "GET /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    char out[4096];
    int closed = 0;
    size_t n = strlen(req);
    double t0 = monotonic_ms();
    for (size_t i = 0; i < n; i++) {
        send(fd, req + i, 1, MSG_NOSIGNAL);
        if (i + 1 < n && monotonic_ms() - t0 < 1600)
            harness_sleep_ms(100);
    }
    read_until_close(fd, out, sizeof(out), 3000, &closed);
    CHECK(strncmp(out, "HTTP/1.1 200 ", 13) == 0,
          "no deadline: a request sent over %.0f ms is served: %.60s", monotonic_ms() - t0, out);
    close(fd);
    CHECK_INT(server_stop(&s), 0);
}

int main(void)
{
    test_deadline();
    test_no_deadline();
    return test_report();
}
