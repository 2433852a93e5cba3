/*
 * Fuzz target: router_match on an arbitrary method and path (the input's first line
 * is the method, the rest the path). A match must be a route of that method (HEAD takes
 * GET's) whose
 * captured segments are non-empty, bounded, free of '/' and segments of the path
 * percent-decoded; a miss leaves an Allow list that fits its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when param is one of path's segments, percent-decoded (the router captures
 * segments decoded: "/_mock/tenants/ac%6De" has the tenant "acme"). */
static int is_decoded_segment(const char *path, const char *param)
{
    char seg[3 * ROUTE_SEGMENT_MAX];
    for (const char *s = path; *s;) {
        size_t n = strcspn(s, "/");
        if (n < sizeof(seg)) {
            text_url_decode(seg, s, n);
            if (strcmp(seg, param) == 0)
                return 1;
        }
        s += n;
        if (*s == '/')
            s++;
    }
    return 0;
}

static void check_match(const char *method, const char *path, size_t allow_size)
{
    struct http_request req;
    memset(&req, 0, sizeof(req));
    char *allow = malloc(allow_size);
    if (!allow)
        return;
    const struct route *r = router_match(method, path, &req, allow, allow_size);
    if (strlen(allow) >= allow_size)
        abort();
    if (r) {
        const char *asked = strcmp(method, "HEAD") == 0 ? "GET" : method;
        if (strcmp(r->method, asked) != 0 || req.endpoint != r->endpoint)
            abort();
        if (req.n_params < 0 || req.n_params > ROUTE_PARAMS_MAX)
            abort();
        for (int i = 0; i < req.n_params; i++) {
            size_t n = strnlen(req.params[i], ROUTE_SEGMENT_MAX);
            if (n == 0 || n >= ROUTE_SEGMENT_MAX || strchr(req.params[i], '/'))
                abort();
            if (!is_decoded_segment(path, req.params[i]))
                abort();
        }
    } else if (allow[0] && allow_size > 64) {
        /* Every method listed is a route method (or HEAD, beside GET), and not the one
         * asked for. */
        for (const char *m = allow; *m;) {
            size_t len = strcspn(m, ",");
            int known = 0;
            for (const struct route *x = routes; x->pattern; x++)
                known |= (strlen(x->method) == len && memcmp(x->method, m, len) == 0) ||
                         (len == 4 && memcmp(m, "HEAD", 4) == 0 && strcmp(x->method, "GET") == 0);
            if (!known || (strlen(method) == len && memcmp(method, m, len) == 0))
                abort();
            m += len;
            if (*m == ',')
                m += 2;
        }
    }
    free(allow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    char *nl = memchr(text, '\n', size);
    const char *method = "GET", *path = text;
    if (nl) {
        *nl = '\0';
        method = text;
        path = nl + 1;
    }
    check_match(method, path, 128);
    check_match(method, path, 1);
    check_match(method, path, 6);
    free(text);
    return 0;
}
