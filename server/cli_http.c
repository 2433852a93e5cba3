/* Finding the server and one GET to it (see cli_http.h). */
#include "cli_http.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* A report of a full journal is a few hundred KiB; a body past this is not ours. */
#define CLI_BODY_MAX (64u * 1024 * 1024)

int cli_target(const struct config *cfg, const char *cmd, char *host, size_t host_size, char *port,
               size_t port_size)
{
    snprintf(host, host_size, "%s", strcmp(cfg->host, "0.0.0.0") == 0 ? "127.0.0.1" : cfg->host);
    snprintf(port, port_size, "%d", cfg->port);
    if (cfg->n_args == 0 && cfg->port_file) {
        /* The port the server wrote, whatever its --port said (the Docker health check:
         * CAMPAIGN_MOCK_PORT_FILE is set in the image). */
        FILE *f = fopen(cfg->port_file, "r");
        int p = 0;
        if (!f || fscanf(f, "%d", &p) != 1 || p <= 0 || p > 65535) {
            fprintf(stderr, "campaign-mock %s: no port in --port-file %s%s%s\n", cmd,
                    cfg->port_file, f ? "" : ": ", f ? "" : strerror(errno));
            if (f)
                fclose(f);
            return 1;
        }
        fclose(f);
        snprintf(port, port_size, "%d", p);
    }
    if (cfg->n_args == 0)
        return 0;
    const char *url = cfg->args[0];
    if (strncmp(url, "http://", 7) != 0) {
        fprintf(stderr, "campaign-mock %s: only http:// URLs\n", cmd);
        return 2;
    }
    const char *h = url + 7, *end = h + strcspn(h, "/");
    const char *colon = NULL;
    if (*h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        if (!close) {
            fprintf(stderr, "campaign-mock %s: bad URL\n", cmd);
            return 2;
        }
        snprintf(host, host_size, "%.*s", (int)(close - h - 1), h + 1);
        colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        snprintf(host, host_size, "%.*s", (int)((colon ? colon : end) - h), h);
    }
    snprintf(port, port_size, "%.*s", colon ? (int)(end - colon - 1) : 2, colon ? colon + 1 : "80");
    return 0;
}

int cli_get(const char *cmd, const char *host, const char *port, const char *path,
            const char *admin_token, int timeout_s, int *status, char **body)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0) {
        fprintf(stderr, "campaign-mock %s: cannot resolve %s\n", cmd, host);
        return 1;
    }
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    struct timeval tv = {timeout_s, 0};
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    }
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
        fprintf(stderr, "campaign-mock %s: cannot connect to %s:%s: %s\n", cmd, host, port,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return 1;
    }
    freeaddrinfo(res);
    char req[1536];
    int n =
        snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n%s%s%s\r\n",
                 path, host, admin_token ? "X-Mock-Admin-Token: " : "",
                 admin_token ? admin_token : "", admin_token ? "\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof(req) || send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        fprintf(stderr, "campaign-mock %s: cannot send to %s:%s\n", cmd, host, port);
        close(fd);
        return 1;
    }
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    ssize_t got = 0;
    while (buf && (got = recv(fd, buf + len, cap - len - 1, 0)) > 0) {
        len += (size_t)got;
        if (len + 1 == cap) {
            char *grown = cap < CLI_BODY_MAX ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    close(fd);
    if (!buf || got < 0) {
        fprintf(stderr, "campaign-mock %s: no whole answer from %s:%s%s%s\n", cmd, host, port,
                got < 0 ? ": " : "", got < 0 ? strerror(errno) : "");
        free(buf);
        return 1;
    }
    buf[len] = '\0';
    char *head_end = strstr(buf, "\r\n\r\n");
    if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || !head_end) {
        fprintf(stderr, "campaign-mock %s: no HTTP answer from %s:%s\n", cmd, host, port);
        free(buf);
        return 1;
    }
    *status = atoi(buf + 9);
    size_t body_len = len - (size_t)(head_end + 4 - buf);
    memmove(buf, head_end + 4, body_len + 1);
    *body = buf;
    return 0;
}
