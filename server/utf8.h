/*
 * UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF), and
 * the repair of text that must be UTF-8.
 */
#ifndef CAMPAIGN_UTF8_H
#define CAMPAIGN_UTF8_H

#include <stddef.h>

/* 1 when the n bytes at s are valid UTF-8 without NUL bytes, else 0. */
int utf8_valid(const char *s, size_t n);

/* The length (1 to 4) of the valid UTF-8 character at s (n bytes available), or 0 when
 * the bytes there are not one (or are a NUL). */
size_t utf8_sequence(const char *s, size_t n);

/* Replaces, in place, every byte of the NUL-terminated s that is not part of a valid
 * UTF-8 character by '?': what a client sent, echoed in a message, or a character a
 * "%.128s" cut in two, never makes a JSON body that is not UTF-8. */
void utf8_sanitize(char *s);

/* Where to cut the len bytes at s so that at most max are kept without ending inside a
 * UTF-8 sequence: len itself when len <= max, else the largest n <= max at which no
 * continuation byte starts (0 when there is none). The one place that knows what a
 * character boundary is. */
size_t utf8_boundary(const char *s, size_t len, size_t max);

#endif
