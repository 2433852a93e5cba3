/*
 * Mapping and request state machines, and the rendering of Adobe's bodies.
 * Pure: see model.h.
 */
#include "model/model.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

static const char *const outcome_names[] = {"success", "failed-fetch", "failed-upload", "aborted",
                                            "hang"};
static const char *const status_names[] = {"In Progress", "Success", "Failed", "Aborted"};

const char *model_outcome_name(enum model_outcome o)
{
    assert(o >= OUTCOME_SUCCESS && o <= OUTCOME_HANG);
    return outcome_names[o];
}

/* The index of s in names[0..n), or -1. */
static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0)
            return i;
    }
    return -1;
}

int model_outcome_parse(enum model_outcome *out, const char *s)
{
    int i = name_index(outcome_names, OUTCOME_HANG + 1, s);
    if (i < 0)
        return -1;
    *out = (enum model_outcome)i;
    return 0;
}

const char *model_status_name(enum model_status s)
{
    assert(s >= STATUS_IN_PROGRESS && s <= STATUS_ABORTED);
    return status_names[s];
}

int model_status_parse(enum model_status *out, const char *s)
{
    int i = name_index(status_names, STATUS_ABORTED + 1, s);
    if (i < 0)
        return -1;
    *out = (enum model_status)i;
    return 0;
}

void model_step_default(struct model_step *out)
{
    memset(out, 0, sizeof(*out));
    out->outcome = OUTCOME_SUCCESS;
    out->num_records = -1;
    out->after_polls = 1;
}

enum model_trigger_verdict model_trigger_decide(const struct model_mapping *m, int has_in_progress)
{
    if (!m->published)
        return TRIGGER_NOT_PUBLISHED;
    if (m->started)
        return TRIGGER_NOT_STOPPED;
    if (has_in_progress)
        return TRIGGER_ALREADY_IN_PROGRESS;
    return TRIGGER_SUBMITTED;
}

static void copy_name(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    assert(n < size); /* callers validated lengths */
    (void)size;
    memcpy(dst, src, n + 1);
}

void model_request_create(struct model_request *out, long long id, const char *tenant,
                          const char *mapping, long long now_ms, const struct model_step *step,
                          const char *drawn_batch_id)
{
    memset(out, 0, sizeof(*out));
    out->id = id;
    copy_name(out->tenant, sizeof(out->tenant), tenant);
    copy_name(out->mapping, sizeof(out->mapping), mapping);
    out->created_ms = now_ms;
    out->step = *step;
    if (step->outcome == OUTCOME_FAILED_UPLOAD && step->batch_id[0] == '\0' && drawn_batch_id)
        copy_name(out->step.batch_id, sizeof(out->step.batch_id), drawn_batch_id);
    out->status = STATUS_IN_PROGRESS;
    out->resolved_ms = -1;
}

int model_request_due(const struct model_request *r, long long now_ms)
{
    if (r->status != STATUS_IN_PROGRESS || r->step.outcome == OUTCOME_HANG)
        return 0;
    return now_ms - r->created_ms >= r->step.after_ms && r->polls >= r->step.after_polls;
}

/* Moves an In Progress request to the outcome of its step. */
static void reach(struct model_request *r, long long now_ms, long long *changed_records)
{
    r->resolved_ms = now_ms;
    r->batch_id[0] = '\0';
    r->num_records = 0;
    switch (r->step.outcome) {
    case OUTCOME_SUCCESS:
        r->status = STATUS_SUCCESS;
        r->num_records = r->step.num_records >= 0 ? r->step.num_records : *changed_records;
        *changed_records = 0;
        break;
    case OUTCOME_FAILED_FETCH:
        r->status = STATUS_FAILED;
        break;
    case OUTCOME_FAILED_UPLOAD:
        r->status = STATUS_FAILED;
        memcpy(r->batch_id, r->step.batch_id, sizeof(r->batch_id));
        break;
    case OUTCOME_ABORTED:
        r->status = STATUS_ABORTED;
        break;
    case OUTCOME_HANG:
        assert(!"a hang step never reaches an outcome");
        break;
    }
}

int model_request_advance(struct model_request *r, long long now_ms, int is_poll,
                          long long *changed_records)
{
    if (r->status != STATUS_IN_PROGRESS)
        return 0;
    if (model_request_due(r, now_ms)) {
        reach(r, now_ms, changed_records);
        return 1;
    }
    if (is_poll) {
        r->polls++;
        return 1;
    }
    return 0;
}

int model_request_resolve(struct model_request *r, const struct model_step *step, long long now_ms,
                          const char *drawn_batch_id, long long *changed_records)
{
    if (r->status != STATUS_IN_PROGRESS)
        return 0;
    r->step = *step;
    if (step->outcome == OUTCOME_FAILED_UPLOAD && step->batch_id[0] == '\0' && drawn_batch_id)
        copy_name(r->step.batch_id, sizeof(r->step.batch_id), drawn_batch_id);
    if (step->outcome == OUTCOME_HANG)
        return 1;
    reach(r, now_ms, changed_records);
    return 1;
}

char *model_render_trigger(enum model_trigger_verdict v, const char *mapping_id,
                           long long request_id, size_t *len)
{
    struct jsonw info, w;
    jsonw_init(&info);
    jsonw_init(&w);
    switch (v) {
    case TRIGGER_SUBMITTED:
        jsonw_raw(&info, "Ingestion request submitted successfully for the Mapping ID: ");
        break;
    case TRIGGER_ALREADY_IN_PROGRESS:
        jsonw_raw(&info, "Ingestion request already in progress for the Mapping ID: ");
        break;
    case TRIGGER_NOT_STOPPED:
    case TRIGGER_NOT_PUBLISHED:
        jsonw_raw(&info, "Unable to submit data ingestion request, XDM Mapping ID: ");
        break;
    }
    jsonw_raw(&info, mapping_id);
    if (v == TRIGGER_NOT_STOPPED)
        jsonw_raw(&info, " is not stopped");
    else if (v == TRIGGER_NOT_PUBLISHED)
        jsonw_raw(&info, " is not published");

    if (v == TRIGGER_SUBMITTED || v == TRIGGER_ALREADY_IN_PROGRESS)
        jsonw_rawf(&w, "{\"requestId\": %lld, \"info\": ", request_id);
    else
        jsonw_raw(&w, "{\"info\": ");
    jsonw_string(&w, info.buf ? info.buf : "");
    jsonw_raw(&w, ", \"status\": ");
    jsonw_string(&w, v == TRIGGER_SUBMITTED             ? "Success"
                     : v == TRIGGER_ALREADY_IN_PROGRESS ? "In Progress"
                                                        : "Failed");
    jsonw_raw(&w, "}");
    int failed = info.failed;
    jsonw_free(&info);
    if (failed) {
        jsonw_free(&w);
        return NULL;
    }
    return jsonw_take(&w, len);
}

/* The message after "Mapping Id: X." for each final state, as Adobe writes it. */
static const char *status_message(const struct model_request *r)
{
    switch (r->status) {
    case STATUS_IN_PROGRESS:
        return "";
    case STATUS_SUCCESS:
        return " ";
    case STATUS_FAILED:
        return r->step.outcome == OUTCOME_FAILED_UPLOAD
                   ? " ACP-880096 Sync Job failed to upload. Please check the error in the "
                     "Platform UI."
                   : " ACP-880056 Failed to fetch the record from the database.";
    case STATUS_ABORTED:
        return " Ingestion request aborted due to some issue with data ingestion service. "
               "Please submit a new request";
    }
    return "";
}

char *model_render_status(const struct model_request *r, size_t *len)
{
    struct jsonw info, w;
    jsonw_init(&info);
    jsonw_init(&w);
    jsonw_raw(&info, "Mapping Id: ");
    jsonw_raw(&info, r->mapping);
    jsonw_raw(&info, ".");
    jsonw_raw(&info, status_message(r));

    jsonw_raw(&w, "{\"batchId\": ");
    jsonw_string(&w, r->status == STATUS_FAILED ? r->batch_id : "");
    jsonw_raw(&w, ", \"info\": ");
    jsonw_string(&w, info.buf ? info.buf : "");
    jsonw_rawf(&w, ", \"numRecords\": %lld, \"requestId\": %lld, \"status\": ",
               r->status == STATUS_SUCCESS ? r->num_records : 0LL, r->id);
    jsonw_string(&w, model_status_name(r->status));
    jsonw_raw(&w, "}");
    int failed = info.failed;
    jsonw_free(&info);
    if (failed) {
        jsonw_free(&w);
        return NULL;
    }
    return jsonw_take(&w, len);
}
