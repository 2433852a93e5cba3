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
