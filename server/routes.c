/*
 * The one static route table. Patterns never overlap, by their second segment: the
 * Campaign routes have "campaign" there, the control routes "_mock" first and a
 * resource name (never "campaign") second, IMS "ims" first and "token" or "exchange"
 * second. "_mock" and "ims" are valid tenant names (fixtures_tenant_name_valid), and a
 * tenant so named is served: /_mock/campaign/... is that tenant's Campaign route.
 */
#include "api/ims.h"
#include "api/ingest.h"
#include "control/control.h"
#include "http/router.h"

#define INGEST  "/{}/campaign/dataIngestion/xdmIngestion/{}/ingest"
#define TENANT  "/_mock/tenants/{}"
#define MAPPING TENANT "/mappings/{}"
#define REQUEST TENANT "/requests/{}"

/* The flags of each kind of route (http/router.h says what each means). */
#define CAMPAIGN (ROUTE_EMULATED | ROUTE_FAULTABLE | ROUTE_JOURNALED | ROUTE_AUTH)
#define IMS      (ROUTE_EMULATED | ROUTE_FAULTABLE | ROUTE_JOURNALED)
#define CONTROL  ROUTE_CONTROL
#define NP       ROUTE_NO_PARAM

const struct route routes[] = {
    {"POST", INGEST, "ingest.trigger", CAMPAIGN | ROUTE_SQL_ROLE, 0, 1, NULL, ingest_trigger},
    {"GET", INGEST, "ingest.status", CAMPAIGN, 0, 1, NULL, ingest_status},
    {"POST", "/ims/token/v3", "ims.token", IMS, NP, NP, NULL, ims_token},
    {"POST", "/ims/token/v2", "ims.token", IMS, NP, NP, NULL, ims_token_v2},
    {"POST", "/ims/exchange/jwt", "ims.token", IMS, NP, NP, NULL, ims_jwt},

    {"GET", "/_mock/health", "control.health", CONTROL | ROUTE_ADMIN_EXEMPT | ROUTE_QUIET, NP, NP,
     handle_health_get, NULL},
    {"GET", "/_mock/tenants", "control.tenants", CONTROL, NP, NP, handle_tenants_list, NULL},
    {"GET", TENANT, "control.tenants", CONTROL, 0, NP, handle_tenant_get, NULL},
    {"DELETE", TENANT, "control.tenants", CONTROL, 0, NP, handle_tenant_delete, NULL},
    {"POST", TENANT "/reset", "control.tenants", CONTROL, 0, NP, handle_tenant_reset, NULL},
    {"GET", TENANT "/mappings", "control.mappings", CONTROL, 0, NP, handle_mappings_list, NULL},
    {"GET", MAPPING, "control.mappings", CONTROL, 0, 1, handle_mapping_get, NULL},
    {"PUT", MAPPING, "control.mappings", CONTROL, 0, 1, handle_mapping_put, NULL},
    {"DELETE", MAPPING, "control.mappings", CONTROL, 0, 1, handle_mapping_delete, NULL},
    {"POST", MAPPING "/publish", "control.mappings", CONTROL, 0, 1, handle_mapping_publish, NULL},
    {"POST", MAPPING "/unpublish", "control.mappings", CONTROL, 0, 1, handle_mapping_unpublish,
     NULL},
    {"POST", MAPPING "/start", "control.mappings", CONTROL, 0, 1, handle_mapping_start, NULL},
    {"POST", MAPPING "/stop", "control.mappings", CONTROL, 0, 1, handle_mapping_stop, NULL},
    {"POST", MAPPING "/records", "control.mappings", CONTROL, 0, 1, handle_mapping_records, NULL},
    {"GET", MAPPING "/script", "control.scripts", CONTROL, 0, 1, handle_script_get, NULL},
    {"PUT", MAPPING "/script", "control.scripts", CONTROL, 0, 1, handle_script_put, NULL},
    {"POST", MAPPING "/script", "control.scripts", CONTROL, 0, 1, handle_script_post, NULL},
    {"GET", TENANT "/requests", "control.requests", CONTROL, 0, NP, handle_requests_list, NULL},
    {"GET", REQUEST, "control.requests", CONTROL, 0, NP, handle_request_get, NULL},
    {"POST", REQUEST "/resolve", "control.requests", CONTROL, 0, NP, handle_request_resolve, NULL},
    {"GET", TENANT "/snapshot", "control.snapshot", CONTROL, 0, NP, handle_snapshot_get, NULL},
    {"PUT", TENANT "/snapshot", "control.snapshot", CONTROL, 0, NP, handle_snapshot_put, NULL},
    {"GET", "/_mock/clock", "control.clock", CONTROL, NP, NP, handle_clock_get, NULL},
    {"POST", "/_mock/clock", "control.clock", CONTROL, NP, NP, handle_clock_post, NULL},
    {"GET", "/_mock/journal", "control.journal", CONTROL, NP, NP, handle_journal_get, NULL},
    {"DELETE", "/_mock/journal", "control.journal", CONTROL, NP, NP, handle_journal_delete, NULL},
    {"GET", "/_mock/journal/count", "control.journal", CONTROL, NP, NP, handle_journal_count, NULL},
    {"GET", "/_mock/report", "control.report", CONTROL, NP, NP, handle_report_get, NULL},
    {"POST", "/_mock/report/mark", "control.report", CONTROL, NP, NP, handle_report_mark, NULL},
    {"GET", "/_mock/faults", "control.faults", CONTROL, NP, NP, handle_faults_get, NULL},
    {"POST", "/_mock/faults", "control.faults", CONTROL, NP, NP, handle_faults_post, NULL},
    {"DELETE", "/_mock/faults", "control.faults", CONTROL, NP, NP, handle_faults_delete, NULL},
    {"DELETE", "/_mock/faults/{}", "control.faults", CONTROL, NP, NP, handle_fault_delete, NULL},
    {"POST", "/_mock/reset", "control.reset", CONTROL | ROUTE_EXCLUSIVE, NP, NP, handle_reset_post,
     NULL},
    {"GET", "/_mock/metrics", "control.metrics", CONTROL, NP, NP, handle_metrics_get, NULL},
    {"GET", "/_mock/ui", "control.ui", CONTROL | ROUTE_ADMIN_EXEMPT, NP, NP, handle_ui_get, NULL},
    {"GET", "/_mock/openapi.yaml", "control.ui", CONTROL | ROUTE_ADMIN_EXEMPT, NP, NP,
     handle_openapi_get, NULL},
    {"GET", "/", "control.ui", CONTROL | ROUTE_ADMIN_EXEMPT, NP, NP, handle_index_get, NULL},
    {"GET", "/_mock", "control.ui", CONTROL | ROUTE_ADMIN_EXEMPT, NP, NP, handle_index_get, NULL},
    {"GET", "/_mock/", "control.ui", CONTROL | ROUTE_ADMIN_EXEMPT, NP, NP, handle_index_get, NULL},
    {0},
};
