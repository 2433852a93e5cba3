/*
 * The pure state machines of campaign-mock: mappings, ingestion requests and the
 * rendering of Adobe's documented bodies. Nothing here does I/O, reads the clock or
 * draws random numbers: time, poll counts and random batch ids come in as arguments,
 * so every decision is a function of its inputs and is tested table by table.
 */
#ifndef CAMPAIGN_MODEL_H
#define CAMPAIGN_MODEL_H

#include <stddef.h>

/* Ids and names are bounded so that they fit fixed buffers; fixtures and paths are
 * validated against these before any model code sees them. */
#define MODEL_NAME_MAX 128 /* tenant names and mapping ids, in bytes */
/* The rule of tenant names (fixtures_tenant_name_valid), as every message words it. */
#define MODEL_TENANT_CHARS "A-Z a-z 0-9 @ . _ - with a letter or digit"
#define MODEL_STR_(x)      #x
#define MODEL_STR(x)       MODEL_STR_(x)
#define MODEL_TENANT_RULE  "1 to " MODEL_STR(MODEL_NAME_MAX) " characters of " MODEL_TENANT_CHARS
#define MODEL_LABEL_MAX    256 /* labels, targeting dimensions, dataset ids */
#define MODEL_BATCH_LEN    32  /* AEP batch ids: 32 lowercase hex characters */

enum model_outcome {
    OUTCOME_SUCCESS = 0,
    OUTCOME_FAILED_FETCH,  /* ACP-880056, nothing ingested */
    OUTCOME_FAILED_UPLOAD, /* ACP-880096, after a batch was uploaded */
    OUTCOME_ABORTED,
    OUTCOME_HANG, /* stays In Progress until resolved through the control API */
};

enum model_status {
    STATUS_IN_PROGRESS = 0,
    STATUS_SUCCESS,
    STATUS_FAILED,
    STATUS_ABORTED,
};
#define MODEL_STATUS_COUNT 4 /* the statuses above */

/* One scripted outcome. num_records < 0 means "the mapping's changed records";
 * batch_id "" means "draw one" (failed-upload only). */
struct model_step {
    enum model_outcome outcome;
    long long num_records;
    char batch_id[MODEL_BATCH_LEN + 1];
    long long after_ms;
    long long after_polls;
};

struct model_mapping {
    char tenant[MODEL_NAME_MAX + 1];
    char id[MODEL_NAME_MAX + 1];
    char label[MODEL_LABEL_MAX + 1];
    char targeting_dimension[MODEL_LABEL_MAX + 1];
    char dataset[MODEL_LABEL_MAX + 1];
    int published;
    int started;
    long long changed_records;
    struct model_step default_step; /* applies when the script is empty */
};

struct model_request {
    long long id;
    char tenant[MODEL_NAME_MAX + 1];
    char mapping[MODEL_NAME_MAX + 1];
    long long created_ms;   /* server clock */
    struct model_step step; /* the outcome it will reach, and when */
    long long polls;        /* status polls answered In Progress so far */
    enum model_status status;
    long long num_records;              /* final count; 0 until Success */
    char batch_id[MODEL_BATCH_LEN + 1]; /* final batch id; "" unless failed-upload */
    long long resolved_ms;              /* server clock at the outcome; -1 while In Progress */
};

/* The verdict of a trigger (POST), in the order model_trigger_decide checks them: a
 * mapping not published, then one not stopped, then a request already In Progress;
 * otherwise a new request (the reference's "Trigger" section, and the fidelity ledger
 * for the order, which Adobe does not document). */
enum model_trigger_verdict {
    TRIGGER_NOT_PUBLISHED = 0,
    TRIGGER_NOT_STOPPED,
    TRIGGER_ALREADY_IN_PROGRESS,
    TRIGGER_SUBMITTED,
};

/* Names as they appear in fixtures and control bodies; parse returns 0 or -1. */
const char *model_outcome_name(enum model_outcome o);
int model_outcome_parse(enum model_outcome *out, const char *s);
const char *model_status_name(enum model_status s); /* "In Progress", "Success", ... */
int model_status_parse(enum model_status *out, const char *s);

/* The default step when a fixture gives none: success after one poll. */
void model_step_default(struct model_step *out);

/* Decides a trigger. has_in_progress is whether the mapping still has a request In
 * Progress after that request was advanced to now. */
enum model_trigger_verdict model_trigger_decide(const struct model_mapping *m, int has_in_progress);

/* Builds the request a submitted trigger creates from the step it consumed.
 * drawn_batch_id is used when the step is failed-upload without a batch id. */
void model_request_create(struct model_request *out, long long id, const char *tenant,
                          const char *mapping, long long now_ms, const struct model_step *step,
                          const char *drawn_batch_id);

/* Whether an In Progress request's step is due at now_ms with the polls counted so far. */
int model_request_due(const struct model_request *r, long long now_ms);

/*
 * Advances a request when it is read. is_poll is 1 for a status GET (which counts
 * as a poll when it answers In Progress), 0 for other reads. *changed_records is the
 * mapping's changed-records count, updated when a success ingests it.
 * Returns 1 when the request changed (the caller stores it), 0 otherwise.
 */
int model_request_advance(struct model_request *r, long long now_ms, int is_poll,
                          long long *changed_records);

/* Applies a step to an In Progress request now, whatever its schedule (control
 * "resolve"). A hang step leaves it In Progress. Returns 1 when it changed. */
int model_request_resolve(struct model_request *r, const struct model_step *step, long long now_ms,
                          const char *drawn_batch_id, long long *changed_records);

/* Adobe's documented bodies, byte for byte; each returns a malloc'd NUL-terminated
 * string (caller frees) or NULL when out of memory. */
char *model_render_trigger(enum model_trigger_verdict v, const char *mapping_id,
                           long long request_id, size_t *len);
char *model_render_status(const struct model_request *r, size_t *len);

#endif
