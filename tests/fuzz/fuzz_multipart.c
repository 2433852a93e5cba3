/*
 * Fuzz target: the multipart/form-data parser (form.c). The input's first line is a
 * Content-Type (the boundary is taken from it with form_boundary, as the IMS endpoints
 * do), the rest the body. Invariants: the boundary is 1 to 70 bytes and appears in the
 * Content-Type; a parse succeeds only with the body holding "--boundary", then gives at
 * most FORM_FIELDS_MAX fields, each with a non-empty name found in the body inside
 * name="..." (name= in any case), and a value without NUL, at most FORM_VALUE_MAX bytes, that is
 * found in the body right after a blank line and right before CRLF "--boundary"; a failure leaves
 * the form empty and says why; form_get finds every parsed name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_multipart: " __VA_ARGS__);                                           \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; m && i + m <= n; i++) {
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t tlen = nl ? (size_t)(nl - in) : size;
    char *type = strndup(in, tlen);
    if (!type)
        return 0;
    const char *body = nl ? nl + 1 : in + size;
    size_t blen = (size_t)(in + size - body);
    char boundary[72];
    if (form_boundary(boundary, sizeof(boundary), type) < 0) {
        free(type);
        return 0;
    }
    size_t bl = strlen(boundary);
    if (bl < 1 || bl > 70 || !strstr(type, boundary))
        FAIL("boundary \"%s\" of \"%s\"", boundary, type);
    free(type);

    struct form f;
    char why[200];
    why[0] = '\0';
    int rc = form_parse_multipart(&f, body, blen, boundary, why, sizeof(why));
    if (rc < 0) {
        if (rc != -1 || f.n != 0 || why[0] == '\0')
            FAIL("a failed parse returned %d, %d fields, reason \"%s\"", rc, f.n, why);
        return 0;
    }
    char delim[80];
    int dl = snprintf(delim, sizeof(delim), "--%s", boundary);
    if (!find(body, blen, delim, (size_t)dl))
        FAIL("parsed a body without its boundary");
    if (f.n < 0 || f.n > FORM_FIELDS_MAX)
        FAIL("%d fields", f.n);
    for (int i = 0; i < f.n; i++) {
        const char *name = f.fields[i].name, *value = f.fields[i].value;
        if (!name || !value || !*name)
            FAIL("field %d: name or value missing", i);
        /* name= matches in any case (MIME parameter names do): the quoted name is in
         * the body. */
        char quoted[300];
        snprintf(quoted, sizeof(quoted), "=\"%s\"", name);
        if (!find(body, blen, quoted, strlen(quoted)))
            FAIL("field %d's name \"%s\" is not in the body", i, name);
        size_t vl = strlen(value);
        if (vl > FORM_VALUE_MAX)
            FAIL("field %d: a value of %zu bytes", i, vl);
        /* The value sits between a blank line and CRLF + delimiter. */
        char *framed = malloc(vl + 4 + 2 + (size_t)dl + 1);
        if (!framed)
            abort();
        memcpy(framed, "\r\n\r\n", 4);
        memcpy(framed + 4, value, vl);
        memcpy(framed + 4 + vl, "\r\n", 2);
        memcpy(framed + 6 + vl, delim, (size_t)dl);
        if (!find(body, blen, framed, vl + 6 + (size_t)dl))
            FAIL("field %d's value is not framed in the body", i);
        free(framed);
        if (!form_get(&f, name))
            FAIL("form_get does not find \"%s\"", name);
    }
    form_free(&f);
    return 0;
}
