/*
 * HTTP framing the server answers itself (regression): two Content-Length headers that
 * disagree get 400 bad_framing and a closed connection, so that bytes past the first
 * length can never be read as a second request (before, the first length was used and
 * the rest was served as the next request on the connection). Two equal ones are one.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

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
    size_t len = 0;
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
    close(fd);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
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
    CHECK_INT(server_stop(&s), 0);
    return test_report();
}
