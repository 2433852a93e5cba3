/*
 * Control-only statements; their SQL is in store_sql.h (S_CONTROL_*).
 */
#include "store/store_control.h"

#include "store/store_internal.h"

int store_tenant_count(struct store *st, long long *out)
{
    return store_stmt_one_int(store_stmt(st, S_CONTROL_TENANT_COUNT), out);
}

int store_tenant_clear(struct store *st, const char *tenant)
{
    sqlite3_stmt *s = store_stmt(st, S_CONTROL_TENANT_CLEAR);
    store_bind_text(s, 1, tenant);
    return store_stmt_run(s);
}

int store_mapping_count(struct store *st, const char *tenant, long long *out)
{
    sqlite3_stmt *s = store_stmt(st, S_CONTROL_MAPPING_COUNT);
    store_bind_text(s, 1, tenant);
    return store_stmt_one_int(s, out);
}
