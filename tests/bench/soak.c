/*
 * soak-campaign-mock: a long mixed run against one campaign-mock, watching whether the
 * server's memory, descriptors, threads and latency stay flat (`make soak MINUTES=N`).
 *
 * One server (--port 0, its ready line; :memory: or --db FILE; --auth strict and the
 * manual clock by default, with the bundled fixtures plus the README's IMS clients)
 * takes, for --seconds, the load of these client threads:
 *   - workers (--workers), paced together with the control thread to --rate calls/s.
 *     Each plays a CI suite's tests one after another on its current tenant: an IMS
 *     token per tenant and every --token-s seconds (client credentials, now and then
 *     the JWT exchange, or a wrong secret); then jobs: a trigger and status polls until
 *     the final status, on the template mapping or on mappings the job configures
 *     (failed fetch, failed upload, aborted, hang then resolve, draft, started, a
 *     script, added records), double triggers, snapshot export and restore, and the
 *     mistakes a suite makes (no token, wrong API key, unknown mapping or request, bad
 *     id, wrong method, unknown route). After 20 to 200 jobs the worker moves to a new
 *     tenant name, so tenants keep being created; the old one is left behind as a real
 *     suite leaves it, and one in ten is reset first;
 *   - one control thread: journal reads with limits and filters, counts, tenant and
 *     request lists, snapshots, metrics, faults, the clock (moved every
 *     CLOCK_EVERY_MS when it is manual), and now and then a reset or a delete of a
 *     tenant left behind (never a global reset: that would hide growth);
 *   - fault threads (--fault-threads), each on a tenant of its own: add a rule (delay,
 *     delay range, 429, 5xx, custom status, reset, empty reply, truncate, hang, times,
 *     after, a coin toss), make the calls it hits, check what came back (a broken
 *     transport is expected, by kind), delete the rule;
 *   - one thread of raw connections: --slow connections sending requests byte by byte
 *     with pauses, and --idle keep-alive connections used once, left idle, then closed.
 * Every answer is checked against the status (and for the emulated API the body's
 * status) that what was sent must get; anything else is unexpected, counted by
 * endpoint, and the first ones are printed.
 *
 * Every --sample seconds one line: the server's VmRSS, open descriptors, threads, CPU
 * (its own and this tool's), the window's calls, p50/p99/max latency of the API calls
 * (IMS and ingest from the workers) and p99 of control calls, unexpected answers,
 * injected faults seen, and the stores (tenants, journal entries, request rows, live
 * IMS tokens). At the end a verdict, whose rules verdict() prints; exit 0 only when
 * flat with no unexpected answer (1 otherwise, 2 on a usage error).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "load.h"

#ifndef SOAK_SOURCE_DIR
#define SOAK_SOURCE_DIR "."
#endif

/* --- limits and constants (each bounds what a run can hold) --------------------------- */

#define FIXTURES_MAX 8  /* --fixtures given on the command line */
#define WORKERS_MAX  32 /* --workers: more only contend with the server on 2 cores */
#define FAULTS_MAX   8  /* --fault-threads */
#define RAW_MAX      64 /* --slow plus --idle connections */
/* The server's --requests-max for the run (its default), and the ids near its edge that
 * a control read does not ask for. */
#define REQUESTS_MAX      100000LL
#define REQUESTS_MAX_TEXT "100000"
#define REQUESTS_EDGE     2000LL
#define EXAMPLES_MAX      12      /* unexpected answers printed in full */
#define EXAMPLE_LEN       400     /* bytes of one printed example */
#define SAMPLES_MAX       20000   /* 4 KiB each (a histogram): 80 MiB at most */
#define TENANTS_MAX       2000000 /* names the registry holds; far past an 8-hour run */
#define TOKENS_MAX        4000000 /* issue times kept for the live-token count */
/* The largest answer read: the tenant list of a long run (tens of thousands of names)
 * or a journal page; past this the answer is cut and counted unexpected. */
#define BODY_MAX (8u << 20)
/* IMS tokens are about 1,000 characters (JWT-shaped, 256-byte signature). */
#define TOKEN_MAX 4096
#define URL_MAX   2048
/* The oversized headers of one job: past the server's 32 KiB cap (431), below
 * libmicrohttpd's 64 KiB of connection memory, where our envelope answers. */
#define BIG_HEADER_BYTES 40960
/* Latency histogram: bucket i holds [HIST_MIN_MS * HIST_STEP^i, ...^(i+1)), 2% wide, so
 * a percentile read from it is within 2%; 1,000 buckets reach far past any timeout. */
#define HIST_BUCKETS 1000
#define HIST_MIN_MS  0.01
#define HIST_STEP    1.02
/* Every ordinary call has this long to answer; an answer later than this is broken. */
#define CALL_TIMEOUT_MS 15000L
/* A hang fault's call gives up after this: the server must then let the connection go. */
#define HANG_TIMEOUT_MS 400L
/* The manual clock moves by CLOCK_STEP_MS every CLOCK_EVERY_MS of wall time: IMS tokens
 * (24 h on the server clock) then expire and are purged within a quarter of an hour of
 * wall time, while the workers renew theirs every --token-s (30 s: 1 h of server clock)
 * and never see one expire. */
#define CLOCK_EVERY_MS 5000.0
#define CLOCK_STEP_MS  600000LL
#define TOKEN_LIFE_MS  86399000LL /* the shorter of the two IMS lifetimes */
/* Share of --rate taken by the control thread; the workers split the rest. */
#define CONTROL_SHARE 0.06
/* A status poll that still says In Progress after this many polls is broken (every
 * mapping the soak uses ends on the second poll, or is resolved after the second). */
#define POLLS_MAX 4
/* Idle keep-alive connections are held at most this long, below the server's
 * connection timeout (120 s), so that the server never closes one first. */
#define IDLE_HOLD_MAX_S 60.0

static const char CLIENT_ID[] = "ci-client"; /* tests/docs/clients.json: any tenant, sql role */
static const char CLIENT_SECRET[] = "ci-secret";
static const char CLIENT_ORG[] = "ABC123@AdobeOrg";
static const char FIXED_TOKEN[] = "ci-token"; /* the client's accessTokens: never expires */

/* --- options ---------------------------------------------------------------------- */

struct options {
    char mock[PATH_MAX];
    const char *fixtures[FIXTURES_MAX];
    int n_fixtures;
    const char *db;
    const char *csv;
    const char *server_log;
    int clock_manual, auth_strict;
    double seconds, sample_s, rate, token_s;
    int workers, fault_threads, slow, idle, stalled;
    double request_timeout_s; /* the server's --request-timeout (its default: 30) */
    long journal_max;
    unsigned long seed;
    double warmup_pct, p99_factor, p99_floor_ms, rss_slack_mib;
    int fd_slack;     /* -1: computed from the connections this tool opens */
    int thread_slack; /* threads may vary by this much after the warm-up */
    int flat_advisory;
};

static struct options opt;
static int g_port;
static pid_t g_server_pid;
static atomic_int g_stop;
static volatile sig_atomic_t g_interrupted;
static double g_t0_ms;               /* when the load started (monotonic) */
static atomic_llong g_clock_ms;      /* the server clock as this tool last set or read it */
static atomic_llong g_clock_base_ms; /* its reading at the start (real clock: + wall time) */

/* --- small helpers ------------------------------------------------------------------ */

static int stopping(void)
{
    return atomic_load(&g_stop) || g_interrupted;
}

/* Sleeps ms, waking early when the run stops. */
static void nap_ms(double ms)
{
    double end = load_now_ms() + ms;
    while (!stopping()) {
        double left = end - load_now_ms();
        if (left <= 0)
            break;
        if (left > 100)
            left = 100;
        struct timespec ts = {(time_t)(left / 1e3), (long)(fmod(left, 1e3) * 1e6)};
        nanosleep(&ts, NULL);
    }
}

/* xorshift64*: each thread has its own, seeded from --seed and its role. */
struct rng {
    uint64_t s;
};

static void rng_seed(struct rng *r, uint64_t seed)
{
    r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    if (!r->s)
        r->s = 1;
}

static uint64_t rng_next(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [lo, hi]. */
static long rng_range(struct rng *r, long lo, long hi)
{
    return lo + (long)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static int rng_chance(struct rng *r, int percent)
{
    return rng_range(r, 1, 100) <= percent;
}

/* An index into weights[0..n) drawn in proportion to them. */
static int rng_pick(struct rng *r, const int *weights, int n)
{
    long total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    long x = rng_range(r, 0, total - 1);
    for (int i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

/* Paces one thread's calls to a rate: each call waits for its slot. A thread that fell
 * more than a second behind (a slow answer) starts again from now instead of bursting. */
struct pace {
    double interval_ms, next_ms;
};

static void pace_init(struct pace *p, double per_s)
{
    p->interval_ms = per_s > 0 ? 1e3 / per_s : 1e3;
    p->next_ms = load_now_ms();
}

static void pace_wait(struct pace *p)
{
    double now = load_now_ms();
    if (p->next_ms < now - 1000)
        p->next_ms = now;
    if (p->next_ms > now)
        nap_ms(p->next_ms - now);
    p->next_ms += p->interval_ms;
}

/* The server clock now, as this tool knows it (only this tool moves a manual clock). */
static long long server_now_ms(void)
{
    if (opt.clock_manual)
        return atomic_load(&g_clock_ms);
    return atomic_load(&g_clock_base_ms) + (long long)(load_now_ms() - g_t0_ms);
}

/* --- latency histograms ----------------------------------------------------------- */

struct hist {
    uint32_t b[HIST_BUCKETS];
    long n;
    double max;
};

static void hist_add(struct hist *h, double ms)
{
    int i = ms <= HIST_MIN_MS ? 0 : (int)(log(ms / HIST_MIN_MS) / log(HIST_STEP));
    if (i >= HIST_BUCKETS)
        i = HIST_BUCKETS - 1;
    h->b[i]++;
    h->n++;
    if (ms > h->max)
        h->max = ms;
}

static void hist_merge(struct hist *into, const struct hist *h)
{
    for (int i = 0; i < HIST_BUCKETS; i++)
        into->b[i] += h->b[i];
    into->n += h->n;
    if (h->max > into->max)
        into->max = h->max;
}

/* The nearest-rank percentile p (0-100), as its bucket's geometric middle; 0 when empty. */
static double hist_pct(const struct hist *h, double p)
{
    if (h->n == 0)
        return 0;
    long rank = (long)ceil(p / 100.0 * (double)h->n);
    if (rank < 1)
        rank = 1;
    long seen = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            double mid = HIST_MIN_MS * pow(HIST_STEP, i + 0.5);
            return mid < h->max ? mid : h->max;
        }
    }
    return h->max;
}

/* --- what is counted ---------------------------------------------------------------- */

enum endpoint {
    EP_IMS_TOKEN,
    EP_IMS_JWT,
    EP_TRIGGER,
    EP_STATUS,
    EP_OTHER_API, /* wrong method, unknown route */
    EP_C_JOURNAL,
    EP_C_TENANTS,
    EP_C_TENANT,
    EP_C_MAPPING,
    EP_C_SCRIPT,
    EP_C_RECORDS,
    EP_C_REQUESTS,
    EP_C_RESOLVE,
    EP_C_SNAPSHOT,
    EP_C_CLOCK,
    EP_C_RESET,
    EP_C_DELETE,
    EP_C_FAULTS,
    EP_C_METRICS,
    EP_C_HEALTH,
    EP_C_UI,
    EP_FAULTED, /* calls on a fault thread's tenant, which its rule may hit */
    EP_SLOW,
    EP_IDLE,
    EP_SAMPLER,
    EP_COUNT
};

static const char *const EP_NAMES[EP_COUNT] = {
    "ims.token",       "ims.jwt",          "ingest.trigger",  "ingest.status",    "api.other",
    "control.journal", "control.tenants",  "control.tenant",  "control.mapping",  "control.script",
    "control.records", "control.requests", "control.resolve", "control.snapshot", "control.clock",
    "control.reset",   "control.delete",   "control.faults",  "control.metrics",  "control.health",
    "control.ui",      "fault.calls",      "raw.slow",        "raw.idle",         "sampler",
};

/* Which latency a call counts in: the emulated API's, the control API's, or none
 * (faulted calls, raw connections and the sampler are slow or fast on purpose). */
enum lat_class { LAT_API, LAT_CTL, LAT_NONE };

static enum lat_class ep_class(enum endpoint ep)
{
    if (ep <= EP_OTHER_API)
        return LAT_API;
    if (ep < EP_FAULTED)
        return LAT_CTL;
    return LAT_NONE;
}

enum fault_kind {
    FK_DELAY,
    FK_429,
    FK_5XX,
    FK_CUSTOM,
    FK_RESET,
    FK_EMPTY,
    FK_TRUNCATE,
    FK_HANG,
    FK_PASSED, /* a matching call the schedule let through (times, after, coin) */
    FK_COUNT
};

static const char *const FK_NAMES[FK_COUNT] = {
    "delay", "429", "5xx", "custom", "reset", "empty", "truncate", "hang", "passed",
};

struct window {
    struct hist api, ctl;
    long calls, unexpected, injected;
};

struct totals {
    long calls[EP_COUNT], unexpected[EP_COUNT];
    long injected[FK_COUNT];
    long unexpected_all;
    long unexpected_5xx, unexpected_transport; /* of unexpected_all */
    char examples[EXAMPLES_MAX][EXAMPLE_LEN];
    int n_examples;
    long slow_bytes, idle_holds, stalls;
    double idle_held_s, stall_s;
};

static pthread_mutex_t g_stats_mu = PTHREAD_MUTEX_INITIALIZER;
static struct window g_win;
static struct totals g_tot;

static void count_call(enum endpoint ep, double ms)
{
    pthread_mutex_lock(&g_stats_mu);
    g_tot.calls[ep]++;
    g_win.calls++;
    enum lat_class c = ep_class(ep);
    if (c == LAT_API)
        hist_add(&g_win.api, ms);
    else if (c == LAT_CTL)
        hist_add(&g_win.ctl, ms);
    pthread_mutex_unlock(&g_stats_mu);
}

static void count_injected(enum fault_kind k)
{
    pthread_mutex_lock(&g_stats_mu);
    g_tot.injected[k]++;
    g_win.injected++;
    pthread_mutex_unlock(&g_stats_mu);
}

/* Counts an unexpected answer of ep; the first EXAMPLES_MAX are kept as text. */
__attribute__((format(printf, 2, 3))) static void unexpected(enum endpoint ep, const char *fmt, ...)
{
    char text[EXAMPLE_LEN - 64]; /* room for the time and the endpoint's name */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&g_stats_mu);
    g_tot.unexpected[ep]++;
    g_tot.unexpected_all++;
    g_win.unexpected++;
    if (g_tot.n_examples < EXAMPLES_MAX) {
        snprintf(g_tot.examples[g_tot.n_examples++], EXAMPLE_LEN, "%6.1fs %s: %s",
                 (load_now_ms() - g_t0_ms) / 1e3, EP_NAMES[ep], text);
    }
    pthread_mutex_unlock(&g_stats_mu);
}

/* --- the registry of tenants, request rows and tokens ------------------------------ */

/* ACTIVE: a worker's current tenant; RETIRED: left behind, the control thread's to read,
 * reset or delete; DELETED: gone; PRIVATE: a fault thread's, touched by nothing else. */
enum tenant_state { T_ACTIVE, T_RETIRED, T_DELETED, T_PRIVATE };

struct tenant {
    char name[48];
    enum tenant_state state;
    long rows;              /* request rows it holds (this tool's count) */
    long long last_request; /* a request id of it, 0 before its first */
};

static struct {
    pthread_mutex_t mu;
    struct tenant *t;
    size_t n, cap;
    long rows; /* request rows of every tenant, this tool's count */
    long created, deleted, resets;
    long long newest;  /* the largest request id a trigger gave */
    long long *tokens; /* server-clock issue time of each token issued, in order */
    size_t n_tokens, cap_tokens;
} g_reg = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Adds a tenant; returns its index, or -1 when the registry is full. */
static long reg_add(const char *name, enum tenant_state state)
{
    pthread_mutex_lock(&g_reg.mu);
    long idx = -1;
    if (g_reg.n == g_reg.cap && g_reg.cap < TENANTS_MAX) {
        size_t cap = g_reg.cap ? g_reg.cap * 2 : 1024;
        struct tenant *t = realloc(g_reg.t, cap * sizeof(*t));
        if (t) {
            g_reg.t = t;
            g_reg.cap = cap;
        }
    }
    if (g_reg.n < g_reg.cap) {
        idx = (long)g_reg.n++;
        struct tenant *t = &g_reg.t[idx];
        memset(t, 0, sizeof(*t));
        snprintf(t->name, sizeof(t->name), "%s", name);
        t->state = state;
        g_reg.created++;
    }
    pthread_mutex_unlock(&g_reg.mu);
    return idx;
}

/* A request row more for tenant idx (a trigger answered "submitted"). */
static void reg_row(long idx, long long request_id)
{
    pthread_mutex_lock(&g_reg.mu);
    g_reg.t[idx].rows++;
    g_reg.t[idx].last_request = request_id;
    g_reg.rows++;
    if (request_id > g_reg.newest)
        g_reg.newest = request_id;
    pthread_mutex_unlock(&g_reg.mu);
}

/* Tenant idx lost its requests (reset) or itself (delete). */
static void reg_cleared(long idx, enum tenant_state state)
{
    pthread_mutex_lock(&g_reg.mu);
    g_reg.rows -= g_reg.t[idx].rows;
    g_reg.t[idx].rows = 0;
    g_reg.t[idx].last_request = 0;
    if (state == T_DELETED) {
        g_reg.t[idx].state = T_DELETED;
        g_reg.deleted++;
    } else {
        g_reg.resets++;
    }
    pthread_mutex_unlock(&g_reg.mu);
}

static void reg_set_state(long idx, enum tenant_state state)
{
    pthread_mutex_lock(&g_reg.mu);
    g_reg.t[idx].state = state;
    pthread_mutex_unlock(&g_reg.mu);
}

/* A random tenant in one of the states of mask (1 << state); its name and last request
 * copied out. Returns its index, or -1 when a few draws found none. */
static long reg_pick(struct rng *r, unsigned mask, char *name, size_t size, long long *last)
{
    long idx = -1;
    pthread_mutex_lock(&g_reg.mu);
    for (int tries = 0; g_reg.n > 0 && tries < 16; tries++) {
        long i = rng_range(r, 0, (long)g_reg.n - 1);
        if (mask & (1u << g_reg.t[i].state)) {
            idx = i;
            snprintf(name, size, "%s", g_reg.t[i].name);
            if (last)
                *last = g_reg.t[i].last_request;
            break;
        }
    }
    pthread_mutex_unlock(&g_reg.mu);
    return idx;
}

static void reg_token(void)
{
    long long now = server_now_ms();
    pthread_mutex_lock(&g_reg.mu);
    if (g_reg.n_tokens == g_reg.cap_tokens && g_reg.cap_tokens < TOKENS_MAX) {
        size_t cap = g_reg.cap_tokens ? g_reg.cap_tokens * 2 : 4096;
        long long *t = realloc(g_reg.tokens, cap * sizeof(*t));
        if (t) {
            g_reg.tokens = t;
            g_reg.cap_tokens = cap;
        }
    }
    if (g_reg.n_tokens < g_reg.cap_tokens)
        g_reg.tokens[g_reg.n_tokens++] = now;
    pthread_mutex_unlock(&g_reg.mu);
}

/* Tokens issued that have not yet expired on the server clock (the server purges the
 * expired ones when it issues the next); request rows; tenants created. */
static void reg_counts(long *tokens_live, long *rows, long *created, long *deleted)
{
    long long cutoff = server_now_ms() - TOKEN_LIFE_MS;
    long live = 0;
    pthread_mutex_lock(&g_reg.mu);
    for (size_t i = g_reg.n_tokens; i > 0 && g_reg.tokens[i - 1] > cutoff; i--)
        live++;
    *tokens_live = live;
    *rows = g_reg.rows;
    *created = g_reg.created;
    *deleted = g_reg.deleted;
    pthread_mutex_unlock(&g_reg.mu);
}

/* --- one HTTP call through libcurl ------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
    int cut; /* the answer was longer than BODY_MAX */
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    size_t len = size * n;
    if (b->len + len + 1 > BODY_MAX) {
        b->cut = 1;
        return len; /* read on, keep nothing more */
    }
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->cut = 1;
            return len;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
    return len;
}

struct client {
    CURL *h;
    struct buf body;
    char retry_after[16]; /* the Retry-After header of the last answer */
    char token[TOKEN_MAX];
    double token_wall_ms;
    struct rng rng;
    struct pace pace;
    int paced; /* calls wait for the pace (workers, control) */
};

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct client *c = arg;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof(name) && strncasecmp(data, name, sizeof(name) - 1) == 0) {
        const char *v = data + sizeof(name) - 1;
        size_t vl = len - (sizeof(name) - 1);
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        snprintf(c->retry_after, sizeof(c->retry_after), "%.*s", (int)vl, v);
    }
    return len;
}

enum auth { AUTH_NONE, AUTH_TOKEN, AUTH_BAD_KEY, AUTH_FIXED };

struct call {
    const char *method;
    char path[URL_MAX];
    const char *body;         /* NULL: none */
    const char *content_type; /* NULL: none */
    enum auth auth;
    long timeout_ms; /* 0: CALL_TIMEOUT_MS */
    int fresh;       /* a connection of its own, closed after (transport faults) */
    int big_headers; /* adds BIG_HEADER_BYTES of headers, past the server's 32 KiB */
    enum endpoint ep;
};

struct answer {
    CURLcode cc;
    long status;
    double ms;
};

static int client_init(struct client *c, uint64_t seed, double per_s)
{
    memset(c, 0, sizeof(*c));
    c->h = curl_easy_init();
    rng_seed(&c->rng, seed);
    c->paced = per_s > 0;
    pace_init(&c->pace, per_s);
    return c->h ? 0 : -1;
}

static void client_free(struct client *c)
{
    if (c->h)
        curl_easy_cleanup(c->h);
    free(c->body.p);
    memset(c, 0, sizeof(*c));
}

/* Makes the call; the answer's body is in c->body (NUL-terminated, "" when none). The
 * call is counted for its endpoint and latency; its checks are the caller's. */
static void call_do(struct client *c, const struct call *rq, struct answer *a)
{
    if (c->paced)
        pace_wait(&c->pace);
    CURL *h = c->h;
    curl_easy_reset(h); /* keeps the connection */
    c->body.len = 0;
    c->body.cut = 0;
    if (c->body.p)
        c->body.p[0] = '\0';
    c->retry_after[0] = '\0';
    char url[URL_MAX + 64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", g_port, rq->path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, rq->timeout_ms ? rq->timeout_ms : CALL_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    if (rq->fresh) {
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    }
    if (rq->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body));
    } else if (strcmp(rq->method, "POST") == 0 || strcmp(rq->method, "PUT") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    }
    if (strcmp(rq->method, "GET") != 0 || rq->body)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
    char line[TOKEN_MAX + 64];
    if (rq->auth != AUTH_NONE) {
        const char *token = rq->auth == AUTH_FIXED || !c->token[0] ? FIXED_TOKEN : c->token;
        snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
        hdrs = curl_slist_append(hdrs, line);
        snprintf(line, sizeof(line), "X-Api-Key: %s",
                 rq->auth == AUTH_BAD_KEY ? "not-the-client" : CLIENT_ID);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (rq->content_type) {
        snprintf(line, sizeof(line), "Content-Type: %s", rq->content_type);
        hdrs = curl_slist_append(hdrs, line);
    }
    static char pad[BIG_HEADER_BYTES / 8]; /* one of eight headers: 5 KiB of 'x' */
    if (rq->big_headers) {
        if (!pad[0])
            memset(pad, 'x', sizeof(pad) - 1);
        char big[sizeof(pad) + 32];
        for (int i = 0; i < 8; i++) {
            snprintf(big, sizeof(big), "X-Soak-Pad-%d: %s", i, pad);
            hdrs = curl_slist_append(hdrs, big);
        }
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    double t0 = load_now_ms();
    a->cc = curl_easy_perform(h);
    a->ms = load_now_ms() - t0;
    a->status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(hdrs);
    if (!c->body.p)
        on_body((char *)"", 1, 0, &c->body);
    count_call(rq->ep, a->ms);
}

/* What an answer was, for an example: "status 404 {...}" or "curl 56 (Failure ...)". */
static void describe(char *out, size_t size, const struct client *c, const struct answer *a)
{
    if (a->cc != CURLE_OK)
        snprintf(out, size, "curl %d (%s) after %.0f ms", (int)a->cc, curl_easy_strerror(a->cc),
                 a->ms);
    else
        snprintf(out, size, "status %ld %.160s", a->status, c->body.p ? c->body.p : "");
}

/* Makes the call and checks its status; an answer with another status, a broken
 * transport or a body over BODY_MAX is unexpected. Returns 0 when as expected. */
static int call_expect(struct client *c, const struct call *rq, long want, struct answer *a)
{
    call_do(c, rq, a);
    if (a->cc == CURLE_OK && a->status == want && !c->body.cut)
        return 0;
    pthread_mutex_lock(&g_stats_mu);
    if (a->cc != CURLE_OK)
        g_tot.unexpected_transport++;
    else if (a->status >= 500)
        g_tot.unexpected_5xx++;
    pthread_mutex_unlock(&g_stats_mu);
    char got[256];
    describe(got, sizeof(got), c, a);
    unexpected(rq->ep, "%s %.200s: want %ld, got %s%s", rq->method, rq->path, want, got,
               c->body.cut ? " (body over the cap)" : "");
    return -1;
}

/* A call with a formatted path, expecting want. */
__attribute__((format(printf, 6, 7))) static int http(struct client *c, enum endpoint ep,
                                                      const char *method, long want,
                                                      const char *body, const char *fmt, ...)
{
    struct call rq = {.method = method, .body = body, .auth = AUTH_TOKEN, .ep = ep};
    if (body && body[0] != '{' && body[0] != '[')
        rq.content_type = "application/x-www-form-urlencoded";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rq.path, sizeof(rq.path), fmt, ap);
    va_end(ap);
    struct answer a;
    return call_expect(c, &rq, want, &a);
}

/* --- IMS ------------------------------------------------------------------------------ */

static void b64url(char *out, size_t size, const char *in)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t len = strlen(in), o = 0;
    for (size_t i = 0; i < len && o + 5 < size; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)(unsigned char)in[i + 1] << 8;
        if (i + 2 < len)
            v |= (uint32_t)(unsigned char)in[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = tab[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = tab[v & 63];
    }
    out[o] = '\0';
}

/* A new token for c: the client-credentials flow, or one time in five the legacy JWT
 * exchange (an unsigned JWT of the right shape, as the README shows). Returns 0. */
static int ims_token(struct client *c)
{
    char body[2048];
    enum endpoint ep;
    const char *path;
    if (rng_chance(&c->rng, 20)) {
        char head[64], claims[512], jwt[1024];
        b64url(head, sizeof(head), "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
        char json[400];
        /* exp: 2100-01-01, past any server clock of a run. */
        snprintf(json, sizeof(json),
                 "{\"exp\":4102444800,\"iss\":\"%s\",\"sub\":\"soak@techacct.adobe.com\","
                 "\"aud\":\"https://ims-na1.adobelogin.com/c/%s\","
                 "\"https://ims-na1.adobelogin.com/s/ent_campaign_sdk\":true}",
                 CLIENT_ORG, CLIENT_ID);
        b64url(claims, sizeof(claims), json);
        snprintf(jwt, sizeof(jwt), "%s.%s.c2lnbmF0dXJl", head, claims);
        snprintf(body, sizeof(body), "client_id=%s&client_secret=%s&jwt_token=%s", CLIENT_ID,
                 CLIENT_SECRET, jwt);
        ep = EP_IMS_JWT;
        path = "/ims/exchange/jwt";
    } else {
        snprintf(body, sizeof(body),
                 "client_id=%s&client_secret=%s&grant_type=client_credentials"
                 "&scope=openid,AdobeID,campaign_sdk",
                 CLIENT_ID, CLIENT_SECRET);
        ep = EP_IMS_TOKEN;
        path = "/ims/token/v3";
    }
    if (http(c, ep, "POST", 200, body, "%s", path) < 0)
        return -1;
    cJSON *doc = cJSON_Parse(c->body.p);
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(doc, "access_token");
    int rc = -1;
    if (cJSON_IsString(tok) && strlen(tok->valuestring) < sizeof(c->token)) {
        snprintf(c->token, sizeof(c->token), "%s", tok->valuestring);
        c->token_wall_ms = load_now_ms();
        reg_token();
        rc = 0;
    } else {
        unexpected(ep, "POST %s: no access_token in %.160s", path, c->body.p);
    }
    cJSON_Delete(doc);
    /* A misconfigured client now and then: a wrong secret is 401 invalid_client. */
    if (rc == 0 && rng_chance(&c->rng, 5))
        http(c, EP_IMS_TOKEN, "POST", 401,
             "client_id=ci-client&client_secret=wrong&grant_type=client_credentials"
             "&scope=openid",
             "/ims/token/v3");
    return rc;
}

/* --- workers ------------------------------------------------------------------------ */

/* The mappings a job may configure on its tenant (PUT, fixture form). */
enum extra_mapping { XM_FETCH, XM_UPLOAD, XM_ABORT, XM_HANG, XM_DRAFT, XM_STARTED, XM_COUNT };

static const struct {
    const char *id, *body;
} XM[XM_COUNT] = {
    {"F1", "{\"defaultOutcome\": {\"outcome\": \"failed-fetch\", \"afterPolls\": 1}}"},
    {"U1", "{\"defaultOutcome\": {\"outcome\": \"failed-upload\", \"afterPolls\": 1}}"},
    {"A1", "{\"defaultOutcome\": {\"outcome\": \"aborted\", \"afterPolls\": 1}}"},
    {"H1", "{\"defaultOutcome\": {\"outcome\": \"hang\"}}"},
    {"D1", "{\"published\": false}"},
    {"S1", "{\"started\": true}"},
};

struct worker {
    int index;
    pthread_t thread;
    struct client c;
    long tenant; /* registry index of the current tenant, -1 before the first */
    char name[48];
    long jobs_left, seq;
    unsigned mappings; /* the XM_* mappings this tenant has (bits) */
};

static const char INGEST[] = "/campaign/dataIngestion/xdmIngestion";

/* The body of the last answer as JSON; its "status", "info" and "requestId". */
struct adobe {
    cJSON *doc;
    const char *status, *info;
    long long request_id;
};

static void adobe_parse(struct adobe *out, const char *body)
{
    memset(out, 0, sizeof(*out));
    out->doc = cJSON_Parse(body);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(out->doc, "status");
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(out->doc, "info");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(out->doc, "requestId");
    out->status = cJSON_IsString(s) ? s->valuestring : "";
    out->info = cJSON_IsString(i) ? i->valuestring : "";
    out->request_id = cJSON_IsNumber(r) ? (long long)r->valuedouble : -1;
}

/* POSTs a trigger of mapping; 200 whose info holds `want` ("submitted successfully",
 * "already in progress", "is not published", "is not stopped"). *rid gets the id. */
static int trigger(struct worker *w, const char *mapping, const char *want, long long *rid)
{
    if (http(&w->c, EP_TRIGGER, "POST", 200, NULL, "/%s%s/%s/ingest", w->name, INGEST, mapping) < 0)
        return -1;
    struct adobe ad;
    adobe_parse(&ad, w->c.body.p);
    int ok = strstr(ad.info, want) != NULL;
    if (ok && rid)
        *rid = ad.request_id;
    if (ok && strcmp(want, "submitted successfully") == 0) {
        ok = ad.request_id > 0;
        if (ok)
            reg_row(w->tenant, ad.request_id);
    }
    if (!ok)
        unexpected(EP_TRIGGER, "POST /%s/.../%s/ingest: want \"%s\", got %.200s", w->name, mapping,
                   want, w->c.body.p);
    cJSON_Delete(ad.doc);
    return ok ? 0 : -1;
}

/* GETs the status of rid (the query, or one time in four a JSON body); 200 with body
 * status `want` and, when given, info holding `info`. */
static int poll_status(struct worker *w, const char *mapping, long long rid, const char *want,
                       const char *info)
{
    struct call rq = {.method = "GET", .auth = AUTH_TOKEN, .ep = EP_STATUS};
    char body[64];
    if (rng_chance(&w->c.rng, 25)) {
        snprintf(body, sizeof(body), "{\"requestId\": %lld}", rid);
        rq.body = body;
        rq.content_type = "application/json";
        snprintf(rq.path, sizeof(rq.path), "/%s%s/%s/ingest", w->name, INGEST, mapping);
    } else {
        snprintf(rq.path, sizeof(rq.path), "/%s%s/%s/ingest?requestId=%lld", w->name, INGEST,
                 mapping, rid);
    }
    struct answer a;
    if (call_expect(&w->c, &rq, 200, &a) < 0)
        return -1;
    struct adobe ad;
    adobe_parse(&ad, w->c.body.p);
    int ok = strcmp(ad.status, want) == 0 && ad.request_id == rid &&
             (!info || strstr(ad.info, info) != NULL);
    if (!ok)
        unexpected(EP_STATUS, "GET /%s/.../%s/ingest?requestId=%lld: want \"%s\"%s%s, got %.200s",
                   w->name, mapping, rid, want, info ? " with " : "", info ? info : "",
                   w->c.body.p);
    cJSON_Delete(ad.doc);
    return ok ? 0 : -1;
}

/* Trigger, one poll In Progress, one poll with the final status. */
static int cycle(struct worker *w, const char *mapping, const char *final, const char *info)
{
    long long rid = 0;
    if (trigger(w, mapping, "submitted successfully", &rid) < 0)
        return -1;
    if (poll_status(w, mapping, rid, "In Progress", NULL) < 0)
        return -1;
    return poll_status(w, mapping, rid, final, info);
}

/* Creates mapping m on the tenant when it does not have it yet (201). */
static int ensure_mapping(struct worker *w, enum extra_mapping m)
{
    if (w->mappings & (1u << m))
        return 0;
    if (http(&w->c, EP_C_MAPPING, "PUT", 201, XM[m].body, "/_mock/tenants/%s/mappings/%s", w->name,
             XM[m].id) < 0)
        return -1;
    w->mappings |= 1u << m;
    return 0;
}

enum job {
    J_SUCCESS,
    J_DOUBLE,
    J_FETCH,
    J_UPLOAD,
    J_ABORT,
    J_HANG,
    J_DRAFT,
    J_STARTED,
    J_SCRIPT,
    J_RECORDS,
    J_READBACK,
    J_NO_TOKEN,
    J_BAD_KEY,
    J_UNKNOWN_MAPPING,
    J_UNKNOWN_REQUEST,
    J_BAD_ID,
    J_METHOD,
    J_ROUTE,
    J_BIG_HEADERS,
    J_COUNT
};

/* How often each job runs, in parts of the sum: mostly the happy path, as a suite. */
static const int JOB_WEIGHTS[J_COUNT] = {100, 16, 12, 10, 10, 8, 6, 6, 6, 6,
                                         10,  4,  4,  4,  4,  2, 2, 2, 1};

static int job_run(struct worker *w, enum job j)
{
    struct client *c = &w->c;
    long long rid = 0, again = 0;
    switch (j) {
    case J_SUCCESS:
        return cycle(w, "XDM1", "Success", NULL);
    case J_DOUBLE:
        if (trigger(w, "XDM1", "submitted successfully", &rid) < 0 ||
            trigger(w, "XDM1", "already in progress", &again) < 0)
            return -1;
        if (again != rid) {
            unexpected(EP_TRIGGER, "second trigger on %s/XDM1 named %lld, not %lld", w->name, again,
                       rid);
            return -1;
        }
        if (poll_status(w, "XDM1", rid, "In Progress", NULL) < 0)
            return -1;
        return poll_status(w, "XDM1", rid, "Success", NULL);
    case J_FETCH:
        if (ensure_mapping(w, XM_FETCH) < 0)
            return -1;
        return cycle(w, XM[XM_FETCH].id, "Failed", "ACP-880056");
    case J_UPLOAD:
        if (ensure_mapping(w, XM_UPLOAD) < 0)
            return -1;
        return cycle(w, XM[XM_UPLOAD].id, "Failed", "ACP-880096");
    case J_ABORT:
        if (ensure_mapping(w, XM_ABORT) < 0)
            return -1;
        return cycle(w, XM[XM_ABORT].id, "Aborted", NULL);
    case J_HANG:
        /* Never finishes by itself: two polls In Progress, then the control API ends it. */
        if (ensure_mapping(w, XM_HANG) < 0 ||
            trigger(w, XM[XM_HANG].id, "submitted successfully", &rid) < 0 ||
            poll_status(w, XM[XM_HANG].id, rid, "In Progress", NULL) < 0 ||
            poll_status(w, XM[XM_HANG].id, rid, "In Progress", NULL) < 0)
            return -1;
        if (http(c, EP_C_RESOLVE, "POST", 200, "{\"outcome\": \"success\", \"numRecords\": 3}",
                 "/_mock/tenants/%s/requests/%lld/resolve", w->name, rid) < 0)
            return -1;
        return poll_status(w, XM[XM_HANG].id, rid, "Success", NULL);
    case J_DRAFT:
        if (ensure_mapping(w, XM_DRAFT) < 0)
            return -1;
        return trigger(w, XM[XM_DRAFT].id, "is not published", NULL);
    case J_STARTED:
        if (ensure_mapping(w, XM_STARTED) < 0)
            return -1;
        return trigger(w, XM[XM_STARTED].id, "is not stopped", NULL);
    case J_SCRIPT:
        /* A scripted step without afterPolls: the first poll shows it. */
        if (http(c, EP_C_SCRIPT, "PUT", 200,
                 "[{\"outcome\": \"failed-upload\", \"batchId\": "
                 "\"592743400bb44ae6bd5bc99a37c7ddc0\"}]",
                 "/_mock/tenants/%s/mappings/XDM1/script", w->name) < 0 ||
            trigger(w, "XDM1", "submitted successfully", &rid) < 0)
            return -1;
        return poll_status(w, "XDM1", rid, "Failed", "ACP-880096");
    case J_RECORDS:
        if (http(c, EP_C_RECORDS, "POST", 200, "{\"add\": 7}",
                 "/_mock/tenants/%s/mappings/XDM1/records", w->name) < 0)
            return -1;
        return cycle(w, "XDM1", "Success", NULL);
    case J_READBACK:
        /* The suite checks what the mock saw: its request and its journal. */
        if (cycle(w, "XDM1", "Success", NULL) < 0)
            return -1;
        pthread_mutex_lock(&g_reg.mu);
        rid = g_reg.t[w->tenant].last_request;
        pthread_mutex_unlock(&g_reg.mu);
        if (http(c, EP_C_REQUESTS, "GET", 200, NULL, "/_mock/tenants/%s/requests/%lld", w->name,
                 rid) < 0)
            return -1;
        return http(c, EP_C_JOURNAL, "GET", 200, NULL, "/_mock/journal?tenant=%s&limit=%ld",
                    w->name, rng_range(&c->rng, 1, 20));
    case J_NO_TOKEN: {
        struct call rq = {.method = "POST", .auth = AUTH_NONE, .ep = EP_TRIGGER};
        snprintf(rq.path, sizeof(rq.path), "/%s%s/XDM1/ingest", w->name, INGEST);
        struct answer a;
        return call_expect(c, &rq, 401, &a);
    }
    case J_BAD_KEY: {
        /* Under --auth presence any key passes; the job is then a plain success. */
        if (!opt.auth_strict)
            return cycle(w, "XDM1", "Success", NULL);
        struct call rq = {.method = "POST", .auth = AUTH_BAD_KEY, .ep = EP_TRIGGER};
        snprintf(rq.path, sizeof(rq.path), "/%s%s/XDM1/ingest", w->name, INGEST);
        struct answer a;
        return call_expect(c, &rq, 403, &a);
    }
    case J_UNKNOWN_MAPPING: {
        struct call rq = {.method = "POST", .auth = AUTH_TOKEN, .ep = EP_TRIGGER};
        snprintf(rq.path, sizeof(rq.path), "/%s%s/NOPE/ingest", w->name, INGEST);
        struct answer a;
        return call_expect(c, &rq, 404, &a);
    }
    case J_UNKNOWN_REQUEST: {
        /* Ids start at 3520 in the bundled fixtures: 1 is never one. */
        struct call rq = {.method = "GET", .auth = AUTH_TOKEN, .ep = EP_STATUS};
        snprintf(rq.path, sizeof(rq.path), "/%s%s/XDM1/ingest?requestId=1", w->name, INGEST);
        struct answer a;
        return call_expect(c, &rq, 404, &a);
    }
    case J_BAD_ID: {
        struct call rq = {.method = "GET", .auth = AUTH_TOKEN, .ep = EP_STATUS};
        snprintf(rq.path, sizeof(rq.path), "/%s%s/XDM1/ingest?requestId=abc", w->name, INGEST);
        struct answer a;
        return call_expect(c, &rq, 400, &a);
    }
    case J_METHOD: {
        struct call rq = {.method = "DELETE", .auth = AUTH_TOKEN, .ep = EP_OTHER_API};
        snprintf(rq.path, sizeof(rq.path), "/%s%s/XDM1/ingest", w->name, INGEST);
        struct answer a;
        return call_expect(c, &rq, 405, &a);
    }
    case J_ROUTE: {
        struct call rq = {.method = "GET", .auth = AUTH_TOKEN, .ep = EP_OTHER_API};
        snprintf(rq.path, sizeof(rq.path), "/%s/campaign", w->name);
        struct answer a;
        return call_expect(c, &rq, 404, &a);
    }
    case J_BIG_HEADERS: {
        /* A client that sends 40 KiB of headers (a cookie jar gone wrong): 431. */
        struct call rq = {.method = "GET", .auth = AUTH_TOKEN, .ep = EP_OTHER_API};
        snprintf(rq.path, sizeof(rq.path), "/%s%s/XDM1/ingest?requestId=1", w->name, INGEST);
        rq.big_headers = 1;
        struct answer a;
        return call_expect(c, &rq, 431, &a);
    }
    case J_COUNT:
        break;
    }
    return -1;
}

/* Leaves the current tenant behind (reset first one time in ten) and starts a new one:
 * its token, and one time in three a look at its fresh state through the control API. */
static int tenant_next(struct worker *w)
{
    struct client *c = &w->c;
    if (w->tenant >= 0) {
        if (rng_chance(&c->rng, 10) &&
            http(c, EP_C_RESET, "POST", 200, NULL, "/_mock/tenants/%s/reset", w->name) == 0)
            reg_cleared(w->tenant, T_RETIRED);
        reg_set_state(w->tenant, T_RETIRED);
    }
    snprintf(w->name, sizeof(w->name), "soak-w%d-%ld", w->index, w->seq++);
    w->tenant = reg_add(w->name, T_ACTIVE);
    if (w->tenant < 0)
        return -1;
    w->mappings = 0;
    w->jobs_left = rng_range(&c->rng, 20, 200);
    ims_token(c); /* a failure is counted; the calls then carry the fixed token */
    if (rng_chance(&c->rng, 33))
        http(c, EP_C_TENANT, "GET", 200, NULL, "/_mock/tenants/%s", w->name);
    return 0;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->tenant = -1;
    while (!stopping()) {
        if ((w->tenant < 0 || w->jobs_left-- <= 0) && tenant_next(w) < 0) {
            nap_ms(1000); /* counted already; try again with a new tenant */
            w->tenant = -1;
            continue;
        }
        if (load_now_ms() - w->c.token_wall_ms > opt.token_s * 1e3)
            ims_token(&w->c);
        enum job j = (enum job)rng_pick(&w->c.rng, JOB_WEIGHTS, J_COUNT);
        if (job_run(w, j) < 0) {
            /* Its state is no longer what this worker believes: a new tenant, so one
             * surprise does not become a cascade. */
            w->jobs_left = 0;
            continue;
        }
        /* Now and then the suite saves its tenant and puts the same state back. */
        if (rng_chance(&w->c.rng, 2) && http(&w->c, EP_C_SNAPSHOT, "GET", 200, NULL,
                                             "/_mock/tenants/%s/snapshot", w->name) == 0) {
            char *doc = strdup(w->c.body.p);
            if (doc)
                http(&w->c, EP_C_SNAPSHOT, "PUT", 200, doc, "/_mock/tenants/%s/snapshot", w->name);
            free(doc);
        }
    }
    return NULL;
}

/* --- the control thread ---------------------------------------------------------- */

enum ctl_op {
    C_JOURNAL,
    C_JOURNAL_TENANT,
    C_JOURNAL_COUNT,
    C_TENANTS,
    C_TENANT,
    C_REQUESTS,
    C_REQUEST,
    C_SNAPSHOT,
    C_MAPPINGS,
    C_CLOCK_GET,
    C_FAULTS,
    C_METRICS,
    C_HEALTH,
    C_UI,
    C_RESET_OLD,
    C_DELETE_OLD,
    C_COUNT
};

static const int CTL_WEIGHTS[C_COUNT] = {20, 10, 8, 3, 8, 12, 6, 8, 5, 3, 3, 3, 2, 1, 2, 2};

static void control_once(struct client *c, enum ctl_op op)
{
    char name[48];
    long long last = 0;
    const unsigned live = 1u << T_ACTIVE | 1u << T_RETIRED;
    long idx;
    static const char *const statuses[] = {"Success", "Failed", "Aborted", "In%20Progress"};
    switch (op) {
    case C_JOURNAL:
        http(c, EP_C_JOURNAL, "GET", 200, NULL, "/_mock/journal?limit=%ld",
             rng_range(&c->rng, 1, 100));
        break;
    case C_JOURNAL_TENANT:
        if (reg_pick(&c->rng, live, name, sizeof(name), NULL) >= 0)
            http(c, EP_C_JOURNAL, "GET", 200, NULL, "/_mock/journal?tenant=%s&method=%s&limit=%ld",
                 name, rng_chance(&c->rng, 50) ? "POST" : "GET", rng_range(&c->rng, 1, 50));
        break;
    case C_JOURNAL_COUNT:
        if (reg_pick(&c->rng, live, name, sizeof(name), NULL) >= 0 && rng_chance(&c->rng, 70))
            http(c, EP_C_JOURNAL, "GET", 200, NULL, "/_mock/journal/count?tenant=%s", name);
        else
            http(c, EP_C_JOURNAL, "GET", 200, NULL, "/_mock/journal/count?method=POST&status=200");
        break;
    case C_TENANTS:
        http(c, EP_C_TENANTS, "GET", 200, NULL, "/_mock/tenants");
        break;
    case C_TENANT:
        if (reg_pick(&c->rng, live, name, sizeof(name), NULL) >= 0)
            http(c, EP_C_TENANT, "GET", 200, NULL, "/_mock/tenants/%s", name);
        break;
    case C_REQUESTS:
        if (reg_pick(&c->rng, live, name, sizeof(name), NULL) < 0)
            break;
        if (rng_chance(&c->rng, 50))
            http(c, EP_C_REQUESTS, "GET", 200, NULL, "/_mock/tenants/%s/requests?status=%s", name,
                 statuses[rng_range(&c->rng, 0, 3)]);
        else
            http(c, EP_C_REQUESTS, "GET", 200, NULL, "/_mock/tenants/%s/requests?mapping=XDM1",
                 name);
        break;
    case C_REQUEST: {
        /* A retired tenant's last request (an active one's may be reset under us). The
         * server keeps the finished requests of the newest REQUESTS_MAX ids: an older
         * one must be gone (404), a newer one there (200); near the edge, where a
         * trigger this tool has not registered yet may have moved it, it is not asked. */
        if (reg_pick(&c->rng, 1u << T_RETIRED, name, sizeof(name), &last) < 0 || last <= 0)
            break;
        pthread_mutex_lock(&g_reg.mu);
        long long edge = g_reg.newest - REQUESTS_MAX;
        pthread_mutex_unlock(&g_reg.mu);
        if (last > edge + REQUESTS_EDGE || last <= edge - REQUESTS_EDGE)
            http(c, EP_C_REQUESTS, "GET", last > edge ? 200 : 404, NULL,
                 "/_mock/tenants/%s/requests/%lld", name, last);
        break;
    }
    case C_SNAPSHOT:
        if (reg_pick(&c->rng, live, name, sizeof(name), NULL) >= 0)
            http(c, EP_C_SNAPSHOT, "GET", 200, NULL, "/_mock/tenants/%s/snapshot", name);
        break;
    case C_MAPPINGS:
        if (reg_pick(&c->rng, live, name, sizeof(name), NULL) >= 0)
            http(c, EP_C_MAPPING, "GET", 200, NULL, "/_mock/tenants/%s/mappings", name);
        break;
    case C_CLOCK_GET:
        http(c, EP_C_CLOCK, "GET", 200, NULL, "/_mock/clock");
        break;
    case C_FAULTS:
        http(c, EP_C_FAULTS, "GET", 200, NULL, "/_mock/faults");
        break;
    case C_METRICS:
        http(c, EP_C_METRICS, "GET", 200, NULL, "/_mock/metrics");
        break;
    case C_HEALTH:
        http(c, EP_C_HEALTH, "GET", 200, NULL, "/_mock/health");
        break;
    case C_UI:
        http(c, EP_C_UI, "GET", 200, NULL, "/_mock/ui");
        break;
    case C_RESET_OLD:
        idx = reg_pick(&c->rng, 1u << T_RETIRED, name, sizeof(name), NULL);
        if (idx >= 0 &&
            http(c, EP_C_RESET, "POST", 200, NULL, "/_mock/tenants/%s/reset", name) == 0)
            reg_cleared(idx, T_RETIRED);
        break;
    case C_DELETE_OLD:
        idx = reg_pick(&c->rng, 1u << T_RETIRED, name, sizeof(name), NULL);
        if (idx >= 0 && http(c, EP_C_DELETE, "DELETE", 200, NULL, "/_mock/tenants/%s", name) == 0)
            reg_cleared(idx, T_DELETED);
        break;
    case C_COUNT:
        break;
    }
}

/* Moves a manual clock by CLOCK_STEP_MS; a real one must refuse (409). */
static void clock_move(struct client *c)
{
    char body[64];
    snprintf(body, sizeof(body), "{\"advanceMs\": %lld}", CLOCK_STEP_MS);
    if (!opt.clock_manual) {
        http(c, EP_C_CLOCK, "POST", 409, body, "/_mock/clock");
        return;
    }
    if (http(c, EP_C_CLOCK, "POST", 200, body, "/_mock/clock") < 0)
        return;
    cJSON *doc = cJSON_Parse(c->body.p);
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(doc, "nowMs");
    if (cJSON_IsNumber(now))
        atomic_store(&g_clock_ms, (long long)now->valuedouble);
    else
        unexpected(EP_C_CLOCK, "POST /_mock/clock: no nowMs in %.160s", c->body.p);
    cJSON_Delete(doc);
}

static void *control_main(void *arg)
{
    struct client *c = arg;
    double next_clock = load_now_ms() + CLOCK_EVERY_MS;
    /* A real clock is asked to move only now and then: the answer is always 409. */
    double clock_every = opt.clock_manual ? CLOCK_EVERY_MS : 12 * CLOCK_EVERY_MS;
    while (!stopping()) {
        if (load_now_ms() >= next_clock) {
            clock_move(c);
            next_clock += clock_every;
            continue;
        }
        control_once(c, (enum ctl_op)rng_pick(&c->rng, CTL_WEIGHTS, C_COUNT));
    }
    return NULL;
}

/* --- fault threads ---------------------------------------------------------------- */

struct faulter {
    int index;
    pthread_t thread;
    struct client c;
    char tenant[48];
    long tenant_idx;
    long long done_rid; /* a finished request of its tenant: its polls answer 200 */
    long round;
};

/* What a faulted call must get: a status (with at least min_ms of delay) or a broken
 * transport (a curl code), counted as kind. */
struct expect {
    long status; /* 0: a transport failure */
    CURLcode cc; /* when status is 0; a reset may also show as a send error */
    double min_ms;
    enum fault_kind kind;
    long status_alt; /* another acceptable status (coin toss), counted FK_PASSED */
};

static int faulted_call(struct faulter *f, const char *method, const struct expect *e)
{
    struct call rq = {.method = method, .auth = AUTH_TOKEN, .ep = EP_FAULTED};
    if (strcmp(method, "POST") == 0)
        snprintf(rq.path, sizeof(rq.path), "/%s%s/XDM1/ingest", f->tenant, INGEST);
    else
        snprintf(rq.path, sizeof(rq.path), "/%s%s/XDM1/ingest?requestId=%lld", f->tenant, INGEST,
                 f->done_rid);
    if (e->status == 0) {
        rq.fresh = 1;
        if (e->cc == CURLE_OPERATION_TIMEDOUT)
            rq.timeout_ms = HANG_TIMEOUT_MS;
    }
    struct answer a;
    call_do(&f->c, &rq, &a);
    int ok;
    enum fault_kind kind = e->kind;
    if (e->status == 0)
        ok = a.cc == e->cc || (e->cc == CURLE_RECV_ERROR && a.cc == CURLE_SEND_ERROR);
    else if (a.cc == CURLE_OK && e->status_alt && a.status == e->status_alt)
        ok = 1, kind = FK_PASSED;
    else
        ok = a.cc == CURLE_OK && a.status == e->status && a.ms >= e->min_ms;
    if (ok && e->kind == FK_429 && strcmp(f->c.retry_after, "1") != 0)
        ok = 0;
    if (ok) {
        count_injected(kind);
        return 0;
    }
    char got[256];
    describe(got, sizeof(got), &f->c, &a);
    if (e->status == 0)
        unexpected(EP_FAULTED, "%s %.120s under a %s fault: want curl %d, got %s", method, rq.path,
                   FK_NAMES[e->kind], (int)e->cc, got);
    else
        unexpected(EP_FAULTED, "%s %.120s under a %s fault: want %ld after >= %.0f ms%s, got %s",
                   method, rq.path, FK_NAMES[e->kind], e->status, e->min_ms,
                   e->kind == FK_429 ? " with Retry-After: 1" : "", got);
    return -1;
}

/* Polls rid of the fault tenant's XDM1 until its final status (no rule in place). */
static int fault_settle(struct faulter *f, long long rid)
{
    for (int i = 0; i < POLLS_MAX; i++) {
        if (http(&f->c, EP_FAULTED, "GET", 200, NULL, "/%s%s/XDM1/ingest?requestId=%lld", f->tenant,
                 INGEST, rid) < 0)
            return -1;
        struct adobe ad;
        adobe_parse(&ad, f->c.body.p);
        int done = strcmp(ad.status, "In Progress") != 0;
        cJSON_Delete(ad.doc);
        if (done)
            return 0;
    }
    unexpected(EP_FAULTED, "request %lld of %s still In Progress after %d polls", rid, f->tenant,
               POLLS_MAX);
    return -1;
}

enum fault_round {
    FR_DELAY,
    FR_DELAY_RANGE,
    FR_429,
    FR_5XX,
    FR_5XX_DELAYED,
    FR_CUSTOM,
    FR_RESET,
    FR_EMPTY,
    FR_TRUNCATE,
    FR_HANG,
    FR_TIMES,
    FR_AFTER,
    FR_COIN,
    FR_TRIGGER_DELAY,
    FR_COUNT
};

/* One rule on the thread's tenant: added, hit, checked, deleted. */
static void fault_round(struct faulter *f, enum fault_round kind)
{
    struct client *c = &f->c;
    char id[64], rule[512];
    snprintf(id, sizeof(id), "soak-f%d-%ld", f->index, f->round++);
    static const char *const errors[] = {"500", "502", "503"};
    const char *err = errors[rng_range(&c->rng, 0, 2)];
    const char *endpoint = kind == FR_TRIGGER_DELAY ? "ingest.trigger" : "ingest.status";
    char action[200];
    const char *schedule = "";
    struct expect e = {0};
    int calls = 1;
    switch (kind) {
    case FR_DELAY:
        snprintf(action, sizeof(action), "{\"delayMs\": 150}");
        e = (struct expect){.status = 200, .min_ms = 150, .kind = FK_DELAY};
        break;
    case FR_DELAY_RANGE:
        snprintf(action, sizeof(action), "{\"delayMs\": [50, 250]}");
        e = (struct expect){.status = 200, .min_ms = 50, .kind = FK_DELAY};
        calls = 2;
        break;
    case FR_429:
        snprintf(action, sizeof(action), "{\"error\": \"429050\"}");
        e = (struct expect){.status = 429, .kind = FK_429};
        break;
    case FR_5XX:
        snprintf(action, sizeof(action), "{\"error\": \"%s\"}", err);
        e = (struct expect){.status = atol(err), .kind = FK_5XX};
        break;
    case FR_5XX_DELAYED:
        snprintf(action, sizeof(action), "{\"error\": \"503\", \"delayMs\": 100}");
        e = (struct expect){.status = 503, .min_ms = 100, .kind = FK_5XX};
        break;
    case FR_CUSTOM:
        snprintf(action, sizeof(action),
                 "{\"status\": 500, \"headers\": {\"X-Soak\": \"1\"}, \"body\": {\"code\": 500}}");
        e = (struct expect){.status = 500, .kind = FK_CUSTOM};
        break;
    case FR_RESET:
        snprintf(action, sizeof(action), "{\"transport\": \"reset\"}");
        e = (struct expect){.cc = CURLE_RECV_ERROR, .kind = FK_RESET};
        break;
    case FR_EMPTY:
        snprintf(action, sizeof(action), "{\"transport\": \"empty\"}");
        e = (struct expect){.cc = CURLE_GOT_NOTHING, .kind = FK_EMPTY};
        break;
    case FR_TRUNCATE:
        snprintf(action, sizeof(action), "{\"transport\": \"truncate\"}");
        e = (struct expect){.cc = CURLE_PARTIAL_FILE, .kind = FK_TRUNCATE};
        break;
    case FR_HANG:
        snprintf(action, sizeof(action), "{\"transport\": \"hang\"}");
        e = (struct expect){.cc = CURLE_OPERATION_TIMEDOUT, .kind = FK_HANG};
        break;
    case FR_TIMES:
    case FR_AFTER:
        snprintf(action, sizeof(action), "{\"error\": \"%s\"}", err);
        schedule = kind == FR_TIMES ? ", \"times\": 1" : ", \"after\": 1";
        e = (struct expect){.status = atol(err), .kind = FK_5XX};
        break;
    case FR_COIN:
        snprintf(action, sizeof(action), "{\"error\": \"503\"}");
        schedule = ", \"probability\": 0.5";
        e = (struct expect){.status = 503, .kind = FK_5XX, .status_alt = 200};
        calls = 4;
        break;
    case FR_TRIGGER_DELAY:
        snprintf(action, sizeof(action), "{\"delayMs\": 100}");
        e = (struct expect){.status = 200, .min_ms = 100, .kind = FK_DELAY};
        break;
    case FR_COUNT:
        return;
    }
    snprintf(rule, sizeof(rule),
             "{\"id\": \"%s\", \"match\": {\"tenant\": \"%s\", \"endpoint\": \"%s\"}, "
             "\"action\": %s%s}",
             id, f->tenant, endpoint, action, schedule);
    if (http(c, EP_C_FAULTS, "POST", 201, rule, "/_mock/faults") < 0)
        return;
    const struct expect pass = {.status = 200, .kind = FK_PASSED};
    if (kind == FR_TIMES) {
        faulted_call(f, "GET", &e);
        faulted_call(f, "GET", &pass);
    } else if (kind == FR_AFTER) {
        faulted_call(f, "GET", &pass);
        faulted_call(f, "GET", &e);
    } else if (kind == FR_TRIGGER_DELAY) {
        faulted_call(f, "POST", &e);
    } else {
        for (int i = 0; i < calls; i++)
            faulted_call(f, "GET", &e);
    }
    long long rid = -1;
    if (kind == FR_TRIGGER_DELAY) { /* the delayed trigger made (or found) a request */
        struct adobe ad;
        adobe_parse(&ad, c->body.p);
        rid = ad.request_id;
        if (strstr(ad.info, "submitted successfully") && rid > 0)
            reg_row(f->tenant_idx, rid);
        cJSON_Delete(ad.doc);
    }
    http(c, EP_C_FAULTS, "DELETE", 200, NULL, "/_mock/faults/%s", id);
    /* The request the polls read moves on to this newer one: a finished request as old
     * as the run would be evicted by the server's --requests-max. */
    if (rid > 0 && fault_settle(f, rid) == 0)
        f->done_rid = rid;
}

static void *fault_main(void *arg)
{
    struct faulter *f = arg;
    /* The finished request its polls read. */
    long long rid = -1;
    struct call rq = {.method = "POST", .auth = AUTH_TOKEN, .ep = EP_FAULTED};
    snprintf(rq.path, sizeof(rq.path), "/%s%s/XDM1/ingest", f->tenant, INGEST);
    struct answer a;
    if (call_expect(&f->c, &rq, 200, &a) == 0) {
        struct adobe ad;
        adobe_parse(&ad, f->c.body.p);
        rid = ad.request_id;
        cJSON_Delete(ad.doc);
    }
    if (rid <= 0 || fault_settle(f, rid) < 0) {
        unexpected(EP_FAULTED, "fault thread %d: no finished request to poll", f->index);
        return NULL;
    }
    reg_row(f->tenant_idx, rid);
    f->done_rid = rid;
    while (!stopping()) {
        /* Every kind in turn, so that a short run sees them all. */
        fault_round(f, (enum fault_round)((f->round + f->index * 7) % FR_COUNT));
        if (f->round % 25 == 0 &&
            http(&f->c, EP_C_FAULTS, "GET", 200, NULL, "/_mock/faults") == 0) {
            /* Each fault thread holds at most one rule at a time: more is a leak. */
            cJSON *doc = cJSON_Parse(f->c.body.p);
            int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "faults"));
            if (n > opt.fault_threads)
                unexpected(EP_C_FAULTS, "%d rules listed, at most %d expected", n,
                           opt.fault_threads);
            cJSON_Delete(doc);
        }
        nap_ms((double)rng_range(&f->c.rng, 200, 800));
    }
    return NULL;
}

/* --- raw connections: slow senders and idle keep-alives ---------------------------- */

enum raw_phase { RAW_CLOSED, RAW_SEND, RAW_READ, RAW_IDLE };

enum raw_kind { RAW_SLOW, RAW_IDLE_CONN, RAW_STALLED };

struct raw {
    int fd;
    enum raw_kind kind; /* byte by byte; idle keep-alive; a request left unfinished */
    enum raw_phase phase;
    char out[1024];
    size_t out_len, out_off;
    char in[16384]; /* answers here are a few hundred bytes */
    size_t in_len;
    double next_ms;  /* RAW_SEND: the next byte; RAW_IDLE: the close; RAW_CLOSED: reopen */
    double start_ms; /* when the request's first byte went */
    double idle_from;
    long want; /* the status its request must get */
    int left;  /* requests left on this connection (slow) */
    const char *what;
    int is_token; /* the request is an IMS token call */
};

static int raw_connect(void)
{
    int fd = load_connect(g_port);
    if (fd >= 0)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* The next request of a raw connection; slow ones vary, idle ones ask for health. */
static void raw_request(struct raw *r, struct rng *g)
{
    int n = 0;
    r->is_token = 0;
    if (r->kind == RAW_STALLED) {
        /* Half a request line, then nothing: past --request-timeout from its first
         * byte the server must answer 408 and close. */
        n = snprintf(r->out, sizeof(r->out), "GET /_mock/health HTT");
        r->want = 408;
        r->what = "a request stalled after 21 bytes";
        r->out_len = (size_t)n;
        r->out_off = 0;
        r->in_len = 0;
        return;
    }
    int pick = r->kind == RAW_SLOW ? (int)rng_range(g, 0, 3) : 0;
    switch (pick) {
    case 0:
        n = snprintf(r->out, sizeof(r->out),
                     "GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        r->want = 200;
        r->what = "GET /_mock/health";
        break;
    case 1:
        n = snprintf(r->out, sizeof(r->out),
                     "GET /soak-slow%s/XDM1/ingest?requestId=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\nX-Api-Key: %s\r\n\r\n",
                     INGEST, FIXED_TOKEN, CLIENT_ID);
        r->want = 404;
        r->what = "GET /soak-slow/.../XDM1/ingest?requestId=1";
        break;
    case 2: {
        char form[256];
        int fl = snprintf(form, sizeof(form),
                          "client_id=%s&client_secret=%s&grant_type=client_credentials"
                          "&scope=openid",
                          CLIENT_ID, CLIENT_SECRET);
        n = snprintf(r->out, sizeof(r->out),
                     "POST /ims/token/v3 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
                     "\r\n%s",
                     fl, form);
        r->want = 200;
        r->what = "POST /ims/token/v3 (slow body)";
        r->is_token = 1;
        break;
    }
    default:
        n = snprintf(
            r->out, sizeof(r->out),
            "GET /_mock/journal/count?tenant=soak-slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        r->want = 200;
        r->what = "GET /_mock/journal/count?tenant=soak-slow";
        break;
    }
    r->out_len = n > 0 && (size_t)n < sizeof(r->out) ? (size_t)n : 0;
    r->out_off = 0;
    r->in_len = 0;
}

static void raw_close(struct raw *r, double reopen_ms)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    r->phase = RAW_CLOSED;
    r->next_ms = reopen_ms;
}

static void raw_open(struct raw *r, struct rng *g)
{
    r->fd = raw_connect();
    if (r->fd < 0) {
        unexpected(r->kind == RAW_IDLE_CONN ? EP_IDLE : EP_SLOW, "cannot connect: %s",
                   strerror(errno));
        raw_close(r, load_now_ms() + 1000);
        return;
    }
    r->left = r->kind == RAW_SLOW ? (int)rng_range(g, 1, 3) : 1;
    raw_request(r, g);
    r->phase = RAW_SEND;
    r->next_ms = load_now_ms();
    r->start_ms = r->next_ms;
}

/* Whether in[0..len) holds a whole answer (Content-Length framed): 1 with its status,
 * 0 not yet, -1 malformed. */
static int raw_answer(const char *in, size_t len, long *status)
{
    const char *end = NULL;
    for (size_t i = 0; i + 4 <= len; i++) {
        if (memcmp(in + i, "\r\n\r\n", 4) == 0) {
            end = in + i;
            break;
        }
    }
    if (!end)
        return len >= 16383 ? -1 : 0;
    if (len < 12 || memcmp(in, "HTTP/1.1 ", 9) != 0)
        return -1;
    *status = atol(in + 9);
    long long cl = -1;
    for (const char *p = in; p < end;) {
        const char *eol = p;
        while (eol < end && *eol != '\r')
            eol++;
        if ((size_t)(eol - p) > 15 && strncasecmp(p, "content-length:", 15) == 0)
            cl = atoll(p + 15);
        p = eol + 2;
    }
    if (cl < 0)
        return -1;
    return (size_t)(end - in) + 4 + (size_t)cl <= len ? 1 : 0;
}

/* Moves one raw connection on; called when its time came or its socket is readable. */
static void raw_step(struct raw *r, struct rng *g, double hold_max_s)
{
    enum endpoint ep = r->kind == RAW_IDLE_CONN ? EP_IDLE : EP_SLOW;
    double now = load_now_ms();
    switch (r->phase) {
    case RAW_CLOSED:
        if (now >= r->next_ms)
            raw_open(r, g);
        return;
    case RAW_SEND: {
        if (now < r->next_ms)
            return; /* Slow and stalled: one to three bytes, then a pause of 5 to 60 ms; idle: all
                     * at once. */
        size_t n = r->kind != RAW_IDLE_CONN ? (size_t)rng_range(g, 1, 3) : r->out_len - r->out_off;
        if (n > r->out_len - r->out_off)
            n = r->out_len - r->out_off;
        ssize_t sent = send(r->fd, r->out + r->out_off, n, MSG_NOSIGNAL);
        if (sent < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (sent <= 0) {
            unexpected(ep, "%s: send after %zu bytes: %s", r->what, r->out_off, strerror(errno));
            raw_close(r, now + 500);
            return;
        }
        if (r->kind == RAW_SLOW) {
            pthread_mutex_lock(&g_stats_mu);
            g_tot.slow_bytes += sent;
            pthread_mutex_unlock(&g_stats_mu);
        }
        r->out_off += (size_t)sent;
        r->next_ms = now + (r->kind != RAW_IDLE_CONN ? (double)rng_range(g, 5, 60) : 0);
        if (r->out_off == r->out_len)
            r->phase = RAW_READ;
        return;
    }
    case RAW_READ: {
        ssize_t got = recv(r->fd, r->in + r->in_len, sizeof(r->in) - 1 - r->in_len, 0);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
            double limit = r->kind == RAW_STALLED ? opt.request_timeout_s * 1e3 + 5000
                                                  : (double)CALL_TIMEOUT_MS;
            if (now - r->start_ms > limit) {
                unexpected(ep, "%s: no answer after %.0f ms", r->what, now - r->start_ms);
                raw_close(r, now + 500);
            }
            return;
        }
        if (got <= 0) {
            unexpected(ep, "%s: connection closed before the answer (%s)", r->what,
                       got < 0 ? strerror(errno) : "EOF");
            raw_close(r, now + 500);
            return;
        }
        r->in_len += (size_t)got;
        long status = 0;
        int rc = raw_answer(r->in, r->in_len, &status);
        if (rc == 0)
            return;
        count_call(ep, now - r->start_ms);
        if (rc < 0 || status != r->want) {
            unexpected(ep, "%s: want %ld, got %.120s", r->what, r->want, r->in);
            raw_close(r, now + 500);
            return;
        }
        if (r->is_token)
            reg_token();
        if (r->kind == RAW_STALLED) {
            pthread_mutex_lock(&g_stats_mu);
            g_tot.stalls++;
            g_tot.stall_s += (now - r->start_ms) / 1e3;
            pthread_mutex_unlock(&g_stats_mu);
            raw_close(r, now + (double)rng_range(g, 100, 1000)); /* the server closed it */
            return;
        }
        if (r->kind == RAW_IDLE_CONN) {
            r->phase = RAW_IDLE;
            r->idle_from = now;
            r->next_ms =
                now + 1e3 * (1.0 + (double)(rng_next(g) % 1000) / 1000.0 * (hold_max_s - 1));
            return;
        }
        if (--r->left > 0) {
            raw_request(r, g);
            r->phase = RAW_SEND;
            r->start_ms = now;
            r->next_ms = now + (double)rng_range(g, 50, 500);
        } else {
            raw_close(r, now + (double)rng_range(g, 100, 1000));
        }
        return;
    }
    case RAW_IDLE: {
        char b;
        ssize_t got = recv(r->fd, &b, 1, 0);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
            unexpected(ep, "idle connection closed by the server after %.1f s",
                       (now - r->idle_from) / 1e3);
            raw_close(r, now + 500);
            return;
        }
        if (got > 0) {
            unexpected(ep, "idle connection got an unasked byte");
            raw_close(r, now + 500);
            return;
        }
        if (now >= r->next_ms) {
            pthread_mutex_lock(&g_stats_mu);
            g_tot.idle_holds++;
            g_tot.idle_held_s += (now - r->idle_from) / 1e3;
            pthread_mutex_unlock(&g_stats_mu);
            raw_close(r, now); /* and a new one at once */
        }
        return;
    }
    }
}

static void *raw_main(void *arg)
{
    (void)arg;
    struct rng g;
    rng_seed(&g, opt.seed * 31 + 7);
    int n = opt.slow + opt.idle + opt.stalled;
    static struct raw conns[RAW_MAX];
    /* Idle holds up to a minute, less in a short run so that several complete. */
    double hold_max_s = opt.seconds / 4 < IDLE_HOLD_MAX_S ? opt.seconds / 4 : IDLE_HOLD_MAX_S;
    if (hold_max_s < 2)
        hold_max_s = 2;
    double now = load_now_ms();
    for (int i = 0; i < n; i++) {
        enum raw_kind kind = i < opt.slow              ? RAW_SLOW
                             : i < opt.slow + opt.idle ? RAW_IDLE_CONN
                                                       : RAW_STALLED;
        conns[i] = (struct raw){.fd = -1, .kind = kind, .phase = RAW_CLOSED};
        conns[i].next_ms = now + (double)rng_range(&g, 0, 2000); /* staggered */
    }
    struct pollfd pfd[RAW_MAX];
    while (!stopping()) {
        double wake = load_now_ms() + 100;
        for (int i = 0; i < n; i++) {
            struct raw *r = &conns[i];
            pfd[i] = (struct pollfd){.fd = -1};
            if (r->phase == RAW_READ || r->phase == RAW_IDLE)
                pfd[i] = (struct pollfd){.fd = r->fd, .events = POLLIN};
            if ((r->phase == RAW_SEND || r->phase == RAW_CLOSED || r->phase == RAW_IDLE) &&
                r->next_ms < wake)
                wake = r->next_ms;
        }
        double left = wake - load_now_ms();
        poll(pfd, (nfds_t)n, left > 0 ? (int)left + 1 : 0);
        for (int i = 0; i < n; i++)
            raw_step(&conns[i], &g, hold_max_s);
    }
    for (int i = 0; i < n; i++)
        raw_close(&conns[i], 0);
    return NULL;
}

/* --- sampling ------------------------------------------------------------------------ */

struct sample {
    double t_s;
    long rss_kb, fds, threads;
    double srv_cpu_pct, cli_cpu_pct;
    long calls, unexpected, injected;
    double rate;
    double p50, p99, max, ctl_p99;
    long tenants, journal, in_progress, req_rows, tokens;
    struct hist api; /* kept for the quarters' p99 */
};

static struct sample *g_samples;
static int g_n_samples;

static long count_fds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.')
            n++;
    }
    closedir(d);
    return n;
}

/* The value of a metric line "NAME VALUE" of the Prometheus text; -1 when absent. */
static long metric(const char *text, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, len) == 0 && p[len] == ' ')
            return atol(p + len + 1);
    }
    return -1;
}

/* The sum of every line of a metric with labels ("NAME{...} VALUE"). */
static long metric_sum(const char *text, const char *name_brace)
{
    size_t len = strlen(name_brace);
    long sum = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name_brace, len) != 0)
            continue;
        const char *sp = strchr(p, ' ');
        const char *nl = strchr(p, '\n');
        if (sp && (!nl || sp < nl))
            sum += atol(sp + 1);
    }
    return sum;
}

static double cpu_self_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void print_header(void)
{
    printf("%7s %7s %4s %3s %5s %5s | %7s %6s %7s %7s %8s %7s | %5s %5s | %7s %7s %6s %7s %6s\n",
           "time", "rss", "fds", "thr", "srv%", "cli%", "calls", "/s", "p50", "p99", "max", "ctl99",
           "unexp", "fault", "tenants", "journal", "inprog", "rows", "tokens");
    printf("%7s %7s %4s %3s %5s %5s | %7s %6s %7s %7s %8s %7s | %5s %5s | %7s %7s %6s %7s %6s\n",
           "s", "MiB", "", "", "", "", "", "", "ms", "ms", "ms", "ms", "", "", "", "", "", "", "");
}

static void print_sample(const struct sample *s)
{
    printf("%7.0f %7.1f %4ld %3ld %5.1f %5.1f | %7ld %6.0f %7.2f %7.2f %8.1f %7.2f | %5ld %5ld | "
           "%7ld %7ld %6ld %7ld %6ld\n",
           s->t_s, (double)s->rss_kb / 1024.0, s->fds, s->threads, s->srv_cpu_pct, s->cli_cpu_pct,
           s->calls, s->rate, s->p50, s->p99, s->max, s->ctl_p99, s->unexpected, s->injected,
           s->tenants, s->journal, s->in_progress, s->req_rows, s->tokens);
}

static void csv_sample(FILE *f, const struct sample *s)
{
    fprintf(f,
            "%.1f,%ld,%ld,%ld,%.2f,%.2f,%ld,%.1f,%.3f,%.3f,%.3f,%.3f,%ld,%ld,%ld,%ld,%ld,%ld,%ld\n",
            s->t_s, s->rss_kb, s->fds, s->threads, s->srv_cpu_pct, s->cli_cpu_pct, s->calls,
            s->rate, s->p50, s->p99, s->max, s->ctl_p99, s->unexpected, s->injected, s->tenants,
            s->journal, s->in_progress, s->req_rows, s->tokens);
    fflush(f);
}

/* The sampler's own calls: the store sizes the server reports. */
static void sample_stores(struct client *c, struct sample *s)
{
    s->tenants = s->journal = s->in_progress = -1;
    if (http(c, EP_SAMPLER, "GET", 200, NULL, "/_mock/metrics") == 0) {
        s->journal = metric(c->body.p, "campaign_mock_journal_entries");
        s->in_progress = metric(c->body.p, "campaign_mock_ingestion_requests_in_progress");
    }
    if (http(c, EP_SAMPLER, "GET", 200, NULL, "/_mock/tenants") == 0) {
        cJSON *doc = cJSON_Parse(c->body.p);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "tenants");
        if (cJSON_IsArray(t))
            s->tenants = cJSON_GetArraySize(t);
        cJSON_Delete(doc);
    }
}

/* Whether the server process is still running: not gone, not a zombie (left for
 * proc_stop to reap, which then reports how it ended). */
static int server_alive(void)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)g_server_pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *got = fgets(line, sizeof(line), f);
    fclose(f);
    const char *p = got ? strrchr(line, ')') : NULL;
    return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* --- the verdict --------------------------------------------------------------------- */

/* What one request row, tenant, journal entry and live IMS token may cost in the
 * server's RSS: a growth up to their sum times these is explained by the data itself,
 * not leaked. Measured on :memory: with --auth strict (RSS before and after adding
 * 20,000 to 60,000 of one kind, nothing else growing): 115 to 170 B a request row, 330
 * to 390 B a tenant (its fixture text, its mapping, their indexes), 1.4 to 1.5 KiB a
 * journal entry (the headers hold a 1 KB bearer token) and 2.3 KiB an IMS token (kept
 * in its table and its primary key). These are the largest figures, plus half. */
#define COST_ROW_B     256.0
#define COST_TENANT_B  640.0
#define COST_JOURNAL_B 2304.0
#define COST_TOKEN_B   3584.0

struct quarter {
    int from, to; /* samples [from, to) */
    double rss_kb, p99;
    long fds_min, fds_max;
    long tenants, journal, rows, tokens;
};

static void quarter_of(struct quarter *q, int from, int to)
{
    memset(q, 0, sizeof(*q));
    q->from = from;
    q->to = to;
    struct hist h;
    memset(&h, 0, sizeof(h));
    q->fds_min = LONG_MAX;
    q->fds_max = 0;
    for (int i = from; i < to; i++) {
        const struct sample *s = &g_samples[i];
        q->rss_kb += (double)s->rss_kb;
        hist_merge(&h, &s->api);
        q->fds_min = s->fds < q->fds_min ? s->fds : q->fds_min;
        q->fds_max = s->fds > q->fds_max ? s->fds : q->fds_max;
    }
    q->rss_kb /= (double)(to - from);
    q->p99 = hist_pct(&h, 99);
    /* The stores at the quarter's last sample. */
    const struct sample *last = &g_samples[to - 1];
    q->tenants = last->tenants;
    q->journal = last->journal;
    q->rows = last->req_rows;
    q->tokens = last->tokens;
}

/* Checks the samples are readings of a live server and a moving load. */
static int samples_sane(void)
{
    int bad = 0;
    for (int i = 0; i < g_n_samples; i++) {
        const struct sample *s = &g_samples[i];
        if (s->rss_kb <= 0 || s->fds <= 0 || s->threads <= 0 || s->calls <= 0 ||
            s->p50 > s->p99 + 1e-9 || s->p99 > s->max + 1e-9 || s->tenants < 0 || s->journal < 0) {
            printf("  insane sample at %.0f s: rss %ld KiB, fds %ld, threads %ld, calls %ld, "
                   "p50 %.2f p99 %.2f max %.2f, tenants %ld, journal %ld\n",
                   s->t_s, s->rss_kb, s->fds, s->threads, s->calls, s->p50, s->p99, s->max,
                   s->tenants, s->journal);
            bad++;
        }
    }
    return bad;
}

static double mib(double kb)
{
    return kb / 1024.0;
}

/* Prints the rules and their outcome; returns 0 when the run passes. */
static int verdict(int server_rc)
{
    int fail = 0;
    printf("\nverdict\n");
    int insane = g_n_samples < 2 ? 1 : samples_sane();
    printf("  samples: %d, %s\n", g_n_samples,
           insane ? "FAIL (fewer than 2, or some not sane)"
                  : "sane (every reading positive, "
                    "p50 <= p99 <= max, calls in "
                    "every window)");
    fail |= insane != 0;
    long unexp;
    pthread_mutex_lock(&g_stats_mu);
    unexp = g_tot.unexpected_all;
    pthread_mutex_unlock(&g_stats_mu);
    printf("  unexpected answers: %ld (of them 5xx not injected: %ld, broken transports not "
           "injected: %ld)%s\n",
           unexp, g_tot.unexpected_5xx, g_tot.unexpected_transport, unexp ? " FAIL" : " (pass)");
    fail |= unexp != 0;
    printf("  server exit: %s\n", server_rc == 0 ? "0 after SIGTERM (pass)" : "FAIL (not 0)");
    fail |= server_rc != 0;
    if (g_n_samples < 2)
        return 1;

    /* Warm-up: the first --warmup-pct of the run (at least one sample). */
    int first = 0;
    while (first < g_n_samples - 1 && g_samples[first].t_s <= opt.seconds * opt.warmup_pct / 100)
        first++;
    if (first == 0)
        first = 1;
    if (first >= g_n_samples)
        first = g_n_samples - 1;
    int n = g_n_samples - first;
    int qn = n / 4 > 0 ? n / 4 : 1;
    struct quarter q1, q4;
    quarter_of(&q1, first, first + qn);
    quarter_of(&q4, g_n_samples - qn, g_n_samples);
    long fmin = LONG_MAX, fmax = 0, tmin = LONG_MAX, tmax = 0;
    for (int i = first; i < g_n_samples; i++) {
        const struct sample *s = &g_samples[i];
        fmin = s->fds < fmin ? s->fds : fmin;
        fmax = s->fds > fmax ? s->fds : fmax;
        tmin = s->threads < tmin ? s->threads : tmin;
        tmax = s->threads > tmax ? s->threads : tmax;
    }
    int flat_fail = 0;
    printf("  flatness, over the %d samples after the warm-up (t > %.0f s; quarters of %d "
           "samples):\n",
           n, opt.seconds * opt.warmup_pct / 100, qn);

    /* Descriptors: the spread is what this tool's own connections explain (each worker,
     * fault thread, slow and idle connection may be open, reconnecting or closed at a
     * sample), and the lowest count may not climb. */
    int slack = opt.fd_slack >= 0
                    ? opt.fd_slack
                    : 4 + opt.workers + 2 * opt.fault_threads + opt.slow + opt.idle + opt.stalled;
    int fd_ok = fmax - fmin <= slack && q4.fds_min - q1.fds_min <= 2;
    printf("    descriptors: %ld..%ld, spread %ld (rule: <= %d, the tool's connections + 4); "
           "lowest %ld in the first quarter, %ld in the last (rule: climbs <= 2): %s\n",
           fmin, fmax, fmax - fmin, slack, q1.fds_min, q4.fds_min, fd_ok ? "flat" : "NOT FLAT");
    flat_fail |= !fd_ok;

    int thr_ok = tmax - tmin <= opt.thread_slack;
    printf("    threads: %ld..%ld (rule: spread <= %d): %s\n", tmin, tmax, opt.thread_slack,
           thr_ok ? "flat" : "NOT FLAT");
    flat_fail |= !thr_ok;

    /* RSS: the growth between the quarters' means, less what the stores' growth between
     * their last samples explains, must stay under the slack. */
    double growth_kb = q4.rss_kb - q1.rss_kb;
    long d_rows = q4.rows - q1.rows, d_ten = q4.tenants - q1.tenants;
    long d_jou = q4.journal - q1.journal, d_tok = q4.tokens - q1.tokens;
    double expl_kb = ((d_rows > 0 ? (double)d_rows * COST_ROW_B : 0) +
                      (d_ten > 0 ? (double)d_ten * COST_TENANT_B : 0) +
                      (d_jou > 0 ? (double)d_jou * COST_JOURNAL_B : 0) +
                      (d_tok > 0 ? (double)d_tok * COST_TOKEN_B : 0)) /
                     1024.0;
    double slack_kb = opt.rss_slack_mib * 1024.0;
    if (q1.rss_kb * 0.05 > slack_kb)
        slack_kb = q1.rss_kb * 0.05;
    double unexpl_kb = growth_kb - expl_kb;
    int rss_ok = unexpl_kb <= slack_kb;
    printf("    RSS: %.1f MiB (first quarter's mean) -> %.1f MiB (last), %+.1f MiB\n",
           mib(q1.rss_kb), mib(q4.rss_kb), mib(growth_kb));
    printf("      stores between them: request rows %+ld (x %.0f B), tenants %+ld (x %.0f B), "
           "journal entries %+ld (x %.0f B; cap %ld), live IMS tokens %+ld (x %.0f B) = "
           "%.1f MiB explained\n",
           d_rows, COST_ROW_B, d_ten, COST_TENANT_B, d_jou, COST_JOURNAL_B, opt.journal_max, d_tok,
           COST_TOKEN_B, mib(expl_kb));
    printf("      rule: growth - explained <= max(%.0f MiB, 5%% of the first quarter's RSS) = "
           "%.1f MiB; got %+.1f MiB: %s\n",
           opt.rss_slack_mib, mib(slack_kb), mib(unexpl_kb), rss_ok ? "flat" : "NOT FLAT");
    flat_fail |= !rss_ok;
    if (growth_kb >
        slack_kb) { /* Which stores grew, and why they may: what a reader needs to explain it. */
        const char *sep = " ";
        printf("      grew:");
        if (d_rows > 0) {
            printf("%srequest rows (up to --requests-max finished ones, and those In Progress)",
                   sep);
            sep = "; ";
        }
        if (d_ten > 0) {
            printf("%stenants (every new name is kept, up to --tenants-max)", sep);
            sep = "; ";
        }
        if (d_jou > 0) {
            printf("%sjournal (not yet at its cap)", sep);
            sep = "; ";
        }
        if (d_tok > 0)
            printf("%sIMS tokens (kept until they expire on the server clock, up to --tokens-max)",
                   sep);
        printf("\n");
    }

    int p99_ok = q4.p99 <= opt.p99_factor * q1.p99 + opt.p99_floor_ms;
    printf("    API p99: %.2f ms (first quarter) -> %.2f ms (last) (rule: last <= %.1f x first "
           "+ %.1f ms = %.2f ms): %s\n",
           q1.p99, q4.p99, opt.p99_factor, opt.p99_floor_ms,
           opt.p99_factor * q1.p99 + opt.p99_floor_ms, p99_ok ? "flat" : "NOT FLAT");
    flat_fail |= !p99_ok;
    if (flat_fail && opt.flat_advisory)
        printf("  flatness: NOT FLAT, not enforced (--flat-advisory)\n");
    else if (flat_fail)
        printf("  flatness: NOT FLAT\n");
    else
        printf("  flatness: flat\n");
    if (!opt.flat_advisory)
        fail |= flat_fail;
    return fail;
}

static void print_totals(void)
{
    pthread_mutex_lock(&g_stats_mu);
    printf("\ncalls by endpoint (unexpected answers in brackets)\n");
    int col = 0;
    for (int i = 0; i < EP_COUNT; i++) {
        if (!g_tot.calls[i] && !g_tot.unexpected[i])
            continue;
        char cell[64];
        snprintf(cell, sizeof(cell), "%s %ld", EP_NAMES[i], g_tot.calls[i]);
        if (g_tot.unexpected[i])
            printf("  %-28s [%ld]", cell, g_tot.unexpected[i]);
        else
            printf("  %-28s    ", cell);
        if (++col % 3 == 0)
            printf("\n");
    }
    if (col % 3)
        printf("\n");
    printf("faults seen as expected:");
    for (int k = 0; k < FK_COUNT; k++)
        printf(" %s %ld%s", FK_NAMES[k], g_tot.injected[k], k + 1 < FK_COUNT ? "," : "\n");
    printf("raw connections: %ld bytes sent byte by byte; %ld idle keep-alives held %.1f s on "
           "average; %ld stalled requests answered 408 after %.1f s on average\n",
           g_tot.slow_bytes, g_tot.idle_holds,
           g_tot.idle_holds ? g_tot.idle_held_s / (double)g_tot.idle_holds : 0.0, g_tot.stalls,
           g_tot.stalls ? g_tot.stall_s / (double)g_tot.stalls : 0.0);
    if (g_tot.n_examples) {
        printf("first unexpected answers:\n");
        for (int i = 0; i < g_tot.n_examples; i++)
            printf("  %s\n", g_tot.examples[i]);
    }
    pthread_mutex_unlock(&g_stats_mu);
}

/* The server's log lines (warnings and errors: it runs at --log-level warn). */
static void print_server_log(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    long n = 0;
    while (fgets(line, sizeof(line), f)) {
        if (n < 5)
            printf("  %s", line);
        n++;
    }
    fclose(f);
    printf("server log (%s): %ld line(s) at warn or error%s\n", path, n,
           n > 5 ? " (first 5 above)" : "");
}

/* --- options and main -------------------------------------------------------------- */

static const char USAGE[] =
    "usage: soak-campaign-mock [--seconds N | --minutes N] [--sample S] [--rate N]\n"
    "         [--workers N] [--fault-threads N] [--slow N] [--idle N] [--stalled N]\n"
    "         [--request-timeout S] [--token-s S]\n"
    "         [--db PATH] [--clock manual|real] [--auth strict|presence] [--journal-max N]\n"
    "         [--mock PATH] [--fixtures PATH]... [--seed N] [--csv PATH] [--server-log PATH]\n"
    "         [--warmup-pct P] [--p99-factor K] [--p99-floor-ms MS] [--rss-slack-mib M]\n"
    "         [--fd-slack N] [--thread-slack N] [--flat-advisory]\n";

static int parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_options(int argc, char **argv)
{
    const char *env = getenv("CAMPAIGN_MOCK_BIN");
    if (env && *env)
        snprintf(opt.mock, sizeof(opt.mock), "%s", env);
    else
        load_sibling(opt.mock, sizeof(opt.mock), "campaign-mock");
    opt.db = ":memory:";
    opt.server_log = "soak-server.log";
    opt.clock_manual = 1;
    opt.auth_strict = 1;
    opt.seconds = 3600;
    opt.sample_s = 10;
    /* About 0.2 of a core of this tool (some 100 us per call) and 0.4 of the server's
     * on the reference 2-core VM: far from pegging either core. */
    opt.rate = 2000;
    opt.token_s = 30;
    opt.workers = 4;
    opt.fault_threads = 2;
    opt.slow = 2;
    opt.idle = 4;
    opt.stalled = 1;
    opt.request_timeout_s = 30;
    opt.journal_max = 20000;
    opt.seed = 1;
    opt.warmup_pct = 10;
    opt.p99_factor = 3;
    opt.p99_floor_ms = 2;
    opt.rss_slack_mib = 8;
    opt.fd_slack = -1;
    opt.thread_slack = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--flat-advisory") == 0) {
            opt.flat_advisory = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return -1;
        const char *v = i + 1 < argc ? argv[++i] : NULL;
        long n;
        double d;
        if (!v)
            return -1;
        if (strcmp(a, "--seconds") == 0 && parse_double(v, 1, 7 * 86400, &d) == 0)
            opt.seconds = d;
        else if (strcmp(a, "--minutes") == 0 && parse_double(v, 0.05, 7 * 1440, &d) == 0)
            opt.seconds = d * 60;
        else if (strcmp(a, "--sample") == 0 && parse_double(v, 1, 3600, &d) == 0)
            opt.sample_s = d;
        else if (strcmp(a, "--rate") == 0 && parse_double(v, 1, 100000, &d) == 0)
            opt.rate = d;
        else if (strcmp(a, "--token-s") == 0 && parse_double(v, 1, 3600, &d) == 0)
            opt.token_s = d;
        else if (strcmp(a, "--workers") == 0 && parse_int(v, 1, WORKERS_MAX, &n) == 0)
            opt.workers = (int)n;
        else if (strcmp(a, "--fault-threads") == 0 && parse_int(v, 0, FAULTS_MAX, &n) == 0)
            opt.fault_threads = (int)n;
        else if (strcmp(a, "--slow") == 0 && parse_int(v, 0, RAW_MAX / 2, &n) == 0)
            opt.slow = (int)n;
        else if (strcmp(a, "--idle") == 0 && parse_int(v, 0, RAW_MAX / 2, &n) == 0)
            opt.idle = (int)n;
        else if (strcmp(a, "--stalled") == 0 && parse_int(v, 0, 4, &n) == 0)
            opt.stalled = (int)n;
        else if (strcmp(a, "--request-timeout") == 0 && parse_double(v, 1, 3600, &d) == 0)
            opt.request_timeout_s = d;
        else if (strcmp(a, "--db") == 0)
            opt.db = v;
        else if (strcmp(a, "--clock") == 0 && (!strcmp(v, "manual") || !strcmp(v, "real")))
            opt.clock_manual = strcmp(v, "manual") == 0;
        else if (strcmp(a, "--auth") == 0 && (!strcmp(v, "strict") || !strcmp(v, "presence")))
            opt.auth_strict = strcmp(v, "strict") == 0;
        else if (strcmp(a, "--journal-max") == 0 && parse_int(v, 1, 10000000, &n) == 0)
            opt.journal_max = n;
        else if (strcmp(a, "--mock") == 0)
            snprintf(opt.mock, sizeof(opt.mock), "%s", v);
        else if (strcmp(a, "--fixtures") == 0 && opt.n_fixtures < FIXTURES_MAX)
            opt.fixtures[opt.n_fixtures++] = v;
        else if (strcmp(a, "--seed") == 0 && parse_int(v, 0, LONG_MAX, &n) == 0)
            opt.seed = (unsigned long)n;
        else if (strcmp(a, "--csv") == 0)
            opt.csv = v;
        else if (strcmp(a, "--server-log") == 0)
            opt.server_log = v;
        else if (strcmp(a, "--warmup-pct") == 0 && parse_double(v, 0, 90, &d) == 0)
            opt.warmup_pct = d;
        else if (strcmp(a, "--p99-factor") == 0 && parse_double(v, 1, 1000, &d) == 0)
            opt.p99_factor = d;
        else if (strcmp(a, "--p99-floor-ms") == 0 && parse_double(v, 0, 60000, &d) == 0)
            opt.p99_floor_ms = d;
        else if (strcmp(a, "--rss-slack-mib") == 0 && parse_double(v, 0, 1e6, &d) == 0)
            opt.rss_slack_mib = d;
        else if (strcmp(a, "--fd-slack") == 0 && parse_int(v, 0, 100000, &n) == 0)
            opt.fd_slack = (int)n;
        else if (strcmp(a, "--thread-slack") == 0 && parse_int(v, 0, 1000, &n) == 0)
            opt.thread_slack = (int)n;
        else
            return -1;
    }
    if (opt.n_fixtures == 0) {
        /* The bundled fixtures (template tenant "*") and the README's IMS clients. */
        static char bundled[PATH_MAX], clients[PATH_MAX];
        snprintf(bundled, sizeof(bundled), "%s/fixtures/acs-docs.json", SOAK_SOURCE_DIR);
        snprintf(clients, sizeof(clients), "%s/tests/docs/clients.json", SOAK_SOURCE_DIR);
        opt.fixtures[opt.n_fixtures++] = bundled;
        opt.fixtures[opt.n_fixtures++] = clients;
    }
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

static int start_server(struct proc *p)
{
    char jm[32], seed[32], rt[32];
    snprintf(jm, sizeof(jm), "%ld", opt.journal_max);
    snprintf(rt, sizeof(rt), "%.0f", opt.request_timeout_s);
    snprintf(seed, sizeof(seed), "%lu", opt.seed);
    const char *argv[64];
    int n = 0;
    argv[n++] = opt.mock;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--db";
    argv[n++] = opt.db;
    argv[n++] = "--auth";
    argv[n++] = opt.auth_strict ? "strict" : "presence";
    argv[n++] = "--clock";
    argv[n++] = opt.clock_manual ? "manual" : "real";
    argv[n++] = "--journal-max";
    argv[n++] = jm;
    argv[n++] = "--requests-max";
    argv[n++] = REQUESTS_MAX_TEXT;
    argv[n++] = "--seed";
    argv[n++] = seed;
    argv[n++] = "--request-timeout";
    argv[n++] = rt;
    /* One line per request would be millions of lines: warnings and errors only. */
    argv[n++] = "--log-level";
    argv[n++] = "warn";
    for (int i = 0; i < opt.n_fixtures; i++) {
        argv[n++] = "--fixtures";
        argv[n++] = opt.fixtures[i];
    }
    argv[n] = NULL;
    FILE *f = fopen(opt.server_log, "w"); /* this run's lines only */
    if (f)
        fclose(f);
    printf("server: %s", opt.mock);
    for (int i = 1; i < n; i++)
        printf(" %s", argv[i]);
    printf("\n");
    return proc_start(p, argv, opt.server_log, 10000);
}

int main(int argc, char **argv)
{
    if (parse_options(argc, argv) < 0) {
        fputs(USAGE, stderr);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "soak: curl_global_init failed\n");
        return 1;
    }
    struct proc server;
    if (start_server(&server) < 0) {
        fprintf(stderr, "soak: %s did not start (its stderr: %s)\n", opt.mock, opt.server_log);
        curl_global_cleanup();
        return 1;
    }
    g_port = server.port;
    g_server_pid = server.pid;
    int max_samples = (int)(opt.seconds / opt.sample_s) + 2;
    if (max_samples > SAMPLES_MAX)
        max_samples = SAMPLES_MAX;
    g_samples = calloc((size_t)max_samples, sizeof(*g_samples));
    static struct worker workers[WORKERS_MAX];
    static struct faulter faulters[FAULTS_MAX];
    static struct client control, sampler;
    int rc = 1;
    if (!g_samples)
        goto stop_server;

    /* The server clock at the start: a manual one only moves when told. */
    client_init(&sampler, opt.seed, 0);
    if (http(&sampler, EP_SAMPLER, "GET", 200, NULL, "/_mock/clock") == 0) {
        cJSON *doc = cJSON_Parse(sampler.body.p);
        const cJSON *now = cJSON_GetObjectItemCaseSensitive(doc, "nowMs");
        if (cJSON_IsNumber(now)) {
            atomic_store(&g_clock_ms, (long long)now->valuedouble);
            atomic_store(&g_clock_base_ms, (long long)now->valuedouble);
        }
        cJSON_Delete(doc);
    }
    printf("soak: %.0f s on port %d, samples every %.0f s; %.0f calls/s from %d workers and the "
           "control thread, %d fault threads, %d slow, %d idle and %d stalled connections; db "
           "%s, auth %s, clock %s, journal cap %ld\n",
           opt.seconds, g_port, opt.sample_s, opt.rate, opt.workers, opt.fault_threads, opt.slow,
           opt.idle, opt.stalled, opt.db, opt.auth_strict ? "strict" : "presence",
           opt.clock_manual ? "manual" : "real", opt.journal_max);

    g_t0_ms = load_now_ms();
    double per_worker = opt.rate * (1 - CONTROL_SHARE) / opt.workers;
    int started_w = 0, started_f = 0, started_c = 0, started_r = 0;
    pthread_t control_thread, raw_thread;
    for (int i = 0; i < opt.workers; i++) {
        workers[i].index = i;
        if (client_init(&workers[i].c, opt.seed * 1000 + (unsigned)i, per_worker) < 0 ||
            pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
            break;
        started_w++;
    }
    if (client_init(&control, opt.seed * 1000 + 500, opt.rate * CONTROL_SHARE) == 0 &&
        pthread_create(&control_thread, NULL, control_main, &control) == 0)
        started_c = 1;
    for (int i = 0; i < opt.fault_threads; i++) {
        struct faulter *f = &faulters[i];
        f->index = i;
        snprintf(f->tenant, sizeof(f->tenant), "soak-faults-%d", i);
        f->tenant_idx = reg_add(f->tenant, T_PRIVATE);
        if (f->tenant_idx < 0 || client_init(&f->c, opt.seed * 1000 + 700 + (unsigned)i, 0) < 0 ||
            pthread_create(&f->thread, NULL, fault_main, f) != 0)
            break;
        started_f++;
    }
    int raws = opt.slow + opt.idle + opt.stalled;
    if (raws > 0 && pthread_create(&raw_thread, NULL, raw_main, NULL) == 0)
        started_r = 1;
    if (started_w < opt.workers || !started_c || started_f < opt.fault_threads ||
        (raws > 0 && !started_r)) {
        fprintf(stderr, "soak: cannot start the client threads\n");
        atomic_store(&g_stop, 1);
    }

    FILE *csv = NULL;
    if (opt.csv) {
        csv = fopen(opt.csv, "w");
        if (!csv)
            fprintf(stderr, "soak: cannot write %s: %s\n", opt.csv, strerror(errno));
        else
            fprintf(csv, "time_s,rss_kb,fds,threads,server_cpu_pct,client_cpu_pct,calls,"
                         "calls_per_s,api_p50_ms,api_p99_ms,api_max_ms,control_p99_ms,unexpected,"
                         "faults_injected,tenants,journal_entries,in_progress,request_rows,"
                         "live_tokens\n");
    }
    print_header();
    double last_ms = g_t0_ms, last_srv = proc_cpu_ms(server.pid), last_cli = cpu_self_ms();
    int died = 0;
    for (int k = 1; !stopping() && g_n_samples < max_samples; k++) {
        double at = g_t0_ms + (double)k * opt.sample_s * 1e3;
        if (at > g_t0_ms + opt.seconds * 1e3 + 1)
            break;
        nap_ms(at - load_now_ms());
        if (stopping())
            break;
        struct sample *s = &g_samples[g_n_samples];
        double now = load_now_ms(), srv = proc_cpu_ms(server.pid), cli = cpu_self_ms();
        double wall = now - last_ms;
        pthread_mutex_lock(&g_stats_mu);
        struct window w = g_win;
        memset(&g_win, 0, sizeof(g_win));
        pthread_mutex_unlock(&g_stats_mu);
        s->t_s = (now - g_t0_ms) / 1e3;
        if (!server_alive()) {
            died = 1;
            printf("soak: the server died at %.0f s\n", s->t_s);
            break;
        }
        s->rss_kb = proc_status_kb(server.pid, "VmRSS");
        s->threads = proc_status_kb(server.pid, "Threads");
        s->fds = count_fds(server.pid);
        s->srv_cpu_pct = wall > 0 ? (srv - last_srv) / wall * 100 : 0;
        s->cli_cpu_pct = wall > 0 ? (cli - last_cli) / wall * 100 : 0;
        s->calls = w.calls;
        s->unexpected = w.unexpected;
        s->injected = w.injected;
        s->rate = wall > 0 ? (double)w.calls / wall * 1e3 : 0;
        s->p50 = hist_pct(&w.api, 50);
        s->p99 = hist_pct(&w.api, 99);
        s->max = w.api.max;
        s->ctl_p99 = hist_pct(&w.ctl, 99);
        s->api = w.api;
        long created, deleted;
        reg_counts(&s->tokens, &s->req_rows, &created, &deleted);
        sample_stores(&sampler, s);
        last_ms = now;
        last_srv = srv;
        last_cli = cli;
        g_n_samples++;
        print_sample(s);
        if (csv)
            csv_sample(csv, s);
    }
    atomic_store(&g_stop, 1);
    for (int i = 0; i < started_w; i++)
        pthread_join(workers[i].thread, NULL);
    if (started_c)
        pthread_join(control_thread, NULL);
    for (int i = 0; i < started_f; i++)
        pthread_join(faulters[i].thread, NULL);
    if (started_r)
        pthread_join(raw_thread, NULL);
    if (csv)
        fclose(csv);
    if (g_interrupted)
        printf("soak: interrupted after %.0f s\n", (load_now_ms() - g_t0_ms) / 1e3);

    /* Every call this tool completed, as the server counted it (its own metrics call is
     * counted after it answers, so not in its text). */
    long made = 0;
    pthread_mutex_lock(&g_stats_mu);
    for (int i = 0; i < EP_COUNT; i++)
        made += g_tot.calls[i];
    pthread_mutex_unlock(&g_stats_mu);
    long counted = -1;
    if (!died && http(&sampler, EP_SAMPLER, "GET", 200, NULL, "/_mock/metrics") == 0)
        counted = metric_sum(sampler.body.p, "campaign_mock_requests_total{");

    long tokens, rows, created, deleted;
    reg_counts(&tokens, &rows, &created, &deleted);
    print_totals();
    if (counted >= 0)
        printf("calls the server counted (campaign_mock_requests_total): %ld; calls this tool "
               "completed: %ld%s\n",
               counted, made, counted == made ? " (equal)" : " (they differ: see the report)");
    printf("tenants this run created %ld (deleted %ld, reset %ld); request rows now %ld; IMS "
           "tokens issued %zu, %ld of them live on the server clock\n",
           created, deleted, g_reg.resets, rows, g_reg.n_tokens, tokens);
    for (int i = 0; i < started_w; i++)
        client_free(&workers[i].c);
    for (int i = 0; i < started_f; i++)
        client_free(&faulters[i].c);
    client_free(&control);
    client_free(&sampler);
    int server_rc = proc_stop(&server);
    if (died)
        server_rc = -1;
    print_server_log(opt.server_log);
    rc = verdict(server_rc);
    printf("\nsoak: %s\n", rc ? "FAIL" : "PASS");
    free(g_samples);
    free(g_reg.t);
    free(g_reg.tokens);
    curl_global_cleanup();
    return rc ? 1 : 0;
stop_server:
    proc_stop(&server);
    curl_global_cleanup();
    return rc;
}
