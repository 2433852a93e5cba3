/*
 * Route matching: a linear scan of the static table. There are a few dozen routes;
 * a scan costs well under a microsecond and keeps the table readable.
 */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

/* Matches one pattern against a path as sent; fills params (decoded) on success. A
 * segment is compared, and captured, once percent-decoded: "%69ngest" is "ingest", and
 * "a%2Fb" is one segment, never two (and matches no pattern). */
static int match(const char *pattern, const char *path, char params[][ROUTE_SEGMENT_MAX],
                 int *n_params)
{
    int n = 0;
    const char *p = pattern, *s = path;
    /* A decoded byte takes at most three bytes as sent ("%XX"): a raw segment this long
     * or longer decodes to ROUTE_SEGMENT_MAX bytes or more, which no route takes. */
    char seg[3 * ROUTE_SEGMENT_MAX];
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return 0;
        p++;
        s++;
        const char *pe = strchr(p, '/'), *se = strchr(s, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        size_t sl = se ? (size_t)(se - s) : strlen(s);
        if (sl >= sizeof(seg))
            return 0;
        size_t dl = text_url_decode(seg, s, sl);
        if (dl >= ROUTE_SEGMENT_MAX)
            return 0;
        if (pl == 2 && p[0] == '{' && p[1] == '}') {
            /* An encoded '/' names no tenant, mapping or rule: no route, as before
             * routing saw the decoded path. */
            if (dl == 0 || n >= ROUTE_PARAMS_MAX || memchr(seg, '/', dl))
                return 0;
            memcpy(params[n], seg, dl + 1);
            n++;
        } else if (pl != dl || memcmp(p, seg, pl) != 0) {
            return 0;
        }
        p += pl;
        s += sl;
    }
    if (*p || *s)
        return 0;
    *n_params = n;
    return 1;
}

const struct route *router_match(const char *method, const char *path, struct http_request *req,
                                 char *allow, size_t allow_size)
{
    allow[0] = '\0';
    size_t used = 0;
    char params[ROUTE_PARAMS_MAX][ROUTE_SEGMENT_MAX];
    for (const struct route *r = routes; r->pattern; r++) {
        int n = 0;
        if (!match(r->pattern, path, params, &n))
            continue;
        if (strcmp(r->method, method) == 0) {
            memcpy(req->params, params, sizeof(params));
            req->n_params = n;
            req->endpoint = r->endpoint;
            req->route = r;
            return r;
        }
        if (!strstr(allow, r->method)) {
            int w = snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "", r->method);
            if (w > 0 && (size_t)w < allow_size - used)
                used += (size_t)w;
        }
    }
    return NULL;
}
