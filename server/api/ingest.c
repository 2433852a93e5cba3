/*
 * Trigger and status handlers. Each runs inside its call's transaction (the pipeline
 * opens it): resolve the tenant (from the template on first use), read the mapping
 * and the request, let the model decide, write what changed, then render Adobe's
 * documented body from the resulting state.
 */
#include "api/ingest.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api/gateway.h"
#include "errors.h"
#include "fixtures/fixtures.h"
#include "json.h"
#include "log.h"
#include "utf8.h"

/* Request ids are positive and at most 2^53, the largest integer a JSON client
 * (JavaScript, for one) reads back exactly. */
#define REQUEST_ID_MAX JSON_INT_MAX

/* Names and values echoed in messages are cut to this many bytes: two of them and the
 * text around stay well under the 512-byte message of the error registry. */
#define SHOWN_MAX 128

/*
 * Copies at most max bytes of s[0..n) into out for an error message: whole UTF-8
 * characters only, any byte that is not part of valid UTF-8 as '?', and "..." when
 * cut. Error bodies are JSON, so they must stay valid UTF-8 whatever the client sent.
 */
static const char *shown(char *out, size_t size, const char *s, size_t n, size_t max)
{
    size_t o = 0, i = 0;
    while (i < n) {
        size_t len = utf8_sequence(s + i, n - i);
        int ok = len > 0;
        if (!ok)
            len = 1;
        if (i + len > max || o + (ok ? len : 1) + 4 > size)
            break;
        if (ok)
            memcpy(out + o, s + i, len);
        else
            out[o] = '?';
        o += ok ? len : 1;
        i += len;
    }
    if (i < n && o + 4 <= size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

static int parse_digits(long long *out, const char *s, size_t n, char *why, size_t why_size)
{
    if (n == 0) {
        snprintf(why, why_size, "requestId is empty");
        return -1;
    }
    long long v = 0;
    char show[64];
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            snprintf(why, why_size, "requestId \"%s\" is not a positive integer",
                     shown(show, sizeof(show), s, n, 40));
            return -1;
        }
        if (v > (REQUEST_ID_MAX - (s[i] - '0')) / 10) {
            snprintf(why, why_size, "requestId %s is out of range (1 to %lld)",
                     shown(show, sizeof(show), s, n, 40), REQUEST_ID_MAX);
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1) {
        snprintf(why, why_size, "requestId must be at least 1");
        return -1;
    }
    *out = v;
    return 0;
}

/* Adobe's sample notation: {"requestId"="3520"} (neither JSON nor a query string). */
static int parse_sample_notation(long long *out, const char *body, char *why, size_t why_size)
{
    const char *p = strstr(body, "\"requestId\"");
    if (!p)
        return 1;
    p += strlen("\"requestId\"");
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '=')
        return 1;
    p++;
    while (isspace((unsigned char)*p))
        p++;
    int quoted = *p == '"';
    p += quoted;
    size_t n = 0;
    while (isdigit((unsigned char)p[n]))
        n++;
    if (quoted && p[n] != '"')
        return 1;
    return parse_digits(out, p, n, why, why_size);
}

int ingest_request_id_parse(long long *out, const char *query, const char *body, size_t body_len,
                            int *missing, char *why, size_t why_size)
{
    *missing = 0;
    if (query)
        return parse_digits(out, query, strlen(query), why, why_size);
    size_t start = 0;
    while (start < body_len && isspace((unsigned char)body[start]))
        start++;
    if (start == body_len) {
        *missing = 1;
        snprintf(why, why_size,
                 "requestId is missing: pass ?requestId=N or a JSON body "
                 "{\"requestId\": N}");
        return -1;
    }
    if (!utf8_valid(body, body_len)) {
        snprintf(why, why_size, "the request body is not valid UTF-8");
        return -1;
    }
    cJSON *doc = NULL;
    size_t at = 0;
    enum json_status js = json_parse_strict(&doc, body, body_len, &at);
    if (js == JSON_NUL_ESCAPE) {
        snprintf(why, why_size, "the request body holds \\u0000: NUL is not allowed in strings");
        return -1;
    }
    if (js == JSON_INEXACT_NUMBER) {
        size_t n = strspn(body + at, "-0123456789");
        snprintf(why, why_size,
                 "%.*s is beyond 2^53 and out of range: JSON cannot carry it exactly "
                 "(requestId is 1 to %lld)",
                 (int)(n > 40 ? 40 : n), body + at, REQUEST_ID_MAX);
        return -1;
    }
    if (!doc) {
        if (memchr(body, '\0', body_len) == NULL) {
            int rc = parse_sample_notation(out, body, why, why_size);
            if (rc <= 0)
                return rc;
        }
        snprintf(why, why_size, "the request body is not valid JSON");
        return -1;
    }
    int rc = -1;
    const cJSON *id =
        cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "requestId") : NULL;
    if (!cJSON_IsObject(doc)) {
        snprintf(why, why_size, "the request body must be a JSON object {\"requestId\": N}");
    } else if (!id) {
        *missing = 1;
        snprintf(why, why_size,
                 "requestId is missing: pass ?requestId=N or a JSON body "
                 "{\"requestId\": N}");
    } else if (cJSON_IsString(id)) {
        rc = parse_digits(out, id->valuestring, strlen(id->valuestring), why, why_size);
    } else if (cJSON_IsNumber(id)) {
        double d = id->valuedouble;
        if (d != floor(d) || d < 1) {
            snprintf(why, why_size, "requestId %.17g is not a positive integer", d);
        } else if (d > (double)REQUEST_ID_MAX) {
            snprintf(why, why_size, "requestId %.17g is out of range (1 to %lld)", d,
                     REQUEST_ID_MAX);
        } else {
            *out = (long long)d;
            rc = 0;
        }
    } else {
        snprintf(why, why_size, "requestId must be a number or a numeric string");
    }
    cJSON_Delete(doc);
    return rc;
}

/* --- shared lookups ---------------------------------------------------------------- */

enum lookup { FOUND = 0, NO_TENANT, NO_MAPPING };

static enum lookup lookup_error(struct reply *rep, enum lookup l, const char *tenant_in,
                                const char *mapping_in)
{
    if (l == FOUND)
        return l;
    char tenant[SHOWN_MAX + 4], mapping[SHOWN_MAX + 4];
    shown(tenant, sizeof(tenant), tenant_in, strlen(tenant_in), SHOWN_MAX);
    shown(mapping, sizeof(mapping), mapping_in, strlen(mapping_in), SHOWN_MAX);
    if (l == NO_TENANT) {
        if (fixtures_tenant_name_valid(tenant_in))
            errors_reply(rep, ERR_UNKNOWN_TENANT,
                         "unknown organization \"%s\": no such tenant in the fixtures and "
                         "no template tenant \"*\"",
                         tenant);
        else
            errors_reply(rep, ERR_UNKNOWN_TENANT,
                         "unknown organization \"%s\": tenant names are " MODEL_TENANT_RULE,
                         tenant);
    } else if (l == NO_MAPPING) {
        errors_reply(rep, ERR_UNKNOWN_MAPPING,
                     "XDM Mapping ID: %s does not exist for organization %s", mapping, tenant);
    }
    return l;
}

/* Finds tenant (creating it from the template) and its mapping. The mapping is read
 * first: when it exists, so does its tenant, and the common call costs one query. */
static int find_mapping(struct app *app, struct store *st, const char *tenant, const char *mapping,
                        struct model_mapping *out, enum lookup *l)
{
    *l = FOUND;
    if (!fixtures_tenant_name_valid(tenant)) {
        *l = NO_TENANT;
        return 0;
    }
    int valid_id = fixtures_mapping_id_valid(mapping);
    int rc = valid_id ? store_mapping_get(st, tenant, mapping, out) : STORE_NOTFOUND;
    if (rc != STORE_NOTFOUND)
        return rc;
    rc = app_tenant_ensure(app, st, tenant);
    if (rc == STORE_NOTFOUND) {
        *l = NO_TENANT;
        return 0;
    }
    if (rc < 0)
        return rc;
    rc = valid_id ? store_mapping_get(st, tenant, mapping, out) : STORE_NOTFOUND;
    if (rc == STORE_NOTFOUND) {
        *l = NO_MAPPING;
        return 0;
    }
    return rc;
}

/* --- trigger ----------------------------------------------------------------------- */

struct trigger {
    struct app *app;
    const char *tenant, *mapping;
    enum lookup lookup;
    enum model_trigger_verdict verdict;
    long long request_id;
    int ids_used_up; /* the request id sequence is past 2^53 */
};

static int trigger_tx(struct store *st, void *arg)
{
    struct trigger *t = arg;
    struct model_mapping m;
    int rc = find_mapping(t->app, st, t->tenant, t->mapping, &m, &t->lookup);
    if (rc < 0 || t->lookup != FOUND)
        return rc;
    long long now = clock_now_ms(&t->app->clock);
    struct model_request r;
    int has = 0;
    rc = store_request_in_progress(st, t->tenant, t->mapping, &r);
    if (rc == 0) {
        rc = app_request_advance(st, &r, &m, now, 0);
        if (rc < 0)
            return rc;
        has = r.status == STATUS_IN_PROGRESS;
        t->request_id = r.id;
    } else if (rc != STORE_NOTFOUND) {
        return rc;
    }
    t->verdict = model_trigger_decide(&m, has);
    if (t->verdict != TRIGGER_SUBMITTED)
        return 0;

    /* The id first: when the sequence is used up, nothing has been written. */
    long long id;
    if ((rc = app_next_request_id(st, &id)) == STORE_NOTFOUND) {
        t->ids_used_up = 1;
        return 0;
    }
    if (rc < 0)
        return rc;
    struct model_step step;
    rc = store_script_pop(st, t->tenant, t->mapping, &step);
    if (rc == STORE_NOTFOUND)
        step = m.default_step;
    else if (rc < 0)
        return rc;
    char batch[MODEL_BATCH_LEN + 1] = "";
    if (step.outcome == OUTCOME_FAILED_UPLOAD && !step.batch_id[0] &&
        (rc = app_draw_batch_id(st, batch)) < 0)
        return rc;
    model_request_create(&r, id, t->tenant, t->mapping, now, &step, batch);
    rc = store_request_insert(st, &r);
    if (rc < 0)
        return rc;
    t->request_id = id;
    /* --requests-max: the finished requests older than the newest requests_max ids go
     * (an In Progress one stays whatever its age). */
    long long evicted = 0;
    rc = store_request_evict(st, id - t->app->cfg->requests_max, &evicted);
    if (rc == 0)
        rc = app_count_evicted(st, "requests_evicted", evicted);
    return rc;
}

int ingest_trigger(struct app *app, struct store *st, const struct http_request *req,
                   struct reply *rep)
{
    const char *tenant = req->params[0], *mapping = req->params[1];
    /* A body on the trigger is ignored, as Adobe documents none. */
    struct trigger t = {app, tenant, mapping, FOUND, TRIGGER_SUBMITTED, -1, 0};
    int rc = trigger_tx(st, &t);
    if (rc == STORE_CONSTRAINT) {
        /* Only reachable if the writes were not serialized: the index refused a second
         * In Progress request, so the answer is the first one's id. */
        t.verdict = TRIGGER_ALREADY_IN_PROGRESS;
        struct model_request r;
        if ((rc = store_request_in_progress(st, tenant, mapping, &r)) == 0)
            t.request_id = r.id;
    }
    if (rc < 0)
        return rc;
    if (lookup_error(rep, t.lookup, tenant, mapping) != FOUND)
        return 0;
    if (t.ids_used_up) {
        errors_reply(rep, ERR_CONFLICT,
                     "the request ids are used up: the last one, %lld (2^53), has been given; "
                     "POST /_mock/reset starts them over",
                     REQUEST_ID_MAX);
        return 0;
    }
    size_t len = 0;
    char *body = model_render_trigger(t.verdict, mapping, t.request_id, &len);
    if (!body) {
        errors_reply(rep, ERR_INTERNAL, "out of memory");
        return 0;
    }
    reply_json_take(rep, 200, body, len);
    if (t.verdict == TRIGGER_SUBMITTED || t.verdict == TRIGGER_ALREADY_IN_PROGRESS)
        rep->request_id = t.request_id;
    static const char *const notes[] = {"not published", "not stopped", "already in progress",
                                        "submitted"};
    reply_set_field(rep->note, sizeof(rep->note), notes[t.verdict]);
    return 0;
}

/* --- status ------------------------------------------------------------------------ */

struct status {
    struct app *app;
    const char *tenant, *mapping;
    long long id;
    enum lookup lookup;
    int found;
    struct model_request r;
};

static int status_tx(struct store *st, void *arg)
{
    struct status *s = arg;
    struct model_mapping m;
    int rc = find_mapping(s->app, st, s->tenant, s->mapping, &m, &s->lookup);
    if (rc < 0 || s->lookup != FOUND)
        return rc;
    rc = store_request_get(st, s->id, &s->r);
    if (rc == STORE_NOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    /* A request of another tenant or mapping is as unknown as one that never was. */
    if (strcmp(s->r.tenant, s->tenant) != 0 || strcmp(s->r.mapping, s->mapping) != 0)
        return 0;
    s->found = 1;
    return app_request_advance(st, &s->r, &m, clock_now_ms(&s->app->clock), 1);
}

int ingest_status(struct app *app, struct store *st, const struct http_request *req,
                  struct reply *rep)
{
    const char *tenant = req->params[0], *mapping = req->params[1];
    struct status s;
    memset(&s, 0, sizeof(s));
    s.app = app;
    s.tenant = tenant;
    s.mapping = mapping;
    int missing = 0;
    char why[200];
    if (ingest_request_id_parse(&s.id, http_request_query(req, "requestId"), req->body,
                                req->body_len, &missing, why, sizeof(why)) < 0) {
        errors_reply(rep, missing ? ERR_REQUEST_ID_MISSING : ERR_REQUEST_ID_INVALID, "%s", why);
        return 0;
    }
    rep->request_id = s.id;
    int rc = status_tx(st, &s);
    if (rc < 0)
        return rc;
    if (lookup_error(rep, s.lookup, tenant, mapping) != FOUND)
        return 0;
    if (!s.found) {
        /* An id old enough to have been evicted says so (whoever's it was). */
        long long next = 0, evicted = 0;
        if ((rc = store_meta_get(st, "next_request_id", &next)) < 0 && rc != STORE_NOTFOUND)
            return rc;
        if ((rc = store_meta_get(st, "requests_evicted", &evicted)) < 0 && rc != STORE_NOTFOUND)
            return rc;
        int old = evicted > 0 && s.id < next - app->cfg->requests_max;
        char shown_mapping[SHOWN_MAX + 4], shown_tenant[SHOWN_MAX + 4], because[128] = "";
        if (old)
            snprintf(because, sizeof(because),
                     " (finished requests older than the newest %lld are evicted: "
                     "--requests-max)",
                     app->cfg->requests_max);
        errors_reply(
            rep, ERR_UNKNOWN_REQUEST,
            "requestId %lld is not an ingestion request of XDM Mapping ID: %s in "
            "organization %s%s",
            s.id, shown(shown_mapping, sizeof(shown_mapping), mapping, strlen(mapping), SHOWN_MAX),
            shown(shown_tenant, sizeof(shown_tenant), tenant, strlen(tenant), SHOWN_MAX), because);
        return 0;
    }
    size_t len = 0;
    char *body = model_render_status(&s.r, &len);
    if (!body) {
        errors_reply(rep, ERR_INTERNAL, "out of memory");
        return 0;
    }
    reply_json_take(rep, 200, body, len);
    reply_set_field(rep->note, sizeof(rep->note), model_status_name(s.r.status));
    return 0;
}
