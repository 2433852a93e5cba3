/*
 * Small text helpers. Bounded formatting for messages and JSON paths: snprintf that
 * accepts a NULL or empty buffer and whose truncation is intended (a message cut short
 * is still a message); going through a va_list also keeps -Wformat-truncation quiet
 * where the cut is the point. And the one percent-decoding of URLs.
 */
#ifndef CAMPAIGN_TEXT_H
#define CAMPAIGN_TEXT_H

#include <stddef.h>

void text_printf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The value of a hex digit, or -1. */
int text_hex_digit(char c);

/* Percent-decodes n bytes of src into dst (room for n + 1 bytes; dst may be src: the
 * output is never longer), NUL-terminated; returns the decoded length. An encoded NUL
 * (%00) becomes DEL (0x7f) instead of ending the string early: the path check then
 * refuses it, where a NUL would have silently cut "/ingest%00zzz" back to a valid
 * route. A '%' without two hex digits is kept as it is. */
size_t text_url_decode(char *dst, const char *src, size_t n);

#endif
