/*
 * Fault injection, one slice: the action table, rule validation (fixture files and
 * POST /_mock/faults share its messages), parsing, the rules kept parsed in memory,
 * and applying a rule to an emulated call. Rules are evaluated before authentication
 * (they stand for the network and the gateway), in the order they were added; the
 * first that applies shapes the reply.
 *
 * This is the module's one public header. It names no HTTP type but by declaration:
 * fixture code includes it without depending on the HTTP layer; only apply.c (the
 * reply a rule shapes) includes http/.
 *
 * Files: actions.c the action table; match.c matching and scheduling, pure; rule.c
 * validation and parsing; rules.c the parsed rules, the store calls and the count;
 * apply.c evaluation and the reply.
 */
#ifndef CAMPAIGN_FAULTS_H
#define CAMPAIGN_FAULTS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "fixtures/fixtures.h"
#include "model/model.h"

struct app;
struct store;
struct http_request;
struct reply;

/* The longest delay a rule may ask for: ten minutes. Longer than any client timeout;
 * a call meant never to be answered is what transport "hang" is for. */
#define FAULT_DELAY_MAX 600000

/* ---- The action table ------------------------------------------------------------ */

/* What an action does; a rule has at most one of error, status, transport, and may
 * add a delay to it (or be a delay alone). */
enum fault_kind { FAULT_DELAY_ONLY = 0, FAULT_ERROR, FAULT_CUSTOM, FAULT_TRANSPORT };

/*
 * One action a rule may name by value: {"error": "401013"}, {"transport": "reset"}.
 * This table is the one list of them: validation and its messages, parsing and
 * applying read it, and tests/unit/test_fault_table.c checks against it the lists it
 * cannot generate: api/gateway.c's answers, http/reply.c's transports, the journal's
 * CHECK constraint (schema/0NN_*.sql), schema/openapi.yaml, schema/fixtures.schema.json,
 * ui/index.html and the report's coverage (control/report.c).
 * (status and delayMs take a number, not a name: they have no rows.)
 */
struct fault_action_def {
    enum fault_kind kind; /* FAULT_ERROR or FAULT_TRANSPORT */
    const char *name;     /* the value: a gateway error ("401013"), a transport ("reset") */
    /* 1 when the rule's answer replaces the handler's; 0 when it only decorates the
     * handler's reply (a truncated body needs the real answer to cut). */
    int answers;
};

/* The rows of the table, in the order messages and lists give them; *n gets how many. */
const struct fault_action_def *faults_actions(size_t *n);
/* The row of kind named name, or NULL. */
const struct fault_action_def *faults_action_find(enum fault_kind kind, const char *name);
/* The action member of a kind: "error", "transport", "status" or "delayMs". */
const char *faults_kind_member(enum fault_kind kind);

/* ---- Matching and scheduling, pure (match.c) ---------------------------------------- */

enum fault_endpoint { FAULT_EP_ANY = 0, FAULT_EP_TRIGGER, FAULT_EP_STATUS, FAULT_EP_IMS };
#define FAULT_EP_COUNT (FAULT_EP_IMS + 1)

struct fault_match {
    char method[16]; /* "" for any */
    enum fault_endpoint endpoint;
    char tenant[MODEL_NAME_MAX + 1];  /* "" for any */
    char mapping[MODEL_NAME_MAX + 1]; /* "" for any */
};

struct fault_schedule {
    long long times;                    /* applications allowed; -1 for no limit */
    long long after;                    /* matching calls skipped before it may apply */
    double probability;                 /* in [0, 1]; 1 applies every time */
    long long window_start, window_end; /* ms since creation; window_end -1: no window */
};

/* Counters kept with a rule. */
struct fault_state {
    long long created_ms; /* server clock */
    long long seen;       /* matching calls that reached this rule */
    long long hits;       /* times it applied */
};

/* "ingest.trigger" | "ingest.status" | "ims.token" | "any"; 0 or -1 (*out untouched). */
int fault_endpoint_parse(enum fault_endpoint *out, const char *s);
const char *fault_endpoint_name(enum fault_endpoint e);

/* The endpoint class of a route's endpoint name (anything else: FAULT_EP_ANY only). */
enum fault_endpoint fault_endpoint_of(const char *route_endpoint);

/* Whether the rule matches a call. */
int fault_matches(const struct fault_match *m, const char *method, const char *route_endpoint,
                  const char *tenant, const char *mapping);

/* Whether the rule needs a random draw for this call (probability below 1 and every
 * other condition met); the caller draws only then, so draws depend only on calls. */
int fault_needs_draw(const struct fault_schedule *s, const struct fault_state *st,
                     long long now_ms);

/*
 * Counts a matching call and decides whether the rule applies: skips the first `after`
 * calls, stops after `times`, keeps to the window, and applies with `probability`
 * (draw in [0, 1), ignored when no draw is needed). Updates *st. 1 applies, 0 not.
 */
int fault_decide(const struct fault_schedule *s, struct fault_state *st, long long now_ms,
                 double draw);

/* What is left of a rule: times - hits, or -1 without a limit. */
long long fault_remaining(const struct fault_schedule *s, const struct fault_state *st);

/* ---- Validation and parsing (rule.c) ------------------------------------------------ */

struct fault_action {
    enum fault_kind kind;
    const struct fault_action_def *def; /* FAULT_ERROR, FAULT_TRANSPORT: its row */
    int status;                         /* FAULT_CUSTOM */
    const cJSON *headers;               /* FAULT_CUSTOM, may be NULL; points into the rule */
    const cJSON *body;                  /* FAULT_CUSTOM, may be NULL; points into the rule */
    long long delay_min, delay_max;     /* -1 when there is no delay */
};

/* Validates one rule; prefix is its JSON path ("faults[0]", or "" for a body). */
int faults_rule_validate(const cJSON *rule, const char *file, const char *prefix,
                         struct problems *p);
/* Validates the "faults" array of a fixture file (rules, unique ids). */
int faults_rules_validate(const cJSON *arr, const char *file, struct problems *p);

/* Parses a validated rule. a's pointers stay valid while rule lives. */
void faults_rule_parse(const cJSON *rule, struct fault_match *m, struct fault_schedule *s,
                       struct fault_action *a);

/* ---- The rules, stored and kept parsed (rules.c) ------------------------------------ */

/*
 * The module's state: the stored rules, each parsed once when it is stored (or, after
 * a restart, when first met), and whether any exists, so that a call skips fault
 * evaluation (a query) when none does. Every function below that changes the rules
 * keeps it up to date: no caller refreshes anything. Thread-safe.
 */
struct faults;

/* NULL when out of memory. Released with faults_free. */
struct faults *faults_new(void);
void faults_free(struct faults *f);

/* Whether a call must evaluate the rules: some may exist. Lock-free. */
int faults_any(struct faults *f);

/* Replaces every rule with the validated rules (a fixture "faults" array, may be
 * NULL), created at now_ms. Inside a transaction. */
int faults_load(struct faults *f, struct store *st, const cJSON *rules, long long now_ms);

/*
 * Adds validated rules (an array), created at now_ms; a rule without an id gets the
 * first free "fault-N", written into it. Each added rule goes, as faults_list shows
 * it, into added (an array). STORE_CONSTRAINT when an id is taken, with *conflict its
 * index in rules. Inside a transaction, which the caller rolls back on failure.
 */
int faults_add(struct faults *f, struct store *st, cJSON *rules, long long now_ms, cJSON *added,
               int *conflict);

/* Deletes the rule id (STORE_NOTFOUND when there is none), or every rule (*deleted
 * gets how many, may be NULL). Inside a transaction. */
int faults_delete(struct faults *f, struct store *st, const char *id);
int faults_clear(struct faults *f, struct store *st, long long *deleted);

/* Appends every rule, as given plus its counters (hits, seen, remaining, createdMs),
 * to the array out, in order. */
int faults_list(struct store *st, cJSON *out);

/* ---- Applying (apply.c) ------------------------------------------------------------ */

/* Evaluates the fault rules for a routed emulated call, inside its transaction (st).
 * *answered: 0 none applied, 1 a rule answered (error, custom reply, reset, empty,
 * hang), -1 a rule decorated the reply (delay, truncate) and the handler still runs.
 * Returns 0 or a STORE_* error. */
int faults_evaluate(struct app *app, struct store *st, const struct http_request *req,
                    struct reply *rep, int *answered);

#endif
