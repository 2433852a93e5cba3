/*
 * Journal rows: what each call to the emulated API sent and got.
 */
#ifndef CAMPAIGN_STORE_JOURNAL_H
#define CAMPAIGN_STORE_JOURNAL_H

#include "store/store.h"

struct journal_entry {
    long long id;
    long long server_ms, wall_ms;
    const char *method, *path, *query, *endpoint, *tenant, *mapping;
    long long request_id;        /* -1 when none */
    int status;                  /* 0 when the transport was broken on purpose */
    const char *request_headers; /* JSON object text */
    const char *request_body, *response_body, *fault;
    double duration_ms;
    const char *transport; /* "normal", or the fault's: "reset", "empty", "truncate", "hang" */
    const char *scheme;    /* "http" or "https" */
};

/* Filters; NULL / 0 fields do not filter. */
struct journal_filter {
    const char *tenant, *mapping, *method;
    int status; /* compared only when has_status (0 is the status of a broken transport) */
    int has_status;
    /* The newest limit matching entries (still listed oldest first); 0 = all. Applied by
     * the caller, through store_journal_start. */
    long long limit;
};

/* Appends an entry, then evicts the oldest beyond max entries or max_bytes bytes (what
 * an entry's texts weigh, kept in meta.journal_bytes); *evicted (may be NULL) gets the
 * number removed now. Call inside a transaction. */
int store_journal_append(struct store *st, const struct journal_entry *e, long long max,
                         long long max_bytes, long long *evicted);

/* One page of matching entries: those with an id above after and at most upto, oldest
 * first, at most limit (f->limit is the caller's to apply); *n gets how many were read.
 * Strings are valid only during the call of fn. */
int store_journal_page(struct store *st, const struct journal_filter *f, long long after,
                       long long upto, int limit,
                       int (*fn)(void *arg, const struct journal_entry *e), void *arg, int *n);

/* The id of the oldest entry (0 when there is none). */
int store_journal_first_id(struct store *st, long long *out);

/* The id of the newest entry ever made (0 when none was): the journal emptied, the
 * last id it had. */
int store_journal_last_id(struct store *st, long long *out);

/* Where the newest n matching entries with ids at most upto begin: *after gets the id
 * just before the oldest of them (0 when n or fewer match). */
int store_journal_start(struct store *st, const struct journal_filter *f, long long n,
                        long long upto, long long *after);
int store_journal_count(struct store *st, const struct journal_filter *f, long long *out);
int store_journal_clear(struct store *st);

#endif
