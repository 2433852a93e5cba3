/*
 * The control API under /_mock/: one file per resource, each handler named
 * handle_<resource>_<method>.
 */
#ifndef CAMPAIGN_CONTROL_H
#define CAMPAIGN_CONTROL_H

#include "app.h"
#include "http/reply.h"
#include "http/router.h"

void handle_health_get(struct app *app, const struct http_request *req, struct reply *rep);

#endif
