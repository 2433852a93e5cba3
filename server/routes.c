/*
 * The one static route table. Order matters only for readability: patterns never
 * overlap, since "_mock" and "ims" are not valid tenant names' first segments for
 * the Campaign routes (those need the "campaign" segment).
 */
#include "api/ims.h"
#include "api/ingest.h"
#include "control/control.h"
#include "http/router.h"

#define INGEST "/{}/campaign/dataIngestion/xdmIngestion/{}/ingest"

const struct route routes[] = {
    {"POST", INGEST, "ingest.trigger", handle_ingest_post},
    {"GET", INGEST, "ingest.status", handle_ingest_get},
    {"POST", "/ims/token/v3", "ims.token", handle_ims_token_post},
    {"POST", "/ims/exchange/jwt", "ims.token", handle_ims_jwt_post},
    {"GET", "/_mock/health", "control.health", handle_health_get},
    {0, 0, 0, 0},
};
