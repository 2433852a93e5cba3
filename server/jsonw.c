/*
 * Implementation of the exact-bytes JSON writer.
 */
#include "jsonw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonw_init(struct jsonw *w)
{
    memset(w, 0, sizeof(*w));
}

void jsonw_free(struct jsonw *w)
{
    free(w->buf);
    memset(w, 0, sizeof(*w));
}

static int reserve(struct jsonw *w, size_t extra)
{
    if (w->failed)
        return -1;
    if (w->len + extra + 1 <= w->cap)
        return 0;
    size_t cap = w->cap ? w->cap : 128;
    while (cap < w->len + extra + 1)
        cap *= 2;
    char *p = realloc(w->buf, cap);
    if (!p) {
        w->failed = 1;
        return -1;
    }
    w->buf = p;
    w->cap = cap;
    return 0;
}

void jsonw_rawn(struct jsonw *w, const char *s, size_t n)
{
    if (reserve(w, n) < 0)
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

void jsonw_raw(struct jsonw *w, const char *s)
{
    jsonw_rawn(w, s, strlen(s));
}

void jsonw_rawf(struct jsonw *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(w, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(w->buf + w->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    w->len += (size_t)n;
}

void jsonw_string(struct jsonw *w, const char *s)
{
    jsonw_rawn(w, "\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        /* The run of bytes that need no escape goes in one copy. */
        const unsigned char *run = p;
        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            jsonw_rawn(w, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        char esc[8];
        switch (*p) {
        case '"':
            jsonw_rawn(w, "\\\"", 2);
            break;
        case '\\':
            jsonw_rawn(w, "\\\\", 2);
            break;
        case '\n':
            jsonw_rawn(w, "\\n", 2);
            break;
        case '\r':
            jsonw_rawn(w, "\\r", 2);
            break;
        case '\t':
            jsonw_rawn(w, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            jsonw_rawn(w, esc, 6);
        }
        p++;
    }
    jsonw_rawn(w, "\"", 1);
}

char *jsonw_take(struct jsonw *w, size_t *len)
{
    if (w->failed || !w->buf) {
        if (!w->failed)
            jsonw_raw(w, "");
        if (w->failed) {
            jsonw_free(w);
            return NULL;
        }
    }
    char *out = w->buf;
    if (len)
        *len = w->len;
    memset(w, 0, sizeof(*w));
    return out;
}
