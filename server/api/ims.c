/*
 * Emulated Adobe IMS. Both endpoints read form parameters (body or query), check the
 * client against the fixtures, and issue an access token recorded in the store, so
 * --auth strict can tell a token we issued from one made up. The JWT's RS256
 * signature is not verified (no crypto library in our stack): only its shape and
 * claims are.
 */
#include "api/ims.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "fixtures/clients.h"
#include "form.h"
#include "json.h"
#include "jsonw.h"
#include "log.h"
#include "utf8.h"
#include "rng.h"
#include "store/store_auth.h"
#include "text.h"

/* --- errors ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    int status;
} ims_errors[] = {
    [IMS_OK] = {"ok", 200},
    [IMS_INVALID_CLIENT] = {"invalid_client", 401},
    [IMS_INVALID_TOKEN] = {"invalid_token", 400},
    [IMS_INVALID_SIGNATURE] = {"invalid_signature", 400},
    [IMS_INVALID_SCOPE] = {"invalid_scope", 400},
    [IMS_BAD_REQUEST] = {"bad_request", 400},
};

const char *ims_error_name(enum ims_error e)
{
    return ims_errors[e].name;
}

int ims_error_status(enum ims_error e)
{
    return ims_errors[e].status;
}

/* {"error":"NAME","error_description":"..."} (the layout is our assumption). */
static void ims_reply_error(struct reply *rep, enum ims_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ims_reply_error(struct reply *rep, enum ims_error e, const char *fmt, ...)
{
    char msg[ERRORS_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    errors_vformat(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct jsonw w;
    jsonw_init(&w);
    jsonw_raw(&w, "{\"error\":");
    jsonw_string(&w, ims_error_name(e));
    jsonw_raw(&w, ",\"error_description\":");
    jsonw_string(&w, msg);
    jsonw_raw(&w, "}");
    size_t len = 0;
    char *body = jsonw_take(&w, &len);
    if (!body) {
        errors_reply(rep, ERR_INTERNAL, "out of memory");
        return;
    }
    reply_json_take(rep, ims_error_status(e), body, len);
    snprintf(rep->note, sizeof(rep->note), "ims %s", ims_error_name(e));
}

/* --- base64url --------------------------------------------------------------------- */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t ims_base64url_encode(char *out, size_t out_size, const unsigned char *in, size_t n)
{
    size_t need = (n * 4 + 2) / 3;
    if (out_size < need + 1)
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = b64url[(v >> 18) & 63];
        out[o++] = b64url[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = b64url[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = b64url[v & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

long ims_base64url_decode(unsigned char *out, size_t out_size, const char *in, size_t n)
{
    while (n > 0 && in[n - 1] == '=')
        n--;
    /* One character left over carries 6 bits: never a whole byte, so not base64. */
    if (n % 4 == 1)
        return -1;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= out_size)
                return -1;
            out[o++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    return (long)o;
}

/* --- JWT --------------------------------------------------------------------------- */

/* Decodes one base64url segment holding a JSON object; NULL when it is not one. */
static cJSON *segment_json(const char *s, size_t n)
{
    unsigned char *buf = malloc(n + 1);
    if (!buf)
        return NULL;
    long len = ims_base64url_decode(buf, n + 1, s, n);
    /* As strict as every client body: nothing after the object, no \u0000. */
    cJSON *obj = NULL;
    if (len > 0)
        json_parse_strict(&obj, (const char *)buf, (size_t)len, NULL);
    free(buf);
    if (obj && !cJSON_IsObject(obj)) {
        cJSON_Delete(obj);
        obj = NULL;
    }
    return obj;
}

enum ims_error ims_jwt_decode(cJSON **header, cJSON **claims, const char *jwt, char *why,
                              size_t why_size)
{
    size_t len = strlen(jwt);
    if (len > IMS_JWT_MAX) {
        text_printf(why, why_size, "jwt_token is longer than %u bytes", IMS_JWT_MAX);
        return IMS_INVALID_TOKEN;
    }
    const char *d1 = strchr(jwt, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || strchr(d2 + 1, '.')) {
        text_printf(why, why_size,
                    "jwt_token is not a JWT (three base64url parts separated by dots)");
        return IMS_INVALID_TOKEN;
    }
    cJSON *h = segment_json(jwt, (size_t)(d1 - jwt));
    if (!h) {
        text_printf(why, why_size, "the JWT header is not a base64url-encoded JSON object");
        return IMS_INVALID_TOKEN;
    }
    cJSON *c = segment_json(d1 + 1, (size_t)(d2 - d1 - 1));
    if (!c) {
        cJSON_Delete(h);
        text_printf(why, why_size, "the JWT payload is not a base64url-encoded JSON object");
        return IMS_INVALID_TOKEN;
    }
    size_t slen = strlen(d2 + 1);
    unsigned char *sig = malloc(slen + 1);
    long sl = sig ? ims_base64url_decode(sig, slen + 1, d2 + 1, slen) : -1;
    free(sig);
    if (sl <= 0) {
        cJSON_Delete(h);
        cJSON_Delete(c);
        text_printf(why, why_size,
                    slen ? "the JWT signature is not base64url" : "the JWT has no signature");
        return IMS_INVALID_SIGNATURE;
    }
    *header = h;
    *claims = c;
    return IMS_OK;
}

const char *ims_origin_of(const struct http_request *req)
{
    static const char stage[] = "ims-na1-stg1.adobelogin.com";
    const char *host = http_request_header(req, "Host");
    size_t n = sizeof(stage) - 1;
    if (host && strncasecmp(host, stage, n) == 0 && (host[n] == '\0' || host[n] == ':'))
        return IMS_STAGE_ORIGIN;
    return IMS_ORIGIN;
}

enum ims_error ims_jwt_check(const cJSON *header, const cJSON *claims, const char *client_id,
                             const char *org_id, const char *origin, long long now_ms, char *why,
                             size_t why_size)
{
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(header, "alg");
    if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "RS256") != 0) {
        text_printf(why, why_size, "the JWT must be signed with RS256 (alg is %s%.20s%s)",
                    cJSON_IsString(alg) ? "\"" : "",
                    cJSON_IsString(alg) ? alg->valuestring : "missing",
                    cJSON_IsString(alg) ? "\"" : "");
        return IMS_INVALID_SIGNATURE;
    }
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
    if (!cJSON_IsNumber(exp)) {
        text_printf(why, why_size, "the JWT has no numeric exp claim (expiry, in seconds)");
        return IMS_INVALID_TOKEN;
    }
    /* Compared in doubles: exp is the client's number and may be absurdly large. */
    if (exp->valuedouble * 1000.0 <= (double)now_ms) {
        text_printf(why, why_size, "the JWT has expired (exp %.0f, server clock %lld)",
                    exp->valuedouble, now_ms / 1000);
        return IMS_INVALID_TOKEN;
    }
    const cJSON *aud = cJSON_GetObjectItemCaseSensitive(claims, "aud");
    size_t ol = strlen(origin);
    if (!cJSON_IsString(aud) || strncmp(aud->valuestring, origin, ol) != 0 ||
        strncmp(aud->valuestring + ol, "/c/", 3) != 0 ||
        strcmp(aud->valuestring + ol + 3, client_id) != 0) {
        text_printf(why, why_size, "the JWT aud must be %s/c/%.128s", origin, client_id);
        return IMS_INVALID_TOKEN;
    }
    const cJSON *iss = cJSON_GetObjectItemCaseSensitive(claims, "iss");
    if (!cJSON_IsString(iss) || strcmp(iss->valuestring, org_id) != 0) {
        text_printf(why, why_size, "the JWT iss must be the client's organization %.128s", org_id);
        return IMS_INVALID_TOKEN;
    }
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
    if (!cJSON_IsString(sub) || !sub->valuestring[0]) {
        text_printf(why, why_size, "the JWT has no sub claim (the technical account id)");
        return IMS_INVALID_TOKEN;
    }
    char metascope[96];
    text_printf(metascope, sizeof(metascope), "%s/s/ent_campaign_sdk", origin);
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(claims, metascope))) {
        text_printf(why, why_size, "the JWT lacks the Campaign metascope claim \"%s\": true",
                    metascope);
        return IMS_INVALID_SCOPE;
    }
    return IMS_OK;
}

int ims_scope_valid(const char *scope)
{
    int item = 0; /* length of the current comma-separated item */
    for (const char *c = scope;; c++) {
        if (*c == ',' || !*c) {
            if (item == 0)
                return 0;
            if (!*c)
                return 1;
            item = 0;
            continue;
        }
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '.' || *c == ':' || *c == '/' || *c == '-'))
            return 0;
        item++;
    }
}

/* --- tokens ------------------------------------------------------------------------ */

/* FNV-1a: a stable technical-account id per client, like Adobe's, needs no randomness. */
static uint64_t fnv1a(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Appends base64url(text) to w. */
static void append_b64(struct jsonw *w, const unsigned char *data, size_t n)
{
    size_t size = (n * 4 + 2) / 3 + 1;
    char *enc = malloc(size);
    if (!enc) {
        w->failed = 1;
        return;
    }
    ims_base64url_encode(enc, size, data, n);
    jsonw_raw(w, enc);
    free(enc);
}

char *ims_token_make(const char *client_id, const char *scope, long long created_ms,
                     long long lifetime_ms, uint64_t *rng_state)
{
    /* Adobe's access tokens name their signing key this way. */
    static const char header[] =
        "{\"alg\":\"RS256\",\"x5u\":\"ims_na1-key-at-1.cer\",\"kid\":\"ims_na1-key-at-1\","
        "\"itt\":\"at\"}";
    uint64_t a = rng_next(rng_state), b = rng_next(rng_state);
    char id[96];
    snprintf(id, sizeof(id), "%lld_%08llx-%04llx-4%03llx-%04llx-%012llx_ue1", created_ms,
             (unsigned long long)(a >> 32), (unsigned long long)((a >> 16) & 0xffff),
             (unsigned long long)(a & 0xfff), (unsigned long long)(((b >> 48) & 0x3fff) | 0x8000),
             (unsigned long long)(b & 0xffffffffffffULL));
    char user[64];
    snprintf(user, sizeof(user), "%016llX%08llX@techacct.adobe.com",
             (unsigned long long)fnv1a(client_id, 0xcbf29ce484222325ULL),
             (unsigned long long)(fnv1a(client_id, 0x84222325cbf29ce4ULL) & 0xffffffffULL));

    struct jsonw payload;
    jsonw_init(&payload);
    jsonw_raw(&payload, "{\"id\":");
    jsonw_string(&payload, id);
    jsonw_raw(&payload, ",\"type\":\"access_token\",\"client_id\":");
    jsonw_string(&payload, client_id);
    jsonw_raw(&payload, ",\"user_id\":");
    jsonw_string(&payload, user);
    jsonw_raw(&payload, ",\"as\":\"ims-na1\",\"aa_id\":");
    jsonw_string(&payload, user);
    jsonw_raw(&payload, ",\"ctp\":0,\"scope\":");
    jsonw_string(&payload, scope ? scope : "");
    jsonw_rawf(&payload, ",\"created_at\":\"%lld\",\"expires_in\":\"%lld\"}", created_ms,
               lifetime_ms);
    size_t plen = 0;
    char *ptext = jsonw_take(&payload, &plen);
    if (!ptext)
        return NULL;

    /* 256 bytes: the size of an RS256 signature with Adobe's 2048-bit keys. */
    unsigned char sig[256];
    for (size_t i = 0; i < sizeof(sig); i += 8) {
        uint64_t v = rng_next(rng_state);
        for (int k = 0; k < 8; k++)
            sig[i + (size_t)k] = (unsigned char)(v >> (8 * k));
    }
    struct jsonw w;
    jsonw_init(&w);
    append_b64(&w, (const unsigned char *)header, sizeof(header) - 1);
    jsonw_raw(&w, ".");
    append_b64(&w, (const unsigned char *)ptext, plen);
    jsonw_raw(&w, ".");
    append_b64(&w, sig, sizeof(sig));
    free(ptext);
    size_t len = 0;
    return jsonw_take(&w, &len);
}

struct issue {
    struct app *app;
    const char *client_id;
    const char *scope;
    long long lifetime_ms;
    char *token; /* out: malloc'd */
};

/* Draws the token from a seeded generator of its own whose state lives in the meta
 * table, records it, and drops the tokens that have expired. Its own, and not set back
 * by a reset (which returns the batch ids' generator to --seed): a reset keeps the
 * tokens clients hold, and a generator set back would draw them again, once more after
 * every reset (a suite that resets before each test would pay for all the earlier
 * ones). A fresh server draws from --seed, so runs stay the same. */
static int issue_tx(struct store *st, void *arg)
{
    struct issue *is = arg;
    long long now = clock_now_ms(&is->app->clock);
    int rc = store_token_purge_expired(st, now);
    uint64_t s = 0;
    if (rc == 0)
        rc = app_rng_load(st, APP_RNG_TOKENS, is->app->cfg->seed, &s);
    if (rc < 0)
        return rc;
    /* A token already issued (a database from before the token generator had its own
     * state) is passed over: the next draw is taken, as deterministic as the first. */
    for (int draw = 0; draw < 16; draw++) {
        free(is->token); /* a retried transaction or draw makes a new one */
        is->token = ims_token_make(is->client_id, is->scope, now, is->lifetime_ms, &s);
        if (!is->token)
            return STORE_ERROR;
        rc = store_token_insert(st, is->token, is->client_id, now, now + is->lifetime_ms);
        if (rc != STORE_CONSTRAINT)
            break;
    }
    /* --tokens-max: beyond, the oldest go even before they expire (on a manual clock
     * that never moves, none ever would). Right after the insert, whose rowid it counts
     * from. */
    long long evicted = 0;
    if (rc == 0)
        rc = store_token_evict(st, is->app->cfg->tokens_max, &evicted);
    if (rc == 0)
        rc = app_rng_save(st, APP_RNG_TOKENS, s);
    if (rc == 0)
        rc = app_count_evicted(st, "tokens_evicted", evicted);
    return rc;
}

/* Issues a token into *out (malloc'd), inside the call's transaction. */
static int issue(struct app *app, struct store *st, char **out, const char *client_id,
                 const char *scope, long long lifetime_ms)
{
    struct issue is = {app, client_id, scope, lifetime_ms, NULL};
    int rc = issue_tx(st, &is);
    if (rc == 0)
        *out = is.token;
    else
        free(is.token);
    return rc;
}

/* --- parameters -------------------------------------------------------------------- */

struct params {
    const struct http_request *req;
    struct form form;
};

static int is_form_type(const char *ct)
{
    static const char form_type[] = "application/x-www-form-urlencoded";
    size_t n = sizeof(form_type) - 1;
    if (!ct || strncasecmp(ct, form_type, n) != 0)
        return 0;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

/* Decodes the form body (when there is one); 0, or -1 after answering bad_request. */
static int params_read(struct params *p, const struct http_request *req, struct reply *rep)
{
    memset(p, 0, sizeof(*p));
    p->req = req;
    if (req->body_len == 0)
        return 0;
    const char *ct = http_request_header(req, "Content-Type");
    char boundary[72], why[160];
    if (form_boundary(boundary, sizeof(boundary), ct) == 0) {
        /* Adobe's npm libraries (aio-lib-ims) post multipart/form-data. */
        if (form_parse_multipart(&p->form, req->body, req->body_len, boundary, why, sizeof(why)) <
            0) {
            ims_reply_error(rep, IMS_BAD_REQUEST, "malformed multipart body: %s", why);
            return -1;
        }
    } else if (!is_form_type(ct)) {
        ims_reply_error(rep, IMS_BAD_REQUEST,
                        "the body must be application/x-www-form-urlencoded or "
                        "multipart/form-data with a boundary (Content-Type is %.80s)",
                        ct ? ct : "missing");
        return -1;
    } else if (form_parse(&p->form, req->body, req->body_len, why, sizeof(why)) < 0) {
        ims_reply_error(rep, IMS_BAD_REQUEST, "malformed form body: %s", why);
        return -1;
    }
    for (int i = 0; i < p->form.n; i++) {
        if (form_count(&p->form, p->form.fields[i].name) > 1) {
            ims_reply_error(rep, IMS_BAD_REQUEST, "parameter %.64s given twice",
                            p->form.fields[i].name);
            form_free(&p->form);
            return -1;
        }
    }
    return 0;
}

/* A parameter from the body, else from the query string; NULL when absent. */
static const char *param(const struct params *p, const char *name)
{
    const char *v = form_get(&p->form, name);
    return v ? v : http_request_query(p->req, name);
}

/* The named parameters, in order; -1 after answering bad_request for the first one
 * missing or empty. */
static int params_require(const struct params *p, const char *const *names, const char **out,
                          struct reply *rep)
{
    for (int i = 0; names[i]; i++) {
        out[i] = param(p, names[i]);
        if (!out[i] || !*out[i]) {
            ims_reply_error(rep, IMS_BAD_REQUEST, "missing parameter %s", names[i]);
            return -1;
        }
    }
    return 0;
}

/* The client of client_id when secret matches; NULL after answering invalid_client. */
static const cJSON *client_authenticate(struct app *app, const char *client_id, const char *secret,
                                        struct reply *rep)
{
    const cJSON *c = fixtures_client_find(app->fixtures.clients, client_id);
    if (!c) {
        ims_reply_error(rep, IMS_INVALID_CLIENT, "invalid client_id parameter");
        return NULL;
    }
    if (strcmp(fixtures_client_string(c, "clientSecret"), secret) != 0) {
        ims_reply_error(rep, IMS_INVALID_CLIENT, "invalid client_secret parameter");
        return NULL;
    }
    return c;
}

/* Sends a token body; headers as OAuth (RFC 6749 5.1) asks of a token response. */
static void reply_token(struct reply *rep, struct jsonw *w, const char *client_id)
{
    size_t len = 0;
    char *body = jsonw_take(w, &len);
    if (!body) {
        errors_reply(rep, ERR_INTERNAL, "out of memory");
        return;
    }
    reply_json_take(rep, 200, body, len);
    reply_header_add(rep, "Cache-Control", "no-store");
    reply_header_add(rep, "Pragma", "no-cache");
    snprintf(rep->note, sizeof(rep->note), "token issued to client %.100s", client_id);
}

/* --- handlers ---------------------------------------------------------------------- */

/* /ims/token/v3 and /ims/token/v2 (what aio-lib-ims calls): the same client
 * credentials exchange; v2 also takes an org_id, checked against the client's. */
static int token_exchange(struct app *app, struct store *st, const struct http_request *req,
                          struct reply *rep, int v2)
{
    struct params p;
    int rc = 0;
    if (params_read(&p, req, rep) < 0)
        return 0;
    static const char *const names[] = {"client_id", "client_secret", "grant_type", "scope", NULL};
    const char *v[4];
    if (params_require(&p, names, v, rep) < 0)
        goto done;
    if (strcmp(v[2], "client_credentials") != 0) {
        ims_reply_error(rep, IMS_BAD_REQUEST,
                        "unsupported grant_type \"%.64s\" (this endpoint issues "
                        "client_credentials tokens only)",
                        v[2]);
        goto done;
    }
    const cJSON *client = client_authenticate(app, v[0], v[1], rep);
    if (!client)
        goto done;
    const char *org = v2 ? param(&p, "org_id") : NULL;
    const char *client_org = fixtures_client_string(client, "orgId");
    if (org && client_org && strcmp(org, client_org) != 0) {
        ims_reply_error(rep, IMS_INVALID_CLIENT,
                        "org_id \"%.64s\" is not the organization of client_id %.64s", org, v[0]);
        goto done;
    }
    if (!ims_scope_valid(v[3])) {
        ims_reply_error(rep, IMS_INVALID_SCOPE,
                        "scope must be a comma-separated list of scope names (e.g. "
                        "openid,AdobeID,campaign_sdk)");
        goto done;
    }
    char *token = NULL;
    if ((rc = issue(app, st, &token, v[0], v[3], IMS_V3_EXPIRES_IN_S * 1000LL)) < 0)
        goto done;
    struct jsonw w;
    jsonw_init(&w);
    jsonw_raw(&w, "{\"access_token\": ");
    jsonw_string(&w, token);
    jsonw_rawf(&w, ", \"token_type\": \"bearer\", \"expires_in\": %d}", IMS_V3_EXPIRES_IN_S);
    free(token);
    reply_token(rep, &w, v[0]);
done:
    form_free(&p.form);
    return rc;
}

int ims_token(struct app *app, struct store *st, const struct http_request *req, struct reply *rep)
{
    return token_exchange(app, st, req, rep, 0);
}

int ims_token_v2(struct app *app, struct store *st, const struct http_request *req,
                 struct reply *rep)
{
    return token_exchange(app, st, req, rep, 1);
}

int ims_jwt(struct app *app, struct store *st, const struct http_request *req, struct reply *rep)
{
    struct params p;
    int rc = 0;
    if (params_read(&p, req, rep) < 0)
        return 0;
    static const char *const names[] = {"client_id", "client_secret", "jwt_token", NULL};
    const char *v[3];
    cJSON *header = NULL, *claims = NULL;
    if (params_require(&p, names, v, rep) < 0)
        goto done;
    const cJSON *client = client_authenticate(app, v[0], v[1], rep);
    if (!client)
        goto done;
    char why[300];
    enum ims_error e = ims_jwt_decode(&header, &claims, v[2], why, sizeof(why));
    if (e == IMS_OK)
        e = ims_jwt_check(header, claims, v[0], fixtures_client_string(client, "orgId"),
                          ims_origin_of(req), clock_now_ms(&app->clock), why, sizeof(why));
    if (e != IMS_OK) {
        ims_reply_error(rep, e, "%s", why);
        goto done;
    }
    char *token = NULL;
    if ((rc = issue(app, st, &token, v[0], "ent_campaign_sdk", IMS_JWT_EXPIRES_IN_MS)) < 0)
        goto done;
    struct jsonw w;
    jsonw_init(&w);
    jsonw_raw(&w, "{\"token_type\": \"bearer\", \"access_token\": ");
    jsonw_string(&w, token);
    jsonw_rawf(&w, ", \"expires_in\": %lld}", IMS_JWT_EXPIRES_IN_MS);
    free(token);
    reply_token(rep, &w, v[0]);
done:
    cJSON_Delete(header);
    cJSON_Delete(claims);
    form_free(&p.form);
    return rc;
}
