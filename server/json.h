/*
 * The one strict JSON parse for what clients and fixture files send: one document and
 * nothing after it but white space (cJSON alone stops at the end of the value and
 * ignores the rest), and no \u0000 escape (cJSON would silently cut the string there,
 * so that "id": "a\u0000b" read as "a"). UTF-8 is checked by the callers, with their
 * own messages.
 */
#ifndef CAMPAIGN_JSON_H
#define CAMPAIGN_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum json_status { JSON_OK = 0, JSON_INVALID, JSON_NUL_ESCAPE };

/* Parses the len bytes of text into *out (caller deletes it). On failure *out is NULL
 * and *at (when not NULL) gets the offset of the problem. */
enum json_status json_parse_strict(cJSON **out, const char *text, size_t len, size_t *at);

#endif
