/*
 * Pure parsers and writers: the status call's requestId in every form, UTF-8
 * validation, ISO-8601 server time, the seeded generator, JSON string escaping, and
 * the command line with its CAMPAIGN_MOCK_* environment twins.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/ingest.h"
#include "check.h"
#include "clock.h"
#include "config.h"
#include "jsonw.h"
#include "rng.h"
#include "utf8.h"

CHECK_DEFINE_COUNTERS;

/* --- requestId ---------------------------------------------------------------------- */

struct rid {
    int rc;
    long long id;
    int missing;
    char why[256];
};

static struct rid rid_parse(const char *query, const char *body, size_t body_len)
{
    struct rid r;
    memset(&r, 0, sizeof(r));
    r.id = -12345;
    r.missing = -1;
    r.rc = ingest_request_id_parse(&r.id, query, body, body_len, &r.missing, r.why, sizeof(r.why));
    return r;
}

static void rid_ok(const char *query, const char *body, long long expected)
{
    struct rid r = rid_parse(query, body, body ? strlen(body) : 0);
    CHECK(r.rc == 0 && r.id == expected && r.missing == 0,
          "query=%s body=%s: rc %d id %lld missing %d (%s), expected %lld", query ? query : "NULL",
          body ? body : "NULL", r.rc, r.id, r.missing, r.why, expected);
}

static void rid_bad_n(const char *query, const char *body, size_t body_len, int missing,
                      const char *why)
{
    struct rid r = rid_parse(query, body, body_len);
    CHECK(r.rc == -1 && r.missing == missing && r.id == -12345,
          "query=%s body=%s: rc %d id %lld missing %d, expected an error (missing %d)",
          query ? query : "NULL", body ? body : "NULL", r.rc, r.id, r.missing, missing);
    CHECK_STR(r.why, why);
}

static void rid_bad(const char *query, const char *body, int missing, const char *why)
{
    rid_bad_n(query, body, body ? strlen(body) : 0, missing, why);
}

#define MISSING_WHY "requestId is missing: pass ?requestId=N or a JSON body {\"requestId\": N}"

static void test_request_id(void)
{
    /* The query wins, body or not. */
    rid_ok("3520", "", 3520);
    rid_ok("1", NULL, 1);
    rid_ok("0042", "", 42);
    rid_ok("9007199254740992", "", 9007199254740992LL);
    rid_ok("5", "{\"requestId\": 6}", 5);
    rid_bad("", "{\"requestId\": 6}", 0, "requestId is empty");
    rid_bad("0", "", 0, "requestId must be at least 1");
    rid_bad("000", "", 0, "requestId must be at least 1");
    rid_bad("-1", "", 0, "requestId \"-1\" is not a positive integer");
    rid_bad("+1", "", 0, "requestId \"+1\" is not a positive integer");
    rid_bad(" 1", "", 0, "requestId \" 1\" is not a positive integer");
    rid_bad("1 ", "", 0, "requestId \"1 \" is not a positive integer");
    rid_bad("12a", "", 0, "requestId \"12a\" is not a positive integer");
    rid_bad("1.0", "", 0, "requestId \"1.0\" is not a positive integer");
    rid_bad("0x10", "", 0, "requestId \"0x10\" is not a positive integer");
    rid_bad("9007199254740993", "", 0,
            "requestId 9007199254740993 is out of range (1 to 9007199254740992)");
    rid_bad("99999999999999999999999999", "", 0,
            "requestId 99999999999999999999999999 is out of range (1 to 9007199254740992)");
    rid_bad("12345678901234567890123456789012345678901234567890", "", 0,
            "requestId 1234567890123456789012345678901234567890... is out of range (1 to "
            "9007199254740992)");
    rid_bad("abcdefghijabcdefghijabcdefghijabcdefghijXYZ", "", 0,
            "requestId \"abcdefghijabcdefghijabcdefghijabcdefghij...\" is not a positive integer");
    /* What is echoed stays UTF-8 (error bodies are JSON): bad bytes show as '?'. */
    rid_bad("\xff"
            "1",
            "", 0, "requestId \"?1\" is not a positive integer");
    rid_bad("caf\xc3\xa9", "", 0, "requestId \"caf\xc3\xa9\" is not a positive integer");

    /* No query: the body. */
    rid_bad(NULL, "", 1, MISSING_WHY);
    rid_bad_n(NULL, NULL, 0, 1, MISSING_WHY);
    rid_bad(NULL, " \r\n\t ", 1, MISSING_WHY);
    rid_bad(NULL, "{}", 1, MISSING_WHY);
    rid_bad(NULL, "{\"requestid\": 1}", 1, MISSING_WHY);
    rid_bad(NULL, "{\"other\": 1}", 1, MISSING_WHY);
    rid_ok(NULL, "{\"requestId\": 3520}", 3520);
    rid_ok(NULL, "{\"requestId\":3520}", 3520);
    rid_ok(NULL, "  {\"requestId\": 3520}\n", 3520);
    rid_ok(NULL, "{\"requestId\": \"3520\"}", 3520);
    rid_ok(NULL, "{\"requestId\": 3520.0}", 3520);
    rid_ok(NULL, "{\"requestId\": 3.52e3}", 3520);
    rid_ok(NULL, "{\"other\": [1, 2], \"requestId\": 7}", 7);
    rid_ok(NULL, "{\"requestId\": 9007199254740992}", 9007199254740992LL);
    rid_bad(NULL, "{\"requestId\": 9007199254740994}", 0,
            "9007199254740994 is beyond 2^53 and out of range: JSON cannot carry it exactly "
            "(requestId is 1 to 9007199254740992)");
    /* 2^53 + 1 reads as the double 2^53: refused, not taken for 2^53 (regression). */
    rid_bad(NULL, "{\"requestId\": 9007199254740993}", 0,
            "9007199254740993 is beyond 2^53 and out of range: JSON cannot carry it exactly "
            "(requestId is 1 to 9007199254740992)");
    rid_bad(NULL, "{\"requestId\": 1e300}", 0,
            "requestId 1.0000000000000001e+300 is out of range (1 to 9007199254740992)");
    rid_bad(NULL, "{\"requestId\": 3520.5}", 0, "requestId 3520.5 is not a positive integer");
    rid_bad(NULL, "{\"requestId\": 0}", 0, "requestId 0 is not a positive integer");
    rid_bad(NULL, "{\"requestId\": -3}", 0, "requestId -3 is not a positive integer");
    rid_bad(NULL, "{\"requestId\": \"\"}", 0, "requestId is empty");
    rid_bad(NULL, "{\"requestId\": \"0\"}", 0, "requestId must be at least 1");
    rid_bad(NULL, "{\"requestId\": \"35x\"}", 0, "requestId \"35x\" is not a positive integer");
    rid_bad(NULL, "{\"requestId\": \" 35\"}", 0, "requestId \" 35\" is not a positive integer");
    rid_bad(NULL, "{\"requestId\": \"9007199254740993\"}", 0,
            "requestId 9007199254740993 is out of range (1 to 9007199254740992)");
    rid_bad(NULL, "{\"requestId\": true}", 0, "requestId must be a number or a numeric string");
    rid_bad(NULL, "{\"requestId\": null}", 0, "requestId must be a number or a numeric string");
    rid_bad(NULL, "{\"requestId\": [1]}", 0, "requestId must be a number or a numeric string");
    rid_bad(NULL, "{\"requestId\": {\"id\": 1}}", 0,
            "requestId must be a number or a numeric string");
    rid_bad(NULL, "[3520]", 0, "the request body must be a JSON object {\"requestId\": N}");
    rid_bad(NULL, "3520", 0, "the request body must be a JSON object {\"requestId\": N}");
    rid_bad(NULL, "\"3520\"", 0, "the request body must be a JSON object {\"requestId\": N}");
    rid_bad(NULL, "requestId=3520", 0, "the request body is not valid JSON");
    rid_bad(NULL, "{\"requestId\": 3520", 0, "the request body is not valid JSON");
    rid_bad(NULL, "{\"requestId\": 3520} trailing", 0, "the request body is not valid JSON");
    rid_bad(NULL, "{\"requestId\": 1}{\"requestId\": 2}", 0, "the request body is not valid JSON");

    /* Adobe's sample notation. */
    rid_ok(NULL, "{\"requestId\"=\"3520\"}", 3520);
    rid_ok(NULL, "{\"requestId\"=3520}", 3520);
    rid_ok(NULL, "{ \"requestId\" = \"3520\" }", 3520);
    rid_ok(NULL, "\n{\"requestId\"=\"3520\"}\n", 3520);
    rid_bad(NULL, "{\"requestId\"=\"\"}", 0, "requestId is empty");
    rid_bad(NULL, "{\"requestId\"=\"0\"}", 0, "requestId must be at least 1");
    rid_bad(NULL, "{\"requestId\"=\"9007199254740993\"}", 0,
            "requestId 9007199254740993 is out of range (1 to 9007199254740992)");
    rid_bad(NULL, "{\"requestId\"=\"abc\"}", 0, "the request body is not valid JSON");
    rid_bad(NULL, "{\"requestId\":=\"35\"}", 0, "the request body is not valid JSON");

    /* Bytes that are not text. */
    rid_bad(NULL, "{\"requestId\": \"\xc3\x28\"}", 0, "the request body is not valid UTF-8");
    rid_bad(NULL, "{\"requestId\": \"\xed\xa0\x80\"}", 0, "the request body is not valid UTF-8");
    rid_bad_n(NULL, "{\"requestId\": 1}\0", 17, 0, "the request body is not valid UTF-8");
    rid_bad_n(NULL, "{\"requestId\"=\"1\0\"}", 18, 0, "the request body is not valid UTF-8");
    rid_ok(NULL, "{\"note\": \"caf\xc3\xa9\", \"requestId\": 9}", 9);
}

/* --- UTF-8 -------------------------------------------------------------------------- */

static void utf8_case(const char *bytes, size_t n, int expected, const char *what)
{
    int v = utf8_valid(bytes, n);
    CHECK(v == expected, "%s: utf8_valid %d, expected %d", what, v, expected);
}

#define U(lit, expected) utf8_case(lit, sizeof(lit) - 1, expected, #lit)

static void test_utf8(void)
{
    U("", 1);
    U("plain ASCII ~\x7f", 1);
    U("caf\xc3\xa9", 1);              /* U+00E9 */
    U("\xc2\x80", 1);                 /* U+0080, smallest 2-byte */
    U("\xdf\xbf", 1);                 /* U+07FF */
    U("\xe0\xa0\x80", 1);             /* U+0800, smallest 3-byte */
    U("\xe2\x82\xac", 1);             /* U+20AC euro */
    U("\xed\x9f\xbf", 1);             /* U+D7FF, just below the surrogates */
    U("\xee\x80\x80", 1);             /* U+E000, just above */
    U("\xef\xbf\xbf", 1);             /* U+FFFF */
    U("\xf0\x90\x80\x80", 1);         /* U+10000, smallest 4-byte */
    U("\xf0\x9f\x98\x80", 1);         /* U+1F600 */
    U("\xf4\x8f\xbf\xbf", 1);         /* U+10FFFF, the last code point */
    U("\xc0\x80", 0);                 /* overlong NUL */
    U("\xc0\xaf", 0);                 /* overlong '/' */
    U("\xc1\xbf", 0);                 /* overlong U+007F */
    U("\xe0\x80\x80", 0);             /* overlong 3-byte */
    U("\xe0\x9f\xbf", 0);             /* overlong U+07FF */
    U("\xf0\x80\x80\x80", 0);         /* overlong 4-byte */
    U("\xf0\x8f\xbf\xbf", 0);         /* overlong U+FFFF */
    U("\xed\xa0\x80", 0);             /* U+D800 */
    U("\xed\xbf\xbf", 0);             /* U+DFFF */
    U("\xed\xa0\xbd\xed\xb8\x80", 0); /* CESU-8 surrogate pair */
    U("\xf4\x90\x80\x80", 0);         /* U+110000 */
    U("\xf5\x80\x80\x80", 0);
    U("\xf7\xbf\xbf\xbf", 0);
    U("\xf8\x88\x80\x80\x80", 0); /* 5-byte forms are gone */
    U("\xfc\x84\x80\x80\x80\x80", 0);
    U("\xfe", 0);
    U("\xff", 0);
    U("\x80", 0); /* a lone continuation byte */
    U("a\xbf", 0);
    U("\xc3", 0); /* truncated sequences */
    U("\xe2\x82", 0);
    U("\xf0\x9f\x98", 0);
    U("\xc3x", 0);
    U("\xe2\x28\xa1", 0);
    U("\xf0\x9f\x98\x28", 0);
    U("a\0b", 0); /* NUL is refused */
    U("\0", 0);
    /* n bounds the check: a sequence cut by n is truncated. */
    utf8_case("caf\xc3\xa9", 4, 0, "n cuts U+00E9");
    utf8_case("caf\xc3\xa9", 3, 1, "n stops before U+00E9");
    utf8_case("a\0b", 1, 1, "n stops before the NUL");
    /* utf8_boundary: where a cut to at most max bytes keeps whole characters. */
    const struct {
        const char *s;
        size_t max, expected;
    } cuts[] = {
        {"abc", 5, 3},         /* shorter than max: whole */
        {"abc", 3, 3},         /* exactly max */
        {"abc", 2, 2},         /* ASCII: at max */
        {"caf\xc3\xa9", 4, 3}, /* max inside U+00E9: before it */
        {"caf\xc3\xa9", 5, 5},
        {"\xe2\x82\xac!", 1, 0}, /* inside the first character: nothing */
        {"\xe2\x82\xac!", 2, 0},
        {"\xe2\x82\xac!", 3, 3},
        {"\xf0\x9f\x98\x80x", 3, 0},
        {"\xf0\x9f\x98\x80x", 4, 4},
        {"ab", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        size_t n = utf8_boundary(cuts[i].s, strlen(cuts[i].s), cuts[i].max);
        CHECK(n == cuts[i].expected, "utf8_boundary(case %zu, max %zu): %zu, expected %zu", i,
              cuts[i].max, n, cuts[i].expected);
    }
}

/* --- clock -------------------------------------------------------------------------- */

static void iso_ok(const char *s, long long expected)
{
    long long v = -1;
    int rc = clock_parse_iso(&v, s);
    CHECK(rc == 0 && v == expected, "clock_parse_iso(%s): rc %d, %lld, expected %lld", s, rc, v,
          expected);
}

static void iso_bad(const char *s)
{
    long long v = -777;
    int rc = clock_parse_iso(&v, s);
    CHECK(rc == -1 && v == -777, "clock_parse_iso(%s) accepted: %lld", s, v);
}

static void test_clock(void)
{
    char buf[32];
    clock_format_iso(buf, sizeof(buf), 0);
    CHECK_STR(buf, "1970-01-01T00:00:00.000Z");
    clock_format_iso(buf, sizeof(buf), CLOCK_MANUAL_EPOCH_MS);
    CHECK_STR(buf, "2025-01-01T00:00:00.000Z");
    clock_format_iso(buf, sizeof(buf), 951868799999LL);
    CHECK_STR(buf, "2000-02-29T23:59:59.999Z");
    clock_format_iso(buf, sizeof(buf), 1709251199123LL);
    CHECK_STR(buf, "2024-02-29T23:59:59.123Z");
    clock_format_iso(buf, sizeof(buf), 253402300799999LL);
    CHECK_STR(buf, "9999-12-31T23:59:59.999Z");

    iso_ok("1970-01-01T00:00:00Z", 0);
    iso_ok("1970-01-01T00:00:00.000Z", 0);
    iso_ok("2025-01-01T00:00:00.000Z", CLOCK_MANUAL_EPOCH_MS);
    iso_ok("2025-01-01T00:00:00Z", CLOCK_MANUAL_EPOCH_MS);
    iso_ok("2025-01-01T00:00:00.5Z", CLOCK_MANUAL_EPOCH_MS + 500);
    iso_ok("2025-01-01T00:00:00.05Z", CLOCK_MANUAL_EPOCH_MS + 50);
    iso_ok("2025-01-01T00:00:01.001Z", CLOCK_MANUAL_EPOCH_MS + 1001);
    iso_ok("2000-02-29T23:59:59.999Z", 951868799999LL);
    iso_ok("2024-02-29T00:00:00Z", 1709164800000LL);
    iso_ok("2025-12-31T23:59:59.999Z", 1767225599999LL);
    iso_ok("9999-12-31T23:59:59.999Z", 253402300799999LL);

    /* Round trips, including every month end of a leap and a common year. */
    static const long long samples[] = {0,
                                        1,
                                        999,
                                        1000,
                                        86399999,
                                        CLOCK_MANUAL_EPOCH_MS,
                                        CLOCK_MANUAL_EPOCH_MS + 123456789,
                                        951782400000LL,
                                        4107542399999LL,
                                        253402300799999LL};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        long long back = -1;
        clock_format_iso(buf, sizeof(buf), samples[i]);
        CHECK(clock_parse_iso(&back, buf) == 0 && back == samples[i],
              "round trip %lld -> %s -> %lld", samples[i], buf, back);
    }
    for (long long day = 0; day < 3 * 366; day += 1) {
        long long ms = 1704067200000LL + day * 86400000LL + day * 1001; /* from 2024-01-01 */
        long long back = -1;
        clock_format_iso(buf, sizeof(buf), ms);
        if (clock_parse_iso(&back, buf) != 0 || back != ms) {
            CHECK(0, "round trip %lld -> %s -> %lld", ms, buf, back);
            break;
        }
    }
    CHECK(1, "daily round trips");

    iso_bad("");
    iso_bad("2025-01-01");
    iso_bad("2025-01-01T00:00:00");   /* no zone */
    iso_bad("2025-01-01T00:00:00z");  /* lower-case zone */
    iso_bad("2025-01-01T00:00:00Z "); /* trailing space */
    iso_bad("2025-01-01T00:00:00ZZ");
    iso_bad("2025-01-01T00:00:00+00:00");
    iso_bad("2025-01-01T00:00:00.Z");
    iso_bad("2025-01-01T00:00:00.123");
    iso_bad("2025-01-01 00:00:00Z");
    iso_bad("2025-01-01t00:00:00Z");
    iso_bad("2023-02-29T00:00:00Z"); /* not a leap year */
    iso_bad("2100-02-29T00:00:00Z"); /* centuries are not, unless divisible by 400 */
    iso_bad("2024-02-30T00:00:00Z");
    iso_bad("2025-04-31T00:00:00Z");
    iso_bad("2025-06-31T00:00:00Z");
    iso_bad("2025-13-01T00:00:00Z");
    iso_bad("2025-00-01T00:00:00Z");
    iso_bad("2025-01-00T00:00:00Z");
    iso_bad("2025-01-32T00:00:00Z");
    iso_bad("2025-01-01T24:00:00Z");
    iso_bad("2025-01-01T00:60:00Z");
    iso_bad("2025-01-01T00:00:60Z");
    iso_bad("1969-12-31T23:59:59Z");
    iso_bad("25-01-01T00:00:00Z");
    iso_bad("2025-1-01T00:00:00Z");
    iso_bad("2025- 1-01T00:00:00Z"); /* digits only, at fixed places */
    iso_bad("2025-+1-01T00:00:00Z");
    iso_bad("2025-01-+1T00:00:00Z");
    iso_bad(" 2025-01-01T00:00:00Z");
    iso_bad("+2025-01-01T00:00:00Z");
    iso_bad("2025-01-01T00:00:0xZ");

    struct mock_clock c = {CLOCK_MODE_MANUAL, 1234};
    CHECK_INT(clock_now_ms(&c), 1234);
    enum clock_mode m = CLOCK_MODE_MANUAL;
    CHECK_INT(clock_mode_parse(&m, "real"), 0);
    CHECK_INT(m, CLOCK_MODE_REAL);
    CHECK_INT(clock_mode_parse(&m, "manual"), 0);
    CHECK_INT(m, CLOCK_MODE_MANUAL);
    CHECK_INT(clock_mode_parse(&m, "Manual"), -1);
    CHECK_STR(clock_mode_name(CLOCK_MODE_MANUAL), "manual");
    CHECK_STR(clock_mode_name(CLOCK_MODE_REAL), "real");
}

/* --- rng ---------------------------------------------------------------------------- */

static int is_lower_hex32(const char *s)
{
    if (strlen(s) != 32)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

static void test_rng(void)
{
    /* splitmix64's published first output for seed 0. */
    uint64_t st = 0;
    CHECK(rng_next(&st) == 0xe220a8397b1dcdafULL, "splitmix64(0) first draw");
    CHECK(rng_next(&st) == 0x6e789e6aa1b965f4ULL, "splitmix64(0) second draw");

    uint64_t a = 42, b = 42, c = 43;
    int same = 1, differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
        same &= x == y;
        differ |= x != z;
    }
    CHECK(same, "the same seed gives the same sequence");
    CHECK(differ, "another seed gives another sequence");
    CHECK(a == b, "same state after the same calls");

    a = 7;
    b = 7;
    int in_range = 1;
    for (int i = 0; i < 1000; i++) {
        double u = rng_unit(&a);
        in_range &= u >= 0.0 && u < 1.0;
        CHECK(u == rng_unit(&b), "rng_unit deterministic");
    }
    CHECK(in_range, "rng_unit in [0, 1)");

    char h1[33], h2[33], h3[33];
    uint64_t s1 = 1, s2 = 1;
    for (int i = 0; i < 100; i++) {
        memset(h1, 'X', sizeof(h1));
        rng_hex32(h1, &s1);
        rng_hex32(h2, &s2);
        CHECK(is_lower_hex32(h1), "rng_hex32 gives 32 lowercase hex: %s", h1);
        CHECK_STR(h1, h2);
    }
    uint64_t s3 = 1;
    rng_hex32(h1, &s3);
    rng_hex32(h3, &s3);
    CHECK(strcmp(h1, h3) != 0, "successive batch ids differ");
    /* Two draws per id: the id is the two 64-bit draws in hex, high nibble first. */
    st = 0;
    rng_hex32(h1, &st);
    CHECK_STR(h1, "e220a8397b1dcdaf6e789e6aa1b965f4");
}

/* --- jsonw -------------------------------------------------------------------------- */

static void esc(const char *in, const char *expected)
{
    struct jsonw w;
    jsonw_init(&w);
    jsonw_string(&w, in);
    size_t len = 0;
    char *out = jsonw_take(&w, &len);
    CHECK_STR(out, expected);
    if (out)
        CHECK_INT(len, strlen(out));
    free(out);
}

static void test_jsonw(void)
{
    esc("", "\"\"");
    esc("plain", "\"plain\"");
    esc("a\"b", "\"a\\\"b\"");
    esc("a\\b", "\"a\\\\b\"");
    esc("\n\r\t", "\"\\n\\r\\t\"");
    esc("\x01", "\"\\u0001\"");
    esc("\x08\x0c", "\"\\u0008\\u000c\"");
    esc("\x1f", "\"\\u001f\"");
    esc("\x0b", "\"\\u000b\"");
    esc("a/b", "\"a/b\"");
    esc("\x7f", "\"\x7f\"");
    esc("caf\xc3\xa9 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
    {
        char all[32];
        for (int i = 1; i < 32; i++)
            all[i - 1] = (char)i;
        all[31] = '\0';
        esc(all, "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\u0008\\t\\n\\u000b\\u000c"
                 "\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                 "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
    }

    struct jsonw w;
    jsonw_init(&w);
    size_t len = 99;
    char *out = jsonw_take(&w, &len);
    CHECK_STR(out, "");
    CHECK_INT(len, 0);
    free(out);

    jsonw_init(&w);
    jsonw_raw(&w, "{\"requestId\": ");
    jsonw_rawf(&w, "%lld", 3520LL);
    jsonw_rawn(&w, ", \"x\": 1}garbage", 8);
    jsonw_raw(&w, "}");
    out = jsonw_take(&w, &len);
    CHECK_STR(out, "{\"requestId\": 3520, \"x\": 1}");
    CHECK_INT(len, strlen("{\"requestId\": 3520, \"x\": 1}"));
    free(out);

    /* Growth past the first allocation keeps every byte. */
    jsonw_init(&w);
    for (int i = 0; i < 1000; i++)
        jsonw_rawf(&w, "%04d", i);
    out = jsonw_take(&w, &len);
    CHECK_INT(len, 4000);
    CHECK(out && memcmp(out, "000000010002", 12) == 0 && memcmp(out + 3996, "0999", 4) == 0,
          "jsonw growth");
    free(out);
}

/* --- config ------------------------------------------------------------------------- */

static const char *const env_names[] = {
    "CAMPAIGN_MOCK_HOST",
    "CAMPAIGN_MOCK_PORT",
    "CAMPAIGN_MOCK_PORT_FILE",
    "CAMPAIGN_MOCK_FIXTURES",
    "CAMPAIGN_MOCK_DB",
    "CAMPAIGN_MOCK_AUTH",
    "CAMPAIGN_MOCK_CLOCK",
    "CAMPAIGN_MOCK_SEED",
    "CAMPAIGN_MOCK_ADMIN_TOKEN",
    "CAMPAIGN_MOCK_JOURNAL_MAX",
    "CAMPAIGN_MOCK_LOG_FORMAT",
    "CAMPAIGN_MOCK_LOG_LEVEL",
    "CAMPAIGN_MOCK_THREADS",
    "CAMPAIGN_MOCK_MAX_CONNECTIONS",
    "CAMPAIGN_MOCK_MAX_CONNECTIONS_PER_CLIENT",
    "CAMPAIGN_MOCK_REQUEST_TIMEOUT",
    "CAMPAIGN_MOCK_IDLE_TIMEOUT",
    "CAMPAIGN_MOCK_TLS_PORT",
    "CAMPAIGN_MOCK_TLS_DIR",
    "CAMPAIGN_MOCK_TLS_HOST",
    "CAMPAIGN_MOCK_TLS_CERT",
    "CAMPAIGN_MOCK_TLS_KEY",
};

static void env_clear(void)
{
    for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
        unsetenv(env_names[i]);
}

/* argv storage that outlives the parsed config (config keeps pointers into it). */
struct args {
    char *v[64];
    char *orig[64]; /* config_parse reorders v; these are what was allocated */
    int n;
};

static void args_make(struct args *a, const char *const *list)
{
    a->n = 0;
    a->v[a->n++] = strdup("campaign-mock");
    for (; *list && a->n < 63; list++)
        a->v[a->n++] = strdup(*list);
    a->v[a->n] = NULL;
    memcpy(a->orig, a->v, sizeof(a->orig));
}

static void args_free(struct args *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->orig[i]);
    a->n = 0;
}

static void cfg_bad(const char *const *list, const char *expected)
{
    struct config c;
    struct args a;
    char err[256];
    memset(&c, 0x5a, sizeof(c));
    args_make(&a, list);
    err[0] = '\0';
    int rc = config_parse(&c, a.n, a.v, err, sizeof(err));
    CHECK(rc == -1, "config_parse accepted: %s ...", list[0] ? list[0] : "(env)");
    CHECK_STR(err, expected);
    args_free(&a);
}

/* The HTTPS options, their twins (--tls-host's a comma-separated list: an IPv6 address
 * has colons) and the ca and env commands. */
static void test_config_tls(void)
{
    struct config c;
    struct args a;
    char err[256];
    env_clear();
    static const char *const none[] = {NULL};
    args_make(&a, none);
    CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
    CHECK_INT(c.tls_port, -1);
    CHECK(c.tls_dir == NULL && c.tls_cert == NULL && c.tls_key == NULL, "no TLS by default");
    CHECK_INT(c.n_tls_hosts, 0);
    args_free(&a);

    setenv("CAMPAIGN_MOCK_TLS_PORT", "8443", 1);
    setenv("CAMPAIGN_MOCK_TLS_DIR", "/tmp/envtls", 1);
    setenv("CAMPAIGN_MOCK_TLS_HOST", "a.test,::1,,10.0.0.1", 1);
    setenv("CAMPAIGN_MOCK_TLS_CERT", "c.pem", 1);
    setenv("CAMPAIGN_MOCK_TLS_KEY", "k.pem", 1);
    args_make(&a, none);
    CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
    CHECK_INT(c.tls_port, 8443);
    CHECK_STR(c.tls_dir, "/tmp/envtls");
    CHECK_INT(c.n_tls_hosts, 3);
    CHECK_STR(c.tls_hosts[0], "a.test");
    CHECK_STR(c.tls_hosts[1], "::1");
    CHECK_STR(c.tls_hosts[2], "10.0.0.1");
    CHECK_STR(c.tls_cert, "c.pem");
    CHECK_STR(c.tls_key, "k.pem");
    args_free(&a);
    {
        static const char *const list[] = {"--tls-host", "b.test", "--tls-host=*.c.test",
                                           "--tls-port", "0",      NULL};
        args_make(&a, list);
        CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
        CHECK_INT(c.tls_port, 0);
        CHECK_INT(c.n_tls_hosts, 2); /* the command line's replace the environment's */
        CHECK_STR(c.tls_hosts[0], "b.test");
        CHECK_STR(c.tls_hosts[1], "*.c.test");
        args_free(&a);
    }
    {
        /* off undoes the variable that campaign-mock env exports. */
        static const char *const list[] = {"--tls-port", "off", NULL};
        args_make(&a, list);
        CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
        CHECK_INT(c.tls_port, -1);
        args_free(&a);
    }
    setenv("CAMPAIGN_MOCK_TLS_HOST", "bad/name", 1);
    cfg_bad(none, "CAMPAIGN_MOCK_TLS_HOST: --tls-host: invalid value \"bad/name\" (expected a "
                  "DNS name or an IP address, at most 253 bytes of letters, digits, '.', '-', "
                  "':' and '*')");
    env_clear();
    {
        static const char *const list[] = {"--tls-port", "-1", NULL};
        cfg_bad(list,
                "--tls-port: invalid value \"-1\" (expected an integer from 0 to 65535, or off)");
    }
    {
        static const char *const list[] = {"--tls-dir", "", NULL};
        cfg_bad(list, "--tls-dir: invalid value \"\" (expected a directory path)");
    }
    {
        static const char *const list[] = {"ca", "--path", "--tls-dir", "/x", NULL};
        args_make(&a, list);
        CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
        CHECK_INT(c.command, CMD_CA);
        CHECK_INT(c.ca_path, 1);
        CHECK_STR(c.tls_dir, "/x");
        args_free(&a);
    }
    {
        static const char *const list[] = {"--path", NULL};
        cfg_bad(list, "unknown option --path (see --help)");
    }
    {
        static const char *const list[] = {"env", "extra", NULL};
        cfg_bad(list, "unexpected argument \"extra\" (see --help)");
    }
    {
        static const char *const list[] = {"env", "--tls-port", "9443", NULL};
        args_make(&a, list);
        CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
        CHECK_INT(c.command, CMD_ENV);
        CHECK_INT(c.tls_port, 9443);
        args_free(&a);
    }
    {
        const char *list[CONFIG_TLS_HOSTS_MAX * 2 + 3];
        int n = 0;
        for (int i = 0; i <= CONFIG_TLS_HOSTS_MAX; i++) {
            list[n++] = "--tls-host";
            list[n++] = "h.test";
        }
        list[n] = NULL;
        cfg_bad(list, "--tls-host: at most 16 names");
    }
}

/* CAMPAIGN_MOCK_* variables no option reads are told (with the nearest option's when a
 * typo is likely), not refused; the test suite's own are not told. */
static void test_config_env_warnings(void)
{
    struct config c;
    struct args a;
    char err[256];
    env_clear();
    static const char *const none[] = {NULL};
    setenv("CAMPAIGN_MOCK_PROT", "9000", 1);
    setenv("CAMPAIGN_MOCK_NOTHING_LIKE_IT", "1", 1);
    setenv("CAMPAIGN_MOCK_KEEP_TEST_DIRS", "1", 1);
    args_make(&a, none);
    CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
    CHECK_INT(c.port, 8080);
    CHECK(strstr(c.warnings, "CAMPAIGN_MOCK_PROT is no option's variable: ignored (did you mean "
                             "CAMPAIGN_MOCK_PORT?)\n") != NULL,
          "warnings: %s", c.warnings);
    CHECK(strstr(c.warnings, "CAMPAIGN_MOCK_NOTHING_LIKE_IT is no option's variable: ignored\n") !=
              NULL,
          "warnings: %s", c.warnings);
    CHECK(strstr(c.warnings, "KEEP_TEST_DIRS") == NULL, "the suite's own variable was told: %s",
          c.warnings);
    args_free(&a);
    unsetenv("CAMPAIGN_MOCK_PROT");
    unsetenv("CAMPAIGN_MOCK_NOTHING_LIKE_IT");
    unsetenv("CAMPAIGN_MOCK_KEEP_TEST_DIRS");
    args_make(&a, none);
    CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
    CHECK(strstr(c.warnings, "PROT") == NULL, "no warning once unset: %s", c.warnings);
    args_free(&a);
}

static void test_config(void)
{
    struct config c;
    struct args a;
    char err[256];
    env_clear();

    /* Defaults. */
    {
        static const char *const none[] = {NULL};
        args_make(&a, none);
        CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
        CHECK_INT(c.command, CMD_SERVE);
        CHECK_STR(c.host, "127.0.0.1");
        CHECK_INT(c.port, 8080);
        CHECK(c.port_file == NULL, "no port file by default");
        CHECK_INT(c.n_fixtures, 0);
        CHECK_STR(c.db, ":memory:");
        CHECK_INT(c.auth, AUTH_PRESENCE);
        CHECK_INT(c.clock, CLOCK_MODE_REAL);
        CHECK(c.seed == 0, "seed 0 by default");
        CHECK(c.admin_token == NULL, "no admin token by default");
        CHECK_INT(c.journal_max, 100000);
        CHECK_INT(c.max_connections, 1000);
        CHECK_INT(c.request_timeout, 30);
        CHECK_INT(c.idle_timeout, 120);
        CHECK_INT(c.log_format, LOG_TEXT);
        CHECK_INT(c.log_level, LOG_INFO);
        CHECK_INT(c.n_args, 0);
        args_free(&a);
    }

    /* Each option on the command line, both spellings. */
    {
        static const char *const list[] = {"serve",
                                           "--host",
                                           "0.0.0.0",
                                           "--port",
                                           "0",
                                           "--port-file",
                                           "/tmp/p",
                                           "--fixtures",
                                           "a.json",
                                           "--fixtures=dir",
                                           "--db",
                                           "/tmp/x.db",
                                           "--auth",
                                           "strict",
                                           "--clock=manual",
                                           "--seed",
                                           "18446744073709551615",
                                           "--admin-token",
                                           "tok",
                                           "--journal-max",
                                           "10",
                                           "--log-format",
                                           "json",
                                           "--log-level=debug",
                                           NULL};
        args_make(&a, list);
        int rc = config_parse(&c, a.n, a.v, err, sizeof(err));
        CHECK(rc == 0, "config_parse: %s", err);
        CHECK_INT(c.command, CMD_SERVE);
        CHECK_STR(c.host, "0.0.0.0");
        CHECK_INT(c.port, 0);
        CHECK_STR(c.port_file, "/tmp/p");
        CHECK_INT(c.n_fixtures, 2);
        CHECK_STR(c.fixtures[0], "a.json");
        CHECK_STR(c.fixtures[1], "dir");
        CHECK_STR(c.db, "/tmp/x.db");
        CHECK_INT(c.auth, AUTH_STRICT);
        CHECK_INT(c.clock, CLOCK_MODE_MANUAL);
        CHECK(c.seed == UINT64_MAX, "seed 2^64-1");
        CHECK_STR(c.admin_token, "tok");
        CHECK_INT(c.journal_max, 10);
        CHECK_INT(c.log_format, LOG_JSON);
        CHECK_INT(c.log_level, LOG_DEBUG);
        args_free(&a);
    }
    {
        static const char *const list[] = {"--auth",      "off",   "--port", "65535",
                                           "--log-level", "error", NULL};
        args_make(&a, list);
        CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
        CHECK_INT(c.auth, AUTH_OFF);
        CHECK_INT(c.port, 65535);
        CHECK_INT(c.log_level, LOG_ERROR);
        args_free(&a);
    }
    CHECK_STR(config_auth_name(AUTH_OFF), "off");
    CHECK_STR(config_auth_name(AUTH_PRESENCE), "presence");
    CHECK_STR(config_auth_name(AUTH_STRICT), "strict");

    /* Environment twins. */
    setenv("CAMPAIGN_MOCK_HOST", "::1", 1);
    setenv("CAMPAIGN_MOCK_PORT", "9000", 1);
    setenv("CAMPAIGN_MOCK_PORT_FILE", "/tmp/envport", 1);
    setenv("CAMPAIGN_MOCK_FIXTURES", "env.json", 1);
    setenv("CAMPAIGN_MOCK_DB", "env.db", 1);
    setenv("CAMPAIGN_MOCK_AUTH", "off", 1);
    setenv("CAMPAIGN_MOCK_CLOCK", "manual", 1);
    setenv("CAMPAIGN_MOCK_SEED", "99", 1);
    setenv("CAMPAIGN_MOCK_ADMIN_TOKEN", "envtok", 1);
    setenv("CAMPAIGN_MOCK_JOURNAL_MAX", "500", 1);
    setenv("CAMPAIGN_MOCK_LOG_FORMAT", "json", 1);
    setenv("CAMPAIGN_MOCK_LOG_LEVEL", "warn", 1);
    setenv("CAMPAIGN_MOCK_THREADS", "3", 1);
    setenv("CAMPAIGN_MOCK_MAX_CONNECTIONS", "77", 1);
    setenv("CAMPAIGN_MOCK_MAX_CONNECTIONS_PER_CLIENT", "7", 1);
    setenv("CAMPAIGN_MOCK_REQUEST_TIMEOUT", "0", 1);
    setenv("CAMPAIGN_MOCK_IDLE_TIMEOUT", "9", 1);
    {
        static const char *const none[] = {NULL};
        args_make(&a, none);
        int rc = config_parse(&c, a.n, a.v, err, sizeof(err));
        CHECK(rc == 0, "config_parse from env: %s", err);
        CHECK_STR(c.host, "::1");
        CHECK_INT(c.port, 9000);
        CHECK_STR(c.port_file, "/tmp/envport");
        CHECK_INT(c.n_fixtures, 1);
        CHECK_STR(c.fixtures[0], "env.json");
        CHECK_STR(c.db, "env.db");
        CHECK_INT(c.auth, AUTH_OFF);
        CHECK_INT(c.clock, CLOCK_MODE_MANUAL);
        CHECK(c.seed == 99, "seed from env");
        CHECK_STR(c.admin_token, "envtok");
        CHECK_INT(c.journal_max, 500);
        CHECK_INT(c.log_format, LOG_JSON);
        CHECK_INT(c.log_level, LOG_WARN);
        CHECK_INT(c.threads, 3);
        CHECK_INT(c.max_connections, 77);
        CHECK_INT(c.max_per_client, 7);
        CHECK_INT(c.request_timeout, 0);
        CHECK_INT(c.idle_timeout, 9);
        args_free(&a);
    }
    /* Every option the usage text names has an environment twin: each is in
     * config_options, which apply_env reads (CAMPAIGN_MOCK_MAX_CONNECTIONS was once
     * missing from it and silently ignored). */
    for (const char *u = strstr(config_usage, "options ("); u && (u = strstr(u, "  --"));) {
        u += 4;
        size_t len = strcspn(u, " \n");
        int listed = 0;
        for (const char *const *o = config_options; *o; o++)
            listed |= strlen(*o) == len && strncmp(*o, u, len) == 0;
        CHECK(listed, "--%.*s of the usage is not in config_options", (int)len, u);
    }
    /* The command line overrides the environment, repeatable options included. */
    {
        static const char *const list[] = {"--host",
                                           "127.0.0.2",
                                           "--port",
                                           "0",
                                           "--port-file",
                                           "/tmp/cli",
                                           "--fixtures",
                                           "cli.json",
                                           "--db",
                                           ":memory:",
                                           "--auth",
                                           "presence",
                                           "--clock",
                                           "real",
                                           "--seed",
                                           "1",
                                           "--admin-token",
                                           "clitok",
                                           "--journal-max",
                                           "7",
                                           "--log-format",
                                           "text",
                                           "--log-level",
                                           "info",
                                           NULL};
        args_make(&a, list);
        int rc = config_parse(&c, a.n, a.v, err, sizeof(err));
        CHECK(rc == 0, "config_parse: %s", err);
        CHECK_STR(c.host, "127.0.0.2");
        CHECK_INT(c.port, 0);
        CHECK_STR(c.port_file, "/tmp/cli");
        CHECK_INT(c.n_fixtures, 1);
        CHECK_STR(c.fixtures[0], "cli.json");
        CHECK_STR(c.db, ":memory:");
        CHECK_INT(c.auth, AUTH_PRESENCE);
        CHECK_INT(c.clock, CLOCK_MODE_REAL);
        CHECK(c.seed == 1, "seed from the command line");
        CHECK_STR(c.admin_token, "clitok");
        CHECK_INT(c.journal_max, 7);
        CHECK_INT(c.log_format, LOG_TEXT);
        CHECK_INT(c.log_level, LOG_INFO);
        args_free(&a);
    }
    /* A bad environment value names its variable. */
    static const char *const none[] = {NULL};
    setenv("CAMPAIGN_MOCK_PORT", "abc", 1);
    cfg_bad(
        none,
        "CAMPAIGN_MOCK_PORT: --port: invalid value \"abc\" (expected an integer from 0 to 65535)");
    env_clear();
    setenv("CAMPAIGN_MOCK_AUTH", "none", 1);
    cfg_bad(
        none,
        "CAMPAIGN_MOCK_AUTH: --auth: invalid value \"none\" (expected off, presence or strict)");
    env_clear();
    setenv("CAMPAIGN_MOCK_FIXTURES", "", 1); /* empty: the bundled set */
    {
        args_make(&a, none);
        CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
        CHECK_INT(c.n_fixtures, 0);
        args_free(&a);
    }
    env_clear();

    /* Bad values and usage errors, with their exact messages. */
    {
        static const char *const l1[] = {"--port", "70000", NULL};
        cfg_bad(l1, "--port: invalid value \"70000\" (expected an integer from 0 to 65535)");
        static const char *const l2[] = {"--port", "-1", NULL};
        cfg_bad(l2, "--port: invalid value \"-1\" (expected an integer from 0 to 65535)");
        static const char *const l3[] = {"--port", "", NULL};
        cfg_bad(l3, "--port: invalid value \"\" (expected an integer from 0 to 65535)");
        static const char *const l4[] = {"--port", "80x", NULL};
        cfg_bad(l4, "--port: invalid value \"80x\" (expected an integer from 0 to 65535)");
        static const char *const l5[] = {"--auth", "maybe", NULL};
        cfg_bad(l5, "--auth: invalid value \"maybe\" (expected off, presence or strict)");
        static const char *const l6[] = {"--clock", "fast", NULL};
        cfg_bad(l6, "--clock: invalid value \"fast\" (expected real or manual)");
        static const char *const l7[] = {"--seed", "-1", NULL};
        cfg_bad(
            l7,
            "--seed: invalid value \"-1\" (expected an integer from 0 to 18446744073709551615)");
        static const char *const l8[] = {"--seed", "18446744073709551616", NULL};
        cfg_bad(l8, "--seed: invalid value \"18446744073709551616\" (expected an integer from 0 to "
                    "18446744073709551615)");
        static const char *const l9[] = {"--seed", "", NULL};
        cfg_bad(l9,
                "--seed: invalid value \"\" (expected an integer from 0 to 18446744073709551615)");
        static const char *const l10[] = {"--journal-max", "0", NULL};
        cfg_bad(l10, "--journal-max: invalid value \"0\" (expected an integer from 1 to 10000000)");
        static const char *const l11[] = {"--journal-max", "10000001", NULL};
        cfg_bad(
            l11,
            "--journal-max: invalid value \"10000001\" (expected an integer from 1 to 10000000)");
        static const char *const l12[] = {"--log-format", "xml", NULL};
        cfg_bad(l12, "--log-format: invalid value \"xml\" (expected text or json)");
        static const char *const l13[] = {"--log-level", "trace", NULL};
        cfg_bad(l13, "--log-level: invalid value \"trace\" (expected error, warn, info or debug)");
        static const char *const l14[] = {"--host", "", NULL};
        cfg_bad(l14, "--host: invalid value \"\" (expected an address of at most 255 bytes, e.g. "
                     "127.0.0.1 or ::1)");
        static const char *const l15[] = {"--db", "", NULL};
        cfg_bad(l15, "--db: invalid value \"\" (expected :memory: or a file path)");
        static const char *const l16[] = {"--admin-token=", NULL};
        cfg_bad(l16, "--admin-token: invalid value \"\" (expected a non-empty token)");
        static const char *const l17[] = {"--nope", "1", NULL};
        cfg_bad(l17, "unknown option --nope (see --help)");
        static const char *const l18[] = {"--nope", NULL};
        cfg_bad(l18, "unknown option --nope (see --help)");
        static const char *const l19[] = {"--port", NULL};
        cfg_bad(l19, "--port needs a value");
        static const char *const l20[] = {"frob", NULL};
        cfg_bad(l20, "unknown command \"frob\" (see --help)");
        static const char *const l21[] = {"serve", "extra", NULL};
        cfg_bad(l21, "unexpected argument \"extra\" (see --help)");
        static const char *const l22[] = {"--port", "1", "stray", NULL};
        cfg_bad(l22, "unexpected argument \"stray\" (see --help)");
    }
    {
        /* One more than allowed (the --name=value form keeps argv short). */
        static const char *list[CONFIG_FIXTURES_MAX + 2];
        int n = 0;
        for (int i = 0; i <= CONFIG_FIXTURES_MAX; i++)
            list[n++] = "--fixtures=f.json";
        list[n] = NULL;
        cfg_bad(list, "--fixtures: at most 32 paths");
    }

    /* Commands and their positional arguments. */
    {
        static const char *const list[] = {"check",  "a.json", "--log-level", "debug",
                                           "b.json", "dir/",   NULL};
        args_make(&a, list);
        int rc = config_parse(&c, a.n, a.v, err, sizeof(err));
        CHECK(rc == 0, "check: %s", err);
        CHECK_INT(c.command, CMD_CHECK);
        CHECK_INT(c.n_args, 3);
        if (c.n_args == 3) {
            CHECK_STR(c.args[0], "a.json");
            CHECK_STR(c.args[1], "b.json");
            CHECK_STR(c.args[2], "dir/");
        }
        CHECK_INT(c.log_level, LOG_DEBUG);
        args_free(&a);
    }
    {
        static const char *const list[] = {"check", NULL};
        args_make(&a, list);
        CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
        CHECK_INT(c.command, CMD_CHECK);
        CHECK_INT(c.n_args, 0);
        args_free(&a);
    }
    {
        static const char *const list[] = {"probe", "http://127.0.0.1:9/", NULL};
        args_make(&a, list);
        CHECK_INT(config_parse(&c, a.n, a.v, err, sizeof(err)), 0);
        CHECK_INT(c.command, CMD_PROBE);
        CHECK_INT(c.n_args, 1);
        if (c.n_args == 1)
            CHECK_STR(c.args[0], "http://127.0.0.1:9/");
        args_free(&a);
    }
    const char *const *const flags[] = {
        (const char *const[]){"--help", NULL},
        (const char *const[]){"-h", NULL},
        (const char *const[]){"--port", "1", "--help", "--nope", NULL},
        (const char *const[]){"--version", NULL},
        (const char *const[]){"check", "--version", NULL},
    };
    static const enum command expect[] = {CMD_HELP, CMD_HELP, CMD_HELP, CMD_VERSION, CMD_VERSION};
    for (int i = 0; i < 5; i++) {
        args_make(&a, flags[i]);
        int rc = config_parse(&c, a.n, a.v, err, sizeof(err));
        CHECK(rc == 0 && c.command == expect[i], "flags %d: rc %d command %d (%s)", i, rc,
              (int)c.command, err);
        args_free(&a);
    }
    CHECK(strstr(config_usage, "--journal-max N") != NULL, "usage lists --journal-max");
}

int main(void)
{
    test_request_id();
    test_utf8();
    test_clock();
    test_rng();
    test_jsonw();
    test_config();
    test_config_tls();
    test_config_env_warnings();
    return test_report();
}
