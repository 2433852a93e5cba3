/*
 * The one strict JSON parse for what clients and fixture files send: one document and
 * nothing after it but white space (cJSON alone stops at the end of the value and
 * ignores the rest), no \u0000 escape (cJSON would silently cut the string there, so
 * that "id": "a\u0000b" read as "a"), and no integer beyond 2^53 (cJSON reads numbers
 * as doubles: 9007199254740993 would be read as 9007199254740992). UTF-8 is checked by
 * the callers, with their own messages.
 *
 * And the one printer of cJSON trees, which writes every integer exactly.
 */
#ifndef CAMPAIGN_JSON_H
#define CAMPAIGN_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum json_status { JSON_OK = 0, JSON_INVALID, JSON_NUL_ESCAPE, JSON_INEXACT_NUMBER };

/* The largest integer JSON text may hold here, 2^53: every client (JavaScript's numbers
 * among them) reads it exactly. */
#define JSON_INT_MAX 9007199254740992LL

/* Whether v is a JSON number holding an integer (the one test of "an integer field"):
 * JSON_INT_IS with its value in *out when it lies in [min, max], JSON_INT_OUTSIDE when
 * it does not, JSON_INT_NOT when v is no integer at all (or NULL). Every integer field
 * (control bodies, snapshots, fixtures) is read through it; each caller words its own
 * message. */
enum json_int { JSON_INT_IS = 0, JSON_INT_NOT, JSON_INT_OUTSIDE };
enum json_int json_int_in(const cJSON *v, long long min, long long max, long long *out);

/* Parses the len bytes of text into *out (caller deletes it). On failure *out is NULL
 * and *at (when not NULL) gets the offset of the problem. */
enum json_status json_parse_strict(cJSON **out, const char *text, size_t len, size_t *at);

/* item as compact JSON text, as cJSON_PrintUnformatted writes it but for numbers:
 * integral ones are written whole and exactly (cJSON writes 9007199254740991 as
 * 9.00719925474099e+15). malloc'd, caller frees; NULL when out of memory. */
char *json_print(const cJSON *item);

/* The same, appended to w (a failed allocation shows in w->failed). */
struct jsonw;
void json_print_to(struct jsonw *w, const cJSON *item);

#endif
