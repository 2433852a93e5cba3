/*
 * The one request pipeline: what happens to a request between the HTTP layer, which
 * parses it and sends the reply, and the handlers, which decide the reply. Everything
 * it decides comes from the route's flags (http/router.h).
 */
#ifndef CAMPAIGN_PIPELINE_H
#define CAMPAIGN_PIPELINE_H

#include "http/reply.h"
#include "http/router.h"

struct app;
struct store;

/*
 * Decides the reply to req (ctx is the struct app). In order:
 *   - the answer to a request the HTTP layer cut at its deadline (408, req->timed_out);
 *   - the HTTP-level refusals: 400/501 (body framing), 414 (URL), 431 (headers),
 *     413 (body), 404 (a path that is not UTF-8);
 *   - routing: 404, or 405 with Allow;
 *   - a control route: the admin token (unless exempt), then its handler;
 *   - an emulated route, in one transaction: fault rules, authentication, the handler
 *     and the journal entry, so that a call is answered only once its entry is
 *     committed (when the transaction fails, the client gets a 500 or 503 and the entry
 *     is recorded on its own, if the database allows);
 *   - the metrics.
 * Runs on many threads at once; takes no lock the whole time but the fixture set's
 * read lock (the write lock for ROUTE_EXCLUSIVE routes).
 */
void pipeline_dispatch(void *ctx, struct http_request *req, struct reply *rep);

/* The reply for a failed transaction: 503 with Retry-After when the database stayed
 * busy; 507 storage_full when the disk is full; 503 storage_damaged or storage_error
 * when the file is corrupt or cannot be read or written (each logged once at error
 * level, with the file's name); else 500 (logged with SQLite's message). */
void pipeline_store_failure(struct app *app, struct reply *rep, struct store *st, int rc);

#endif
