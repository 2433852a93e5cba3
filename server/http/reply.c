/*
 * Reply construction helpers.
 */
#include "http/reply.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void reply_init(struct reply *r)
{
    memset(r, 0, sizeof(*r));
    r->status = 500;
    r->content_type = CONTENT_TYPE_JSON;
    r->request_id = -1;
}

const char *reply_transport_name(enum reply_transport t)
{
    switch (t) {
    case TRANSPORT_RESET:
        return "reset";
    case TRANSPORT_EMPTY:
        return "empty";
    case TRANSPORT_TRUNCATE:
        return "truncate";
    case TRANSPORT_HANG:
        return "hang";
    case TRANSPORT_NORMAL:
    case TRANSPORT_COUNT:
        break;
    }
    return "normal";
}

void reply_stream_drop(struct reply *r)
{
    if (r->stream.free_ctx)
        r->stream.free_ctx(r->stream.ctx);
    memset(&r->stream, 0, sizeof(r->stream));
}

void reply_stream_take(struct reply *r, int status, const struct reply_stream *stream)
{
    reply_stream_drop(r);
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
    r->status = status;
    r->content_type = CONTENT_TYPE_JSON;
    r->stream = *stream;
}

void reply_free(struct reply *r)
{
    reply_stream_drop(r);
    free(r->body);
    for (int i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    r->body = NULL;
    r->n_headers = 0;
}

void reply_json_take(struct reply *r, int status, char *body, size_t len)
{
    reply_stream_drop(r); /* an answer decided later (an error) replaces a stream */
    free(r->body);
    r->status = status;
    r->body = body;
    r->body_len = body ? len : 0;
    r->content_type = CONTENT_TYPE_JSON;
}

void reply_text(struct reply *r, int status, const char *content_type, const char *body, size_t len)
{
    reply_stream_drop(r);
    free(r->body);
    r->status = status;
    r->content_type = content_type;
    r->body = malloc(len + 1);
    r->body_len = r->body ? len : 0;
    if (r->body) {
        memcpy(r->body, body, len);
        r->body[len] = '\0';
    }
}

void reply_json(struct reply *r, int status, const char *body)
{
    reply_text(r, status, CONTENT_TYPE_JSON, body, strlen(body));
}

void reply_header_add(struct reply *r, const char *name, const char *value)
{
    if (r->n_headers >= REPLY_HEADERS_MAX)
        return;
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return;
    }
    r->headers[r->n_headers].name = n;
    r->headers[r->n_headers].value = v;
    r->n_headers++;
}

void reply_set_field(char *dst, size_t size, const char *src)
{
    /* Cut at a character: the fields go into the journal and the logs. */
    size_t n = utf8_boundary(src, strlen(src), size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
    utf8_sanitize(dst); /* a tenant or mapping from the path may be any bytes */
}
