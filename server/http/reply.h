/*
 * What a handler produces: status, headers and body, plus directives the HTTP layer
 * carries out (a delay, a broken transport). Handlers fill a reply and never touch
 * the socket or libmicrohttpd; the HTTP layer turns it into bytes.
 */
#ifndef CAMPAIGN_REPLY_H
#define CAMPAIGN_REPLY_H

#include <stddef.h>

struct jsonw;

/* A fault's custom headers (6 at most), Allow, Retry-After and the CORS headers. */
#define REPLY_HEADERS_MAX 12

#define CONTENT_TYPE_JSON "application/json;charset=utf-8"

enum reply_transport {
    TRANSPORT_NORMAL = 0,
    TRANSPORT_RESET,    /* read the request, then close with a TCP RST */
    TRANSPORT_EMPTY,    /* read it, then close cleanly without a byte */
    TRANSPORT_TRUNCATE, /* status, headers with the full length, half the body, close */
    TRANSPORT_HANG,     /* nothing, until the client leaves or the server stops */
    TRANSPORT_COUNT     /* not a transport: how many there are (fault actions name each) */
};

/* A body made while it is sent, for a read whose whole would not fit in memory (a
 * journal or snapshot export): next() appends the next piece to out, and returns 1 while
 * more follows, 0 after the last piece, a negative value on a failure (the status is
 * sent by then: the connection is cut, and the client sees a body that did not end).
 * It runs on the thread that serves the connection, between writes to the socket.
 * free_ctx(ctx) runs once, whether the stream was sent, cut or never started. */
struct reply_stream {
    int (*next)(void *ctx, struct jsonw *out);
    void (*free_ctx)(void *ctx);
    void *ctx;
};

struct reply_header {
    char *name;  /* owned */
    char *value; /* owned */
};

struct reply {
    int status;
    char *body; /* owned; may be NULL for an empty body */
    size_t body_len;
    struct reply_stream stream; /* owned; next == NULL: the body is body, body_len */
    const char *content_type;   /* static string */
    struct reply_header headers[REPLY_HEADERS_MAX];
    int n_headers;
    enum reply_transport transport;
    long long delay_ms; /* wall-clock delay before anything is sent */

    /* What the request touched, for the journal and the log line (may stay ""). */
    char tenant[129];
    char mapping[129];
    long long request_id; /* -1 when none */
    char fault_id[129];   /* the fault rule applied, "" when none */
    char note[160];       /* what changed, for the log line */
    int quiet;            /* log the call at debug level only */
    int close;            /* close the connection once the reply is sent */
};

void reply_init(struct reply *r);
void reply_free(struct reply *r);

/* Sets status and a JSON body, taking ownership of body (malloc'd). */
void reply_json_take(struct reply *r, int status, char *body, size_t len);

/* Sets status and a copy of a JSON body. */
void reply_json(struct reply *r, int status, const char *body);

/* Sets status and a body of another content type (copied). */
void reply_text(struct reply *r, int status, const char *content_type, const char *body,
                size_t len);

/* Makes the body a stream (taking it; see struct reply_stream), sent with status. */
void reply_stream_take(struct reply *r, int status, const struct reply_stream *stream);

/* "normal", "reset", "empty", "truncate" or "hang". */
const char *reply_transport_name(enum reply_transport t);

/* Frees a stream not yet handed to the HTTP layer (and forgets it). */
void reply_stream_drop(struct reply *r);

/* Adds a header (copied); silently ignored past REPLY_HEADERS_MAX. */
void reply_header_add(struct reply *r, const char *name, const char *value);

/* Copies a bounded string into one of the fixed reply fields. */
void reply_set_field(char *dst, size_t size, const char *src); /* cut at a character, and
                                                                 made UTF-8 ('?') */

#endif
