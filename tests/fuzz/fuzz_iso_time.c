/*
 * Fuzz target: the ISO 8601 times of the control API (clock.c), which POST
 * /_mock/clock {"set": "..."} parses from the client. Invariants, as the code gives
 * them:
 *   - clock_parse_iso answers 0 or -1 and writes *out only on success, a time in
 *     1970-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z;
 *   - what parses formats back to its canonical form: the same first 19 characters,
 *     the first three fraction digits (zero-padded; further digits are dropped, not
 *     rounded) and "Z"; and that form parses again to the same value;
 *   - for any ms within +-2^53 (what JSON numbers carry exactly), clock_format_iso
 *     writes a NUL-terminated string shorter than its 32-byte buffer, cut but still
 *     terminated in a smaller one, and it parses back to ms exactly when ms is in the
 *     range above (outside, the year has a sign or five digits and is refused).
 * The input is parsed as text; its first 8 bytes are also taken as a number of ms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_iso_time: " __VA_ARGS__);                                            \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

#define ISO_MIN_MS 0LL
#define ISO_MAX_MS 253402300799999LL  /* 9999-12-31T23:59:59.999Z */
#define SAFE_MS    9007199254740992LL /* 2^53 */
#define ISO_SIZE   32                 /* what clock.h says the buffer needs */

/* Formats ms into exactly ISO_SIZE bytes of heap (so ASan sees an overrun). */
static char *format(long long ms)
{
    char *buf = malloc(ISO_SIZE);
    if (!buf)
        abort();
    clock_format_iso(buf, ISO_SIZE, ms);
    size_t len = strnlen(buf, ISO_SIZE);
    if (len >= ISO_SIZE || len < 24 || buf[len - 1] != 'Z')
        FAIL("%lld formatted to \"%.*s\"", ms, (int)len, buf);

    char small[8];
    clock_format_iso(small, sizeof(small), ms);
    if (strnlen(small, sizeof(small)) != sizeof(small) - 1 ||
        memcmp(small, buf, sizeof(small) - 1) != 0)
        FAIL("%lld formatted into 8 bytes as \"%.7s\"", ms, small);
    return buf;
}

static void check_ms(long long ms)
{
    char *iso = format(ms);
    long long back = -12345;
    int rc = clock_parse_iso(&back, iso);
    int in_range = ms >= ISO_MIN_MS && ms <= ISO_MAX_MS;
    if (in_range && (rc != 0 || back != ms || strlen(iso) != 24))
        FAIL("%lld formatted to %s, which parses (%d) to %lld", ms, iso, rc, back);
    if (!in_range && (rc != -1 || back != -12345))
        FAIL("%lld is out of range but its form %s parsed", ms, iso);
    free(iso);
}

/* The canonical form of a text clock_parse_iso accepted, into out[25]. */
static void canonical(char *out, const char *s)
{
    memcpy(out, s, 19);
    out[19] = '.';
    const char *p = s + 19;
    if (*p == '.')
        p++;
    for (int i = 0; i < 3; i++)
        out[20 + i] = *p >= '0' && *p <= '9' ? *p++ : '0';
    out[23] = 'Z';
    out[24] = '\0';
}

static void check_text(const char *s)
{
    long long ms = -12345;
    int rc = clock_parse_iso(&ms, s);
    if (rc == -1) {
        if (ms != -12345)
            FAIL("a failed parse of \"%s\" wrote %lld", s, ms);
        return;
    }
    if (rc != 0)
        FAIL("clock_parse_iso returned %d", rc);
    if (ms < ISO_MIN_MS || ms > ISO_MAX_MS)
        FAIL("\"%s\" parsed to %lld, out of range", s, ms);
    if (strlen(s) < 20 || s[strlen(s) - 1] != 'Z')
        FAIL("\"%s\" parsed without a final Z", s);
    char want[25];
    canonical(want, s);
    char *iso = format(ms);
    if (strcmp(iso, want) != 0)
        FAIL("\"%s\" parsed to %lld, which formats to %s, not %s", s, ms, iso, want);
    long long again = -12345;
    if (clock_parse_iso(&again, iso) != 0 || again != ms)
        FAIL("%s (from \"%s\") parsed again to %lld, not %lld", iso, s, again, ms);
    free(iso);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* JSON strings reach clock_parse_iso as C strings (json.c refuses \u0000). */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    check_text(text);
    free(text);

    if (size >= 8) {
        uint64_t u;
        memcpy(&u, data, sizeof(u));
        /* Within +-2^53, and again folded into the range that parses. */
        long long ms = (long long)(u % (2 * (uint64_t)SAFE_MS + 1)) - SAFE_MS;
        check_ms(ms);
        check_ms((long long)(u % (uint64_t)(ISO_MAX_MS + 1)));
    }
    return 0;
}
