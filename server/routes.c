/*
 * The one static route table. Patterns never overlap: the Campaign routes have the
 * "campaign" segment, the control routes start with "_mock" (not a valid tenant
 * name's whole path), IMS with "ims".
 */
#include "api/ims.h"
#include "api/ingest.h"
#include "control/control.h"
#include "http/router.h"

#define INGEST  "/{}/campaign/dataIngestion/xdmIngestion/{}/ingest"
#define TENANT  "/_mock/tenants/{}"
#define MAPPING TENANT "/mappings/{}"
#define REQUEST TENANT "/requests/{}"

const struct route routes[] = {
    {"POST", INGEST, "ingest.trigger", handle_ingest_post},
    {"GET", INGEST, "ingest.status", handle_ingest_get},
    {"POST", "/ims/token/v3", "ims.token", handle_ims_token_post},
    {"POST", "/ims/exchange/jwt", "ims.token", handle_ims_jwt_post},

    {"GET", "/_mock/health", "control.health", handle_health_get},
    {"GET", "/_mock/tenants", "control.tenants", handle_tenants_list},
    {"GET", TENANT, "control.tenants", handle_tenant_get},
    {"DELETE", TENANT, "control.tenants", handle_tenant_delete},
    {"POST", TENANT "/reset", "control.tenants", handle_tenant_reset},
    {"GET", TENANT "/mappings", "control.mappings", handle_mappings_list},
    {"GET", MAPPING, "control.mappings", handle_mapping_get},
    {"PUT", MAPPING, "control.mappings", handle_mapping_put},
    {"DELETE", MAPPING, "control.mappings", handle_mapping_delete},
    {"POST", MAPPING "/publish", "control.mappings", handle_mapping_publish},
    {"POST", MAPPING "/unpublish", "control.mappings", handle_mapping_unpublish},
    {"POST", MAPPING "/start", "control.mappings", handle_mapping_start},
    {"POST", MAPPING "/stop", "control.mappings", handle_mapping_stop},
    {"POST", MAPPING "/records", "control.mappings", handle_mapping_records},
    {"GET", MAPPING "/script", "control.scripts", handle_script_get},
    {"PUT", MAPPING "/script", "control.scripts", handle_script_put},
    {"POST", MAPPING "/script", "control.scripts", handle_script_post},
    {"GET", TENANT "/requests", "control.requests", handle_requests_list},
    {"GET", REQUEST, "control.requests", handle_request_get},
    {"POST", REQUEST "/resolve", "control.requests", handle_request_resolve},
    {"GET", TENANT "/snapshot", "control.snapshot", handle_snapshot_get},
    {"PUT", TENANT "/snapshot", "control.snapshot", handle_snapshot_put},
    {"GET", "/_mock/clock", "control.clock", handle_clock_get},
    {"POST", "/_mock/clock", "control.clock", handle_clock_post},
    {"GET", "/_mock/journal", "control.journal", handle_journal_get},
    {"DELETE", "/_mock/journal", "control.journal", handle_journal_delete},
    {"GET", "/_mock/journal/count", "control.journal", handle_journal_count},
    {"GET", "/_mock/faults", "control.faults", handle_faults_get},
    {"POST", "/_mock/faults", "control.faults", handle_faults_post},
    {"DELETE", "/_mock/faults", "control.faults", handle_faults_delete},
    {"DELETE", "/_mock/faults/{}", "control.faults", handle_fault_delete},
    {"POST", "/_mock/reset", "control.reset", handle_reset_post},
    {"GET", "/_mock/metrics", "control.metrics", handle_metrics_get},
    {"GET", "/_mock/ui", "control.ui", handle_ui_get},
    {0, 0, 0, 0},
};
