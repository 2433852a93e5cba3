/*
 * Fault injection in front of the emulated API: rules evaluated before
 * authentication (they stand for the network and the gateway), in the order they were
 * added; the first that applies shapes the reply.
 */
#ifndef CAMPAIGN_API_FAULTS_H
#define CAMPAIGN_API_FAULTS_H

#include <cjson/cJSON.h>

#include "app.h"
#include "http/reply.h"
#include "http/router.h"

/* Evaluates the fault rules for a routed emulated call, inside its transaction (st).
 * *answered: 0 none applied, 1 a rule answered (error, custom reply, reset, empty,
 * hang), -1 a rule decorated the reply (delay, truncate) and the handler still runs.
 * Returns 0 or a STORE_* error. */
int faults_evaluate(struct app *app, struct store *st, const struct http_request *req,
                    struct reply *rep, int *answered);

/* Adds validated rules (fixture "faults" array) created at now_ms. Inside a
 * transaction. */
int faults_load(struct store *st, const cJSON *rules, long long now_ms);

#endif
