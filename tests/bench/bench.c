/*
 * bench-campaign-mock: speed and memory of campaign-mock as ratios against a reference
 * measured in the same run (these machines are noisy, so absolute numbers mean little
 * and timed tests are forbidden). The reference is bench-reference-server: bare
 * libmicrohttpd with campaign-mock's daemon flags answering a fixed body, i.e. the
 * floor of what any server on MHD costs here, now.
 *
 * Runs, all against 127.0.0.1:
 *   - start-up to the ready line, both servers, alternated, median of --starts;
 *   - instructions per call, counted by valgrind's callgrind (exact where timings are
 *     noise): each server under `valgrind --tool=callgrind` answers N1, then in a new
 *     process N2, requests on one keep-alive connection, and stops on SIGTERM; the
 *     count per call is (I(N2) - I(N1)) / (N2 - N1), so start-up, set-up and shutdown
 *     cancel out. Workloads status-poll (GET of a finished request) and trigger (POST
 *     on the mapping NOW of tenant bench, which succeeds at once, so that every POST
 *     makes a new request), for the reference and for campaign-mock on :memory: and on
 *     a file in a fresh directory per process. Skipped, with a note, when valgrind is
 *     not on PATH and under --quick (unless --cg-requests is given);
 *   - per database (:memory:, then a file), at each connection count of --conns (32
 *     and 128): the workloads status-poll, trigger (as above), trigger-cycle (POST on
 *     a template tenant per connection, then GETs until terminal), control-full (GET
 *     /_mock/journal/count on the journal the first three left, with 1/100 of the
 *     requests: it reads the whole journal) and control-empty (the same after DELETE
 *     /_mock/journal), each run --reps times alternating reference and campaign-mock,
 *     medians of requests/s, p50 and p99 latency, the server's CPU time per request
 *     and its CPU share (CPU time over the run's wall time, 200% = two cores busy);
 *     then the peak RSS (VmHWM) of both servers after the load;
 *   - the journal cap: campaign-mock with --journal-max CAP on :memory: takes 1.5 CAP
 *     polls; its RSS at CAP/2, CAP and 1.5 CAP calls shows whether memory stops
 *     growing at the cap.
 * Prints a table and writes bench-results.json (or --json PATH). Sanity checks (every
 * answer 200, numbers present and positive, instruction counts growing with the calls,
 * journal capped) are counted like a test's and closed by "N passed, N failed";
 * nothing is asserted about speed.
 *
 * Usage: bench-campaign-mock [--quick] [--mock PATH] [--ref PATH] [--conns N[,N...]]
 *        [--reps N] [--requests N] [--cycle-requests N] [--starts N] [--journal-max N]
 *        [--cg-requests N1,N2 | 0] [--json PATH] [--server-log PATH]
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "load.h"

CHECK_DEFINE_COUNTERS;

/* Set-up calls, runs and starts are bounded: a run that takes longer than this is
 * broken, not slow (the full bench's longest run takes a few seconds). */
#define RUN_TIMEOUT_S    60.0
#define START_TIMEOUT_MS 10000.0
#define REPS_MAX         15
#define STARTS_MAX       100
/* Under callgrind a server runs some 50 times slower: its start-up (the ready line) and
 * its runs get these instead. */
#define CG_START_TIMEOUT_MS 60000.0
#define CG_RUN_TIMEOUT_S    600.0
/* --conns takes a short list: each count multiplies the bench's time. */
#define CONNS_MAX 4
#define WORKLOADS 5
/* Every workload at every connection count, on both databases. */
#define RESULTS_MAX (2 * CONNS_MAX * WORKLOADS)

/* The mapping every trigger POST succeeds on at once (see now_mapping). */
#define TRIGGER_PATH "/bench/campaign/dataIngestion/xdmIngestion/NOW/ingest"

struct options {
    int quick;
    char mock[PATH_MAX];
    char ref[PATH_MAX];
    char valgrind[PATH_MAX]; /* "" when valgrind is not on PATH */
    int conns[CONNS_MAX];    /* the connection counts of the load runs */
    int n_conns;
    int reps;
    long requests;   /* per run, polls and control reads */
    long cycle_reqs; /* per run, trigger+poll cycles (3 requests per cycle) */
    int starts;
    long journal_max;  /* the cap of the journal-fill measure */
    long cg_n1, cg_n2; /* requests of the two callgrind runs; 0: no callgrind */
    const char *json;
    /* Where the servers' stderr goes (NULL: /dev/null). The smoke test keeps it, so that
     * a sanitizer report of campaign-mock is not lost. */
    const char *server_log;
};

struct stats {
    double rps, p50, p99;
    double cpu_us;  /* the server's CPU time (user + system, all threads) per request */
    double cpu_pct; /* that CPU time over the run's wall time, in % (200: two cores) */
    long requests, errors, cycles;
};

struct ratios {
    double rps, p50, p99, cpu_us, cpu_pct;
};

struct workload_result {
    const char *name;
    const char *db;
    int conns;
    long journal_rows; /* LOAD_CONTROL: the journal's size while it was counted */
    struct stats ref, mock;
    struct ratios ratio; /* mock / reference */
};

struct memory_result {
    const char *db;
    long ref_hwm_kb, ref_rss_kb;
    long mock_hwm_kb;     /* after the load, before DELETE /_mock/journal */
    long mock_hwm_end_kb; /* at the end, after the DELETE and the last workload */
    long mock_rss_kb;
};

struct fill_point {
    long calls, rss_kb, hwm_kb, journal_count;
};

/* One server's instruction counts (callgrind's total, all threads) after N1 and N2
 * requests; -1 when a run failed. */
struct cg_count {
    long long ir1, ir2;
    double per_call; /* (ir2 - ir1) / (N2 - N1); 0 when unknown */
};

enum cg_server { CG_REF, CG_MOCK_MEMORY, CG_MOCK_FILE, CG_SERVERS };

struct cg_result {
    const char *name;
    struct cg_count c[CG_SERVERS];
};

struct results {
    double start_ref_ms, start_mock_ms;
    struct cg_result cg[2];
    int n_cg;
    const char *cg_note; /* why callgrind did not run; NULL when it did */
    struct workload_result w[RESULTS_MAX];
    int n_w;
    struct memory_result mem[2];
    int n_mem;
    struct fill_point fill[3];
    int n_fill;
    double seconds;
};

static const char *const WORKLOAD_NAMES[WORKLOADS] = {"status-poll", "trigger", "trigger-cycle",
                                                      "control-full", "control-empty"};
static const char *const CG_SERVER_NAMES[CG_SERVERS] = {"reference", "mock :memory:", "mock file"};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

/* --- servers ------------------------------------------------------------------------ */

static int start_ref(struct proc *p, const struct options *o)
{
    const char *argv[] = {o->ref, "--port", "0", NULL};
    return proc_start(p, argv, o->server_log, START_TIMEOUT_MS);
}

static int start_mock(struct proc *p, const struct options *o, const char *db, long journal_max)
{
    char jm[32];
    snprintf(jm, sizeof(jm), "%ld", journal_max);
    const char *argv[] = {o->mock, "--port", "0", "--db", db, "--journal-max", jm, NULL};
    return proc_start(p, argv, o->server_log, START_TIMEOUT_MS);
}

/* Triggers acme/XDM44 (success after one In Progress poll) and polls it to its end:
 * the finished request the status-poll workload reads. Returns its id, or -1. */
static long long finished_request(int port)
{
    static const char path[] = "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest";
    char body[4096], url[256];
    int st = load_call(port, "POST", path, body, sizeof(body));
    long long rid = load_body_request_id(body);
    CHECK(st == 200 && rid > 0, "set-up trigger: %d %s", st, body);
    if (st != 200 || rid <= 0)
        return -1;
    snprintf(url, sizeof(url), "%s?requestId=%lld", path, rid);
    for (int i = 0; i < 5; i++) { /* afterPolls 1: the second poll is the last */
        st = load_call(port, "GET", url, body, sizeof(body));
        if (st != 200)
            break;
        if (strstr(body, "\"status\": \"Success\""))
            return rid;
    }
    CHECK(0, "set-up request %lld never succeeded: %d %s", rid, st, body);
    return -1;
}

/* Creates the mapping NOW of tenant bench (made from the template tenant on first use):
 * published, stopped, every request a success at its first poll, so that a trigger is
 * never refused as "already in progress" and each POST of the trigger workload makes a
 * new request. Checks that two POSTs in a row are both submitted. Returns 0 or -1. */
static int now_mapping(int port)
{
    static const char mapping[] = "{\"id\":\"NOW\",\"published\":true,\"started\":false,"
                                  "\"defaultOutcome\":{\"outcome\":\"success\",\"afterPolls\":0}}";
    char body[4096];
    int st = load_call_body(port, "PUT", "/_mock/tenants/bench/mappings/NOW", "application/json",
                            mapping, body, sizeof(body));
    CHECK(st == 200 || st == 201, "PUT mapping NOW: %d %s", st, body);
    if (st != 200 && st != 201)
        return -1;
    for (int i = 0; i < 2; i++) {
        st = load_call(port, "POST", TRIGGER_PATH, body, sizeof(body));
        int ok = st == 200 && strstr(body, "\"Ingestion request submitted successfully") != NULL;
        CHECK(ok, "set-up trigger %d of NOW: %d %s", i + 1, st, body);
        if (!ok)
            return -1;
    }
    return 0;
}

static long journal_count(int port)
{
    char body[256];
    int st = load_call(port, "GET", "/_mock/journal/count", body, sizeof(body));
    const char *p = strstr(body, "\"count\":");
    return st == 200 && p ? strtol(p + 8, NULL, 10) : -1;
}

/* --- one workload ------------------------------------------------------------------- */

static int run_one(struct load_result *r, int port, enum load_kind kind, long requests,
                   const char *path, const char *tenant_prefix, int follow, int conns)
{
    struct load_spec spec = {
        .port = port,
        .conns = conns,
        .requests = requests,
        .kind = kind,
        .path = path,
        .tenant_prefix = tenant_prefix,
        .follow_bodies = follow,
        .timeout_s = RUN_TIMEOUT_S,
    };
    int rc = load_run(r, &spec);
    if (r->errors)
        fprintf(stderr, "bench: %ld errors on port %d, first: %s\n", r->errors, port,
                r->first_error);
    return rc;
}

/* One measured run of one server; its figures into out, its counts added to acc. */
struct sample {
    double rps, p50, p99, cpu_us, cpu_pct;
};

static void run_sampled(struct sample *out, struct stats *acc, struct load_result *r,
                        const struct proc *p, enum load_kind kind, long requests, const char *path,
                        const char *prefix, int follow, int conns)
{
    double cpu0 = proc_cpu_ms(p->pid);
    run_one(r, p->port, kind, requests, path, prefix, follow, conns);
    double cpu = proc_cpu_ms(p->pid) - cpu0;
    out->rps = r->rps, out->p50 = r->p50_ms, out->p99 = r->p99_ms;
    out->cpu_us = r->done > 0 ? cpu * 1e3 / (double)r->done : 0;
    out->cpu_pct = r->seconds > 0 ? 100.0 * cpu / (r->seconds * 1e3) : 0;
    acc->requests += r->done, acc->errors += r->errors, acc->cycles += r->cycles;
}

/* Reference and campaign-mock alternately, reps times each. Each figure is the median
 * over the runs; each ratio is the median of the runs' pairwise ratios (a pair ran
 * back to back, so it saw the same machine), which tames noise better than a ratio
 * of medians. */
static void run_workload(struct workload_result *w, const struct options *o, int db_index,
                         enum load_kind kind, long requests, const struct proc *ref,
                         const struct proc *mock, const char *path)
{
    struct sample rs[REPS_MAX], ms[REPS_MAX];
    double v[5][REPS_MAX];
    char prefix[64];
    struct load_result r;
    int conns = w->conns;
    /* Warm-up (not counted): page cache, SQLite's page cache, the allocator's arenas. */
    long warm = requests / 10 > 5 ? requests / 10 : 5;
    snprintf(prefix, sizeof(prefix), "bw%dk%dn%dc", db_index, (int)kind, conns);
    run_one(&r, ref->port, kind, warm, path, prefix, 0, conns);
    run_one(&r, mock->port, kind, warm, path, prefix, 1, conns);
    memset(&w->ref, 0, sizeof(w->ref));
    memset(&w->mock, 0, sizeof(w->mock));
    for (int rep = 0; rep < o->reps; rep++) {
        /* A fresh tenant per run and connection: each cycle run starts from the template. */
        snprintf(prefix, sizeof(prefix), "bd%dk%dn%dr%dc", db_index, (int)kind, conns, rep);
        run_sampled(&rs[rep], &w->ref, &r, ref, kind, requests, path, prefix, 0, conns);
        CHECK(!r.timed_out && r.done == requests, "%s reference run %d: %ld of %ld answered",
              w->name, rep, r.done, requests);
        run_sampled(&ms[rep], &w->mock, &r, mock, kind, requests, path, prefix, 1, conns);
        CHECK(!r.timed_out && r.done == requests, "%s campaign-mock run %d: %ld of %ld answered",
              w->name, rep, r.done, requests);
    }
    struct stats *st[2] = {&w->ref, &w->mock};
    struct sample *smp[2] = {rs, ms};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < o->reps; i++) {
            v[0][i] = smp[k][i].rps, v[1][i] = smp[k][i].p50;
            v[2][i] = smp[k][i].p99, v[3][i] = smp[k][i].cpu_us;
            v[4][i] = smp[k][i].cpu_pct;
        }
        st[k]->rps = median(v[0], o->reps), st[k]->p50 = median(v[1], o->reps);
        st[k]->p99 = median(v[2], o->reps), st[k]->cpu_us = median(v[3], o->reps);
        st[k]->cpu_pct = median(v[4], o->reps);
    }
    for (int i = 0; i < o->reps; i++) {
        v[0][i] = ratio(ms[i].rps, rs[i].rps), v[1][i] = ratio(ms[i].p50, rs[i].p50);
        v[2][i] = ratio(ms[i].p99, rs[i].p99), v[3][i] = ratio(ms[i].cpu_us, rs[i].cpu_us);
        v[4][i] = ratio(ms[i].cpu_pct, rs[i].cpu_pct);
    }
    w->ratio.rps = median(v[0], o->reps), w->ratio.p50 = median(v[1], o->reps);
    w->ratio.p99 = median(v[2], o->reps), w->ratio.cpu_us = median(v[3], o->reps);
    w->ratio.cpu_pct = median(v[4], o->reps);
    CHECK(w->ref.errors == 0 && w->mock.errors == 0, "%s on %s: %ld reference errors, %ld mock",
          w->name, w->db, w->ref.errors, w->mock.errors);
    CHECK(w->ref.rps > 0 && w->mock.rps > 0, "%s on %s: no throughput", w->name, w->db);
    CHECK(w->mock.p50 > 0 && w->mock.p50 <= w->mock.p99, "%s on %s: mock p50 %.3f p99 %.3f",
          w->name, w->db, w->mock.p50, w->mock.p99);
    CHECK(w->ref.p50 > 0 && w->ref.p50 <= w->ref.p99, "%s on %s: reference p50 %.3f p99 %.3f",
          w->name, w->db, w->ref.p50, w->ref.p99);
    CHECK(w->mock.cpu_us >= 0 && w->ref.cpu_us >= 0 && w->mock.cpu_pct >= 0 && w->ref.cpu_pct >= 0,
          "%s on %s: CPU time unreadable", w->name, w->db);
    if (kind == LOAD_CYCLE)
        CHECK(w->mock.cycles > 0, "%s on %s: no cycle reached a terminal status", w->name, w->db);
}

/* All workloads on one database, each at every connection count, then the peak RSS of
 * both servers. */
static void run_db(struct results *res, const struct options *o, int db_index, const char *db,
                   const char *db_label)
{
    struct proc ref, mock;
    int ref_ok = start_ref(&ref, o) == 0;
    int mock_ok = start_mock(&mock, o, db, 100000) == 0;
    CHECK(ref_ok, "the reference server did not start: %s", o->ref);
    CHECK(mock_ok, "campaign-mock did not start: %s --db %s", o->mock, db);
    if (!ref_ok || !mock_ok)
        goto stop;
    long long rid = finished_request(mock.port);
    if (rid < 0 || now_mapping(mock.port) < 0)
        goto stop;
    char poll_path[256];
    snprintf(poll_path, sizeof(poll_path),
             "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest?requestId=%lld", rid);
    /* The journal count reads the whole journal (see the report), so its cost grows
     * with the journal: it is measured once on the journal the load above left, with
     * few requests to stay within the bench's time, then on an emptied journal, where
     * it is the cost of the control path itself. */
    const enum load_kind kinds[WORKLOADS] = {LOAD_POLL, LOAD_TRIGGER, LOAD_CYCLE, LOAD_CONTROL,
                                             LOAD_CONTROL};
    const char *const paths[WORKLOADS] = {poll_path, TRIGGER_PATH, NULL, NULL, NULL};
    long mem_load_kb = -1;
    const long counts[WORKLOADS] = {o->requests, o->requests, o->cycle_reqs,
                                    o->requests / 100 > 20 ? o->requests / 100 : 20, o->requests};
    for (int k = 0; k < WORKLOADS; k++) {
        if (k == 4) {
            /* Clearing a big journal has its own peak (see the report): the load's is
             * taken before it. */
            mem_load_kb = proc_status_kb(mock.pid, "VmHWM");
            char body[256];
            int st = load_call(mock.port, "DELETE", "/_mock/journal", body, sizeof(body));
            CHECK(st == 200 || st == 204, "DELETE /_mock/journal: %d %s", st, body);
        }
        for (int c = 0; c < o->n_conns; c++) {
            assert(res->n_w < RESULTS_MAX);
            struct workload_result *w = &res->w[res->n_w++];
            w->name = WORKLOAD_NAMES[k];
            w->db = db_label;
            w->conns = o->conns[c];
            w->journal_rows = kinds[k] == LOAD_CONTROL ? journal_count(mock.port) : -1;
            fprintf(stderr, "bench: %s on %s, %d connections...\n", w->name, db_label, w->conns);
            run_workload(w, o, db_index, kinds[k], counts[k], &ref, &mock, paths[k]);
        }
    }
    struct memory_result *m = &res->mem[res->n_mem++];
    m->db = db_label;
    m->ref_hwm_kb = proc_status_kb(ref.pid, "VmHWM");
    m->mock_hwm_kb = mem_load_kb;
    m->mock_hwm_end_kb = proc_status_kb(mock.pid, "VmHWM");
    m->ref_rss_kb = proc_status_kb(ref.pid, "VmRSS");
    m->mock_rss_kb = proc_status_kb(mock.pid, "VmRSS");
    CHECK(m->ref_hwm_kb > 0 && m->mock_hwm_kb > 0, "peak RSS unreadable: %ld %ld", m->ref_hwm_kb,
          m->mock_hwm_kb);
stop:
    if (ref_ok)
        CHECK_INT(proc_stop(&ref), 0);
    if (mock_ok)
        CHECK_INT(proc_stop(&mock), 0); /* a clean exit after the load, not a crash */
}

/* --- start-up and the journal cap ----------------------------------------------------- */

static void run_starts(struct results *res, const struct options *o)
{
    double r[STARTS_MAX], m[STARTS_MAX];
    int nr = 0, nm = 0;
    for (int i = 0; i < o->starts; i++) {
        struct proc p;
        if (start_ref(&p, o) == 0) {
            r[nr++] = p.ready_ms;
            proc_stop(&p);
        }
        if (start_mock(&p, o, ":memory:", 100000) == 0) {
            m[nm++] = p.ready_ms;
            proc_stop(&p);
        }
    }
    CHECK(nr == o->starts && nm == o->starts, "starts: %d reference, %d mock of %d", nr, nm,
          o->starts);
    res->start_ref_ms = median(r, nr);
    res->start_mock_ms = median(m, nm);
    CHECK(res->start_ref_ms > 0 && res->start_mock_ms > 0, "start-up times %.3f %.3f",
          res->start_ref_ms, res->start_mock_ms);
}

static void run_fill(struct results *res, const struct options *o)
{
    struct proc mock;
    int ok = start_mock(&mock, o, ":memory:", o->journal_max) == 0;
    CHECK(ok, "campaign-mock did not start with --journal-max %ld", o->journal_max);
    if (!ok)
        return;
    long long rid = finished_request(mock.port);
    if (rid < 0)
        goto stop;
    char poll_path[256];
    snprintf(poll_path, sizeof(poll_path),
             "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest?requestId=%lld", rid);
    long chunk = o->journal_max / 2, calls = 0;
    fprintf(stderr, "bench: journal fill to %ld calls...\n", 3 * chunk);
    for (int i = 0; i < 3; i++) {
        struct load_result r;
        int rc = run_one(&r, mock.port, LOAD_POLL, chunk, poll_path, "", 1, o->conns[0]);
        CHECK(rc == 0 && r.done == chunk && r.errors == 0, "fill chunk %d: %ld of %ld, %ld errors",
              i, r.done, chunk, r.errors);
        calls += r.done;
        struct fill_point *f = &res->fill[res->n_fill++];
        f->calls = calls;
        f->rss_kb = proc_status_kb(mock.pid, "VmRSS");
        f->hwm_kb = proc_status_kb(mock.pid, "VmHWM");
        f->journal_count = journal_count(mock.port);
        CHECK(f->rss_kb > 0, "RSS unreadable after %ld calls", calls);
        /* The set-up calls are journaled too: the journal holds min(calls + 3, cap). */
        CHECK(f->journal_count > 0 && f->journal_count <= o->journal_max,
              "journal holds %ld entries after %ld calls, cap %ld", f->journal_count, calls,
              o->journal_max);
    }
    CHECK_INT(res->fill[2].journal_count, o->journal_max);
stop:
    CHECK_INT(proc_stop(&mock), 0);
}

/* --- instructions per call (callgrind) ----------------------------------------------- */

/* Removes a directory made by mkdtemp and the files in it (it has no subdirectories). */
static void dir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[PATH_MAX + 260]; /* the directory, a slash and a d_name (256 at most) */
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* The first executable NAME in a directory of $PATH into out; -1 when there is none. */
static int find_on_path(char *out, size_t size, const char *name)
{
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        if (len > 0) {
            int n = snprintf(out, size, "%.*s/%s", (int)len, path, name);
            if (n > 0 && (size_t)n < size && access(out, X_OK) == 0)
                return 0;
        }
        path += len + (path[len] == ':');
    }
    out[0] = '\0';
    return -1;
}

/* The total instruction count of a callgrind output file: its "summary:" line (or
 * "totals:", which newer versions write instead), the first event being Ir. Lines
 * longer than the buffer (long function names) come in pieces; a piece never starts
 * with either word. Returns -1 when the file holds neither. */
static long long callgrind_total(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return -1;
    char line[4096];
    long long total = -1;
    while (fgets(line, sizeof(line), f)) {
        const char *v = NULL;
        if (strncmp(line, "summary:", 8) == 0)
            v = line + 8;
        else if (strncmp(line, "totals:", 7) == 0)
            v = line + 7;
        if (v) {
            char *end;
            long long n = strtoll(v, &end, 10);
            if (end != v)
                total = n;
            if (line[0] == 's')
                break;
        }
    }
    fclose(f);
    return total;
}

/* One server under callgrind, in a fresh directory (its output file and, for
 * CG_MOCK_FILE, its database): set-up, n requests of kind on one keep-alive connection,
 * SIGTERM. Returns the process's instruction count (all threads), or -1. */
static long long cg_run(const struct options *o, enum cg_server server, enum load_kind kind, long n)
{
    char dir[] = "/tmp/bench-callgrind-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return -1;
    }
    /* dir is the short mkdtemp template above: these never truncate. */
    char file[64], out_arg[96], db[64];
    snprintf(file, sizeof(file), "%s/callgrind.out", dir);
    snprintf(out_arg, sizeof(out_arg), "--callgrind-out-file=%s", file);
    if (server == CG_MOCK_FILE)
        snprintf(db, sizeof(db), "%s/bench.db", dir);
    else
        snprintf(db, sizeof(db), ":memory:");
    /* No --separate-threads: the totals are then those of all threads together. */
    const char *ref_argv[] = {o->valgrind, "--tool=callgrind", out_arg, o->ref, "--port", "0",
                              NULL};
    const char *mock_argv[] = {
        o->valgrind, "--tool=callgrind", out_arg, o->mock, "--port", "0", "--db", db, NULL};
    const char *const *argv = server == CG_REF ? ref_argv : mock_argv;
    const char *what = CG_SERVER_NAMES[server];
    long long total = -1;
    struct proc p;
    if (proc_start(&p, argv, o->server_log, CG_START_TIMEOUT_MS) < 0) {
        CHECK(0, "%s did not start under callgrind", what);
        goto done;
    }
    /* The reference answers any path alike: it gets the same requests as campaign-mock. */
    char poll_path[256];
    long long rid = 3520;
    int set_up = 0;
    if (server != CG_REF && kind == LOAD_POLL) {
        rid = finished_request(p.port);
        set_up = rid < 0 ? -1 : 0;
    } else if (server != CG_REF) {
        set_up = now_mapping(p.port);
    }
    snprintf(poll_path, sizeof(poll_path),
             "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest?requestId=%lld", rid);
    struct load_spec spec = {
        .port = p.port,
        .conns = 1,
        .requests = n,
        .kind = kind,
        .path = kind == LOAD_POLL ? poll_path : TRIGGER_PATH,
        .follow_bodies = server != CG_REF,
        .timeout_s = CG_RUN_TIMEOUT_S,
    };
    struct load_result r;
    memset(&r, 0, sizeof(r));
    int ok = set_up == 0 && load_run(&r, &spec) == 0 && r.done == n && r.errors == 0;
    CHECK(ok, "%s, callgrind run of %ld: %ld answered, %ld errors %s", what, n, r.done, r.errors,
          r.first_error);
    int st = proc_stop(&p); /* callgrind writes its file as the process exits */
    CHECK(st == 0, "%s under callgrind exited with %d", what, st);
    if (ok && st == 0) {
        total = callgrind_total(file);
        CHECK(total > 0, "%s: no instruction count in %s", what, file);
    }
done:
    dir_remove(dir);
    return total;
}

static void run_callgrind(struct results *res, const struct options *o)
{
    if (o->cg_n2 <= 0) {
        res->cg_note = o->quick ? "skipped under --quick (--cg-requests N1,N2 runs it)"
                                : "skipped (--cg-requests 0)";
        return;
    }
    if (!o->valgrind[0]) {
        res->cg_note = "skipped: valgrind is not on PATH";
        fprintf(stderr, "bench: valgrind is not on PATH: no instruction counts\n");
        return;
    }
    const enum load_kind kinds[2] = {LOAD_POLL, LOAD_TRIGGER};
    for (int k = 0; k < 2; k++) {
        struct cg_result *c = &res->cg[res->n_cg++];
        c->name = WORKLOAD_NAMES[k];
        for (int s = 0; s < CG_SERVERS; s++) {
            struct cg_count *n = &c->c[s];
            fprintf(stderr, "bench: callgrind %s on %s, %ld then %ld requests...\n", c->name,
                    CG_SERVER_NAMES[s], o->cg_n1, o->cg_n2);
            n->ir1 = cg_run(o, (enum cg_server)s, kinds[k], o->cg_n1);
            n->ir2 = n->ir1 > 0 ? cg_run(o, (enum cg_server)s, kinds[k], o->cg_n2) : -1;
            n->per_call = n->ir1 > 0 && n->ir2 > n->ir1
                              ? (double)(n->ir2 - n->ir1) / (double)(o->cg_n2 - o->cg_n1)
                              : 0;
            CHECK(n->ir1 > 0 && n->ir2 > n->ir1 && n->per_call > 0,
                  "%s on %s: %lld instructions after %ld calls, %lld after %ld", c->name,
                  CG_SERVER_NAMES[s], n->ir1, o->cg_n1, n->ir2, o->cg_n2);
        }
    }
}

/* --- report ------------------------------------------------------------------------- */

static void print_callgrind(const struct results *res, const struct options *o)
{
    printf("\ninstructions per call (callgrind, all threads, one keep-alive connection):\n");
    if (res->cg_note) {
        printf("  %s\n", res->cg_note);
        return;
    }
    printf("(I(%ld calls) - I(%ld calls)) / %ld, so start-up and shutdown cancel out;\n"
           "\"beyond\" is mock - reference, what campaign-mock adds to a call\n\n",
           o->cg_n2, o->cg_n1, o->cg_n2 - o->cg_n1);
    printf("%-13s %10s %14s %7s %9s %14s %7s %9s\n", "workload", "reference",
           "mock :memory:", "ratio", "beyond", "mock file", "ratio", "beyond");
    for (int i = 0; i < res->n_cg; i++) {
        const struct cg_count *c = res->cg[i].c;
        double ref = c[CG_REF].per_call;
        double mem = c[CG_MOCK_MEMORY].per_call, file = c[CG_MOCK_FILE].per_call;
        printf("%-13s %10.0f %14.0f %6.2fx %+9.0f %14.0f %6.2fx %+9.0f\n", res->cg[i].name, ref,
               mem, ratio(mem, ref), mem - ref, file, ratio(file, ref), file - ref);
    }
}

static void print_table(const struct results *res, const struct options *o)
{
    /* At most CONNS_MAX counts of 3 digits and their separators. */
    char counts[64] = "";
    size_t used = 0;
    for (int i = 0; i < o->n_conns && used < sizeof(counts); i++) {
        const char *sep = i + 1 < o->n_conns ? ", " : " and ";
        used += (size_t)snprintf(counts + used, sizeof(counts) - used, "%s%d", i ? sep : "",
                                 o->conns[i]);
    }
    print_callgrind(res, o);
    printf("\ncampaign-mock vs bare libmicrohttpd (reference), %s connections, median of %d runs\n",
           counts, o->reps);
    printf("ratios are mock/reference, the median of the runs' pairwise ratios: req/s < 1,\n"
           "latency > 1 and CPU > 1 mean campaign-mock costs more. CPU is the server's own\n"
           "user+system time per request, all threads: the least noisy figure here. CPU %% is\n"
           "that time over the run's wall time (200%% = both cores of a 2-core machine, which\n"
           "the load generator shares).\n\n");
    printf("%-13s %-8s %5s %-9s %10s %9s %9s %10s %7s %6s\n", "workload", "db", "conns", "server",
           "req/s", "p50 ms", "p99 ms", "CPU us/req", "CPU %", "errors");
    for (int i = 0; i < res->n_w; i++) {
        const struct workload_result *w = &res->w[i];
        printf("%-13s %-8s %5d %-9s %10.0f %9.3f %9.3f %10.1f %6.0f%% %6ld\n", w->name, w->db,
               w->conns, "reference", w->ref.rps, w->ref.p50, w->ref.p99, w->ref.cpu_us,
               w->ref.cpu_pct, w->ref.errors);
        printf("%-13s %-8s %5s %-9s %10.0f %9.3f %9.3f %10.1f %6.0f%% %6ld\n", "", "", "", "mock",
               w->mock.rps, w->mock.p50, w->mock.p99, w->mock.cpu_us, w->mock.cpu_pct,
               w->mock.errors);
        printf("%-13s %-8s %5s %-9s %9.3fx %8.2fx %8.2fx %9.2fx %6.2fx", "", "", "", "ratio",
               w->ratio.rps, w->ratio.p50, w->ratio.p99, w->ratio.cpu_us, w->ratio.cpu_pct);
        if (w->journal_rows >= 0)
            printf("   (journal held %ld rows)", w->journal_rows);
        printf("\n");
    }
    printf("\npeak RSS (VmHWM) after the load (mock: before DELETE /_mock/journal):\n");
    for (int i = 0; i < res->n_mem; i++) {
        const struct memory_result *m = &res->mem[i];
        printf("  db %-8s reference %7ld KiB   mock %7ld KiB   ratio %.2fx\n", m->db, m->ref_hwm_kb,
               m->mock_hwm_kb, ratio((double)m->mock_hwm_kb, (double)m->ref_hwm_kb));
        printf("  %-11s mock peak at the end %ld KiB (after the DELETE), RSS now %ld KiB "
               "(reference %ld KiB)\n",
               "", m->mock_hwm_end_kb, m->mock_rss_kb, m->ref_rss_kb);
    }
    printf("\njournal cap %ld on :memory: (status polls):\n", o->journal_max);
    for (int i = 0; i < res->n_fill; i++) {
        const struct fill_point *f = &res->fill[i];
        printf("  after %7ld calls: RSS %7ld KiB, peak %7ld KiB, journal %ld entries\n", f->calls,
               f->rss_kb, f->hwm_kb, f->journal_count);
    }
    if (res->n_fill == 3) {
        long growth = res->fill[2].rss_kb - res->fill[1].rss_kb;
        double pct = 100.0 * ratio((double)growth, (double)res->fill[1].rss_kb);
        printf("  growth past the cap: %+ld KiB (%+.1f%%)%s\n", growth, pct,
               pct > 5 ? "  <-- still growing past the cap" : "");
    }
    printf("\nstart-up to the ready line (median of %d): reference %.2f ms, mock %.2f ms, "
           "ratio %.2fx\n",
           o->starts, res->start_ref_ms, res->start_mock_ms,
           ratio(res->start_mock_ms, res->start_ref_ms));
    printf("bench took %.1f s\n\n", res->seconds);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *v = strchr(line, ':');
            if (v) {
                v++;
                while (*v == ' ' || *v == '\t')
                    v++;
                snprintf(buf, size, "%.*s", (int)strcspn(v, "\n"), v);
            }
            break;
        }
    }
    fclose(f);
}

static void json_stats(FILE *f, const char *name, const struct stats *s)
{
    fprintf(f,
            "\"%s\": {\"rps\": %.1f, \"p50_ms\": %.4f, \"p99_ms\": %.4f, \"requests\": %ld, "
            "\"cpu_us_per_request\": %.2f, \"cpu_share_pct\": %.1f, \"errors\": %ld}",
            name, s->rps, s->p50, s->p99, s->requests, s->cpu_us, s->cpu_pct, s->errors);
}

static void json_callgrind(FILE *f, const struct results *res, const struct options *o)
{
    static const char *const keys[CG_SERVERS] = {"reference", "mock_memory", "mock_file"};
    fprintf(f, "  \"instructions_per_call\": {\"n1\": %ld, \"n2\": %ld, \"skipped\": ", o->cg_n1,
            o->cg_n2);
    if (res->cg_note)
        json_string(f, res->cg_note);
    else
        fprintf(f, "null");
    fprintf(f, ", \"workloads\": [\n");
    for (int i = 0; i < res->n_cg; i++) {
        const struct cg_count *c = res->cg[i].c;
        fprintf(f, "    {\"name\": \"%s\"", res->cg[i].name);
        for (int s = 0; s < CG_SERVERS; s++)
            fprintf(f, ", \"%s\": {\"ir_n1\": %lld, \"ir_n2\": %lld, \"per_call\": %.1f}", keys[s],
                    c[s].ir1, c[s].ir2, c[s].per_call);
        fprintf(f, ", \"ratio_memory\": %.4f, \"ratio_file\": %.4f}%s\n",
                ratio(c[CG_MOCK_MEMORY].per_call, c[CG_REF].per_call),
                ratio(c[CG_MOCK_FILE].per_call, c[CG_REF].per_call), i + 1 < res->n_cg ? "," : "");
    }
    fprintf(f, "  ]},\n");
}

static int write_json(const struct results *res, const struct options *o, int argc, char **argv)
{
    FILE *f = fopen(o->json, "w");
    if (!f)
        return -1;
    char model[256], cmd[2048] = "";
    cpu_model(model, sizeof(model));
    size_t used = 0;
    for (int i = 0; i < argc && used < sizeof(cmd); i++)
        used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, "%s%s", i ? " " : "", argv[i]);
    fprintf(f, "{\n  \"command\": ");
    json_string(f, cmd);
    fprintf(f, ",\n  \"machine\": {\"nproc\": %ld, \"model\": ", sysconf(_SC_NPROCESSORS_ONLN));
    json_string(f, model);
    fprintf(f, "},\n  \"config\": {\"quick\": %s, \"connections\": [", o->quick ? "true" : "false");
    for (int i = 0; i < o->n_conns; i++)
        fprintf(f, "%s%d", i ? ", " : "", o->conns[i]);
    fprintf(f,
            "], \"reps\": %d, \"requests\": %ld, \"cycle_requests\": %ld, \"starts\": %d, "
            "\"journal_max\": %ld, \"cg_requests\": [%ld, %ld]},\n",
            o->reps, o->requests, o->cycle_reqs, o->starts, o->journal_max, o->cg_n1, o->cg_n2);
    fprintf(f, "  \"startup_ms\": {\"reference\": %.3f, \"mock\": %.3f, \"ratio\": %.3f},\n",
            res->start_ref_ms, res->start_mock_ms, ratio(res->start_mock_ms, res->start_ref_ms));
    json_callgrind(f, res, o);
    fprintf(f, "  \"workloads\": [\n");
    for (int i = 0; i < res->n_w; i++) {
        const struct workload_result *w = &res->w[i];
        fprintf(f, "    {\"name\": \"%s\", \"db\": \"%s\", \"connections\": %d, ", w->name, w->db,
                w->conns);
        if (w->journal_rows >= 0)
            fprintf(f, "\"journal_rows\": %ld, ", w->journal_rows);
        json_stats(f, "reference", &w->ref);
        fprintf(f, ", ");
        json_stats(f, "mock", &w->mock);
        fprintf(f,
                ", \"ratio\": {\"rps\": %.4f, \"p50\": %.4f, \"p99\": %.4f, \"cpu_us\": %.4f, "
                "\"cpu_share\": %.4f}}%s\n",
                w->ratio.rps, w->ratio.p50, w->ratio.p99, w->ratio.cpu_us, w->ratio.cpu_pct,
                i + 1 < res->n_w ? "," : "");
    }
    fprintf(f, "  ],\n  \"memory\": [\n");
    for (int i = 0; i < res->n_mem; i++) {
        const struct memory_result *m = &res->mem[i];
        fprintf(f,
                "    {\"db\": \"%s\", \"reference_hwm_kb\": %ld, \"mock_hwm_kb\": %ld, "
                "\"ratio\": %.3f, \"mock_hwm_end_kb\": %ld, \"reference_rss_kb\": %ld, "
                "\"mock_rss_kb\": %ld}%s\n",
                m->db, m->ref_hwm_kb, m->mock_hwm_kb,
                ratio((double)m->mock_hwm_kb, (double)m->ref_hwm_kb), m->mock_hwm_end_kb,
                m->ref_rss_kb, m->mock_rss_kb, i + 1 < res->n_mem ? "," : "");
    }
    fprintf(f, "  ],\n  \"journal_fill\": {\"journal_max\": %ld, \"points\": [\n", o->journal_max);
    for (int i = 0; i < res->n_fill; i++) {
        const struct fill_point *p = &res->fill[i];
        fprintf(
            f, "    {\"calls\": %ld, \"rss_kb\": %ld, \"hwm_kb\": %ld, \"journal_count\": %ld}%s\n",
            p->calls, p->rss_kb, p->hwm_kb, p->journal_count, i + 1 < res->n_fill ? "," : "");
    }
    fprintf(f, "  ]},\n  \"seconds\": %.1f\n}\n", res->seconds);
    return fclose(f) == 0 ? 0 : -1;
}

/* The file just written parses and holds every section with numbers in it. */
static void check_json(const struct options *o, const struct results *res)
{
    FILE *f = fopen(o->json, "r");
    CHECK(f != NULL, "cannot read back %s", o->json);
    if (!f)
        return;
    /* The results are some 20 KiB; a larger file is cut and then fails to parse. */
    static char buf[262144];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *doc = cJSON_Parse(buf);
    CHECK(doc != NULL, "%s is not JSON", o->json);
    if (!doc)
        return;
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(doc, "workloads");
    CHECK_INT(cJSON_GetArraySize(w), res->n_w);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "memory")), res->n_mem);
    const cJSON *fill = cJSON_GetObjectItemCaseSensitive(doc, "journal_fill");
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fill, "points")), 3);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "startup_ms");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(st, "ratio")), "startup ratio missing");
    const cJSON *cg = cJSON_GetObjectItemCaseSensitive(doc, "instructions_per_call");
    const cJSON *cgw = cJSON_GetObjectItemCaseSensitive(cg, "workloads");
    CHECK_INT(cJSON_GetArraySize(cgw), res->n_cg);
    const cJSON *item;
    cJSON_ArrayForEach(item, cgw)
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(item, "ratio_memory");
        CHECK(cJSON_IsNumber(r) && r->valuedouble > 0, "an instruction count has no ratio");
    }
    cJSON_ArrayForEach(item, w)
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(item, "ratio");
        const cJSON *rps = cJSON_GetObjectItemCaseSensitive(r, "rps");
        CHECK(cJSON_IsNumber(rps) && rps->valuedouble > 0, "a workload has no rps ratio");
        const cJSON *mock = cJSON_GetObjectItemCaseSensitive(item, "mock");
        const cJSON *share = cJSON_GetObjectItemCaseSensitive(mock, "cpu_share_pct");
        CHECK(cJSON_IsNumber(share), "a workload has no CPU share");
    }
    cJSON_Delete(doc);
}

/* --- options ------------------------------------------------------------------------ */

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* "N,N,...": at most max counts, each in [min, lim]. Returns how many, or -1. */
static int parse_list(const char *s, long min, long lim, long *out, int max)
{
    int n = 0;
    char item[32]; /* one number */
    for (;;) {
        size_t len = strcspn(s, ",");
        if (n == max || len == 0 || len >= sizeof(item))
            return -1;
        snprintf(item, sizeof(item), "%.*s", (int)len, s);
        if (parse_long(item, min, lim, &out[n++]) < 0)
            return -1;
        if (!s[len])
            return n;
        s += len + 1;
    }
}

static int parse_options(struct options *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    const char *env = getenv("CAMPAIGN_MOCK_BIN");
    if (env && *env)
        snprintf(o->mock, sizeof(o->mock), "%s", env);
    else
        load_sibling(o->mock, sizeof(o->mock), "campaign-mock");
    load_sibling(o->ref, sizeof(o->ref), "bench-reference-server");
    o->json = "bench-results.json";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            o->quick = 1;
    }
    /* Full: about four minutes on 2 cores (half of it callgrind); quick: a few seconds,
     * for the smoke test, without callgrind (which neither CI nor the sanitizer build
     * can be assumed to have). */
    o->conns[0] = o->quick ? 2 : 32;
    o->conns[1] = o->quick ? 4 : 128;
    o->n_conns = 2;
    /* The counts per call agree to 0.01% between 200/600 and 2000/6000 calls; each call
     * takes some 4 ms under callgrind, and there are 12 processes. */
    o->cg_n1 = o->quick ? 0 : 1000;
    o->cg_n2 = o->quick ? 0 : 3000;
    o->reps = o->quick ? 2 : 5;
    o->requests = o->quick ? 300 : 10000;
    o->starts = o->quick ? 3 : 20;
    o->journal_max = o->quick ? 600 : 100000;
    long cycle = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n = 0, list[CONNS_MAX];
        int k;
        if (strcmp(a, "--quick") == 0)
            continue;
        if (!v)
            return -1;
        i++;
        if (strcmp(a, "--mock") == 0)
            snprintf(o->mock, sizeof(o->mock), "%s", v);
        else if (strcmp(a, "--ref") == 0)
            snprintf(o->ref, sizeof(o->ref), "%s", v);
        else if (strcmp(a, "--json") == 0)
            o->json = v;
        else if (strcmp(a, "--server-log") == 0)
            o->server_log = v;
        else if (strcmp(a, "--conns") == 0 && (k = parse_list(v, 1, 256, list, CONNS_MAX)) > 0) {
            for (int c = 0; c < k; c++)
                o->conns[c] = (int)list[c];
            o->n_conns = k;
        } else if (strcmp(a, "--cg-requests") == 0 && strcmp(v, "0") == 0)
            o->cg_n1 = o->cg_n2 = 0;
        else if (strcmp(a, "--cg-requests") == 0 && parse_list(v, 1, 1000000, list, 2) == 2 &&
                 list[0] < list[1])
            o->cg_n1 = list[0], o->cg_n2 = list[1];
        else if (strcmp(a, "--reps") == 0 && parse_long(v, 1, REPS_MAX, &n) == 0)
            o->reps = (int)n;
        else if (strcmp(a, "--requests") == 0 && parse_long(v, 10, 10000000, &n) == 0)
            o->requests = n;
        else if (strcmp(a, "--cycle-requests") == 0 && parse_long(v, 10, 10000000, &n) == 0)
            cycle = n;
        else if (strcmp(a, "--starts") == 0 && parse_long(v, 1, STARTS_MAX, &n) == 0)
            o->starts = (int)n;
        else if (strcmp(a, "--journal-max") == 0 && parse_long(v, 2, 10000000, &n) == 0)
            o->journal_max = n;
        else
            return -1;
    }
    o->cycle_reqs = cycle > 0 ? cycle : o->requests / 2;
    find_on_path(o->valgrind, sizeof(o->valgrind), "valgrind");
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse_options(&o, argc, argv) < 0) {
        fprintf(stderr, "usage: bench-campaign-mock [--quick] [--mock PATH] [--ref PATH] "
                        "[--conns N[,N...]] [--reps N] [--requests N] [--cycle-requests N] "
                        "[--starts N] [--journal-max N] [--cg-requests N1,N2 | 0] [--json PATH] "
                        "[--server-log PATH]\n");
        return 2;
    }
    static struct results res;
    double t0 = load_now_ms();
    if (o.server_log) { /* this run's servers only */
        FILE *f = fopen(o.server_log, "w");
        if (f)
            fclose(f);
    }
    fprintf(stderr, "bench: mock %s, reference %s\n", o.mock, o.ref);

    fprintf(stderr, "bench: start-up x%d...\n", o.starts);
    run_starts(&res, &o);
    run_callgrind(&res, &o);
    run_db(&res, &o, 0, ":memory:", ":memory:");

    char dir[] = "/tmp/bench-campaign-mock-XXXXXX";
    int have_dir = mkdtemp(dir) != NULL;
    CHECK(have_dir, "mkdtemp: %s", strerror(errno));
    if (have_dir) {
        char db[PATH_MAX];
        snprintf(db, sizeof(db), "%s/bench.db", dir);
        run_db(&res, &o, 1, db, "file");
        dir_remove(dir);
    }
    run_fill(&res, &o);
    res.seconds = (load_now_ms() - t0) / 1e3;

    print_table(&res, &o);
    CHECK(write_json(&res, &o, argc, argv) == 0, "cannot write %s", o.json);
    check_json(&o, &res);
    printf("results written to %s\n", o.json);
    if (check_failed && o.server_log)
        printf("the servers' stderr is in %s\n", o.server_log);
    return test_report();
}
