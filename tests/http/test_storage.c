/*
 * A full disk, as a file size limit (RLIMIT_FSIZE, inherited by the server) makes it
 * (regression: the client got a generic 500 internal_error and nothing said the disk
 * was full):
 *   - the write that does not fit is answered 507 storage_full, with a message that
 *     says so, and changes nothing;
 *   - reads go on (health, status polls of the requests already there);
 *   - the log says it once, at error level, with the file's name.
 */
#define _GNU_SOURCE /* prlimit */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

#define FILE_GROWTH (6L * 1024 * 1024)

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    const char *args[] = {"--db", "state.db", NULL};
    char dir[64];
    if (harness_temp_dir(dir, sizeof(dir)) < 0) {
        CHECK(0, "mkdtemp");
        return test_report();
    }
    char db[300];
    snprintf(db, sizeof(db), "%s/state.db", dir);
    args[1] = db;
    if (server_start(&s, dir, args) < 0) {
        CHECK(0, "server did not start");
        return test_report();
    }
    /* The server's files may grow by FILE_GROWTH past the largest now (prlimit on the
     * server alone; not page-aligned, so the last write is cut short). */
    off_t largest = 0;
    static const char *const grown[] = {"state.db", "state.db-wal"};
    for (int i = 0; i < 2; i++) {
        char f[400];
        struct stat sb;
        snprintf(f, sizeof(f), "%s/%s", dir, grown[i]);
        if (stat(f, &sb) == 0 && sb.st_size > largest)
            largest = sb.st_size;
    }
    struct rlimit small = {(rlim_t)largest + FILE_GROWTH + 100, RLIM_INFINITY};
    CHECK_INT(prlimit(s.pid, RLIMIT_FSIZE, &small, NULL), 0);
    /* Triggers on ever new tenants until the file cannot grow. */
    long long last_id = 0;
    int n = 0;
    struct response r;
    char tenant[64];
    for (; n < 20000; n++) {
        snprintf(tenant, sizeof(tenant), "fill-%d", n);
        trigger(&r, &s, tenant, "XDM1");
        if (r.status != 200)
            break;
        last_id = body_request_id(r.body);
        response_free(&r);
    }
    CHECK(n > 10 && n < 20000, "the file filled up after %d triggers", n);
    CHECK_ERROR(&r, 507, "storage_full",
                "the database cannot grow: the disk or the file size limit is full; free space, "
                "or POST /_mock/reset");
    response_free(&r);
    /* The refused trigger created nothing; a second one is refused the same way. */
    trigger(&r, &s, tenant, "XDM1");
    CHECK_INT(r.status, 507);
    response_free(&r);
    /* Control reads go on; calls of the emulated API write (a journal entry, a poll
     * count) and are refused the same way. */
    r = mock_call(&s, "GET", "/_mock/health", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
    snprintf(tenant, sizeof(tenant), "fill-%d", n - 1);
    char path[128];
    snprintf(path, sizeof(path), "/_mock/tenants/%s/requests", tenant);
    r = mock_call(&s, "GET", path, NULL);
    char id[64];
    snprintf(id, sizeof(id), "\"requestId\":%lld,", last_id);
    CHECK(r.status == 200 && strstr(r.body, id), "the last request is kept: %ld %s", r.status,
          r.body);
    response_free(&r);
    r = mock_call(&s, "GET", "/_mock/journal?limit=1", NULL);
    CHECK_INT(r.status, 200);
    response_free(&r);
    poll_status(&r, &s, tenant, "XDM1", last_id);
    CHECK_INT(r.status, 507);
    response_free(&r);
    /* The refused trigger left nothing: its tenant was never made. */
    r = mock_call(&s, "GET", "/_mock/tenants", NULL);
    snprintf(tenant, sizeof(tenant), "\"fill-%d\"", n);
    CHECK(r.status == 200 && !strstr(r.body, tenant), "no tenant %s: %s", tenant, r.body);
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);

    /* Said once, at error level, with the file's name. */
    char *log = NULL;
    FILE *f = fopen(s.log_path, "r");
    if (f) {
        log = calloc(1, 1 << 20);
        if (log)
            log[fread(log, 1, (1 << 20) - 1, f)] = '\0';
        fclose(f);
    }
    char want[400];
    snprintf(want, sizeof(want), "store: the database %s is full: ", db);
    CHECK(log && count_of(log, want) == 1, "one line \"%s\" in: %.2000s", want, log ? log : "");
    free(log);
    curl_global_cleanup();
    return test_report();
}
