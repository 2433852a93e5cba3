/*
 * A call is acknowledged only together with its journal entry: the state change, the
 * journal entry and the answer of an emulated call are one transaction. Here the
 * database refuses every journal row (a trigger added to the file between two runs):
 * the trigger call must get a 500, create no request and leave the id sequence where
 * it was, and once the journal accepts rows again the same call succeeds with the id
 * the failed one would have had. Before the one-transaction pipeline, the client got
 * its 200 while its journal entry was missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "harness.h"

static int exec_on(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open(db, &h);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_close(h);
    return rc;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    char dir[64];
    if (harness_temp_dir(dir, sizeof(dir)) < 0) {
        CHECK(0, "mkdtemp");
        return test_report();
    }
    char db[300];
    snprintf(db, sizeof(db), "%s/state.db", dir);
    const char *args[] = {"--db", db, NULL};
    struct server s;
    CHECK(server_start(&s, dir, args) == 0, "first start");
    CHECK_INT(server_stop(&s), 0);

    CHECK_INT(exec_on(db, "CREATE TRIGGER refuse_journal BEFORE INSERT ON journal "
                          "BEGIN SELECT RAISE(ABORT, 'journal refused'); END"),
              SQLITE_OK);
    if (server_start(&s, dir, args) < 0) {
        CHECK(0, "restart with the refusing journal");
        return test_report();
    }
    struct response r;
    trigger(&r, &s, "acme", "XDM44");
    CHECK_ERROR(&r, 500, "internal_error", "state store");
    response_free(&r);
    /* Nothing of the call stayed: no request, no journal entry. */
    struct response list = mock_call(&s, "GET", "/_mock/tenants/acme/requests?mapping=XDM44", NULL);
    CHECK_INT(list.status, 200);
    CHECK_STR(list.body, "{\"total\":0,\"requests\":[]}");
    response_free(&list);
    struct response count = mock_call(&s, "GET", "/_mock/journal/count", NULL);
    CHECK_STR(count.body, "{\"count\":0}");
    response_free(&count);
    CHECK_INT(server_stop(&s), 0);
    /* The log gives SQLite's own reason, read before the rollback (it said "not an error"
     * or "cannot rollback - no transaction is active", read after). */
    char log[8192] = "";
    FILE *f = fopen(s.log_path, "r");
    if (f) {
        log[fread(log, 1, sizeof(log) - 1, f)] = '\0';
        fclose(f);
    }
    CHECK(strstr(log, "store: journal refused (SQLite code 1811)") != NULL, "log: %s", log);
    CHECK(strstr(log, "not an error") == NULL && strstr(log, "cannot rollback") == NULL, "log: %s",
          log);

    CHECK_INT(exec_on(db, "DROP TRIGGER refuse_journal"), SQLITE_OK);
    if (server_start(&s, dir, args) < 0) {
        CHECK(0, "restart with the journal back");
        return test_report();
    }
    char expected[512];
    trigger(&r, &s, "acme", "XDM44");
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, acs_submitted(expected, sizeof(expected), 3520, "XDM44"));
    response_free(&r);
    count = mock_call(&s, "GET", "/_mock/journal/count", NULL);
    CHECK_STR(count.body, "{\"count\":1}");
    response_free(&count);
    CHECK_INT(server_stop(&s), 0);

    curl_global_cleanup();
    return test_report();
}
