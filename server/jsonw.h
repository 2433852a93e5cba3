/*
 * A growable string buffer that writes JSON text exactly as asked. Adobe's bodies are
 * documented with a particular spacing (`{"requestId": 3520, "info": ...}`) that a
 * generic serializer does not produce; this writer lets each handler lay out the
 * bytes itself while strings are always escaped correctly.
 */
#ifndef CAMPAIGN_JSONW_H
#define CAMPAIGN_JSONW_H

#include <stddef.h>

struct jsonw {
    char *buf;  /* owned; NUL-terminated; NULL until the first write */
    size_t len; /* bytes written, without the NUL */
    size_t cap;
    int failed; /* set when an allocation failed; later writes do nothing */
};

void jsonw_init(struct jsonw *w);
void jsonw_free(struct jsonw *w);

/* Appends bytes as they are. */
void jsonw_raw(struct jsonw *w, const char *s);
void jsonw_rawn(struct jsonw *w, const char *s, size_t n);
void jsonw_rawf(struct jsonw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a JSON string literal (quotes included), escaping as RFC 8259 requires. */
void jsonw_string(struct jsonw *w, const char *s);

/* Hands the buffer over (caller frees); returns NULL if any write failed. */
char *jsonw_take(struct jsonw *w, size_t *len);

#endif
