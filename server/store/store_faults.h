/*
 * Fault rules in the database: the rule as given (JSON text) and its counters.
 */
#ifndef CAMPAIGN_STORE_FAULTS_H
#define CAMPAIGN_STORE_FAULTS_H

#include "store/store.h"

struct fault_row {
    const char *id;
    const char *rule; /* JSON text */
    long long created_ms, seen, hits;
};

/* Appends a rule after the others; STORE_CONSTRAINT when the id is taken. */
int store_fault_insert(struct store *st, const char *id, const char *rule_json,
                       long long created_ms);
/* Rules in order (strings valid only during the call). */
int store_fault_each(struct store *st, int (*fn)(void *arg, const struct fault_row *r), void *arg);
int store_fault_set_counters(struct store *st, const char *id, long long seen, long long hits);
int store_fault_delete(struct store *st, const char *id);
/* Deletes every rule; *deleted (may be NULL) gets how many. */
int store_fault_clear(struct store *st, long long *deleted);
int store_fault_count(struct store *st, long long *out);

#endif
