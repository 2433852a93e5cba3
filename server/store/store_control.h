/*
 * Statements of the control API (and of app_tenant_ensure, which counts the tenants).
 */
#ifndef CAMPAIGN_STORE_CONTROL_H
#define CAMPAIGN_STORE_CONTROL_H

#include "store/store.h"

/* Deletes every mapping of a tenant (and so their scripts and requests), keeping the
 * tenant and its fixture state. */
int store_tenant_clear(struct store *st, const char *tenant);

/* Number of mappings of a tenant. */
int store_mapping_count(struct store *st, const char *tenant, long long *out);

/* Tenants stored (the template not counted). */
int store_tenant_count(struct store *st, long long *out);

#endif
