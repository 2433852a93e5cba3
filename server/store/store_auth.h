/*
 * Access tokens the emulated IMS issued: who holds them and until when (server-clock
 * milliseconds). Only store_auth.c and its statements (store_sql.h) know the table.
 */
#ifndef CAMPAIGN_STORE_AUTH_H
#define CAMPAIGN_STORE_AUTH_H

#include "model/model.h"
#include "store/store.h"

struct store_token {
    char client_id[MODEL_NAME_MAX + 1];
    long long issued_ms;
    long long expires_ms;
};

/* Records a newly issued token. Call inside a transaction. 0, STORE_CONSTRAINT when
 * the token string is already taken, or a store error. */
int store_token_insert(struct store *st, const char *token, const char *client_id,
                       long long issued_ms, long long expires_ms);

/* Keeps the newest keep tokens; call right after store_token_insert (it counts from the
 * connection's last inserted rowid). *evicted gets how many went. */
int store_token_evict(struct store *st, long long keep, long long *evicted);

/* Reads a token; 0 and *out filled, STORE_NOTFOUND, or a store error. */
int store_token_get(struct store *st, const char *token, struct store_token *out);

/* Deletes tokens whose expiry is at or before now_ms (they can never be accepted
 * again while the clock moves forward). Call inside a transaction. */
int store_token_purge_expired(struct store *st, long long now_ms);

/* Number of stored tokens (expired ones included until purged). */
int store_token_count(struct store *st, long long *out);

#endif
