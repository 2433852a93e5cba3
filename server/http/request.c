/*
 * What a handler reads of a request's headers and query arguments, through the
 * request's http_fields (so that this file, like the handlers, never sees
 * libmicrohttpd, and a fuzz target can supply fields of its own).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/router.h"
#include "jsonw.h"
#include "utf8.h"

void http_request_timed_out(struct http_request *req)
{
    memset(req, 0, sizeof(*req));
    req->method = "";
    req->path = req->raw_path = "";
    req->body = "";
    req->timed_out = 1;
}

struct lookup {
    const char *name;
    const char *value;
    int found;
    int ignore_case;
};

static int lookup_match(void *cls, const char *name, const char *value)
{
    struct lookup *l = cls;
    if (!name || (l->ignore_case ? strcasecmp(name, l->name) : strcmp(name, l->name)) != 0)
        return 0;
    l->found = 1;
    l->value = value ? value : ""; /* "?name" without '=' has a NULL value */
    return 1;
}

static const char *lookup(const struct http_request *req, enum http_field_kind kind,
                          const char *name, int ignore_case)
{
    struct lookup l = {name, NULL, 0, ignore_case};
    if (req->fields)
        req->fields->each(req, kind, lookup_match, &l);
    return l.found ? l.value : NULL;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    return lookup(req, HTTP_FIELD_HEADER, name, 1);
}

struct unknown_walk {
    const char *const *known;
    char *out;
    size_t size;
    int found;
};

static int unknown_step(void *cls, const char *name, const char *value)
{
    (void)value;
    struct unknown_walk *u = cls;
    for (const char *const *k = u->known; *k; k++) {
        if (name && strcmp(name, *k) == 0)
            return 0;
    }
    snprintf(u->out, u->size, "%s", name ? name : "");
    u->found = 1;
    return 1;
}

int http_request_query_unknown(const struct http_request *req, const char *const known[], char *out,
                               size_t size)
{
    struct unknown_walk u = {known, out, size, 0};
    if (req->fields)
        req->fields->each(req, HTTP_FIELD_QUERY, unknown_step, &u);
    return u.found;
}

const char *http_request_query(const struct http_request *req, const char *name)
{
    /* Query names are case-sensitive (as at Adobe): a client sending "requestid" must
     * fail here as it would there. */
    return lookup(req, HTTP_FIELD_QUERY, name, 0);
}

/* A journal object keeps at most this many names: far more headers than any client
 * sends, while the duplicate check below stays a few thousand comparisons. */
#define PAIRS_MAX 100
/* ... and values of at most VALUE_MAX bytes (cut, saying how long they were: a bearer
 * token is 1 to 2 KiB), while the object is under PAIRS_BYTES (then the rest are not
 * kept), so that an entry's headers weigh what its bodies may, 16 KiB, and a little. */
#define VALUE_MAX   (8u * 1024)
#define PAIRS_BYTES (16u * 1024)

struct pairs {
    struct jsonw w;
    const char *names[PAIRS_MAX];
    int n;
    int dropped;
};

/* A JSON string of s, its bytes that are not UTF-8 as '?' (header and query values are
 * whatever the client sent). */
static void string_utf8(struct jsonw *w, const char *s)
{
    size_t n = strlen(s);
    if (utf8_valid(s, n)) {
        jsonw_string(w, s);
        return;
    }
    char *copy = strdup(s);
    if (!copy) {
        w->failed = 1;
        return;
    }
    utf8_sanitize(copy);
    jsonw_string(w, copy);
    free(copy);
}

static int add_pair(void *cls, const char *name, const char *value)
{
    struct pairs *p = cls;
    if (!name)
        return 0;
    for (int i = 0; i < p->n; i++) {
        if (strcmp(p->names[i], name) == 0)
            return 0; /* the first value of a repeated name is kept */
    }
    if (p->n == PAIRS_MAX || p->w.len > PAIRS_BYTES) {
        p->dropped++;
        return 0;
    }
    jsonw_raw(&p->w, p->n ? "," : "{");
    string_utf8(&p->w, name);
    jsonw_raw(&p->w, ":");
    value = value ? value : "";
    size_t len = strlen(value);
    if (len <= VALUE_MAX) {
        string_utf8(&p->w, value);
    } else {
        char *cut = malloc(VALUE_MAX + 40);
        if (!cut) {
            p->w.failed = 1;
            return 1;
        }
        size_t n = utf8_boundary(value, len, VALUE_MAX);
        memcpy(cut, value, n);
        snprintf(cut + n, 40, "...(%zu bytes in all)", len);
        string_utf8(&p->w, cut);
        free(cut);
    }
    p->names[p->n++] = name;
    return 0;
}

/* The fields of kind as one JSON object text, written straight from the parsed values
 * (no intermediate tree). */
static char *pairs_json(const struct http_request *req, enum http_field_kind kind)
{
    struct pairs p;
    p.n = 0;
    p.dropped = 0;
    jsonw_init(&p.w);
    if (req->fields)
        req->fields->each(req, kind, add_pair, &p);
    if (p.dropped)
        jsonw_rawf(&p.w, ",\"(not kept)\":\"%d more\"", p.dropped);
    jsonw_raw(&p.w, p.n ? "}" : "{}");
    size_t len = 0;
    return jsonw_take(&p.w, &len);
}

char *http_request_headers_json(const struct http_request *req)
{
    return pairs_json(req, HTTP_FIELD_HEADER);
}

char *http_request_query_json(const struct http_request *req)
{
    return pairs_json(req, HTTP_FIELD_QUERY);
}
