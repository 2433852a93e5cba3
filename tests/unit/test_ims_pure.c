/*
 * Pure parts of the IMS emulation: form decoding, base64url, JWT decoding and claim
 * checks, scope syntax, the shape of the tokens we issue, and the validation of the
 * fixtures' "clients" array.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api/ims.h"
#include "check.h"
#include "fixtures/clients.h"
#include "form.h"

CHECK_DEFINE_COUNTERS;

/* 2025-01-01T00:00:00Z, where the manual clock starts. */
#define NOW_MS 1735689600000LL

static void test_form_decode(void)
{
    char out[64], why[128];
    CHECK_INT(form_decode(out, sizeof(out), "a+b%20c%2Bd", 11, why, sizeof(why)), 7);
    CHECK_STR(out, "a b c+d");
    CHECK_INT(form_decode(out, sizeof(out), "%e2%82%AC", 9, why, sizeof(why)), 3);
    CHECK_STR(out, "\xe2\x82\xac");
    CHECK_INT(form_decode(out, sizeof(out), "", 0, why, sizeof(why)), 0);
    CHECK_STR(out, "");
    CHECK_INT(form_decode(out, sizeof(out), "ab%2", 4, why, sizeof(why)), -1);
    CHECK_STR(why, "'%' at offset 2 is not followed by two hex digits");
    CHECK_INT(form_decode(out, sizeof(out), "%zz", 3, why, sizeof(why)), -1);
    CHECK_INT(form_decode(out, sizeof(out), "%", 1, why, sizeof(why)), -1);
    CHECK_INT(form_decode(out, sizeof(out), "a%00b", 5, why, sizeof(why)), -1);
    CHECK_STR(why, "a NUL byte (%00) is not allowed");
    /* The bound counts the NUL: 4 bytes hold 3 characters. */
    CHECK_INT(form_decode(out, 4, "abc", 3, why, sizeof(why)), 3);
    CHECK_INT(form_decode(out, 4, "abcd", 4, why, sizeof(why)), -1);
    CHECK_STR(why, "a value is longer than 3 bytes");
}

static void test_form_parse(void)
{
    struct form f;
    char why[128];
    const char *body = "client_id=cid&client_secret=a%26b%3Dc&&scope=openid%2CAdobeID&flag";
    CHECK_INT(form_parse(&f, body, strlen(body), why, sizeof(why)), 0);
    CHECK_INT(f.n, 4);
    CHECK_STR(form_get(&f, "client_id"), "cid");
    CHECK_STR(form_get(&f, "client_secret"), "a&b=c");
    CHECK_STR(form_get(&f, "scope"), "openid,AdobeID");
    CHECK_STR(form_get(&f, "flag"), "");
    CHECK(form_get(&f, "grant_type") == NULL, "absent field");
    CHECK_INT(form_count(&f, "client_id"), 1);
    form_free(&f);

    body = "a=1&a=2&b%5B%5D=x";
    CHECK_INT(form_parse(&f, body, strlen(body), why, sizeof(why)), 0);
    CHECK_INT(form_count(&f, "a"), 2);
    CHECK_STR(form_get(&f, "a"), "1");
    CHECK_STR(form_get(&f, "b[]"), "x");
    form_free(&f);

    CHECK_INT(form_parse(&f, "", 0, why, sizeof(why)), 0);
    CHECK_INT(f.n, 0);
    form_free(&f);

    CHECK_INT(form_parse(&f, "a=1&=2", 6, why, sizeof(why)), -1);
    CHECK_STR(why, "field 2 has an empty name");
    CHECK_INT(f.n, 0);
    CHECK_INT(form_parse(&f, "a=1&b=%G1", 9, why, sizeof(why)), -1);
    CHECK_STR(why, "'%' at offset 0 is not followed by two hex digits");
    /* A raw NUL inside the body is refused like %00. */
    CHECK_INT(form_parse(&f, "a=1\0b", 5, why, sizeof(why)), -1);

    /* Bounded: more than FORM_FIELDS_MAX fields is refused. */
    char many[FORM_FIELDS_MAX * 4 + 8];
    size_t n = 0;
    for (int i = 0; i <= FORM_FIELDS_MAX; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, "%sf=", i ? "&" : "");
    CHECK_INT(form_parse(&f, many, n, why, sizeof(why)), -1);
    CHECK_STR(why, "more than 32 fields");

    /* Bounded: one value longer than FORM_VALUE_MAX is refused. */
    size_t big = FORM_VALUE_MAX + 3;
    char *huge = malloc(big + 1);
    memcpy(huge, "v=", 2);
    memset(huge + 2, 'x', big - 2);
    huge[big] = '\0';
    CHECK_INT(form_parse(&f, huge, big, why, sizeof(why)), -1);
    CHECK_STR(why, "a value is longer than 16384 bytes");
    huge[big - 1] = '\0'; /* exactly FORM_VALUE_MAX bytes: accepted */
    CHECK_INT(form_parse(&f, huge, big - 1, why, sizeof(why)), 0);
    CHECK_INT(strlen(form_get(&f, "v")), FORM_VALUE_MAX);
    form_free(&f);
    free(huge);
}

static void test_base64url(void)
{
    char out[64];
    unsigned char dec[64];
    CHECK_INT(ims_base64url_encode(out, sizeof(out), (const unsigned char *)"f", 1), 2);
    CHECK_STR(out, "Zg");
    ims_base64url_encode(out, sizeof(out), (const unsigned char *)"fo", 2);
    CHECK_STR(out, "Zm8");
    ims_base64url_encode(out, sizeof(out), (const unsigned char *)"foo", 3);
    CHECK_STR(out, "Zm9v");
    const unsigned char bin[] = {0xfb, 0xff, 0xbf};
    ims_base64url_encode(out, sizeof(out), bin, 3);
    CHECK_STR(out, "-_-_");
    CHECK_INT(ims_base64url_encode(out, 4, (const unsigned char *)"foo", 3), 0);
    CHECK_INT(ims_base64url_decode(dec, sizeof(dec), "-_-_", 4), 3);
    CHECK(memcmp(dec, bin, 3) == 0, "decoded bytes");
    CHECK_INT(ims_base64url_decode(dec, sizeof(dec), "Zm8=", 4), 2);
    CHECK_INT(ims_base64url_decode(dec, sizeof(dec), "Zm9v+", 5), -1); /* '+' is base64, not url */
    CHECK_INT(ims_base64url_decode(dec, sizeof(dec), "Zm9vZ", 5), -1); /* 6 stray bits */
    CHECK_INT(ims_base64url_decode(dec, 2, "Zm9v", 4), -1);            /* does not fit */
}

static char *b64(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc((n * 4 + 2) / 3 + 1);
    ims_base64url_encode(out, (n * 4 + 2) / 3 + 1, (const unsigned char *)text, n);
    return out;
}

/* header.payload.signature from JSON texts; sig is the raw third part. */
static char *jwt(const char *header, const char *claims, const char *sig)
{
    char *h = b64(header), *c = b64(claims);
    size_t n = strlen(h) + strlen(c) + strlen(sig) + 3;
    char *out = malloc(n);
    snprintf(out, n, "%s.%s.%s", h, c, sig);
    free(h);
    free(c);
    return out;
}

#define HDR "{\"alg\":\"RS256\",\"typ\":\"JWT\"}"
#define AUD "\"aud\":\"https://ims-na1.adobelogin.com/c/cid\""
#define ISS "\"iss\":\"ABC123@AdobeOrg\""
#define SUB "\"sub\":\"TECH@techacct.adobe.com\""
#define MS  "\"https://ims-na1.adobelogin.com/s/ent_campaign_sdk\":true"
/* exp one hour after NOW_MS, in seconds. */
#define EXP "\"exp\":1735693200"

/* Decodes and checks a JWT made of header and claims; returns the verdict and copies
 * the reason into why. */
static enum ims_error verdict(const char *header, const char *claims, char *why, size_t size)
{
    char *t = jwt(header, claims, "c2lnbmF0dXJl");
    cJSON *h = NULL, *c = NULL;
    enum ims_error e = ims_jwt_decode(&h, &c, t, why, size);
    if (e == IMS_OK)
        e = ims_jwt_check(h, c, "cid", "ABC123@AdobeOrg", IMS_ORIGIN, NOW_MS, why, size);
    cJSON_Delete(h);
    cJSON_Delete(c);
    free(t);
    return e;
}

static void test_jwt(void)
{
    char why[300];
    CHECK_INT(verdict(HDR, "{" EXP "," ISS "," SUB "," AUD "," MS "}", why, sizeof(why)), IMS_OK);
    /* Each part is one JSON object and nothing more, without \u0000 (regression: bytes
     * after the header's object, or a NUL escape cutting the issuer, were accepted). */
    CHECK_INT(verdict(HDR "x", "{" EXP "," ISS "," SUB "," AUD "," MS "}", why, sizeof(why)),
              IMS_INVALID_TOKEN);
    CHECK_INT(verdict(HDR,
                      "{" EXP ",\"iss\":\"ABC123@AdobeOrg\\u0000evil\"," SUB "," AUD "," MS "}",
                      why, sizeof(why)),
              IMS_INVALID_TOKEN);

    /* Structure. */
    cJSON *h = NULL, *c = NULL;
    CHECK_INT(ims_jwt_decode(&h, &c, "abc", why, sizeof(why)), IMS_INVALID_TOKEN);
    CHECK_STR(why, "jwt_token is not a JWT (three base64url parts separated by dots)");
    CHECK_INT(ims_jwt_decode(&h, &c, "a.b.c.d", why, sizeof(why)), IMS_INVALID_TOKEN);
    CHECK_INT(ims_jwt_decode(&h, &c, "!!.e30.c2ln", why, sizeof(why)), IMS_INVALID_TOKEN);
    CHECK_STR(why, "the JWT header is not a base64url-encoded JSON object");
    CHECK_INT(ims_jwt_decode(&h, &c, "e30.WzFd.c2ln", why, sizeof(why)), IMS_INVALID_TOKEN);
    CHECK_STR(why, "the JWT payload is not a base64url-encoded JSON object"); /* [1] */
    CHECK_INT(ims_jwt_decode(&h, &c, "e30.e30.", why, sizeof(why)), IMS_INVALID_SIGNATURE);
    CHECK_STR(why, "the JWT has no signature");
    CHECK_INT(ims_jwt_decode(&h, &c, "e30.e30.c2l*", why, sizeof(why)), IMS_INVALID_SIGNATURE);
    CHECK_STR(why, "the JWT signature is not base64url");
    CHECK(h == NULL && c == NULL, "nothing allocated on failure");
    CHECK_INT(ims_jwt_decode(&h, &c, "e30.e30.c2ln", why, sizeof(why)), IMS_OK);
    CHECK(cJSON_IsObject(h) && cJSON_IsObject(c), "both parts decoded");
    cJSON_Delete(h);
    cJSON_Delete(c);
    char *long_jwt = malloc(IMS_JWT_MAX + 2);
    memset(long_jwt, 'a', IMS_JWT_MAX + 1);
    long_jwt[IMS_JWT_MAX + 1] = '\0';
    CHECK_INT(ims_jwt_decode(&h, &c, long_jwt, why, sizeof(why)), IMS_INVALID_TOKEN);
    CHECK_STR(why, "jwt_token is longer than 16384 bytes");
    free(long_jwt);

    /* Claims, each one wrong in turn. */
    CHECK_INT(verdict("{\"alg\":\"HS256\"}", "{" EXP "," ISS "," SUB "," AUD "," MS "}", why,
                      sizeof(why)),
              IMS_INVALID_SIGNATURE);
    CHECK_STR(why, "the JWT must be signed with RS256 (alg is \"HS256\")");
    CHECK_INT(verdict("{}", "{" EXP "," ISS "," SUB "," AUD "," MS "}", why, sizeof(why)),
              IMS_INVALID_SIGNATURE);
    CHECK_STR(why, "the JWT must be signed with RS256 (alg is missing)");
    CHECK_INT(verdict(HDR, "{" ISS "," SUB "," AUD "," MS "}", why, sizeof(why)),
              IMS_INVALID_TOKEN);
    CHECK_STR(why, "the JWT has no numeric exp claim (expiry, in seconds)");
    CHECK_INT(
        verdict(HDR, "{\"exp\":\"1735693200\"," ISS "," SUB "," AUD "," MS "}", why, sizeof(why)),
        IMS_INVALID_TOKEN);
    /* exp exactly now (seconds) is expired; one second later is valid. */
    CHECK_INT(verdict(HDR, "{\"exp\":1735689600," ISS "," SUB "," AUD "," MS "}", why, sizeof(why)),
              IMS_INVALID_TOKEN);
    CHECK_STR(why, "the JWT has expired (exp 1735689600, server clock 1735689600)");
    CHECK_INT(verdict(HDR, "{\"exp\":1735689601," ISS "," SUB "," AUD "," MS "}", why, sizeof(why)),
              IMS_OK);
    CHECK_INT(verdict(HDR, "{\"exp\":1e300," ISS "," SUB "," AUD "," MS "}", why, sizeof(why)),
              IMS_OK);
    CHECK_INT(verdict(HDR,
                      "{" EXP "," ISS "," SUB
                      ",\"aud\":\"https://ims-na1.adobelogin.com/c/other\"," MS "}",
                      why, sizeof(why)),
              IMS_INVALID_TOKEN);
    CHECK_STR(why, "the JWT aud must be https://ims-na1.adobelogin.com/c/cid");
    CHECK_INT(verdict(HDR,
                      "{" EXP "," ISS "," SUB
                      ",\"aud\":\"https://ims-na1.adobelogin.com/c/cidx\"," MS "}",
                      why, sizeof(why)),
              IMS_INVALID_TOKEN);
    CHECK_INT(verdict(HDR, "{" EXP "," SUB "," AUD "," MS "}", why, sizeof(why)),
              IMS_INVALID_TOKEN);
    CHECK_STR(why, "the JWT iss must be the client's organization ABC123@AdobeOrg");
    CHECK_INT(verdict(HDR, "{" EXP ",\"iss\":\"DEF456@AdobeOrg\"," SUB "," AUD "," MS "}", why,
                      sizeof(why)),
              IMS_INVALID_TOKEN);
    CHECK_INT(verdict(HDR, "{" EXP "," ISS ",\"sub\":\"\"," AUD "," MS "}", why, sizeof(why)),
              IMS_INVALID_TOKEN);
    CHECK_STR(why, "the JWT has no sub claim (the technical account id)");
    CHECK_INT(verdict(HDR, "{" EXP "," ISS "," SUB "," AUD "}", why, sizeof(why)),
              IMS_INVALID_SCOPE);
    CHECK_STR(why, "the JWT lacks the Campaign metascope claim "
                   "\"https://ims-na1.adobelogin.com/s/ent_campaign_sdk\": true");
    CHECK_INT(verdict(HDR,
                      "{" EXP "," ISS "," SUB "," AUD
                      ",\"https://ims-na1.adobelogin.com/s/ent_campaign_sdk\":\"true\"}",
                      why, sizeof(why)),
              IMS_INVALID_SCOPE);

    CHECK_STR(ims_error_name(IMS_INVALID_CLIENT), "invalid_client");
    CHECK_INT(ims_error_status(IMS_INVALID_CLIENT), 401);
    CHECK_STR(ims_error_name(IMS_BAD_REQUEST), "bad_request");
    CHECK_INT(ims_error_status(IMS_BAD_REQUEST), 400);
    CHECK_INT(ims_error_status(IMS_INVALID_TOKEN), 400);
    CHECK_STR(ims_error_name(IMS_INVALID_SIGNATURE), "invalid_signature");
    CHECK_STR(ims_error_name(IMS_INVALID_SCOPE), "invalid_scope");
}

static void test_scope(void)
{
    CHECK(ims_scope_valid("openid"), "one scope");
    CHECK(ims_scope_valid("openid,AdobeID,campaign_sdk,additional_info.projectedProductContext"),
          "Adobe's list");
    CHECK(!ims_scope_valid(""), "empty");
    CHECK(!ims_scope_valid("openid,"), "trailing comma");
    CHECK(!ims_scope_valid(",openid"), "leading comma");
    CHECK(!ims_scope_valid("openid,,AdobeID"), "empty item");
    CHECK(!ims_scope_valid("openid AdobeID"), "space");
}

static void test_token_shape(void)
{
    uint64_t s1 = 42, s2 = 42, s3 = 43;
    char *a = ims_token_make("cid", "openid,AdobeID", NOW_MS, 86399000, &s1);
    char *b = ims_token_make("cid", "openid,AdobeID", NOW_MS, 86399000, &s2);
    char *c = ims_token_make("cid", "openid,AdobeID", NOW_MS, 86399000, &s3);
    CHECK(a && b && c, "tokens made");
    CHECK_STR(a, b); /* same seed, same token */
    CHECK(strcmp(a, c) != 0, "another seed, another token");
    CHECK(s1 != 42, "the generator advanced");
    char *d = ims_token_make("cid", "openid,AdobeID", NOW_MS, 86399000, &s1);
    CHECK(strcmp(a, d) != 0, "the next draw differs");
    CHECK(strncmp(a, "eyJ", 3) == 0, "JWT-shaped: %.20s", a);

    cJSON *h = NULL, *p = NULL;
    char why[200];
    CHECK_INT(ims_jwt_decode(&h, &p, a, why, sizeof(why)), IMS_OK);
    char *ht = cJSON_PrintUnformatted(h);
    CHECK_STR(ht,
              "{\"alg\":\"RS256\",\"x5u\":\"ims_na1-key-at-1.cer\",\"kid\":\"ims_na1-key-at-1\","
              "\"itt\":\"at\"}");
    free(ht);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "type");
    CHECK_STR(cJSON_IsString(v) ? v->valuestring : NULL, "access_token");
    v = cJSON_GetObjectItemCaseSensitive(p, "client_id");
    CHECK_STR(cJSON_IsString(v) ? v->valuestring : NULL, "cid");
    v = cJSON_GetObjectItemCaseSensitive(p, "created_at");
    CHECK_STR(cJSON_IsString(v) ? v->valuestring : NULL, "1735689600000");
    v = cJSON_GetObjectItemCaseSensitive(p, "expires_in");
    CHECK_STR(cJSON_IsString(v) ? v->valuestring : NULL, "86399000");
    v = cJSON_GetObjectItemCaseSensitive(p, "scope");
    CHECK_STR(cJSON_IsString(v) ? v->valuestring : NULL, "openid,AdobeID");
    v = cJSON_GetObjectItemCaseSensitive(p, "as");
    CHECK_STR(cJSON_IsString(v) ? v->valuestring : NULL, "ims-na1");
    v = cJSON_GetObjectItemCaseSensitive(p, "id");
    CHECK(cJSON_IsString(v) && strncmp(v->valuestring, "1735689600000_", 14) == 0 &&
              strlen(v->valuestring) == 14 + 36 + 4 &&
              strcmp(v->valuestring + strlen(v->valuestring) - 4, "_ue1") == 0,
          "id %s", cJSON_IsString(v) ? v->valuestring : "?");
    v = cJSON_GetObjectItemCaseSensitive(p, "user_id");
    CHECK(cJSON_IsString(v) && strlen(v->valuestring) == 24 + strlen("@techacct.adobe.com") &&
              strstr(v->valuestring, "@techacct.adobe.com"),
          "user_id %s", cJSON_IsString(v) ? v->valuestring : "?");
    cJSON_Delete(h);
    cJSON_Delete(p);
    /* The signature is 256 bytes: 342 base64url characters. */
    const char *sig = strrchr(a, '.');
    CHECK_INT(strlen(sig + 1), 342);

    /* Characters that need escaping in the client id stay valid JSON. */
    uint64_t s4 = 1;
    char *e = ims_token_make("c\"id\\", "", NOW_MS, 1000, &s4);
    CHECK_INT(ims_jwt_decode(&h, &p, e, why, sizeof(why)), IMS_OK);
    v = cJSON_GetObjectItemCaseSensitive(p, "client_id");
    CHECK_STR(cJSON_IsString(v) ? v->valuestring : NULL, "c\"id\\");
    cJSON_Delete(h);
    cJSON_Delete(p);
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
}

/* Validates a "clients" array given as JSON text; returns the problems text. */
static char *validate(const char *text, int *rc)
{
    cJSON *arr = cJSON_Parse(text);
    struct problems p;
    problems_init(&p);
    *rc = fixtures_clients_validate(arr, "f.json", &p);
    cJSON_Delete(arr);
    char *out = strdup(p.text ? p.text : "");
    problems_free(&p);
    return out;
}

#define GOOD                                                                                       \
    "\"clientId\":\"cid\",\"clientSecret\":\"s\",\"orgId\":\"ABC@AdobeOrg\",\"tenants\":["         \
    "\"acme\"]"

static void test_clients_validate(void)
{
    int rc;
    char *t = validate("[{" GOOD ",\"roles\":[\"sql\"],\"accessTokens\":[\"tok-1\"],"
                       "\"description\":\"x\"},"
                       "{\"clientId\":\"c2\",\"clientSecret\":\"s\",\"orgId\":\"A@AdobeOrg\","
                       "\"tenants\":[\"*\"]}]",
                       &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(t, "");
    free(t);

    t = validate("{}", &rc);
    CHECK_INT(rc, -1);
    CHECK_STR(t, "f.json: clients: must be an array of clients\n");
    free(t);

    t = validate("[1]", &rc);
    CHECK_STR(t, "f.json: clients[0]: must be an object\n");
    free(t);

    t = validate("[{}]", &rc);
    CHECK_STR(t, "f.json: clients[0].clientId: missing (the client id, which is also the "
                 "X-Api-Key)\n"
                 "f.json: clients[0].clientSecret: missing\n"
                 "f.json: clients[0].orgId: missing (the IMS organization, e.g. "
                 "ABC123@AdobeOrg)\n"
                 "f.json: clients[0].tenants: missing (a list of tenant names, or [\"*\"] for "
                 "any tenant)\n");
    free(t);

    t = validate("[{\"clientId\":\"c id\",\"clientSecret\":\"\",\"orgId\":\"ABC\","
                 "\"tenants\":\"acme\",\"extra\":1}]",
                 &rc);
    CHECK_STR(t, "f.json: clients[0].extra: unknown field\n"
                 "f.json: clients[0].clientId: must be a non-empty string of at most 128 bytes, "
                 "printable ASCII without spaces (it is sent as the X-Api-Key header)\n"
                 "f.json: clients[0].clientSecret: must be a non-empty string of at most 256 "
                 "bytes\n"
                 "f.json: clients[0].orgId: must be an IMS organization id ending in @AdobeOrg "
                 "(e.g. ABC123@AdobeOrg), at most 128 bytes\n"
                 "f.json: clients[0].tenants: must be an array of strings\n");
    free(t);

    t = validate("[{" GOOD ",\"roles\":[\"sql\",\"admin\",\"sql\",3]}]", &rc);
    CHECK_INT(rc, -1);
    CHECK_STR(t, "f.json: clients[0].roles[1]: unknown role \"admin\" (known: sql, the SQL "
                 "function execution role the trigger needs)\n"
                 "f.json: clients[0].roles[2]: \"sql\" given twice\n"
                 "f.json: clients[0].roles[3]: must be a string\n");
    free(t);

    t = validate("[{\"clientId\":\"cid\",\"clientSecret\":\"s\",\"orgId\":\"ABC@AdobeOrg\","
                 "\"tenants\":[\"acme\",\"bad/name\",\"\"]}]",
                 &rc);
    CHECK_STR(t, "f.json: clients[0].tenants[1]: must be a tenant name (1 to 128 of A-Z a-z 0-9 @ "
                 ". _ - with a letter or digit) or \"*\" for any\n"
                 "f.json: clients[0].tenants[2]: must be a tenant name (1 to 128 of A-Z a-z 0-9 @ "
                 ". _ - with a letter or digit) or \"*\" for any\n");
    free(t);

    t = validate("[{" GOOD ",\"accessTokens\":[\"a b\",\"\",\"ok\"]},"
                 "{\"clientId\":\"c2\",\"clientSecret\":\"s\",\"orgId\":\"A@AdobeOrg\","
                 "\"tenants\":[\"*\"],\"accessTokens\":[\"ok\"]}]",
                 &rc);
    CHECK_STR(t, "f.json: clients[0].accessTokens[0]: must be 1 to 8192 printable ASCII "
                 "characters without spaces (it travels in an Authorization header)\n"
                 "f.json: clients[0].accessTokens[1]: must be 1 to 8192 printable ASCII "
                 "characters without spaces (it travels in an Authorization header)\n"
                 "f.json: clients[1].accessTokens[0]: already given to clients[0]\n");
    free(t);

    t = validate("[{" GOOD ",\"clientId\":\"again\"}]", &rc);
    CHECK_STR(t, "f.json: clients[0].clientId: field given twice\n");
    free(t);

    /* Look-ups over a valid array. */
    cJSON *arr = cJSON_Parse("[{" GOOD ",\"roles\":[\"sql\"],\"accessTokens\":[\"tok-1\"]},"
                             "{\"clientId\":\"c2\",\"clientSecret\":\"s\",\"orgId\":\"A@AdobeOrg\","
                             "\"tenants\":[\"*\"]}]");
    const cJSON *c = fixtures_client_find(arr, "cid");
    CHECK(c != NULL, "found cid");
    CHECK(fixtures_client_find(arr, "nope") == NULL, "unknown client");
    CHECK(fixtures_client_find_by_token(arr, "tok-1") == c, "token of cid");
    CHECK(fixtures_client_find_by_token(arr, "tok-2") == NULL, "unknown token");
    CHECK_STR(fixtures_client_string(c, "orgId"), "ABC@AdobeOrg");
    CHECK(fixtures_client_allows_tenant(c, "acme"), "acme allowed");
    CHECK(!fixtures_client_allows_tenant(c, "other"), "other refused");
    CHECK(fixtures_client_has_role(c, "sql"), "sql role");
    const cJSON *c2 = fixtures_client_find(arr, "c2");
    CHECK(fixtures_client_allows_tenant(c2, "anything"), "* allows any tenant");
    CHECK(!fixtures_client_has_role(c2, "sql"), "no roles");
    cJSON_Delete(arr);
}

int main(void)
{
    test_form_decode();
    test_form_parse();
    test_base64url();
    test_jwt();
    test_scope();
    test_token_shape();
    test_clients_validate();
    return test_report();
}
