/*
 * Form decoding. Each component is decoded into its own bounded allocation; a bad
 * escape rejects the whole body instead of guessing, so a client bug shows up as a
 * clear 400 rather than as a wrong secret.
 */
#include "form.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

long form_decode(char *out, size_t out_size, const char *in, size_t in_len, char *why,
                 size_t why_size)
{
    size_t o = 0;
    for (size_t i = 0; i < in_len; i++) {
        int c = (unsigned char)in[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 1 < in_len ? text_hex_digit(in[i + 1]) : -1;
            int lo = i + 2 < in_len ? text_hex_digit(in[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                text_printf(why, why_size, "'%%' at offset %zu is not followed by two hex digits",
                            i);
                return -1;
            }
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0) {
            text_printf(why, why_size, "a NUL byte (%%00) is not allowed");
            return -1;
        }
        if (o + 1 >= out_size) {
            text_printf(why, why_size, "a value is longer than %zu bytes",
                        out_size ? out_size - 1 : (size_t)0);
            return -1;
        }
        out[o++] = (char)c;
    }
    if (out_size)
        out[o] = '\0';
    return (long)o;
}

/* Decodes in[0..n) into a new string bounded by FORM_VALUE_MAX; NULL on failure. */
static char *decode_dup(const char *in, size_t n, char *why, size_t why_size)
{
    /* Decoding never lengthens the text, so n + 1 bytes always suffice. */
    size_t size = n + 1;
    if (size > FORM_VALUE_MAX + 1)
        size = FORM_VALUE_MAX + 1;
    char *out = malloc(size);
    if (!out) {
        text_printf(why, why_size, "out of memory");
        return NULL;
    }
    if (form_decode(out, size, in, n, why, why_size) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

int form_parse(struct form *out, const char *body, size_t len, char *why, size_t why_size)
{
    struct form f;
    memset(&f, 0, sizeof(f));
    size_t i = 0;
    while (i < len) {
        const char *pair = body + i;
        const char *amp = memchr(pair, '&', len - i);
        size_t plen = amp ? (size_t)(amp - pair) : len - i;
        i += plen + 1;
        if (plen == 0)
            continue;
        if (f.n == FORM_FIELDS_MAX) {
            text_printf(why, why_size, "more than %d fields", FORM_FIELDS_MAX);
            goto fail;
        }
        const char *eq = memchr(pair, '=', plen);
        size_t nlen = eq ? (size_t)(eq - pair) : plen;
        if (nlen == 0) {
            text_printf(why, why_size, "field %d has an empty name", f.n + 1);
            goto fail;
        }
        char *name = decode_dup(pair, nlen, why, why_size);
        if (!name)
            goto fail;
        char *value = eq ? decode_dup(eq + 1, plen - nlen - 1, why, why_size) : strdup("");
        if (!value) {
            if (!eq)
                text_printf(why, why_size, "out of memory");
            free(name);
            goto fail;
        }
        f.fields[f.n].name = name;
        f.fields[f.n].value = value;
        f.n++;
    }
    *out = f;
    return 0;
fail:
    form_free(&f);
    memset(out, 0, sizeof(*out));
    return -1;
}

const char *form_get(const struct form *f, const char *name)
{
    for (int i = 0; i < f->n; i++) {
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    }
    return NULL;
}

int form_count(const struct form *f, const char *name)
{
    int n = 0;
    for (int i = 0; i < f->n; i++)
        n += strcmp(f->fields[i].name, name) == 0;
    return n;
}

void form_free(struct form *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->fields[i].name);
        free(f->fields[i].value);
    }
    f->n = 0;
}

/* --- multipart/form-data (RFC 7578) ------------------------------------------------- */

/* A part's head: its header lines up to the blank line. At most this long: a
 * Content-Disposition and a Content-Type are well under 1 KiB. */
#define PART_HEAD_MAX 1024

int form_boundary(char *out, size_t out_size, const char *content_type)
{
    /* multipart/form-data; boundary=XYZ (or "XYZ"), other parameters in any order. */
    static const char type[] = "multipart/form-data";
    if (!content_type || strncasecmp(content_type, type, sizeof(type) - 1) != 0)
        return -1;
    const char *p = content_type + sizeof(type) - 1;
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        size_t nlen = strcspn(p, "=;");
        if (nlen == 8 && strncasecmp(p, "boundary", 8) == 0 && p[8] == '=') {
            const char *v = p + 9;
            size_t vlen;
            if (*v == '"') {
                v++;
                vlen = strcspn(v, "\"");
                if (v[vlen] != '"')
                    return -1;
            } else {
                vlen = strcspn(v, "; \t");
            }
            /* RFC 2046: 1 to 70 characters. */
            if (vlen < 1 || vlen > 70 || vlen + 1 > out_size)
                return -1;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return 0;
        }
        p += nlen;
        if (*p == '=')
            p += 1 + strcspn(p + 1, ";");
    }
    return -1;
}

/* The value of name="..." in a Content-Disposition line, copied into out. */
static int disposition_name(char *out, size_t out_size, const char *line, size_t len)
{
    static const char cd[] = "content-disposition:";
    if (len < sizeof(cd) - 1 || strncasecmp(line, cd, sizeof(cd) - 1) != 0)
        return 0;
    size_t i = sizeof(cd) - 1;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (len - i < 9 || strncasecmp(line + i, "form-data", 9) != 0)
        return -1;
    for (i += 9; i + 6 <= len; i++) {
        if (strncasecmp(line + i, "name=\"", 6) != 0 || (line[i - 1] != ';' && line[i - 1] != ' '))
            continue;
        const char *v = line + i + 6;
        const char *end = memchr(v, '"', len - i - 6);
        if (!end || end == v || (size_t)(end - v) + 1 > out_size)
            return -1;
        memcpy(out, v, (size_t)(end - v));
        out[end - v] = '\0';
        return 1;
    }
    return -1;
}

static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0 || n < m)
        return NULL;
    for (const char *p = hay; p + m <= hay + n;) {
        const char *q = memchr(p, needle[0], (size_t)(hay + n - p) - m + 1);
        if (!q)
            return NULL;
        if (memcmp(q, needle, m) == 0)
            return q;
        p = q + 1;
    }
    return NULL;
}

int form_parse_multipart(struct form *out, const char *body, size_t len, const char *boundary,
                         char *why, size_t why_size)
{
    struct form f;
    memset(&f, 0, sizeof(f));
    memset(out, 0, sizeof(*out)); /* empty on every failure, the first included */
    char delim[80];
    size_t dlen = (size_t)snprintf(delim, sizeof(delim), "--%s", boundary);
    /* The first delimiter opens the first part (a preamble before it is ignored). */
    const char *p = find(body, len, delim, dlen);
    if (!p) {
        text_printf(why, why_size, "no boundary \"%.70s\" in the body", boundary);
        return -1;
    }
    const char *end = body + len;
    for (;;) {
        p += dlen;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break; /* the closing delimiter (an epilogue after it is ignored) */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
            text_printf(why, why_size, "a boundary is not followed by CRLF or \"--\"");
            goto fail;
        }
        p += 2;
        if (f.n == FORM_FIELDS_MAX) {
            text_printf(why, why_size, "more than %d fields", FORM_FIELDS_MAX);
            goto fail;
        }
        const char *head_end = find(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (p + 2 <= end && p[0] == '\r' && p[1] == '\n')
            head_end = p - 2; /* a part without headers */
        if (!head_end || head_end - p > PART_HEAD_MAX) {
            text_printf(why, why_size, "part %d has no end of its headers within %d bytes", f.n + 1,
                        PART_HEAD_MAX);
            goto fail;
        }
        if (memchr(p, '\0', (size_t)(head_end > p ? head_end - p : 0))) {
            text_printf(why, why_size, "part %d: a NUL byte in its headers", f.n + 1);
            goto fail;
        }
        char name[256] = "";
        int named = 0;
        for (const char *line = p; line < head_end;) {
            const char *eol = find(line, (size_t)(head_end + 2 - line), "\r\n", 2);
            size_t ll = eol ? (size_t)(eol - line) : (size_t)(head_end - line);
            int got = disposition_name(name, sizeof(name), line, ll);
            if (got < 0) {
                text_printf(why, why_size,
                            "part %d: Content-Disposition must be form-data; name=\"...\"",
                            f.n + 1);
                goto fail;
            }
            named |= got;
            line += ll + 2;
        }
        if (!named) {
            text_printf(why, why_size, "part %d has no Content-Disposition name", f.n + 1);
            goto fail;
        }
        const char *value = head_end + 4;
        /* The value runs to CRLF and the next delimiter. */
        char next[84];
        size_t nlen = (size_t)snprintf(next, sizeof(next), "\r\n%s", delim);
        const char *stop = value <= end ? find(value, (size_t)(end - value), next, nlen) : NULL;
        if (!stop) {
            text_printf(why, why_size, "part %d (%.64s) is not closed by a boundary", f.n + 1,
                        name);
            goto fail;
        }
        size_t vlen = (size_t)(stop - value);
        if (vlen > FORM_VALUE_MAX) {
            text_printf(why, why_size, "a value is longer than %u bytes", FORM_VALUE_MAX);
            goto fail;
        }
        if (memchr(value, '\0', vlen)) {
            text_printf(why, why_size, "a NUL byte is not allowed (part %.64s)", name);
            goto fail;
        }
        f.fields[f.n].name = strdup(name);
        f.fields[f.n].value = strndup(value, vlen);
        if (!f.fields[f.n].name || !f.fields[f.n].value) {
            f.n++;
            text_printf(why, why_size, "out of memory");
            goto fail;
        }
        f.n++;
        p = stop + 2;
    }
    *out = f;
    return 0;
fail:
    form_free(&f);
    memset(out, 0, sizeof(*out));
    return -1;
}
