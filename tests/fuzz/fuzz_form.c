/*
 * Fuzz target: the x-www-form-urlencoded parser (form.c) on the input as a body.
 * The body is split again here, pair by pair, and each component decoded with
 * form_decode, so form_parse is checked against its own building block: it succeeds
 * exactly when every non-empty pair has a non-empty name, both parts decode and there
 * are at most FORM_FIELDS_MAX pairs, and then field k is the k-th non-empty pair.
 * Invariants on top: decoded text is NUL-terminated, holds no NUL, is never longer
 * than what it came from, and fits exactly in length + 1 bytes and not in fewer;
 * form_get finds the first value of every parsed name and form_count counts it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_form: " __VA_ARGS__);                                                \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

/*
 * Decodes in[0..n) the way form_parse bounds a component (at most FORM_VALUE_MAX bytes)
 * and checks form_decode's contract on the way. Returns a malloc'd string, or NULL when
 * the component does not decode.
 */
static char *decode_checked(const char *in, size_t n)
{
    size_t size = n + 1 < FORM_VALUE_MAX + 1 ? n + 1 : FORM_VALUE_MAX + 1;
    char *out = malloc(size);
    if (!out)
        abort();
    char why[128];
    why[0] = '\0';
    long len = form_decode(out, size, in, n, why, sizeof(why));
    if (len < 0) {
        if (len != -1 || why[0] == '\0' || strlen(why) >= sizeof(why))
            FAIL("a failed decode returned %ld with reason \"%s\"", len, why);
        free(out);
        return NULL;
    }
    if ((size_t)len > n || (size_t)len >= size || strlen(out) != (size_t)len)
        FAIL("decoded %zu bytes into %ld (strlen %zu, buffer %zu)", n, len, strlen(out), size);
    if (memchr(in, '%', n) == NULL && memchr(in, '+', n) == NULL &&
        ((size_t)len != n || memcmp(in, out, n) != 0))
        FAIL("text without '%%' or '+' changed when decoded");

    /* Exactly len + 1 bytes suffice, and len bytes do not (the NUL needs one). */
    char *exact = malloc((size_t)len + 1);
    if (!exact)
        abort();
    if (form_decode(exact, (size_t)len + 1, in, n, NULL, 0) != len ||
        memcmp(exact, out, (size_t)len + 1) != 0)
        FAIL("decoding into exactly %ld + 1 bytes gave another result", len);
    free(exact);
    if (len > 0) {
        char *tight = malloc((size_t)len);
        if (!tight)
            abort();
        why[0] = '\0';
        if (form_decode(tight, (size_t)len, in, n, why, sizeof(why)) != -1 || why[0] == '\0')
            FAIL("%ld bytes decoded into a buffer of %ld", len, len);
        free(tight);
    }
    return out;
}

static void free_fields(char **names, char **values, int n)
{
    for (int i = 0; i < n; i++) {
        free(names[i]);
        free(values[i]);
    }
}

/* The pairs of body as form_parse's contract describes them (malloc'd names and values,
 * the caller frees); -1, with nothing left allocated, when form_parse must fail. */
static int expect_fields(char **names, char **values, const char *body, size_t len)
{
    int n = 0;
    size_t i = 0;
    while (i < len) {
        const char *pair = body + i;
        const char *amp = memchr(pair, '&', len - i);
        size_t plen = amp ? (size_t)(amp - pair) : len - i;
        i += plen + 1;
        if (plen == 0)
            continue;
        const char *eq = memchr(pair, '=', plen);
        size_t nlen = eq ? (size_t)(eq - pair) : plen;
        char *name = NULL, *value = NULL;
        if (n < FORM_FIELDS_MAX && nlen > 0) {
            name = decode_checked(pair, nlen);
            value = eq ? decode_checked(eq + 1, plen - nlen - 1) : strdup("");
        }
        if (!name || !value) {
            free(name);
            free(value);
            free_fields(names, values, n);
            return -1;
        }
        /* Every byte decoded takes at least one byte of the pair, and '=' none. */
        if (strlen(name) + strlen(value) > (eq ? plen - 1 : plen))
            FAIL("a pair of %zu bytes decoded longer", plen);
        names[n] = name;
        values[n] = value;
        n++;
    }
    return n;
}

static void check_parsed(const struct form *f, size_t len)
{
    size_t total = 0;
    for (int i = 0; i < f->n; i++) {
        const char *name = f->fields[i].name, *value = f->fields[i].value;
        if (!name || !value || name[0] == '\0')
            FAIL("field %d has no name or value", i);
        total += strlen(name) + strlen(value);
        int first = i, count = 0;
        for (int j = 0; j < f->n; j++) {
            if (strcmp(f->fields[j].name, name) == 0) {
                if (j < first)
                    first = j;
                count++;
            }
        }
        if (form_get(f, name) != f->fields[first].value)
            FAIL("form_get(\"%s\") is not the value of field %d", name, first);
        if (form_count(f, name) != count || count < 1)
            FAIL("form_count(\"%s\") is %d, not %d", name, form_count(f, name), count);
    }
    /* Names and values together never outgrow the body they were decoded from. */
    if (total > len)
        FAIL("%zu decoded bytes from a body of %zu", total, len);
    /* No name is empty, so "" is never found. */
    if (form_get(f, "") != NULL || form_count(f, "") != 0)
        FAIL("the empty name was found");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Bodies reach form_parse NUL-terminated but with their length (they may hold NULs). */
    char *body = malloc(size + 1);
    if (!body)
        return 0;
    if (size)
        memcpy(body, data, size);
    body[size] = '\0';

    char *names[FORM_FIELDS_MAX], *values[FORM_FIELDS_MAX];
    int want = expect_fields(names, values, body, size);

    struct form f;
    memset(&f, 0x5a, sizeof(f)); /* form_parse must set every field it reports */
    char why[256];
    why[0] = '\0';
    int rc = form_parse(&f, body, size, why, sizeof(why));
    if (rc == 0) {
        if (want < 0)
            FAIL("form_parse accepted a body that cannot decode");
        if (f.n != want)
            FAIL("form_parse found %d fields, not %d", f.n, want);
        for (int i = 0; i < f.n; i++) {
            if (strcmp(f.fields[i].name, names[i]) != 0 ||
                strcmp(f.fields[i].value, values[i]) != 0)
                FAIL("field %d differs from its pair decoded alone", i);
        }
        check_parsed(&f, size);
        form_free(&f);
        if (f.n != 0)
            FAIL("form_free left %d fields", f.n);
    } else {
        if (rc != -1 || want >= 0)
            FAIL("form_parse returned %d (%s) on a body with %d good pairs", rc, why, want);
        if (why[0] == '\0' || strlen(why) >= sizeof(why) || f.n != 0)
            FAIL("a failed parse left no reason or %d fields", f.n);
        form_free(&f); /* harmless on the emptied form */
    }
    free_fields(names, values, want);

    /* A tiny reason buffer is cut, never overrun. */
    char small[4];
    small[0] = '\0';
    if (form_parse(&f, body, size, small, sizeof(small)) == 0)
        form_free(&f);
    else if (strlen(small) >= sizeof(small))
        FAIL("the reason overran its buffer");
    free(body);
    return 0;
}
