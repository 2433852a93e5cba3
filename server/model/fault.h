/*
 * Fault rules, pure: which calls a rule matches, and whether it applies to a call
 * given its schedule (times, after, probability, window). The random draw and the
 * clock come in as arguments.
 */
#ifndef CAMPAIGN_MODEL_FAULT_H
#define CAMPAIGN_MODEL_FAULT_H

#include "model/model.h"

enum fault_endpoint { FAULT_EP_ANY = 0, FAULT_EP_TRIGGER, FAULT_EP_STATUS, FAULT_EP_IMS };

struct model_fault_match {
    char method[16]; /* "" for any */
    enum fault_endpoint endpoint;
    char tenant[MODEL_NAME_MAX + 1];  /* "" for any */
    char mapping[MODEL_NAME_MAX + 1]; /* "" for any */
};

struct model_fault_schedule {
    long long times;                    /* applications allowed; -1 for no limit */
    long long after;                    /* matching calls skipped before it may apply */
    double probability;                 /* in [0, 1]; 1 applies every time */
    long long window_start, window_end; /* ms since creation; window_end -1: no window */
};

/* Counters kept with a rule. */
struct model_fault_state {
    long long created_ms; /* server clock */
    long long seen;       /* matching calls that reached this rule */
    long long hits;       /* times it applied */
};

/* "ingest.trigger" | "ingest.status" | "ims.token" | "any"; 0 or -1. */
int model_fault_endpoint_parse(enum fault_endpoint *out, const char *s);
const char *model_fault_endpoint_name(enum fault_endpoint e);

/* The endpoint class of a route's endpoint name (anything else: FAULT_EP_ANY only). */
enum fault_endpoint model_fault_endpoint_of(const char *route_endpoint);

/* Whether the rule matches a call. */
int model_fault_matches(const struct model_fault_match *m, const char *method,
                        const char *route_endpoint, const char *tenant, const char *mapping);

/* Whether the rule needs a random draw for this call (probability below 1 and every
 * other condition met); the caller draws only then, so draws depend only on calls. */
int model_fault_needs_draw(const struct model_fault_schedule *s, const struct model_fault_state *st,
                           long long now_ms);

/*
 * Counts a matching call and decides whether the rule applies: skips the first `after`
 * calls, stops after `times`, keeps to the window, and applies with `probability`
 * (draw in [0, 1), ignored when no draw is needed). Updates *st. 1 applies, 0 not.
 */
int model_fault_decide(const struct model_fault_schedule *s, struct model_fault_state *st,
                       long long now_ms, double draw);

/* What is left of a rule: times - hits, or -1 without a limit. */
long long model_fault_remaining(const struct model_fault_schedule *s,
                                const struct model_fault_state *st);

#endif
