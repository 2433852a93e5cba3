/*
 * HTTP framing the server answers itself (regressions, each failed before its fix):
 *   - two Content-Length headers that disagree: 400 bad_framing and a closed
 *     connection, so that bytes past the first length can never be read as a second
 *     request (before, the rest was served as the next request). Two equal ones are one;
 *   - Content-Length beside Transfer-Encoding: 400 bad_framing, closed (before, the
 *     chunked reading won and the connection went on);
 *   - a Transfer-Encoding other than chunked alone: 501 at once (before, no answer
 *     until the 120 s idle timeout);
 *   - Expect: 100-continue with a body over the limit: 413 at once, no 100 (before,
 *     100 Continue, then the 2 MB were read, then 413);
 *   - a chunked body over the limit: 413 after the end when it ends within 16 MiB,
 *     else cut as it passes 16 MiB (before, read to its end, however long);
 *   - HEAD on a GET route: the GET answer without its body (before, 405);
 *   - headers over 32 KiB: 431 headers_too_large in our envelope (before, served up to
 *     the 64 KiB of the connection's memory, then libmicrohttpd's HTML 431).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

/* Reads from fd into out until the server closes or 5 s pass without a byte. */
static void read_all(int fd, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0)
            break;
        ssize_t got = recv(fd, out + len, size - 1 - len, 0);
        if (got <= 0)
            break;
        len += (size_t)got;
        out[len] = '\0';
    }
}

/* Sends req on a new connection and reads until the server closes it or 5 s pass. */
static void exchange(const struct server *s, const char *req, char *out, size_t size)
{
    out[0] = '\0';
    int fd = raw_connect(s, NULL);
    if (fd < 0) {
        CHECK(0, "connect");
        return;
    }
    CHECK(send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req), "send");
    read_all(fd, out, size);
    close(fd);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* Sends a chunked body of total bytes (64 KiB chunks) after head; returns the bytes
 * the server took before it stopped reading (send failed or blocked for 5 s), and the
 * answer read then in out. */
static size_t send_chunked(const struct server *s, const char *head, size_t total, char *out,
                           size_t size)
{
    out[0] = '\0';
    int fd = raw_connect(s, NULL);
    if (fd < 0) {
        CHECK(0, "connect");
        return 0;
    }
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    send(fd, head, strlen(head), MSG_NOSIGNAL);
    static char chunk[65536 + 16];
    size_t n = (size_t)snprintf(chunk, sizeof(chunk), "10000\r\n");
    memset(chunk + n, 'x', 65536);
    memcpy(chunk + n + 65536, "\r\n", 2);
    size_t chunk_len = n + 65536 + 2;
    size_t sent = 0;
    for (; sent < total; sent += 65536) {
        if (send(fd, chunk, chunk_len, MSG_NOSIGNAL) != (ssize_t)chunk_len)
            break;
    }
    if (sent >= total)
        send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
    read_all(fd, out, size);
    close(fd);
    return sent;
}

static void test_codings(const struct server *s)
{
    char out[8192];
    /* Content-Length and Transfer-Encoding: the chunked body is 7 bytes, and a whole
     * request follows it. */
    exchange(s,
             "POST /_mock/clock HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
             "Transfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\n"
             "GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n",
             out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 400 ", 13) == 0, "length and coding: %.60s", out);
    CHECK(strstr(out, "{\"code\":400,\"error_code\":\"bad_framing\",\"message\":\"Content-Length "
                      "and Transfer-Encoding are both given; the connection closes\"}"),
          "body: %s", out);
    CHECK(strstr(out, "\r\nConnection: close\r\n") != NULL, "Connection: close: %s", out);
    CHECK_INT(count(out, "HTTP/1.1 "), 1);

    /* A coding the server cannot undo: answered at once, not at the idle timeout. */
    double t0 = monotonic_ms();
    exchange(s,
             "POST /_mock/clock HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
             "7\r\n{\"a\":1}\r\n",
             out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 501 ", 13) == 0, "gzip, chunked: %.60s", out);
    CHECK(strstr(out, "{\"code\":501,\"error_code\":\"unsupported_transfer_encoding\","
                      "\"message\":\"Transfer-Encoding \\\"gzip, chunked\\\" is not supported, "
                      "only \\\"chunked\\\" alone; the connection closes\"}"),
          "body: %s", out);
    CHECK(monotonic_ms() - t0 < 4000, "answered at once (%.0f ms)", monotonic_ms() - t0);
    /* Two codings in two headers are two codings. */
    exchange(s,
             "POST /_mock/clock HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
             "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 501 ", 13) == 0, "two codings: %.60s", out);
    /* Chunked alone, any case, is read as usual. */
    exchange(s,
             "POST /_mock/clock HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n"
             "Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
             out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 409 ", 13) == 0, "chunked alone (real clock: 409): %.60s", out);
}

static void test_limits(const struct server *s)
{
    char out[8192];
    /* Expect: 100-continue and a body over the limit: 413 before any 100. */
    exchange(s,
             "POST /_mock/clock HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n"
             "Expect: 100-continue\r\n\r\n",
             out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 413 ", 13) == 0, "expect, too large: %.60s", out);
    CHECK(strstr(out, "100 Continue") == NULL, "no 100: %.80s", out);
    CHECK(strstr(out, "\"error_code\":\"body_too_large\"") != NULL, "body: %s", out);
    /* ... a body within it still gets its 100 and is served. */
    exchange(s,
             "POST /_mock/clock HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
             "Expect: 100-continue\r\nConnection: close\r\n\r\n{}",
             out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 409 ", 38) == 0,
          "expect, small: %.80s", out);

    /* Chunked, 2 MiB: drained, then 413. */
    const char *head =
        "POST /_mock/clock HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    size_t took = send_chunked(s, head, 2u << 20, out, sizeof(out));
    CHECK(took == 2u << 20, "2 MiB taken whole (%zu)", took);
    CHECK(strncmp(out, "HTTP/1.1 413 ", 13) == 0, "chunked 2 MiB: %.60s", out);
    /* Chunked, 48 MiB: the server stops reading past 16 MiB (and some socket buffer). */
    took = send_chunked(s, head, 48u << 20, out, sizeof(out));
    CHECK(took < 24u << 20, "48 MiB chunked: the server took %zu bytes before it cut", took);
}

static void test_headers(const struct server *s)
{
    static char req[48 * 1024];
    char out[8192];
    int n = snprintf(req, sizeof(req), "GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + n, 'a', 40 * 1024);
    snprintf(req + n + 40 * 1024, sizeof(req) - (size_t)n - 40 * 1024, "\r\n\r\n");
    exchange(s, req, out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 431 ", 13) == 0, "40 KiB of headers: %.60s", out);
    CHECK(strstr(out, "{\"code\":431,\"error_code\":\"headers_too_large\",\"message\":\"the "
                      "request headers are larger than 32768 bytes\"}"),
          "body: %s", out);
    /* 30 KiB are served. */
    n = snprintf(req, sizeof(req), "GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + n, 'a', 30 * 1024);
    snprintf(req + n + 30 * 1024, sizeof(req) - (size_t)n - 30 * 1024,
             "\r\nConnection: close\r\n\r\n");
    exchange(s, req, out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 200 ", 13) == 0, "30 KiB of headers: %.60s", out);
}

static void test_head(const struct server *s)
{
    char out[8192], get[8192];
    exchange(s, "GET /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", get,
             sizeof(get));
    exchange(s, "HEAD /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out,
             sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 200 ", 13) == 0, "HEAD: %.60s", out);
    const char *end = strstr(out, "\r\n\r\n");
    CHECK(end && end[4] == '\0', "HEAD has no body: %s", out);
    const char *gl = strstr(get, "Content-Length: "), *hl = strstr(out, "Content-Length: ");
    CHECK(gl && hl && strtol(gl + 16, NULL, 10) == strtol(hl + 16, NULL, 10) &&
              strtol(hl + 16, NULL, 10) > 0,
          "HEAD's Content-Length is GET's: %s / %s", out, get);
    /* HEAD on a path with no GET is still 405, and says what is allowed. */
    exchange(s, "HEAD /_mock/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out,
             sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 405 ", 13) == 0, "HEAD on a POST route: %.60s", out);
    CHECK(strstr(out, "\r\nAllow: POST\r\n") != NULL, "Allow: %s", out);
}

int main(void)
{
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    char out[8192];
    /* 7 bytes by the first length, 16 by the second: the tail is a whole request. */
    exchange(&s,
             "POST /_mock/clock HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n"
             "Content-Length: 16\r\n\r\n{\"a\":1}GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n",
             out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 400 ", 13) == 0, "answer: %.60s", out);
    CHECK(strstr(out, "{\"code\":400,\"error_code\":\"bad_framing\",\"message\":\"Content-Length "
                      "is given twice with different values; the connection closes\"}"),
          "body: %s", out);
    CHECK(strstr(out, "\r\nConnection: close\r\n") != NULL, "Connection: close: %s", out);
    CHECK_INT(count(out, "HTTP/1.1 "), 1);
    /* Equal lengths are one length: served as usual. */
    exchange(&s,
             "GET /_mock/health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n"
             "Connection: close\r\n\r\n",
             out, sizeof(out));
    CHECK(strncmp(out, "HTTP/1.1 200 ", 13) == 0, "equal lengths: %.60s", out);
    test_codings(&s);
    test_limits(&s);
    test_head(&s);
    test_headers(&s);
    CHECK_INT(server_stop(&s), 0);
    return test_report();
}
