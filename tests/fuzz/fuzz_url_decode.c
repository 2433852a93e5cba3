/*
 * Fuzz target: the one percent-decoder (text.c), which decodes every path, query and
 * route segment a client sends, and the router on the path both as sent and decoded.
 * Invariants of text_url_decode over n bytes: the output is NUL-terminated, no longer
 * than n and no shorter than n / 3 (an escape is three bytes for one), holds exactly
 * as many NUL bytes as the input did raw (%00 becomes 0x7f, never NUL), equals the
 * input when there is no '%', and is the same decoded in place. Invariants of
 * router_match, for every method of the table: a match is a route of that method
 * whose pattern has as many segments as the path, each literal equal to its segment
 * decoded and each "{}" captured as that decoded segment: non-empty, without '/',
 * shorter than ROUTE_SEGMENT_MAX. A miss leaves an Allow list that fits its buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_url_decode: " __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

static size_t count_nul(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\0';
    return k;
}

/* Decodes src[0..n) into a new heap string of exactly n + 1 bytes, checking the
 * decoder's invariants; *len is the decoded length. */
static char *decode_checked(const char *src, size_t n, size_t *len)
{
    char *out = malloc(n + 1);
    char *inplace = malloc(n + 1);
    if (!out || !inplace)
        abort();
    *len = text_url_decode(out, src, n);
    if (*len > n || *len < (n + 2) / 3 || out[*len] != '\0')
        FAIL("%zu bytes decoded to %zu", n, *len);
    if (count_nul(out, *len) != count_nul(src, n))
        FAIL("decoding made or lost a NUL byte");
    if (!memchr(src, '%', n) && (*len != n || memcmp(out, src, n) != 0))
        FAIL("text without '%%' changed when decoded");
    if (n)
        memcpy(inplace, src, n);
    if (text_url_decode(inplace, inplace, n) != *len || memcmp(inplace, out, *len + 1) != 0)
        FAIL("decoding in place gave another result");
    free(inplace);
    return out;
}

/* The length of the segment at s (up to the next '/' or the end). */
static size_t seg_len(const char *s)
{
    const char *e = strchr(s, '/');
    return e ? (size_t)(e - s) : strlen(s);
}

/* Walks pattern and path side by side, as a match must allow. */
static void check_route(const struct route *r, const char *path, const struct http_request *req)
{
    const char *p = r->pattern, *s = path;
    int k = 0;
    while (*p || *s) {
        if (*p != '/' || *s != '/')
            FAIL("%s matched %s, which has another number of segments", path, r->pattern);
        p++;
        s++;
        size_t pl = seg_len(p), sl = seg_len(s), dl;
        char *seg = decode_checked(s, sl, &dl);
        if (pl == 2 && p[0] == '{' && p[1] == '}') {
            if (k >= req->n_params || strcmp(req->params[k], seg) != 0)
                FAIL("%s: parameter %d is not the decoded segment \"%s\"", path, k, seg);
            k++;
        } else if (pl != dl || memcmp(p, seg, pl) != 0) {
            FAIL("%s matched %s, but \"%s\" is not \"%.*s\"", path, r->pattern, seg, (int)pl, p);
        }
        free(seg);
        p += pl;
        s += sl;
    }
    if (k != req->n_params)
        FAIL("%s: %d parameters filled for %d captures", path, req->n_params, k);
}

static void check_match(const char *method, const char *path, size_t allow_size)
{
    struct http_request req;
    memset(&req, 0, sizeof(req));
    char *allow = malloc(allow_size);
    if (!allow)
        abort();
    const struct route *r = router_match(method, path, &req, allow, allow_size);
    if (strnlen(allow, allow_size) >= allow_size)
        FAIL("the Allow list overran its %zu bytes", allow_size);
    if (r) {
        if (strcmp(r->method, method) != 0 || req.route != r || req.endpoint != r->endpoint)
            FAIL("%s %s matched %s %s", method, path, r->method, r->pattern);
        if (req.n_params < 0 || req.n_params > ROUTE_PARAMS_MAX)
            FAIL("%d parameters", req.n_params);
        for (int i = 0; i < req.n_params; i++) {
            size_t n = strnlen(req.params[i], ROUTE_SEGMENT_MAX);
            if (n == 0 || n >= ROUTE_SEGMENT_MAX || memchr(req.params[i], '/', n))
                FAIL("%s: parameter %d is empty, too long or holds '/'", path, i);
        }
        check_route(r, path, &req);
    }
    free(allow);
}

/* The distinct methods of the route table, found once. */
static const char *methods[16];
static int n_methods;

static void find_methods(void)
{
    if (n_methods)
        return;
    for (const struct route *r = routes; r->pattern; r++) {
        int seen = 0;
        for (int i = 0; i < n_methods; i++)
            seen |= strcmp(methods[i], r->method) == 0;
        if (!seen && n_methods < (int)(sizeof(methods) / sizeof(methods[0])))
            methods[n_methods++] = r->method;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    find_methods();
    /* Exactly size bytes of heap, so ASan sees a read past the end. */
    char *src = malloc(size ? size : 1);
    if (!src)
        return 0;
    if (size)
        memcpy(src, data, size);
    else
        src[0] = '\0'; /* never read (size 0), but initialized for the compiler's sake */
    size_t len;
    char *decoded = decode_checked(src, size, &len);

    /* Paths reach the router as C strings: the bytes up to the first NUL. */
    char *raw = malloc(size + 1);
    if (!raw)
        abort();
    if (size)
        memcpy(raw, data, size);
    raw[size] = '\0';
    for (int i = 0; i < n_methods; i++) {
        check_match(methods[i], raw, 128);
        check_match(methods[i], decoded, 128);
    }
    check_match(methods[0], raw, 1);
    check_match(methods[0], decoded, 6);
    free(raw);
    free(decoded);
    free(src);
    return 0;
}
