/*
 * bench-campaign-mock: speed and memory of campaign-mock as ratios against a reference
 * measured in the same run (these machines are noisy, so absolute numbers mean little
 * and timed tests are forbidden). The reference is bench-reference-server: bare
 * libmicrohttpd with campaign-mock's daemon flags answering a fixed body, i.e. the
 * floor of what any server on MHD costs here, now.
 *
 * Runs, all against 127.0.0.1:
 *   - start-up to the ready line, both servers, alternated, median of --starts;
 *   - per database (:memory:, then a file): the workloads status-poll (GET of a
 *     finished request), trigger-cycle (POST on a template tenant per connection, then
 *     GETs until terminal), control-full (GET /_mock/journal/count on the journal the
 *     first two left, with 1/100 of the requests: it reads the whole journal) and
 *     control-empty (the same after DELETE /_mock/journal), each run --reps times
 *     alternating reference and campaign-mock, medians of requests/s, p50 and p99
 *     latency; then the peak RSS (VmHWM) of both servers after the load;
 *   - the journal cap: campaign-mock with --journal-max CAP on :memory: takes 1.5 CAP
 *     polls; its RSS at CAP/2, CAP and 1.5 CAP calls shows whether memory stops
 *     growing at the cap.
 * Prints a table and writes bench-results.json (or --json PATH). Sanity checks (every
 * answer 200, numbers present and positive, journal capped) are counted like a test's
 * and closed by "N passed, N failed"; nothing is asserted about speed.
 *
 * Usage: bench-campaign-mock [--quick] [--mock PATH] [--ref PATH] [--conns N] [--reps N]
 *        [--requests N] [--cycle-requests N] [--starts N] [--journal-max N] [--json PATH]
 *        [--server-log PATH]
 */
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

struct options {
    int quick;
    char mock[PATH_MAX];
    char ref[PATH_MAX];
    int conns;
    int reps;
    long requests;   /* per run, polls and control reads */
    long cycle_reqs; /* per run, trigger+poll cycles (3 requests per cycle) */
    int starts;
    long journal_max; /* the cap of the journal-fill measure */
    const char *json;
    /* Where the servers' stderr goes (NULL: /dev/null). The smoke test keeps it, so that
     * a sanitizer report of campaign-mock is not lost. */
    const char *server_log;
};

struct stats {
    double rps, p50, p99;
    double cpu_us; /* the server's CPU time (user + system, all threads) per request */
    long requests, errors, cycles;
};

struct ratios {
    double rps, p50, p99, cpu_us;
};

struct workload_result {
    const char *name;
    const char *db;
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

struct results {
    double start_ref_ms, start_mock_ms;
    struct workload_result w[8];
    int n_w;
    struct memory_result mem[2];
    int n_mem;
    struct fill_point fill[3];
    int n_fill;
    double seconds;
};

static const char *const WORKLOAD_NAMES[] = {"status-poll", "trigger-cycle", "control-full",
                                             "control-empty"};

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

/* Reference and campaign-mock alternately, reps times each; medians into w. */
/* One measured run of each server, side by side in time. */
struct sample {
    double rps, p50, p99, cpu_us;
};

static void run_sampled(struct sample *out, struct stats *acc, struct load_result *r,
                        const struct proc *p, enum load_kind kind, long requests,
                        const char *poll_path, const char *prefix, int follow, int conns)
{
    double cpu0 = proc_cpu_ms(p->pid);
    run_one(r, p->port, kind, requests, poll_path, prefix, follow, conns);
    double cpu = proc_cpu_ms(p->pid) - cpu0;
    out->rps = r->rps, out->p50 = r->p50_ms, out->p99 = r->p99_ms;
    out->cpu_us = r->done > 0 ? cpu * 1e3 / (double)r->done : 0;
    acc->requests += r->done, acc->errors += r->errors, acc->cycles += r->cycles;
}

/* Reference and campaign-mock alternately, reps times each. Each figure is the median
 * over the runs; each ratio is the median of the runs' pairwise ratios (a pair ran
 * back to back, so it saw the same machine), which tames noise better than a ratio
 * of medians. */
static void run_workload(struct workload_result *w, const struct options *o, int db_index,
                         enum load_kind kind, long requests, const struct proc *ref,
                         const struct proc *mock, const char *poll_path)
{
    struct sample rs[REPS_MAX], ms[REPS_MAX];
    double v[4][REPS_MAX];
    char prefix[64];
    struct load_result r;
    /* Warm-up (not counted): page cache, SQLite's page cache, the allocator's arenas. */
    long warm = requests / 10 > 5 ? requests / 10 : 5;
    snprintf(prefix, sizeof(prefix), "bw%dk%dc", db_index, (int)kind);
    run_one(&r, ref->port, kind, warm, poll_path, prefix, 0, o->conns);
    run_one(&r, mock->port, kind, warm, poll_path, prefix, 1, o->conns);
    memset(&w->ref, 0, sizeof(w->ref));
    memset(&w->mock, 0, sizeof(w->mock));
    for (int rep = 0; rep < o->reps; rep++) {
        /* A fresh tenant per run and connection: each cycle run starts from the template. */
        snprintf(prefix, sizeof(prefix), "bd%dk%dr%dc", db_index, (int)kind, rep);
        run_sampled(&rs[rep], &w->ref, &r, ref, kind, requests, poll_path, prefix, 0, o->conns);
        CHECK(!r.timed_out && r.done == requests, "%s reference run %d: %ld of %ld answered",
              w->name, rep, r.done, requests);
        run_sampled(&ms[rep], &w->mock, &r, mock, kind, requests, poll_path, prefix, 1, o->conns);
        CHECK(!r.timed_out && r.done == requests, "%s campaign-mock run %d: %ld of %ld answered",
              w->name, rep, r.done, requests);
    }
    struct stats *st[2] = {&w->ref, &w->mock};
    struct sample *smp[2] = {rs, ms};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < o->reps; i++) {
            v[0][i] = smp[k][i].rps, v[1][i] = smp[k][i].p50;
            v[2][i] = smp[k][i].p99, v[3][i] = smp[k][i].cpu_us;
        }
        st[k]->rps = median(v[0], o->reps), st[k]->p50 = median(v[1], o->reps);
        st[k]->p99 = median(v[2], o->reps), st[k]->cpu_us = median(v[3], o->reps);
    }
    for (int i = 0; i < o->reps; i++) {
        v[0][i] = ratio(ms[i].rps, rs[i].rps), v[1][i] = ratio(ms[i].p50, rs[i].p50);
        v[2][i] = ratio(ms[i].p99, rs[i].p99), v[3][i] = ratio(ms[i].cpu_us, rs[i].cpu_us);
    }
    w->ratio.rps = median(v[0], o->reps), w->ratio.p50 = median(v[1], o->reps);
    w->ratio.p99 = median(v[2], o->reps), w->ratio.cpu_us = median(v[3], o->reps);
    CHECK(w->ref.errors == 0 && w->mock.errors == 0, "%s on %s: %ld reference errors, %ld mock",
          w->name, w->db, w->ref.errors, w->mock.errors);
    CHECK(w->ref.rps > 0 && w->mock.rps > 0, "%s on %s: no throughput", w->name, w->db);
    CHECK(w->mock.p50 > 0 && w->mock.p50 <= w->mock.p99, "%s on %s: mock p50 %.3f p99 %.3f",
          w->name, w->db, w->mock.p50, w->mock.p99);
    CHECK(w->ref.p50 > 0 && w->ref.p50 <= w->ref.p99, "%s on %s: reference p50 %.3f p99 %.3f",
          w->name, w->db, w->ref.p50, w->ref.p99);
    CHECK(w->mock.cpu_us >= 0 && w->ref.cpu_us >= 0, "%s on %s: CPU time unreadable", w->name,
          w->db);
    if (kind == LOAD_CYCLE)
        CHECK(w->mock.cycles > 0, "%s on %s: no cycle reached a terminal status", w->name, w->db);
}

/* All workloads on one database, then the peak RSS of both servers. */
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
    if (rid < 0)
        goto stop;
    char poll_path[256];
    snprintf(poll_path, sizeof(poll_path),
             "/acme/campaign/dataIngestion/xdmIngestion/XDM44/ingest?requestId=%lld", rid);
    /* The journal count reads the whole journal (see the report), so its cost grows
     * with the journal: it is measured once on the journal the load above left, with
     * few requests to stay within the bench's time, then on an emptied journal, where
     * it is the cost of the control path itself. */
    const enum load_kind kinds[] = {LOAD_POLL, LOAD_CYCLE, LOAD_CONTROL, LOAD_CONTROL};
    long mem_load_kb = -1;
    const long counts[] = {o->requests, o->cycle_reqs,
                           o->requests / 100 > 20 ? o->requests / 100 : 20, o->requests};
    for (int k = 0; k < 4; k++) {
        struct workload_result *w = &res->w[res->n_w++];
        w->name = WORKLOAD_NAMES[k];
        w->db = db_label;
        if (k == 3) {
            /* Clearing a big journal has its own peak (see the report): the load's is
             * taken before it. */
            mem_load_kb = proc_status_kb(mock.pid, "VmHWM");
            char body[256];
            int st = load_call(mock.port, "DELETE", "/_mock/journal", body, sizeof(body));
            CHECK(st == 200 || st == 204, "DELETE /_mock/journal: %d %s", st, body);
        }
        w->journal_rows = kinds[k] == LOAD_CONTROL ? journal_count(mock.port) : -1;
        fprintf(stderr, "bench: %s on %s...\n", w->name, db_label);
        run_workload(w, o, db_index, kinds[k], counts[k], &ref, &mock, poll_path);
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
        int rc = run_one(&r, mock.port, LOAD_POLL, chunk, poll_path, "", 1, o->conns);
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

/* --- report ------------------------------------------------------------------------- */

static void print_table(const struct results *res, const struct options *o)
{
    printf("\ncampaign-mock vs bare libmicrohttpd (reference), %d connections, median of %d runs\n",
           o->conns, o->reps);
    printf("ratios are mock/reference, the median of the runs' pairwise ratios: req/s < 1,\n"
           "latency > 1 and CPU > 1 mean campaign-mock costs more. CPU is the server's own\n"
           "user+system time per request, all threads: the least noisy figure here.\n\n");
    printf("%-13s %-8s %-9s %10s %9s %9s %10s %6s\n", "workload", "db", "server", "req/s", "p50 ms",
           "p99 ms", "CPU us/req", "errors");
    for (int i = 0; i < res->n_w; i++) {
        const struct workload_result *w = &res->w[i];
        printf("%-13s %-8s %-9s %10.0f %9.3f %9.3f %10.1f %6ld\n", w->name, w->db, "reference",
               w->ref.rps, w->ref.p50, w->ref.p99, w->ref.cpu_us, w->ref.errors);
        printf("%-13s %-8s %-9s %10.0f %9.3f %9.3f %10.1f %6ld\n", "", "", "mock", w->mock.rps,
               w->mock.p50, w->mock.p99, w->mock.cpu_us, w->mock.errors);
        printf("%-13s %-8s %-9s %9.3fx %8.2fx %8.2fx %9.2fx", "", "", "ratio", w->ratio.rps,
               w->ratio.p50, w->ratio.p99, w->ratio.cpu_us);
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
            "\"cpu_us_per_request\": %.2f, \"errors\": %ld}",
            name, s->rps, s->p50, s->p99, s->requests, s->cpu_us, s->errors);
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
    fprintf(f,
            "},\n  \"config\": {\"quick\": %s, \"connections\": %d, \"reps\": %d, "
            "\"requests\": %ld, \"cycle_requests\": %ld, \"starts\": %d, \"journal_max\": %ld},\n",
            o->quick ? "true" : "false", o->conns, o->reps, o->requests, o->cycle_reqs, o->starts,
            o->journal_max);
    fprintf(f, "  \"startup_ms\": {\"reference\": %.3f, \"mock\": %.3f, \"ratio\": %.3f},\n",
            res->start_ref_ms, res->start_mock_ms, ratio(res->start_mock_ms, res->start_ref_ms));
    fprintf(f, "  \"workloads\": [\n");
    for (int i = 0; i < res->n_w; i++) {
        const struct workload_result *w = &res->w[i];
        fprintf(f, "    {\"name\": \"%s\", \"db\": \"%s\", ", w->name, w->db);
        if (w->journal_rows >= 0)
            fprintf(f, "\"journal_rows\": %ld, ", w->journal_rows);
        json_stats(f, "reference", &w->ref);
        fprintf(f, ", ");
        json_stats(f, "mock", &w->mock);
        fprintf(
            f, ", \"ratio\": {\"rps\": %.4f, \"p50\": %.4f, \"p99\": %.4f, \"cpu_us\": %.4f}}%s\n",
            w->ratio.rps, w->ratio.p50, w->ratio.p99, w->ratio.cpu_us, i + 1 < res->n_w ? "," : "");
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
    char buf[65536];
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
    const cJSON *item;
    cJSON_ArrayForEach(item, w)
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(item, "ratio");
        const cJSON *rps = cJSON_GetObjectItemCaseSensitive(r, "rps");
        CHECK(cJSON_IsNumber(rps) && rps->valuedouble > 0, "a workload has no rps ratio");
    }
    cJSON_Delete(doc);
}

/* --- options ------------------------------------------------------------------------ */

/* A sibling of this executable (both are built at the top of the build directory). */
static void sibling(char *out, size_t size, const char *name)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        snprintf(out, size, "./%s", name);
        return;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    snprintf(out, size, "%.*s/%s", slash ? (int)(slash - self) : 1, slash ? self : ".", name);
}

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

static int parse_options(struct options *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    const char *env = getenv("CAMPAIGN_MOCK_BIN");
    if (env && *env)
        snprintf(o->mock, sizeof(o->mock), "%s", env);
    else
        sibling(o->mock, sizeof(o->mock), "campaign-mock");
    sibling(o->ref, sizeof(o->ref), "bench-reference-server");
    o->json = "bench-results.json";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            o->quick = 1;
    }
    /* Full: about two minutes on 2 cores; quick: a few seconds, for the smoke test. */
    o->conns = o->quick ? 4 : 8;
    o->reps = o->quick ? 2 : 5;
    o->requests = o->quick ? 300 : 10000;
    o->starts = o->quick ? 3 : 20;
    o->journal_max = o->quick ? 600 : 100000;
    long cycle = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n = 0;
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
        else if (strcmp(a, "--conns") == 0 && parse_long(v, 1, 256, &n) == 0)
            o->conns = (int)n;
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
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse_options(&o, argc, argv) < 0) {
        fprintf(stderr, "usage: bench-campaign-mock [--quick] [--mock PATH] [--ref PATH] "
                        "[--conns N] [--reps N] [--requests N] [--cycle-requests N] "
                        "[--starts N] [--journal-max N] [--json PATH] [--server-log PATH]\n");
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
    run_db(&res, &o, 0, ":memory:", ":memory:");

    char dir[] = "/tmp/bench-campaign-mock-XXXXXX";
    int have_dir = mkdtemp(dir) != NULL;
    CHECK(have_dir, "mkdtemp: %s", strerror(errno));
    if (have_dir) {
        char db[PATH_MAX];
        snprintf(db, sizeof(db), "%s/bench.db", dir);
        run_db(&res, &o, 1, db, "file");
        const char *const suffixes[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            char p[PATH_MAX + 8];
            snprintf(p, sizeof(p), "%s%s", db, suffixes[i]);
            unlink(p);
        }
        rmdir(dir);
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
