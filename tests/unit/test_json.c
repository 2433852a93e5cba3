/*
 * The strict JSON parse: one document, white space after it only, and no \u0000
 * escape (which cJSON would turn into a string silently cut short).
 */
#include <string.h>

#include "check.h"
#include "json.h"

CHECK_DEFINE_COUNTERS;

static enum json_status parse(const char *text, size_t *at)
{
    cJSON *doc = NULL;
    enum json_status st = json_parse_strict(&doc, text, strlen(text), at);
    CHECK((st == JSON_OK) == (doc != NULL), "a document exactly when OK: %s", text);
    cJSON_Delete(doc);
    return st;
}

int main(void)
{
    size_t at = 99;
    CHECK_INT(parse("{\"a\": [1, \"x\"]}", &at), JSON_OK);
    CHECK_INT(parse(" \t\r\n{}\n  ", &at), JSON_OK);
    CHECK_INT(parse("{} x", &at), JSON_INVALID);
    CHECK_INT(at, 3);
    CHECK_INT(parse("{}{}", &at), JSON_INVALID);
    CHECK_INT(parse("{\"a\": ", &at), JSON_INVALID);
    CHECK_INT(parse("", &at), JSON_INVALID);
    /* \u0000 anywhere in a string, first or last, refused with its offset. */
    CHECK_INT(parse("{\"id\": \"a\\u0000b\"}", &at), JSON_NUL_ESCAPE);
    CHECK_INT(at, 9);
    CHECK_INT(parse("[\"\\u0000\"]", &at), JSON_NUL_ESCAPE);
    CHECK_INT(parse("{\"\\u0000\": 1}", &at), JSON_NUL_ESCAPE);
    /* An escaped backslash followed by the text u0000 is no NUL; other \u escapes are
     * fine, \u0001 included. */
    CHECK_INT(parse("{\"a\": \"\\\\u0000\"}", &at), JSON_OK);
    CHECK_INT(parse("{\"a\": \"\\\\\\u0000\"}", &at), JSON_NUL_ESCAPE);
    CHECK_INT(parse("{\"a\": \"\\u00e9\\u0001\\u1000\"}", &at), JSON_OK);
    /* A NUL escape in an invalid document: invalid first. */
    CHECK_INT(parse("{\"a\": \"\\u0000\"", &at), JSON_INVALID);
    return test_report();
}
