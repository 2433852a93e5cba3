/*
 * Route matching: the path is split and decoded once, then a linear scan of the
 * static table. There are a few dozen routes; a scan costs well under a microsecond
 * and keeps the table readable.
 */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

/* Paths with more segments than this match no route (the longest pattern has 7). */
#define PATH_SEGMENTS_MAX 12

/* A path as sent, split at '/' once and each segment percent-decoded: "%69ngest" is
 * "ingest", and "a%2Fb" is one segment, never two. */
struct segments {
    int n;
    size_t len[PATH_SEGMENTS_MAX]; /* ROUTE_SEGMENT_MAX or more: too long for any route */
    char text[PATH_SEGMENTS_MAX][ROUTE_SEGMENT_MAX];
};

/* 0, or -1 when the path cannot match any route (no leading '/', too many segments). */
static int split(struct segments *sg, const char *path)
{
    /* A decoded byte takes at most three bytes as sent ("%XX"): a raw segment this long
     * or longer decodes to ROUTE_SEGMENT_MAX bytes or more. */
    char wide[3 * ROUTE_SEGMENT_MAX];
    sg->n = 0;
    if (*path != '/')
        return -1;
    const char *s = path;
    while (*s == '/') {
        if (sg->n == PATH_SEGMENTS_MAX)
            return -1;
        s++;
        size_t raw = strcspn(s, "/");
        size_t *len = &sg->len[sg->n];
        if (raw >= sizeof(wide)) {
            *len = ROUTE_SEGMENT_MAX;
        } else {
            *len = text_url_decode(wide, s, raw);
            if (*len < ROUTE_SEGMENT_MAX)
                memcpy(sg->text[sg->n], wide, *len + 1);
        }
        sg->n++;
        s += raw;
    }
    return 0;
}

/* Matches one pattern against the split path; on success the captured (decoded)
 * segments are written to params. An encoded '/' names no tenant, mapping or rule: a
 * parameter holding one matches nothing, as when routing saw the decoded path. */
static int match(const char *pattern, const struct segments *sg, char params[][ROUTE_SEGMENT_MAX],
                 int *n_params)
{
    int n = 0, i = 0;
    const char *p = pattern;
    while (*p == '/') {
        p++;
        size_t pl = strcspn(p, "/");
        if (i == sg->n || sg->len[i] >= ROUTE_SEGMENT_MAX)
            return 0;
        const char *seg = sg->text[i];
        size_t dl = sg->len[i];
        if (pl == 2 && p[0] == '{' && p[1] == '}') {
            if (dl == 0 || n >= ROUTE_PARAMS_MAX || memchr(seg, '/', dl))
                return 0;
            n++;
        } else if (pl != dl || memcmp(p, seg, pl) != 0) {
            return 0;
        }
        p += pl;
        i++;
    }
    if (*p || i != sg->n)
        return 0;
    /* Matched: copy the parameters, in order. */
    n = 0;
    i = 0;
    for (p = pattern; *p == '/'; i++) {
        p++;
        size_t pl = strcspn(p, "/");
        if (pl == 2 && p[0] == '{' && p[1] == '}') {
            memcpy(params[n], sg->text[i], sg->len[i] + 1);
            n++;
        }
        p += pl;
    }
    *n_params = n;
    return 1;
}

const struct route *router_match(const char *method, const char *path, struct http_request *req,
                                 char *allow, size_t allow_size)
{
    allow[0] = '\0';
    size_t used = 0;
    struct segments sg;
    if (split(&sg, path) < 0)
        return NULL;
    for (const struct route *r = routes; r->pattern; r++) {
        int n = 0;
        int same_method = strcmp(r->method, method) == 0 ||
                          (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
        /* The parameters are written only for the route that is taken. */
        char scratch[ROUTE_PARAMS_MAX][ROUTE_SEGMENT_MAX];
        if (!match(r->pattern, &sg, same_method ? req->params : scratch, &n))
            continue;
        if (same_method) {
            req->n_params = n;
            req->endpoint = r->endpoint;
            req->route = r;
            return r;
        }
        if (!strstr(allow, r->method)) {
            int get = strcmp(r->method, "GET") == 0;
            int w = snprintf(allow + used, allow_size - used, "%s%s%s", used ? ", " : "", r->method,
                             get ? ", HEAD" : "");
            if (w > 0 && (size_t)w < allow_size - used)
                used += (size_t)w;
        }
    }
    return NULL;
}
