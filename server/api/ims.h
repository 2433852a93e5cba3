/*
 * Emulated Adobe IMS: POST /ims/token/v3 (OAuth server-to-server, client_credentials)
 * and POST /ims/exchange/jwt (legacy JWT exchange). The handlers issue access tokens
 * that --auth strict then accepts; the pure parts (base64url, JWT decoding and claim
 * checks, token making) are public for the unit tests.
 */
#ifndef CAMPAIGN_IMS_H
#define CAMPAIGN_IMS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "http/reply.h"
#include "http/router.h"

/* Lifetimes Adobe documents: token/v3 answers seconds, the JWT exchange milliseconds. */
#define IMS_V3_EXPIRES_IN_S   86399
#define IMS_JWT_EXPIRES_IN_MS 86399992LL
/* Adobe's production IMS, and its stage, whose JWTs name it instead (aio-lib-ims's
 * env 'stage'): a JWT's aud is ORIGIN/c/<client id>, its metascope ORIGIN/s/<name>. */
#define IMS_ORIGIN             "https://ims-na1.adobelogin.com"
#define IMS_STAGE_ORIGIN       "https://ims-na1-stg1.adobelogin.com"
#define IMS_AUD_PREFIX         IMS_ORIGIN "/c/"
#define IMS_CAMPAIGN_METASCOPE IMS_ORIGIN "/s/ent_campaign_sdk"
/* A JWT or a token longer than this is refused before decoding (Adobe's are ~1.5 KB). */
#define IMS_JWT_MAX (16u * 1024)

/* IMS error names (documented); the JSON layout around them is assumed. */
enum ims_error {
    IMS_OK = 0,
    IMS_INVALID_CLIENT,    /* 401: unknown client_id or wrong client_secret */
    IMS_INVALID_TOKEN,     /* 400: jwt_token malformed, expired, wrong aud/iss/sub */
    IMS_INVALID_SIGNATURE, /* 400: not RS256, or no signature */
    IMS_INVALID_SCOPE,     /* 400: malformed scope, or no Campaign metascope claim */
    IMS_BAD_REQUEST,       /* 400: missing parameter, bad form, unsupported grant */
};

const char *ims_error_name(enum ims_error e);
int ims_error_status(enum ims_error e);

/* Base64url without padding. encode writes a NUL-terminated string and returns its
 * length, or 0 when out_size is too small (for n > 0). decode accepts optional
 * trailing '=' and returns the byte count, or -1 on a bad character or overflow. */
size_t ims_base64url_encode(char *out, size_t out_size, const unsigned char *in, size_t n);
long ims_base64url_decode(unsigned char *out, size_t out_size, const char *in, size_t n);

/*
 * Splits and decodes "header.payload.signature": both JSON objects. On success returns
 * IMS_OK with *header and *claims (caller deletes both). Otherwise IMS_INVALID_TOKEN
 * (structure, base64url, JSON) or IMS_INVALID_SIGNATURE (empty or undecodable
 * signature), with why filled and nothing allocated. The signature is not verified.
 */
enum ims_error ims_jwt_decode(cJSON **header, cJSON **claims, const char *jwt, char *why,
                              size_t why_size);

/*
 * Checks a decoded JWT for the exchange of client_id in org_id at server time now_ms, at
 * the IMS of origin (IMS_ORIGIN or IMS_STAGE_ORIGIN): alg RS256, exp (seconds) in the
 * future, aud origin/c/client_id, iss == org_id, sub a non-empty string, and the
 * Campaign metascope claim origin/s/ent_campaign_sdk set to true. IMS_OK, or the error
 * with why filled.
 */
enum ims_error ims_jwt_check(const cJSON *header, const cJSON *claims, const char *client_id,
                             const char *org_id, const char *origin, long long now_ms, char *why,
                             size_t why_size);

/* The IMS a request was sent to, by its Host: IMS_STAGE_ORIGIN for Adobe's stage host
 * (any port), IMS_ORIGIN for any other (production, or the mock's own address). */
const char *ims_origin_of(const struct http_request *req);

/* 1 when scope is a comma-separated list of names of [A-Za-z0-9_.:/-]. */
int ims_scope_valid(const char *scope);

/*
 * Makes an access token shaped like Adobe's: a JWT whose header names an RS256 IMS key
 * and whose payload holds id, type "access_token", client_id, user_id, as, scope,
 * created_at and expires_in (milliseconds, as strings, like Adobe's). The signature is
 * 256 bytes drawn from *rng_state. Returns a malloc'd string (caller frees) or NULL.
 */
char *ims_token_make(const char *client_id, const char *scope, long long created_ms,
                     long long lifetime_ms, uint64_t *rng_state);

/* Route tx handlers (see route_tx_handler): POST /ims/token/v3 and /ims/exchange/jwt. */
int ims_token(struct app *app, struct store *st, const struct http_request *req, struct reply *rep);
int ims_token_v2(struct app *app, struct store *st, const struct http_request *req,
                 struct reply *rep);
int ims_jwt(struct app *app, struct store *st, const struct http_request *req, struct reply *rep);

#endif
