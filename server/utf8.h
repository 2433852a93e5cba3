/*
 * UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF).
 */
#ifndef CAMPAIGN_UTF8_H
#define CAMPAIGN_UTF8_H

#include <stddef.h>

/* 1 when the n bytes at s are valid UTF-8 without NUL bytes, else 0. */
int utf8_valid(const char *s, size_t n);

#endif
