/*
 * What the files of server/faults/ share and nothing else sees: a rule as kept in
 * memory, the module's state, and the action table's message lists.
 */
#ifndef CAMPAIGN_FAULTS_INTERNAL_H
#define CAMPAIGN_FAULTS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "faults/faults.h"

/* A stored rule, parsed once. */
struct fault_rule {
    char *id;    /* owned */
    char *text;  /* owned: the JSON text as stored, to tell this rule from a changed one */
    cJSON *json; /* owned: action.headers and action.body point into it */
    struct fault_match match;
    struct fault_schedule schedule;
    struct fault_action action;
    struct fault_state state; /* the counters as the current transaction read them */
    int taken;                /* while syncing: met in the store again */
};

struct faults {
    pthread_mutex_t lock;      /* guards every member but the atomics */
    struct fault_rule **rules; /* the stored rules in order, as last read */
    int n, cap;
    struct fault_rule **next; /* scratch for the next rules, while syncing */
    int next_cap;
    /* Whether the rules may have changed since count was taken: set by every change,
     * cleared by an evaluation, which reads the rules in its own transaction.
     * Transactions run one at a time (store_transact), so a change is never half seen. */
    atomic_int stale;
    atomic_llong count; /* rules, as the last evaluation read them */
};

/* Reads the stored rules and their counters into f->rules, in order, parsing only the
 * rules not met before (new, or changed behind our back). Call with f->lock held, inside
 * a transaction. 0 or a STORE_* error (then f->rules is empty and marked stale). */
int faults_sync(struct faults *f, struct store *st);

/* The names of the table's rows of kind, as validation messages list them ("reset,
 * empty, truncate, hang"; error names quoted, being strings that look like numbers). */
void faults_kind_list(enum fault_kind kind, char *out, size_t size);

#endif
