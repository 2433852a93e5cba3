/*
 * Control-only statements, in the STORE_SLOTS_CONTROL range of the statement cache.
 */
#include "store/store_control.h"

#include "store/store_internal.h"

enum { C_TENANT_CLEAR = STORE_SLOTS_CONTROL, C_MAPPING_COUNT, C_TENANT_COUNT };

int store_tenant_count(struct store *st, long long *out)
{
    /* The template is stored as the tenant '*', and is not one. */
    sqlite3_stmt *s =
        store_stmt(st, C_TENANT_COUNT, "SELECT count(*) FROM tenant WHERE name <> '*'");
    if (!s)
        return STORE_ERROR;
    return store_stmt_one_int(s, out);
}

int store_tenant_clear(struct store *st, const char *tenant)
{
    sqlite3_stmt *s = store_stmt(st, C_TENANT_CLEAR, "DELETE FROM mapping WHERE tenant = ?1");
    if (!s)
        return STORE_ERROR;
    store_bind_text(s, 1, tenant);
    return store_stmt_run(s);
}

int store_mapping_count(struct store *st, const char *tenant, long long *out)
{
    sqlite3_stmt *s =
        store_stmt(st, C_MAPPING_COUNT, "SELECT count(*) FROM mapping WHERE tenant = ?1");
    if (!s)
        return STORE_ERROR;
    store_bind_text(s, 1, tenant);
    return store_stmt_one_int(s, out);
}
