/*
 * Route matching: a linear scan of the static table. There are a few dozen routes;
 * a scan costs well under a microsecond and keeps the table readable.
 */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

/* Matches one pattern; fills params on success. */
static int match(const char *pattern, const char *path, char params[][ROUTE_SEGMENT_MAX],
                 int *n_params)
{
    int n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return 0;
        p++;
        s++;
        const char *pe = strchr(p, '/'), *se = strchr(s, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        size_t sl = se ? (size_t)(se - s) : strlen(s);
        if (pl == 2 && p[0] == '{' && p[1] == '}') {
            if (sl == 0 || sl >= ROUTE_SEGMENT_MAX || n >= ROUTE_PARAMS_MAX)
                return 0;
            memcpy(params[n], s, sl);
            params[n][sl] = '\0';
            n++;
        } else if (pl != sl || memcmp(p, s, pl) != 0) {
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
