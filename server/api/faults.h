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

/* The before-handler hook for emulated routes (see http_before_hook): 0 none applied,
 * 1 answered (error, custom reply, reset, empty, hang), -1 decorated (delay,
 * truncate) with the handler still to run. */
int faults_before(struct app *app, const struct http_request *req, struct reply *rep);

/* Adds validated rules (fixture "faults" array) created at now_ms. Inside a
 * transaction. */
int faults_load(struct store *st, const cJSON *rules, long long now_ms);

#endif
