/*
 * The strict JSON parse: one document, white space after it only, no \u0000 escape
 * (which cJSON would turn into a string silently cut short) and no integer beyond 2^53
 * (which a double cannot hold). And the printer, which writes integers exactly where
 * cJSON_PrintUnformatted wrote 9007199254740991 as 9.00719925474099e+15 (regression).
 */
#include <stdlib.h>
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

    /* Integers up to 2^53 are read; beyond, refused with the offset of the number. */
    CHECK_INT(parse("[9007199254740992, -9007199254740992, 0, -0, 1e300, 1.5]", &at), JSON_OK);
    CHECK_INT(parse("{\"id\": 9007199254740993}", &at), JSON_INEXACT_NUMBER);
    CHECK_INT(at, 7);
    CHECK_INT(parse("[1, -9007199254740993]", &at), JSON_INEXACT_NUMBER);
    CHECK_INT(at, 4);
    CHECK_INT(parse("[123456789012345678901234567890]", &at), JSON_INEXACT_NUMBER);
    /* Digits inside strings are not numbers; fractions and exponents are not integers. */
    CHECK_INT(parse("{\"99999999999999999999\": \"99999999999999999999\"}", &at), JSON_OK);
    CHECK_INT(parse("[99999999999999999999.5, 99999999999999999999e0]", &at), JSON_OK);

    /* Printing: integers whole and exact; the rest as cJSON prints it. */
    static const struct {
        const char *in, *out;
    } prints[] = {
        {"{\"id\":9007199254740991,\"n\":-9007199254740992}",
         "{\"id\":9007199254740991,\"n\":-9007199254740992}"},
        {"[0, -0, 1, -1, 2147483648, 1735689600000, 1e300]",
         "[0,0,1,-1,2147483648,1735689600000,1e+300]"},
        {"[0.5, 1.234, 0.1, 3.141592653589793]", "[0.5,1.234,0.1,3.141592653589793]"},
        {"{\"s\": \"a\\\"b\\\\c\\n\\t\\u0001\u00e9\", \"t\": true, \"f\": false, \"z\": null, "
         "\"e\": {}, \"a\": []}",
         "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\u00e9\",\"t\":true,\"f\":false,\"z\":null,\"e\":{},"
         "\"a\":[]}"},
    };
    for (size_t i = 0; i < sizeof(prints) / sizeof(prints[0]); i++) {
        cJSON *doc = cJSON_Parse(prints[i].in);
        char *text = json_print(doc);
        CHECK_STR(text, prints[i].out);
        free(text);
        cJSON_Delete(doc);
    }

    /* json_int_in: integral numbers in range; the value only when it is. */
    static const struct {
        const char *text;
        long long min, max;
        enum json_int expected;
        long long value;
    } ints[] = {
        {"0", 0, 10, JSON_INT_IS, 0},
        {"10", 0, 10, JSON_INT_IS, 10},
        {"-3", -5, 5, JSON_INT_IS, -3},
        {"11", 0, 10, JSON_INT_OUTSIDE, -1},
        {"-1", 0, 10, JSON_INT_OUTSIDE, -1},
        {"1.5", 0, 10, JSON_INT_NOT, -1},
        {"\"1\"", 0, 10, JSON_INT_NOT, -1},
        {"true", 0, 10, JSON_INT_NOT, -1},
        {"1e3", 0, 1000, JSON_INT_IS, 1000},
        {"9007199254740992", 0, JSON_INT_MAX, JSON_INT_IS, JSON_INT_MAX},
        {"9007199254740992", 1, JSON_INT_MAX - 1, JSON_INT_OUTSIDE, -1},
    };
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        cJSON *v = cJSON_Parse(ints[i].text);
        long long got = -1;
        enum json_int r = json_int_in(v, ints[i].min, ints[i].max, &got);
        CHECK(r == ints[i].expected && got == ints[i].value, "json_int_in(%s): %d and %lld",
              ints[i].text, (int)r, got);
        cJSON_Delete(v);
    }
    CHECK_INT(json_int_in(NULL, 0, 1, NULL), JSON_INT_NOT);
    return test_report();
}
