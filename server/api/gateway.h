/*
 * Adobe's gateway answers (mc.adobe.io / adobe.io), byte for byte as documented.
 * Used by authentication and by fault injection.
 */
#ifndef CAMPAIGN_GATEWAY_H
#define CAMPAIGN_GATEWAY_H

#include "app.h"
#include "http/reply.h"
#include "http/router.h"

enum gateway_error {
    GATEWAY_401013 = 0, /* Oauth token is not valid */
    GATEWAY_403003,     /* Api Key is invalid */
    GATEWAY_403023,     /* Profile is not valid */
    GATEWAY_429050,     /* Too many requests (with Retry-After) */
    GATEWAY_500,
    GATEWAY_502,
    GATEWAY_503, /* assumed body, see the fidelity ledger */
    GATEWAY_COUNT
};

/* "401013", "500", ...; 0 on success, -1 when unknown. */
int gateway_error_parse(enum gateway_error *out, const char *name);

/* Fills r with the documented status, body (and Retry-After for 429). */
void gateway_reply(struct reply *r, enum gateway_error e);

/*
 * Checks the credentials of a call to the emulated Campaign API under the configured
 * auth mode, inside the call's transaction (st). Returns 0 when the call may proceed; otherwise
 * fills rep with the gateway's answer and returns -1. tenant is the organization in the path.
 */
int gateway_authorize(struct app *app, struct store *st, const struct http_request *req,
                      const char *tenant, int needs_sql_role, struct reply *rep);

#endif
