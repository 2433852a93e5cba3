/*
 * /_mock/report: how good the client is, read off the journal. Two parts:
 *
 * - coverage: which of Adobe's documented answers the client received (the four trigger
 *   bodies, the five status bodies, each gateway error, each transport fault, the IMS
 *   answers), with how many times and the first journal entry of each;
 * - findings: what the client did that a real integration suffers from, each a rule with
 *   a severity, a one-line message and the entries that show it.
 *
 * The window is the journal entries after `since` (default: the mark that POST
 * /_mock/report/mark set, else the start), of one tenant when `tenant` is given (IMS
 * calls have none and are always in). The journal is read a page per read transaction,
 * so a report never holds the database for long; what it keeps is a few bytes per
 * ingestion request seen. Where eviction removed entries of the window, it says so.
 */
#include "control/control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/gateway.h"
#include "http/reply.h"
#include "json.h"
#include "pipeline.h"
#include "store/store_journal.h"

/* Entries read per transaction: an entry may weigh 50 KiB, as for the journal export. */
#define REPORT_PAGE_ROWS 32
/* Entry ids kept per finding and per coverage line: enough to look at, bounded. */
#define REPORT_IDS_MAX 20
/* The Retry-After campaign-mock sends with 429050, in milliseconds (see faults.c). */
#define RETRY_AFTER_MS 1000
/* Two polls of one request closer than this (wall clock) are too fast, by default. */
#define POLL_INTERVAL_MS 1000
/* Mappings followed for the trigger-loop rule: a suite's, and more. */
#define LOOPS_MAX  256
#define ISSUED_MAX 1024 /* tokens remembered for a tenant's report, the oldest dropped */

/* --- what was answered --------------------------------------------------------------- */

enum answer {
    A_TRIGGER_SUBMITTED,
    A_TRIGGER_IN_PROGRESS,
    A_TRIGGER_NOT_STOPPED,
    A_TRIGGER_NOT_PUBLISHED,
    A_STATUS_IN_PROGRESS,
    A_STATUS_SUCCESS,
    A_STATUS_FAILED_FETCH,
    A_STATUS_FAILED_UPLOAD,
    A_STATUS_ABORTED,
    A_GATEWAY_401013,
    A_GATEWAY_403003,
    A_GATEWAY_403023,
    A_GATEWAY_429050,
    A_GATEWAY_500,
    A_GATEWAY_502,
    A_GATEWAY_503,
    A_TRANSPORT_RESET,
    A_TRANSPORT_EMPTY,
    A_TRANSPORT_TRUNCATE,
    A_TRANSPORT_HANG,
    A_IMS_TOKEN,
    A_IMS_INVALID_CLIENT,
    A_IMS_INVALID_TOKEN,
    A_IMS_INVALID_SIGNATURE,
    A_IMS_INVALID_SCOPE,
    A_IMS_BAD_REQUEST,
    A_COUNT,
    A_NONE = A_COUNT,
};

static const struct {
    const char *id, *what;
} answers[A_COUNT] = {
    {"trigger.submitted", "a trigger accepted (Ingestion request submitted successfully)"},
    {"trigger.already-in-progress", "a trigger while the mapping's request is In Progress"},
    {"trigger.not-stopped", "a trigger on a mapping that is not stopped"},
    {"trigger.not-published", "a trigger on a mapping that is not published"},
    {"status.in-progress", "a poll answered In Progress"},
    {"status.success", "a poll answered Success"},
    {"status.failed-fetch", "a poll answered Failed ACP-880056 (failed to fetch)"},
    {"status.failed-upload", "a poll answered Failed ACP-880096 (failed to upload, batch id)"},
    {"status.aborted", "a poll answered Aborted"},
    {"gateway.401013", "401 401013 Oauth token is not valid"},
    {"gateway.403003", "403 403003 Api Key is invalid"},
    {"gateway.403023", "403 403023 Profile is not valid"},
    {"gateway.429050", "429 429050 Too many requests, with Retry-After"},
    {"gateway.500", "500 Oops. Something went wrong"},
    {"gateway.502", "502 Oops. Something went wrong"},
    {"gateway.503", "503 Service Unavailable"},
    {"transport.reset", "the connection reset, no answer"},
    {"transport.empty", "the connection closed without a byte"},
    {"transport.truncate", "an answer cut half way through its body"},
    {"transport.hang", "no answer at all until the client gave up"},
    {"ims.token", "an IMS access token issued"},
    {"ims.invalid_client", "IMS 401 invalid_client"},
    {"ims.invalid_token", "IMS 400 invalid_token (the JWT)"},
    {"ims.invalid_signature", "IMS 400 invalid_signature (the JWT)"},
    {"ims.invalid_scope", "IMS 400 invalid_scope"},
    {"ims.bad_request", "IMS 400 bad_request"},
};

/* Adobe's gateway bodies, as gateway_reply writes them, to tell them from our own. */
static char *gateway_bodies[GATEWAY_COUNT];
static pthread_once_t gateway_once = PTHREAD_ONCE_INIT;

static void gateway_bodies_make(void)
{
    for (int e = 0; e < GATEWAY_COUNT; e++) {
        struct reply r;
        reply_init(&r);
        gateway_reply(&r, (enum gateway_error)e);
        gateway_bodies[e] = r.body ? strndup(r.body, r.body_len) : NULL;
        reply_free(&r);
    }
}

static enum answer classify(const struct journal_entry *e)
{
    if (strcmp(e->transport, "reset") == 0)
        return A_TRANSPORT_RESET;
    if (strcmp(e->transport, "empty") == 0)
        return A_TRANSPORT_EMPTY;
    if (strcmp(e->transport, "truncate") == 0)
        return A_TRANSPORT_TRUNCATE;
    if (strcmp(e->transport, "hang") == 0)
        return A_TRANSPORT_HANG;
    const char *b = e->response_body;
    for (int g = 0; g < GATEWAY_COUNT; g++) {
        if (gateway_bodies[g] && strcmp(b, gateway_bodies[g]) == 0)
            return (enum answer)(A_GATEWAY_401013 + g);
    }
    if (strcmp(e->endpoint, "ims.token") == 0) {
        if (e->status == 200)
            return A_IMS_TOKEN;
        static const char *const names[] = {"invalid_client", "invalid_token", "invalid_signature",
                                            "invalid_scope", "bad_request"};
        for (int i = 0; i < 5; i++) {
            char key[48];
            snprintf(key, sizeof(key), "{\"error\":\"%s\"", names[i]);
            if (strncmp(b, key, strlen(key)) == 0)
                return (enum answer)(A_IMS_INVALID_CLIENT + i);
        }
        return A_NONE;
    }
    if (e->status != 200)
        return A_NONE;
    if (strcmp(e->endpoint, "ingest.trigger") == 0) {
        if (strstr(b, "submitted successfully"))
            return A_TRIGGER_SUBMITTED;
        if (strstr(b, "already in progress"))
            return A_TRIGGER_IN_PROGRESS;
        if (strstr(b, " is not stopped"))
            return A_TRIGGER_NOT_STOPPED;
        if (strstr(b, " is not published"))
            return A_TRIGGER_NOT_PUBLISHED;
    } else if (strcmp(e->endpoint, "ingest.status") == 0) {
        if (strstr(b, "\"status\": \"In Progress\""))
            return A_STATUS_IN_PROGRESS;
        if (strstr(b, "\"status\": \"Success\""))
            return A_STATUS_SUCCESS;
        if (strstr(b, "ACP-880056"))
            return A_STATUS_FAILED_FETCH;
        if (strstr(b, "ACP-880096"))
            return A_STATUS_FAILED_UPLOAD;
        if (strstr(b, "\"status\": \"Aborted\""))
            return A_STATUS_ABORTED;
    }
    return A_NONE;
}

/* --- the rules ------------------------------------------------------------------------ */

enum rule {
    R_POLL_TOO_FAST,
    R_RETRY_BEFORE_RETRY_AFTER,
    R_RETRY_AFTER_CLIENT_ERROR,
    R_TRIGGER_LOOP,
    R_ABANDONED,
    R_POLL_AFTER_END,
    R_FOREIGN_REQUEST_ID,
    R_TOKEN_PER_CALL,
    R_INVALID_TOKEN,
    R_MISSING_AUTH,
    R_BODY_ON_GET,
    R_IMS_CONTENT_TYPE,
    R_COUNT,
};

static const struct {
    const char *id, *severity, *message;
} rules[R_COUNT] = {
    {"poll-too-fast", "warning",
     "polls of one request less than the poll interval apart (Adobe rate-limits the API)"},
    {"retry-before-retry-after", "error",
     "a call repeated sooner than the Retry-After of its 429 (the limit is hit again, and "
     "longer)"},
    {"retry-after-client-error", "warning",
     "the same call repeated after a 400, 403 or 404 that no retry can fix"},
    {"trigger-loop", "warning",
     "triggers repeated while the request is In Progress: poll the request instead of "
     "re-posting"},
    {"abandoned-request", "warning",
     "a request triggered and never polled to Success, Failed or Aborted (its outcome is "
     "never known: a failed ingestion goes unseen)"},
    {"poll-after-end", "warning", "polls of a request that had already ended"},
    {"foreign-request-id", "error",
     "a poll for a request id of another mapping or tenant (the wrong ingestion is "
     "followed)"},
    {"token-per-call", "warning",
     "a new IMS token for nearly every call instead of one reused until it expires (IMS "
     "rate-limits token requests)"},
    {"invalid-token", "error", "calls with an expired or unknown token (401013)"},
    {"missing-auth-headers", "error",
     "calls without Authorization: Bearer <token> or without X-Api-Key"},
    {"body-on-get", "warning", "a status poll with a body (proxies and clients may drop it)"},
    {"ims-content-type", "error",
     "an IMS call whose body is neither application/x-www-form-urlencoded nor "
     "multipart/form-data"},
};

struct finding {
    long long count;
    long long ids[REPORT_IDS_MAX];
};

static void note(struct finding *f, long long id)
{
    if (f->count < REPORT_IDS_MAX)
        f->ids[f->count] = id;
    f->count++;
}

/* What the report keeps of one ingestion request. */
struct tracked {
    long long id;
    char tenant[129], mapping[129];
    long long trigger_entry;
    long long last_poll_wall_ms, last_poll_server_ms, last_poll_entry;
    int ended; /* a poll answered a final status */
};

/* The last call of one kind (method, path, query and body), for the retry rules. */
struct last_call {
    char key[512];
    int status;
    uint64_t credentials;
    long long wall_ms, entry;
};

struct report {
    const char *tenant;
    int manual_clock; /* polls are timed on the server clock (see poll_time) */
    long long since, upto, poll_interval_ms;
    long long entries, first, last;
    long long seen[A_COUNT], first_seen[A_COUNT];
    struct finding findings[R_COUNT];
    struct tracked *reqs;
    size_t n_reqs, cap_reqs;
    struct last_call *calls; /* a small ring of recent distinct calls */
    size_t n_calls;
    /* Requests whose mapping's trigger was answered "already in progress" (with that
     * request's id), and how often: two answers about two requests that each ran in
     * their turn are no loop. */
    struct {
        char tenant[129], mapping[129];
        long long request_id, count, first_entry;
    } loops[LOOPS_MAX];
    int n_loops;
    long long api_calls, tokens;
    /* A tenant's report counts the tokens its calls used among those issued in the
     * window (IMS calls name no tenant: counting every token issued would charge a
     * suite's parallel tests' tokens to each of them). */
    struct {
        uint64_t hash;
        int used;
    } issued[ISSUED_MAX];
    int n_issued;
    long long cursor; /* the last entry taken in */
    int failed_alloc;
};

#define CALLS_MAX 64 /* recent distinct calls compared for the retry rules */

static struct tracked *tracked_find(struct report *r, long long id)
{
    for (size_t i = r->n_reqs; i-- > 0;) {
        if (r->reqs[i].id == id)
            return &r->reqs[i];
    }
    return NULL;
}

static struct tracked *tracked_add(struct report *r, long long id)
{
    if (r->n_reqs == r->cap_reqs) {
        size_t cap = r->cap_reqs ? r->cap_reqs * 2 : 64;
        struct tracked *grown = realloc(r->reqs, cap * sizeof(*grown));
        if (!grown) {
            r->failed_alloc = 1;
            return NULL;
        }
        r->reqs = grown;
        r->cap_reqs = cap;
    }
    struct tracked *t = &r->reqs[r->n_reqs++];
    memset(t, 0, sizeof(*t));
    t->id = id;
    return t;
}

/* A header's value from the entry's requestHeaders object text, case-insensitively. */
/* The headers of a call the rules read, parsed once from the entry's JSON. */
struct sent {
    int has_ct, has_auth, has_key;
    char ct[128], auth[64], key[64]; /* cut: the rules read their start */
    uint64_t credentials;            /* a hash of the whole Authorization and X-Api-Key */
    uint64_t bearer;                 /* a hash of the bearer token; 0: none */
};

static uint64_t fnv1a_n(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    return fnv1a_n(h, s, (size_t)-1);
}

#define FNV_BASIS 0xcbf29ce484222325ULL

/* The hash of the access token an IMS answer carries ({"access_token": "..."}); 0: none. */
static uint64_t issued_token(const struct journal_entry *e)
{
    const char *p = e->response_body ? strstr(e->response_body, "\"access_token\"") : NULL;
    p = p ? strchr(p + 14, '"') : NULL;
    if (!p)
        return 0;
    const char *end = strchr(p + 1, '"');
    return end && end > p + 1 ? fnv1a_n(FNV_BASIS, p + 1, (size_t)(end - p - 1)) : 0;
}

static void sent_read(const struct journal_entry *e, struct sent *out)
{
    memset(out, 0, sizeof(*out));
    const char *auth = "", *key = "";
    cJSON *h = cJSON_Parse(e->request_headers);
    for (const cJSON *c = h ? h->child : NULL; c; c = c->next) {
        if (!c->string || !cJSON_IsString(c))
            continue;
        if (!out->has_ct && strcasecmp(c->string, "Content-Type") == 0) {
            out->has_ct = 1;
            snprintf(out->ct, sizeof(out->ct), "%s", c->valuestring);
        } else if (!out->has_auth && strcasecmp(c->string, "Authorization") == 0) {
            out->has_auth = 1;
            auth = c->valuestring;
            snprintf(out->auth, sizeof(out->auth), "%s", auth);
        } else if (!out->has_key && strcasecmp(c->string, "X-Api-Key") == 0) {
            out->has_key = 1;
            key = c->valuestring;
            snprintf(out->key, sizeof(out->key), "%s", key);
        }
    }
    out->credentials = fnv1a(fnv1a(FNV_BASIS, auth), key);
    if (strncasecmp(auth, "Bearer ", 7) == 0 && auth[7])
        out->bearer = fnv1a(FNV_BASIS, auth + 7);
    cJSON_Delete(h);
}

/* The requestId a poll asked for: the query's, else the body's. */
static long long polled_id(const struct journal_entry *e)
{
    cJSON *q = cJSON_Parse(e->query);
    const cJSON *v = q ? cJSON_GetObjectItemCaseSensitive(q, "requestId") : NULL;
    long long id = cJSON_IsString(v) ? strtoll(v->valuestring, NULL, 10) : -1;
    cJSON_Delete(q);
    if (id <= 0 && e->request_body[0]) {
        const char *p = strstr(e->request_body, "requestId");
        p = p ? strpbrk(p, "0123456789") : NULL;
        id = p ? strtoll(p, NULL, 10) : -1;
    }
    return id > 0 ? id : e->request_id;
}

static void check_retries(struct report *r, const struct journal_entry *e, const struct sent *sent)
{
    /* The same call: method, path, query, body and content type (a client that fixed its
     * Content-Type sent another call). */
    char key[512];
    snprintf(key, sizeof(key), "%s %s %s %.96s %.200s", e->method, e->path, e->query, sent->ct,
             e->request_body);
    struct last_call *same = NULL;
    for (size_t i = 0; i < r->n_calls; i++) {
        if (strcmp(r->calls[i].key, key) == 0)
            same = &r->calls[i];
    }
    if (same) {
        if (same->status == 429 && e->wall_ms - same->wall_ms < RETRY_AFTER_MS)
            note(&r->findings[R_RETRY_BEFORE_RETRY_AFTER], e->id);
        /* A 403 (403003 Api Key is invalid, 403023 Profile is not valid, a role missing)
         * is fixed by other credentials: a call with another key or token is no retry. A
         * 400 or a 404 no credentials fix. */
        if (same->status == 400 || same->status == 404 ||
            (same->status == 403 && same->credentials == sent->credentials))
            note(&r->findings[R_RETRY_AFTER_CLIENT_ERROR], e->id);
    } else {
        if (r->n_calls == CALLS_MAX) {
            memmove(r->calls, r->calls + 1, (CALLS_MAX - 1) * sizeof(*r->calls));
            r->n_calls--;
        }
        same = &r->calls[r->n_calls++];
        snprintf(same->key, sizeof(same->key), "%s", key);
    }
    same->status = e->status;
    same->credentials = sent->credentials;
    same->wall_ms = e->wall_ms;
    same->entry = e->id;
}

static int add_entry(void *arg, const struct journal_entry *e)
{
    struct report *r = arg;
    r->cursor = e->id;
    /* IMS calls belong to no tenant: they are in every tenant's window. */
    if (r->tenant && e->tenant[0] && strcmp(e->tenant, r->tenant) != 0)
        return 0;
    r->entries++;
    if (!r->first)
        r->first = e->id;
    r->last = e->id;
    enum answer a = classify(e);
    if (a != A_NONE && r->seen[a]++ == 0)
        r->first_seen[a] = e->id;

    struct sent sent;
    sent_read(e, &sent);
    int ims = strcmp(e->endpoint, "ims.token") == 0;
    int trigger = strcmp(e->endpoint, "ingest.trigger") == 0;
    int poll = strcmp(e->endpoint, "ingest.status") == 0;
    if (ims && e->status == 200) {
        uint64_t h = r->tenant ? issued_token(e) : 0;
        if (!r->tenant) {
            r->tokens++;
        } else if (h) {
            if (r->n_issued == ISSUED_MAX) {
                memmove(r->issued, r->issued + 1, (ISSUED_MAX - 1) * sizeof(r->issued[0]));
                r->n_issued--;
            }
            r->issued[r->n_issued].hash = h;
            r->issued[r->n_issued++].used = 0;
        }
    }
    if (ims) {
        if (sent.has_ct && strncasecmp(sent.ct, "application/x-www-form-urlencoded", 33) != 0 &&
            strncasecmp(sent.ct, "multipart/form-data", 19) != 0)
            note(&r->findings[R_IMS_CONTENT_TYPE], e->id);
    }
    if (trigger || poll) {
        r->api_calls++;
        if (!sent.has_auth || strncasecmp(sent.auth, "Bearer ", 7) != 0 || !sent.auth[7] ||
            !sent.has_key || !sent.key[0])
            note(&r->findings[R_MISSING_AUTH], e->id);
        else if (a == A_GATEWAY_401013 && !e->fault[0])
            note(&r->findings[R_INVALID_TOKEN], e->id);
        for (int i = 0; r->tenant && sent.bearer && i < r->n_issued; i++) {
            if (r->issued[i].hash == sent.bearer && !r->issued[i].used) {
                r->issued[i].used = 1;
                r->tokens++;
            }
        }
    }
    if (ims || trigger || poll)
        check_retries(r, e, &sent);
    if (trigger && a == A_TRIGGER_SUBMITTED && e->request_id > 0) {
        struct tracked *t = tracked_add(r, e->request_id);
        if (t) {
            snprintf(t->tenant, sizeof(t->tenant), "%s", e->tenant);
            snprintf(t->mapping, sizeof(t->mapping), "%s", e->mapping);
            t->trigger_entry = e->id;
        }
    } else if (trigger && a == A_TRIGGER_IN_PROGRESS) {
        /* One such answer can be a race with another client; a second one is a loop. */
        int i = 0;
        while (i < r->n_loops && (r->loops[i].request_id != e->request_id ||
                                  strcmp(r->loops[i].tenant, e->tenant) != 0 ||
                                  strcmp(r->loops[i].mapping, e->mapping) != 0))
            i++;
        if (i == r->n_loops && i < LOOPS_MAX) {
            r->loops[i].request_id = e->request_id;
            snprintf(r->loops[i].tenant, sizeof(r->loops[i].tenant), "%s", e->tenant);
            snprintf(r->loops[i].mapping, sizeof(r->loops[i].mapping), "%s", e->mapping);
            r->loops[i].first_entry = e->id;
            r->n_loops++;
        }
        if (i < r->n_loops && ++r->loops[i].count >= 2) {
            if (r->loops[i].count == 2)
                note(&r->findings[R_TRIGGER_LOOP], r->loops[i].first_entry);
            note(&r->findings[R_TRIGGER_LOOP], e->id);
        }
    }
    if (poll) {
        if (e->request_body[0])
            note(&r->findings[R_BODY_ON_GET], e->id);
        long long id = polled_id(e);
        struct tracked *t = id > 0 ? tracked_find(r, id) : NULL;
        if (t && (strcmp(t->tenant, e->tenant) != 0 || strcmp(t->mapping, e->mapping) != 0)) {
            note(&r->findings[R_FOREIGN_REQUEST_ID], e->id);
        } else if (t && e->status == 200) {
            if (t->ended)
                note(&r->findings[R_POLL_AFTER_END], e->id);
            /* Two polls are as far apart as the longer of the two clocks says: on the real
             * clock both agree; on the manual clock a test either waits as a client does
             * (wall time passes, the server clock stands) or moves the clock between the
             * polls (docs/recipes.md, recipe b: 15 minutes pass in a millisecond), and
             * neither is a poll too fast. */
            long long gap = e->wall_ms - t->last_poll_wall_ms;
            if (r->manual_clock && e->server_ms - t->last_poll_server_ms > gap)
                gap = e->server_ms - t->last_poll_server_ms;
            if (t->last_poll_entry && gap < r->poll_interval_ms)
                note(&r->findings[R_POLL_TOO_FAST], e->id);
            t->last_poll_wall_ms = e->wall_ms;
            t->last_poll_server_ms = e->server_ms;
            t->last_poll_entry = e->id;
            if (a == A_STATUS_SUCCESS || a == A_STATUS_FAILED_FETCH ||
                a == A_STATUS_FAILED_UPLOAD || a == A_STATUS_ABORTED)
                t->ended = 1;
        }
    }
    return 0;
}

/* --- reading the window ---------------------------------------------------------------- */

struct page_arg {
    struct report *r;
    int n;
};

static int page_tx(struct store *st, void *arg)
{
    struct page_arg *p = arg;
    struct journal_filter all;
    memset(&all, 0, sizeof(all));
    /* The cursor moves with each entry taken in: a transaction retried after a busy
     * database goes on after the last one, none is counted twice. */
    return store_journal_page(st, &all, p->r->cursor, p->r->upto, REPORT_PAGE_ROWS, add_entry, p->r,
                              &p->n);
}

struct head {
    long long mark, last, oldest, evicted;
    long long evicted_upto; /* the newest entry eviction removed; 0: none */
};

static int head_tx(struct store *st, void *arg)
{
    struct head *h = arg;
    int rc;
    h->mark = 0;
    if ((rc = store_meta_get(st, "report_mark", &h->mark)) < 0 && rc != STORE_NOTFOUND)
        return rc;
    h->evicted = 0;
    if ((rc = store_meta_get(st, "journal_evicted", &h->evicted)) < 0 && rc != STORE_NOTFOUND)
        return rc;
    if ((rc = store_journal_last_id(st, &h->last)) < 0)
        return rc;
    if ((rc = store_journal_first_id(st, &h->oldest)) < 0)
        return rc;
    if (h->oldest == 0) /* empty: whatever comes next is complete */
        h->oldest = h->last + 1;
    h->evicted_upto = 0;
    rc = store_meta_get(st, "journal_evicted_upto", &h->evicted_upto);
    if (rc == STORE_NOTFOUND && h->evicted > 0)
        /* Evictions from before the key was kept: the oldest entry left is the bound. */
        h->evicted_upto = h->oldest - 1;
    else if (rc < 0 && rc != STORE_NOTFOUND)
        return rc;
    return 0;
}

static int parse_count(const char *s, long long min, long long max, long long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static cJSON *ids_json(const long long *ids, long long n)
{
    cJSON *a = cJSON_CreateArray();
    for (long long i = 0; i < n && i < REPORT_IDS_MAX; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber((double)ids[i]));
    return a;
}

static void abandoned(struct report *r)
{
    for (size_t i = 0; i < r->n_reqs; i++) {
        if (!r->reqs[i].ended)
            note(&r->findings[R_ABANDONED], r->reqs[i].trigger_entry);
    }
    /* Nearly a token per call: more than one token for every two calls, once there are
     * enough calls to tell. */
    if (r->api_calls >= 4 && r->tokens * 2 > r->api_calls)
        note(&r->findings[R_TOKEN_PER_CALL], r->last);
}

static cJSON *render(const struct report *r, const struct head *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *w = cJSON_AddObjectToObject(o, "window");
    cJSON_AddNumberToObject(w, "since", (double)r->since);
    if (r->tenant)
        cJSON_AddStringToObject(w, "tenant", r->tenant);
    else
        cJSON_AddNullToObject(w, "tenant");
    cJSON_AddNumberToObject(w, "entries", (double)r->entries);
    if (r->first) {
        cJSON_AddNumberToObject(w, "firstEntry", (double)r->first);
        cJSON_AddNumberToObject(w, "lastEntry", (double)r->last);
    } else {
        cJSON_AddNullToObject(w, "firstEntry");
        cJSON_AddNullToObject(w, "lastEntry");
    }
    /* Entries after `since` that eviction took (not a DELETE of the journal, which the
     * user asked for): the report is complete from the one after them on. */
    int complete = h->evicted_upto <= r->since;
    cJSON_AddBoolToObject(w, "complete", complete);
    cJSON_AddNumberToObject(w, "completeFrom",
                            (double)(complete ? r->since + 1 : h->evicted_upto + 1));

    cJSON *cov = cJSON_AddObjectToObject(o, "coverage");
    int seen = 0;
    cJSON *list = cJSON_AddArrayToObject(cov, "answers");
    for (int a = 0; a < A_COUNT; a++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "answer", answers[a].id);
        cJSON_AddStringToObject(x, "description", answers[a].what);
        cJSON_AddNumberToObject(x, "seen", (double)r->seen[a]);
        if (r->seen[a])
            cJSON_AddNumberToObject(x, "firstEntry", (double)r->first_seen[a]);
        else
            cJSON_AddNullToObject(x, "firstEntry");
        cJSON_AddItemToArray(list, x);
        seen += r->seen[a] > 0;
    }
    cJSON_AddNumberToObject(cov, "seen", seen);
    cJSON_AddNumberToObject(cov, "total", A_COUNT);

    cJSON *fs = cJSON_AddArrayToObject(o, "findings");
    int errors = 0, warnings = 0;
    for (int i = 0; i < R_COUNT; i++) {
        const struct finding *f = &r->findings[i];
        if (!f->count)
            continue;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "rule", rules[i].id);
        cJSON_AddStringToObject(x, "severity", rules[i].severity);
        cJSON_AddStringToObject(x, "message", rules[i].message);
        cJSON_AddNumberToObject(x, "count", (double)f->count);
        cJSON_AddItemToObject(x, "entries", ids_json(f->ids, f->count));
        cJSON_AddItemToArray(fs, x);
        if (strcmp(rules[i].severity, "error") == 0)
            errors++;
        else
            warnings++;
    }
    /* Every rule checked, fired or not: a CI view lists each as a test case. */
    cJSON *checked = cJSON_AddArrayToObject(o, "rulesChecked");
    for (int i = 0; i < R_COUNT; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "rule", rules[i].id);
        cJSON_AddStringToObject(x, "severity", rules[i].severity);
        cJSON_AddItemToArray(checked, x);
    }
    cJSON *sum = cJSON_AddObjectToObject(o, "summary");
    cJSON_AddNumberToObject(sum, "errors", errors);
    cJSON_AddNumberToObject(sum, "warnings", warnings);
    cJSON_AddNumberToObject(sum, "answersNotSeen", A_COUNT - seen);
    return o;
}

void handle_report_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    pthread_once(&gateway_once, gateway_bodies_make);
    struct report *r = calloc(1, sizeof(*r));
    struct last_call *calls = calloc(CALLS_MAX, sizeof(*calls));
    if (!r || !calls) {
        free(r);
        free(calls);
        errors_reply(rep, ERR_INTERNAL, "out of memory");
        return;
    }
    r->calls = calls;
    r->manual_clock = app->clock.mode == CLOCK_MODE_MANUAL;
    r->tenant = http_request_query(req, "tenant");
    /* The threshold: the query's, else the flag's, else the fixtures', else 1 s. */
    r->poll_interval_ms = app->cfg->report_poll_ms ? app->cfg->report_poll_ms
                          : app->fixtures.report_poll_interval_ms
                              ? app->fixtures.report_poll_interval_ms
                              : POLL_INTERVAL_MS;
    const char *since = http_request_query(req, "since");
    const char *interval = http_request_query(req, "pollIntervalMs");
    if (r->tenant && !*r->tenant)
        r->tenant = NULL;
    static const char *const known[] = {"tenant", "since", "pollIntervalMs", NULL};
    char unknown[512];
    if (ctl_query_unknown(req, known, unknown, sizeof(unknown))) {
        errors_reply(rep, ERR_BAD_FIELD, "%s", unknown);
        goto done;
    }
    struct head h = {0, 0, 0, 0, 0};
    struct store *st = app_store(app);
    int rc = st ? store_read(st, head_tx, &h) : STORE_ERROR;
    if (rc == 0 && since && parse_count(since, 0, JSON_INT_MAX, &r->since) < 0) {
        errors_reply(rep, ERR_BAD_FIELD, "since: \"%.20s\" is not a journal entry id (0 or more)",
                     since);
        goto done;
    }
    if (rc == 0 && interval &&
        parse_count(interval, 1, CONFIG_REPORT_POLL_MAX_MS, &r->poll_interval_ms) < 0) {
        errors_reply(rep, ERR_BAD_FIELD, "pollIntervalMs: \"%.20s\" is not an integer from 1 to %d",
                     interval, CONFIG_REPORT_POLL_MAX_MS);
        goto done;
    }
    if (rc == 0) {
        if (!since)
            r->since = h.mark;
        r->upto = h.last;
        r->cursor = r->since;
        struct page_arg p = {r, REPORT_PAGE_ROWS};
        while (rc == 0 && p.n == REPORT_PAGE_ROWS && r->cursor < r->upto) {
            p.n = 0;
            long long before = r->cursor;
            rc = store_read(st, page_tx, &p);
            if (rc == 0 && r->cursor == before)
                break;
        }
    }
    if (rc != 0) {
        pipeline_store_failure(app, rep, st, rc);
        goto done;
    }
    abandoned(r);
    cJSON *doc = render(r, &h);
    char *text = doc ? json_print(doc) : NULL;
    cJSON_Delete(doc);
    if (!text || r->failed_alloc) {
        free(text);
        errors_reply(rep, ERR_INTERNAL, "out of memory");
    } else {
        reply_json_take(rep, 200, text, strlen(text));
    }
done:
    free(r->reqs);
    free(r->calls);
    free(r);
}

static int mark_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    long long last = 0;
    int rc = store_journal_last_id(st, &last);
    if (rc == 0)
        rc = store_meta_set(st, "report_mark", last);
    c->out = cJSON_CreateObject();
    cJSON_AddNumberToObject(c->out, "mark", (double)last);
    return rc;
}

void handle_report_mark(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, mark_tx);
}
