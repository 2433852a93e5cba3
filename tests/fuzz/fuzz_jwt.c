/*
 * Fuzz target: the IMS JWT parsing (api/ims.c) that POST /ims/exchange/jwt runs on a
 * client's jwt_token, and its base64url codec. Three uses of each input:
 *   - as a token: ims_jwt_decode, then ims_jwt_check with a fixed client, org and
 *     clock. Decoding succeeds with two objects or fails with a reason and nothing
 *     allocated; a token the check accepts has the claims the check promises.
 *   - as JSON: "HEADER\nCLAIMS" (or CLAIMS alone under {"alg":"RS256"}) is made into a
 *     token, which must decode exactly when both parts are non-empty JSON objects, to
 *     the same trees; this is how the fuzzer reaches the claim checks.
 *   - as base64url text and as bytes: decode(encode(x)) == x; text decodes exactly
 *     when, '=' padding aside, it has only alphabet characters and its length is not
 *     1 mod 4, to floor(6n/8) bytes that encode back to n characters and decode again
 *     to the same bytes; one byte less of room fails instead of overrunning.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ims.h"
#include "clock.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_jwt: " __VA_ARGS__);                                                 \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

/* The exchange's parameters, as a fixture client would give them. */
#define CLIENT_ID "fuzz-client"
#define ORG_ID    "FUZZ0RG@AdobeOrg"
#define NOW_MS    CLOCK_MANUAL_EPOCH_MS

/* Both checks of a decoded token: the result is one of the documented errors, with a
 * reason, and IMS_OK means each claim is what the contract of ims_jwt_check says. */
static void check_claims(const cJSON *header, const cJSON *claims)
{
    char why[256];
    why[0] = '\0';
    enum ims_error e =
        ims_jwt_check(header, claims, CLIENT_ID, ORG_ID, IMS_ORIGIN, NOW_MS, why, sizeof(why));
    if (e != IMS_OK && e != IMS_INVALID_TOKEN && e != IMS_INVALID_SIGNATURE &&
        e != IMS_INVALID_SCOPE)
        FAIL("ims_jwt_check returned %d", (int)e);
    if (e != IMS_OK && (why[0] == '\0' || strlen(why) >= sizeof(why)))
        FAIL("ims_jwt_check failed (%s) without a reason", ims_error_name(e));
    if (e == IMS_OK) {
        const cJSON *alg = cJSON_GetObjectItemCaseSensitive(header, "alg");
        const cJSON *exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
        const cJSON *aud = cJSON_GetObjectItemCaseSensitive(claims, "aud");
        const cJSON *iss = cJSON_GetObjectItemCaseSensitive(claims, "iss");
        const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
        if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "RS256") != 0)
            FAIL("accepted without alg RS256");
        if (!cJSON_IsNumber(exp) || !(exp->valuedouble * 1000.0 > (double)NOW_MS))
            FAIL("accepted an expired token");
        if (!cJSON_IsString(aud) || strcmp(aud->valuestring, IMS_AUD_PREFIX CLIENT_ID) != 0)
            FAIL("accepted aud that is not the client's");
        if (!cJSON_IsString(iss) || strcmp(iss->valuestring, ORG_ID) != 0)
            FAIL("accepted iss that is not the org");
        if (!cJSON_IsString(sub) || sub->valuestring[0] == '\0')
            FAIL("accepted without sub");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(claims, IMS_CAMPAIGN_METASCOPE)))
            FAIL("accepted without the Campaign metascope");
    }
    /* A tiny reason buffer is cut, never overrun. */
    char small[8];
    small[0] = '\0';
    if (ims_jwt_check(header, claims, CLIENT_ID, ORG_ID, IMS_ORIGIN, NOW_MS, small,
                      sizeof(small)) != e ||
        strlen(small) >= sizeof(small))
        FAIL("ims_jwt_check with a small reason buffer");
}

/* Decodes jwt; on IMS_OK returns the trees (caller deletes), else checks the failure. */
static enum ims_error decode_token(cJSON **header, cJSON **claims, const char *jwt)
{
    cJSON *h = NULL, *c = NULL;
    char why[256];
    why[0] = '\0';
    enum ims_error e = ims_jwt_decode(&h, &c, jwt, why, sizeof(why));
    if (e == IMS_OK) {
        if (!cJSON_IsObject(h) || !cJSON_IsObject(c))
            FAIL("ims_jwt_decode succeeded without two objects");
        check_claims(h, c);
        *header = h;
        *claims = c;
        return e;
    }
    if (e != IMS_INVALID_TOKEN && e != IMS_INVALID_SIGNATURE)
        FAIL("ims_jwt_decode returned %d", (int)e);
    if (h || c)
        FAIL("ims_jwt_decode failed (%s) but set its outputs", ims_error_name(e));
    if (why[0] == '\0' || strlen(why) >= sizeof(why))
        FAIL("ims_jwt_decode failed (%s) without a reason", ims_error_name(e));
    return e;
}

/* base64url of n bytes into a malloc'd string of exactly the size needed. */
static char *encode(const unsigned char *in, size_t n, size_t *len)
{
    size_t need = (n * 4 + 2) / 3;
    char *out = malloc(need + 1);
    if (!out)
        abort();
    *len = ims_base64url_encode(out, need + 1, in, n);
    if (*len != need || strlen(out) != need)
        FAIL("%zu bytes encoded to %zu characters, not %zu", n, *len, need);
    if (n > 0) {
        char *tight = malloc(need);
        if (!tight)
            abort();
        if (ims_base64url_encode(tight, need, in, n) != 0)
            FAIL("encoding %zu bytes into %zu (no room for the NUL) did not fail", n, need);
        free(tight);
    }
    return out;
}

/* Decodes in[0..n) into exactly size bytes of heap (so ASan sees an overrun). */
static long decode(unsigned char **out, const char *in, size_t n, size_t size)
{
    *out = malloc(size ? size : 1);
    if (!*out)
        abort();
    return ims_base64url_decode(*out, size, in, n);
}

static int is_b64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static void check_base64url(const uint8_t *data, size_t size)
{
    /* Bytes: encode then decode gives them back. */
    size_t elen;
    char *enc = encode(data, size, &elen);
    unsigned char *dec;
    long dlen = decode(&dec, enc, elen, size);
    if (dlen != (long)size || (size && memcmp(dec, data, size) != 0))
        FAIL("decode(encode(%zu bytes)) gave %ld bytes", size, dlen);
    free(dec);
    free(enc);

    /* Text: decodes exactly when well formed, to floor(6n/8) bytes. */
    const char *text = (const char *)data;
    size_t n = size;
    while (n > 0 && text[n - 1] == '=')
        n--;
    int valid = n % 4 != 1;
    for (size_t i = 0; i < n && valid; i++)
        valid = is_b64url(text[i]);
    size_t want = n * 6 / 8;
    dlen = decode(&dec, text, size, want);
    if (!valid) {
        if (dlen != -1)
            FAIL("malformed base64url of %zu characters decoded to %ld bytes", n, dlen);
        free(dec);
        return;
    }
    if (dlen != (long)want)
        FAIL("%zu base64url characters decoded to %ld bytes, not %zu", n, dlen, want);
    /* Re-encoded, the bytes take as many characters, the same but for the last one of
     * a short final group (decode ignores the bits of it that make no whole byte), and
     * decode to the same bytes. */
    enc = encode(dec, want, &elen);
    size_t same = n % 4 == 0 ? n : n - 1;
    if (elen != n || memcmp(enc, text, same) != 0)
        FAIL("%zu characters re-encoded to %zu others", n, elen);
    unsigned char *again;
    if (decode(&again, enc, elen, want) != (long)want || (want && memcmp(again, dec, want) != 0))
        FAIL("base64url re-encoding does not decode to the same bytes");
    free(again);
    free(enc);
    free(dec);
    if (want > 0) {
        if (decode(&dec, text, size, want - 1) != -1)
            FAIL("%zu bytes decoded into %zu bytes of room", want, want - 1);
        free(dec);
    }
}

static char *print(const cJSON *item)
{
    char *s = cJSON_PrintUnformatted(item);
    if (!s)
        abort();
    return s;
}

/* The input as header and claims texts, made into a token with a dummy signature. */
static void check_made_token(const uint8_t *data, size_t size)
{
    static const char default_header[] = "{\"alg\":\"RS256\"}";
    const uint8_t *nl = memchr(data, '\n', size);
    const unsigned char *parts[2] = {(const unsigned char *)default_header, data};
    size_t lens[2] = {strlen(default_header), size};
    if (nl) {
        lens[0] = (size_t)(nl - data);
        parts[0] = data;
        parts[1] = nl + 1;
        lens[1] = size - lens[0] - 1;
    }
    size_t elens[2];
    char *enc[2] = {encode(parts[0], lens[0], &elens[0]), encode(parts[1], lens[1], &elens[1])};
    static const char sig[] = "c2ln"; /* "sig": the signature is not verified */
    size_t len = elens[0] + 1 + elens[1] + 1 + strlen(sig);
    char *jwt = malloc(len + 1);
    if (!jwt)
        abort();
    snprintf(jwt, len + 1, "%s.%s.%s", enc[0], enc[1], sig);
    free(enc[0]);
    free(enc[1]);

    cJSON *want[2];
    for (int i = 0; i < 2; i++) {
        /* The token's parts are read as strictly as client bodies (json.h). */
        want[i] = NULL;
        if (lens[i])
            json_parse_strict(&want[i], (const char *)parts[i], lens[i], NULL);
        if (want[i] && !cJSON_IsObject(want[i])) {
            cJSON_Delete(want[i]);
            want[i] = NULL;
        }
    }
    int ok = want[0] && want[1] && len <= IMS_JWT_MAX;
    cJSON *h = NULL, *c = NULL;
    enum ims_error e = decode_token(&h, &c, jwt);
    if ((e == IMS_OK) != ok)
        FAIL("a token of %zu bytes from %s header and %s claims: %s", len,
             want[0] ? "an object" : "no object", want[1] ? "an object" : "no object",
             ims_error_name(e));
    if (e == IMS_OK) {
        const cJSON *got[2] = {h, c};
        for (int i = 0; i < 2; i++) {
            char *a = print(got[i]), *b = print(want[i]);
            if (strcmp(a, b) != 0)
                FAIL("JWT part %d decoded to %s, not %s", i, a, b);
            free(a);
            free(b);
        }
        cJSON_Delete(h);
        cJSON_Delete(c);
    } else if (e != IMS_INVALID_TOKEN) {
        FAIL("a token with a signature failed with %s", ims_error_name(e));
    }
    cJSON_Delete(want[0]);
    cJSON_Delete(want[1]);
    free(jwt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Form values reach ims_jwt_decode as C strings (a NUL never gets through form.c). */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    cJSON *h, *c;
    if (decode_token(&h, &c, text) == IMS_OK) {
        cJSON_Delete(h);
        cJSON_Delete(c);
    }
    free(text);
    check_made_token(data, size);
    check_base64url(data, size);
    return 0;
}
