/*
 * Strict JSON parsing (see json.h).
 */
#include "json.h"

/* The offset of the first \u0000 escape in text, or len. Backslashes only appear in
 * JSON strings, each escaping the next character, so pairs are skipped whole. */
static size_t nul_escape(const char *text, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (text[i] != '\\')
            continue;
        if (text[i + 1] == 'u' && i + 5 < len && text[i + 2] == '0' && text[i + 3] == '0' &&
            text[i + 4] == '0' && text[i + 5] == '0')
            return i;
        i++; /* the escaped character */
    }
    return len;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
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
    size_t nul = nul_escape(text, len);
    if (nul < len) {
        cJSON_Delete(doc);
        if (at)
            *at = nul;
        return JSON_NUL_ESCAPE;
    }
    *out = doc;
    return JSON_OK;
}
