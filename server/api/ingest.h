/*
 * The emulated Campaign endpoints:
 *   POST /{org}/campaign/dataIngestion/xdmIngestion/{mappingId}/ingest  (trigger)
 *   GET  /{org}/campaign/dataIngestion/xdmIngestion/{mappingId}/ingest  (status)
 */
#ifndef CAMPAIGN_INGEST_H
#define CAMPAIGN_INGEST_H

#include "app.h"
#include "http/reply.h"
#include "http/router.h"

/* Route tx handlers (see route_tx_handler): trigger and status poll. */
int ingest_trigger(struct app *app, struct store *st, const struct http_request *req,
                   struct reply *rep);
int ingest_status(struct app *app, struct store *st, const struct http_request *req,
                  struct reply *rep);

/*
 * Reads the requestId of a status call: the query's ?requestId=N, else a JSON body
 * {"requestId": N} (N a number or a numeric string), else Adobe's sample notation
 * {"requestId"="N"}. Pure. 0 with *out set; otherwise -1 and a one-line reason in why
 * (*missing set when no requestId was given at all).
 */
int ingest_request_id_parse(long long *out, const char *query, const char *body, size_t body_len,
                            int *missing, char *why, size_t why_size);

#endif
