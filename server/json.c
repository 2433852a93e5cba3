/*
 * Strict JSON parsing and exact printing (see json.h).
 */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether the digits d[0..n) (no sign) are more than 2^53. */
static int beyond_2_53(const char *d, size_t n)
{
    static const char max[] = "9007199254740992";
    while (n > 1 && *d == '0') {
        d++;
        n--;
    }
    return n > sizeof(max) - 1 || (n == sizeof(max) - 1 && memcmp(d, max, n) > 0);
}

/* What cJSON would accept but read wrong, in valid JSON text: a \u0000 escape (cJSON cuts
 * the string there) or an integer beyond 2^53 (a double cannot hold it, so it would be
 * read as another number). Returns JSON_OK or the status, *at its offset. Strings are
 * skipped whole, so digits and backslashes inside them are not taken for numbers. */
static enum json_status misread(const char *text, size_t len, size_t *at)
{
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (ch == '"') {
            for (i++; i < len && text[i] != '"'; i++) {
                if (text[i] != '\\')
                    continue;
                if (i + 5 < len && memcmp(text + i + 1, "u0000", 5) == 0) {
                    *at = i;
                    return JSON_NUL_ESCAPE;
                }
                i++; /* the escaped character */
            }
        } else if (ch == '-' || is_digit(ch)) {
            size_t start = i;
            if (ch == '-')
                i++;
            size_t digits = i;
            while (i < len && is_digit(text[i]))
                i++;
            size_t n = i - digits;
            int integer = i >= len || (text[i] != '.' && text[i] != 'e' && text[i] != 'E');
            if (integer && beyond_2_53(text + digits, n)) {
                *at = start;
                return JSON_INEXACT_NUMBER;
            }
            while (i < len && !is_space(text[i]) && text[i] != ',' && text[i] != ']' &&
                   text[i] != '}')
                i++; /* the fraction and exponent */
            i--;
        }
    }
    return JSON_OK;
}

enum json_status json_parse_strict(cJSON **out, const char *text, size_t len, size_t *at)
{
    *out = NULL;
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (doc && end) {
        while (end < text + len && is_space(*end))
            end++;
        if (end < text + len) {
            cJSON_Delete(doc);
            doc = NULL;
        }
    }
    if (!doc) {
        if (at)
            *at = end && end >= text ? (size_t)(end - text) : 0;
        return JSON_INVALID;
    }
    size_t where = 0;
    enum json_status st = misread(text, len, &where);
    if (st != JSON_OK) {
        cJSON_Delete(doc);
        if (at)
            *at = where;
        return st;
    }
    *out = doc;
    return JSON_OK;
}

/* A number, exactly: every integral value below 2^63 whole ("%.0f"), where cJSON prints
 * those beyond an int with 15 significant digits when that reads back within a relative
 * epsilon (9007199254740991 became 9.00719925474099e+15); others in the fewest digits
 * that read back as the same double. */
static void print_number(struct jsonw *w, double d)
{
    if (isnan(d) || isinf(d)) {
        jsonw_rawn(w, "null", 4);
    } else if (d == floor(d) && fabs(d) < 9223372036854775808.0) {
        jsonw_rawf(w, "%.0f", d == 0 ? 0.0 : d);
    } else {
        /* The shortest of 15, 16 or 17 significant digits that reads back the same. */
        char buf[32];
        for (int digits = 15; digits <= 17; digits++) {
            double back = 0;
            snprintf(buf, sizeof(buf), "%1.*g", digits, d);
            if (sscanf(buf, "%lg", &back) == 1 && back == d)
                break;
        }
        jsonw_raw(w, buf);
    }
}

static void print_item(struct jsonw *w, const cJSON *item)
{
    if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
        int object = cJSON_IsObject(item);
        jsonw_rawn(w, object ? "{" : "[", 1);
        for (const cJSON *c = item->child; c; c = c->next) {
            if (c != item->child)
                jsonw_rawn(w, ",", 1);
            if (object) {
                jsonw_string(w, c->string ? c->string : "");
                jsonw_rawn(w, ":", 1);
            }
            print_item(w, c);
        }
        jsonw_rawn(w, object ? "}" : "]", 1);
    } else if (cJSON_IsString(item)) {
        jsonw_string(w, item->valuestring ? item->valuestring : "");
    } else if (cJSON_IsNumber(item)) {
        print_number(w, item->valuedouble);
    } else if (cJSON_IsTrue(item)) {
        jsonw_rawn(w, "true", 4);
    } else if (cJSON_IsFalse(item)) {
        jsonw_rawn(w, "false", 5);
    } else if (cJSON_IsRaw(item)) {
        jsonw_raw(w, item->valuestring ? item->valuestring : "");
    } else {
        jsonw_rawn(w, "null", 4);
    }
}

void json_print_to(struct jsonw *w, const cJSON *item)
{
    print_item(w, item);
}

char *json_print(const cJSON *item)
{
    if (!item)
        return NULL;
    struct jsonw w;
    jsonw_init(&w);
    print_item(&w, item);
    size_t len = 0;
    return jsonw_take(&w, &len);
}

enum json_int json_int_in(const cJSON *v, long long min, long long max, long long *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
        return JSON_INT_NOT;
    if (v->valuedouble < (double)min || v->valuedouble > (double)max)
        return JSON_INT_OUTSIDE;
    if (out)
        *out = (long long)v->valuedouble;
    return JSON_INT_IS;
}
