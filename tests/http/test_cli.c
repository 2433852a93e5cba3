/*
 * The command line: --help, --version, option errors, the ready line and the port
 * file, start-up failures (busy port, unusable database, bad fixtures) each as one
 * clear message and exit 1, `check` and `probe`, CAMPAIGN_MOCK_* environment
 * variables and their precedence, and signals.
 */
#include "http/harness.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

/* Upper bound for a command that should exit at once (ASan builds start slowly). */
#define EXIT_TIMEOUT_MS 10000

static char tmpdir[] = "/tmp/campaign-mock-cli-XXXXXX";

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

static const char *tmp_file(const char *name, const char *content)
{
    static char paths[8][400];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(content, f);
        fclose(f);
    }
    return p;
}

/* A port nothing listens on right now (bound, read, released). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void health(const char *base, long expected)
{
    char url[128];
    snprintf(url, sizeof(url), "%s/_mock/health", base);
    struct response r;
    http_call(&r, "GET", url, NULL, 0, NULL);
    CHECK_INT(r.status, expected);
    response_free(&r);
}

static void test_help_version(void)
{
    char *out, *err;
    const char *help[] = {"--help", NULL};
    CHECK_INT(run_binary_split(help, &out, &err, EXIT_TIMEOUT_MS), 0);
    CHECK(strncmp(out, "usage: campaign-mock", 20) == 0, "usage on stdout: %s", out);
    CHECK(strstr(out, "--fixtures PATH") && strstr(out, "CAMPAIGN_MOCK_PORT"), "%s", out);
    CHECK_STR(err, "");
    free(out);
    free(err);
    const char *h[] = {"-h", NULL};
    CHECK_INT(run_binary_split(h, &out, &err, EXIT_TIMEOUT_MS), 0);
    CHECK(strncmp(out, "usage: campaign-mock", 20) == 0, "%s", out);
    free(out);
    free(err);

    const char *version[] = {"--version", NULL};
    CHECK_INT(run_binary_split(version, &out, &err, EXIT_TIMEOUT_MS), 0);
    /* The version and the git revision it was built from ("unknown" outside a checkout). */
    size_t len = out ? strlen(out) : 0;
    CHECK(len > 24 && strncmp(out, "campaign-mock 0.1.0 (", 21) == 0 &&
              strcmp(out + len - 2, ")\n") == 0 && strcspn(out + 21, " ") == len - 21,
          "version line: %s", out ? out : "");
    CHECK_STR(err, "");
    free(out);
    free(err);
}

static void expect_usage_error(const char *const *args, const char *message)
{
    char *out, *err;
    CHECK_INT(run_binary_split(args, &out, &err, EXIT_TIMEOUT_MS), 2);
    CHECK_STR(out, "");
    CHECK_STR(err, message);
    free(out);
    free(err);
}

static void test_option_errors(void)
{
    const char *a[] = {"--bogus", NULL};
    expect_usage_error(a, "campaign-mock: unknown option --bogus (see --help)\n");
    const char *b[] = {"--port", "0", "--bogus=1", NULL};
    expect_usage_error(b, "campaign-mock: unknown option --bogus (see --help)\n");
    const char *c[] = {"frobnicate", NULL};
    expect_usage_error(c, "campaign-mock: unknown command \"frobnicate\" (see --help)\n");
    const char *d[] = {"--port", "http", NULL};
    expect_usage_error(
        d, "campaign-mock: --port: invalid value \"http\" (expected an integer from 0 to 65535)\n");
    const char *e[] = {"--port", "65536", NULL};
    expect_usage_error(
        e,
        "campaign-mock: --port: invalid value \"65536\" (expected an integer from 0 to 65535)\n");
    const char *f[] = {"--auth", NULL};
    expect_usage_error(f, "campaign-mock: --auth needs a value\n");
    const char *g[] = {"--auth", "maybe", NULL};
    expect_usage_error(
        g, "campaign-mock: --auth: invalid value \"maybe\" (expected off, presence or strict)\n");
    const char *h[] = {"serve", "extra", NULL};
    expect_usage_error(h, "campaign-mock: unexpected argument \"extra\" (see --help)\n");
    const char *t0[] = {"--threads", "0", NULL};
    expect_usage_error(
        t0, "campaign-mock: --threads: invalid value \"0\" (expected an integer from 1 to 64)\n");
    const char *t65[] = {"--threads", "65", NULL};
    expect_usage_error(
        t65, "campaign-mock: --threads: invalid value \"65\" (expected an integer from 1 to 64)\n");
}

static void test_ready_line_and_port_file(void)
{
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    char path[400], expected[128];
    snprintf(path, sizeof(path), "%s/port", s.dir);
    FILE *f = fopen(path, "r");
    char content[32] = "";
    if (f) {
        size_t n = fread(content, 1, sizeof(content) - 1, f);
        content[n] = '\0';
        fclose(f);
    }
    snprintf(expected, sizeof(expected), "%d\n", s.port);
    CHECK_STR(content, expected);
    int port_n = s.port;
    /* A port file that cannot be written: exit 1 before the ready line (regression: the
     * line was printed, then the server exited). */
    {
        const char *bad[] = {"--port", "0", "--port-file", "/nonexistent-dir/port", NULL};
        char *o, *e;
        CHECK_INT(run_binary_split(bad, &o, &e, EXIT_TIMEOUT_MS), 1);
        CHECK_STR(o, "");
        CHECK(strstr(e, "cannot write --port-file /nonexistent-dir/port") != NULL, "%s", e);
        free(o);
        free(e);
    }
    /* A second server on the same port: exit 1, one line naming the address. */
    char port[16];
    snprintf(port, sizeof(port), "%d", s.port);
    const char *busy[] = {"--port", port, NULL};
    char *out, *err;
    CHECK_INT(run_binary_split(busy, &out, &err, EXIT_TIMEOUT_MS), 1);
    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", s.port);
    CHECK(strncmp(err, "campaign-mock: ", 15) == 0 && strstr(err, addr) && count_lines(err) == 1,
          "one line naming %s: %s", addr, err);
    CHECK_STR(out, "");
    free(out);
    free(err);
    health(s.base, 200);

    /* probe against it, then against nothing. */
    const char *probe[] = {"probe", s.base, NULL};
    CHECK_INT(run_binary_split(probe, &out, &err, EXIT_TIMEOUT_MS), 0);
    free(out);
    free(err);
    char slash[80];
    snprintf(slash, sizeof(slash), "%s/", s.base);
    const char *probe_slash[] = {"probe", slash, NULL};
    CHECK_INT(run_binary_split(probe_slash, &out, &err, EXIT_TIMEOUT_MS), 0);
    free(out);
    free(err);
    /* The probe's port may also come from the environment. */
    setenv("CAMPAIGN_MOCK_PORT", port, 1);
    const char *probe_env[] = {"probe", NULL};
    CHECK_INT(run_binary_split(probe_env, &out, &err, EXIT_TIMEOUT_MS), 0);
    unsetenv("CAMPAIGN_MOCK_PORT");
    free(out);
    free(err);

    /* SIGTERM: a clean stop, exit 0; then nothing answers the probe, and the port file
     * is gone (regression: it was left, pointing the next client at a dead port). */
    CHECK_INT(server_stop(&s), 0);
    CHECK(access(path, F_OK) != 0, "the port file %s is removed at exit", path);
    /* The ready line, once. Read after the stop: the server writes the port file
     * before it prints the line, so the log may not have it yet when the port is
     * known. */
    f = fopen(s.log_path, "r");
    char line[512];
    int found = 0;
    snprintf(expected, sizeof(expected), "campaign-mock listening on http://127.0.0.1:%d\n",
             port_n);
    while (f && fgets(line, sizeof(line), f))
        found += strcmp(line, expected) == 0;
    if (f)
        fclose(f);
    CHECK_INT(found, 1);
    CHECK_INT(run_binary_split(probe, &out, &err, EXIT_TIMEOUT_MS), 1);
    CHECK(count_lines(err) == 1 && strstr(err, "campaign-mock probe: "), "%s", err);
    free(out);
    free(err);
}

static void test_sigint(void)
{
    struct server s;
    if (server_start(&s, NULL, NULL) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    kill(s.pid, SIGINT);
    int status = 0;
    waitpid(s.pid, &status, 0);
    s.pid = 0;
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "SIGINT exit status %d", status);
}

static void expect_start_failure(const char *const *args, const char *prefix)
{
    char *out, *err;
    CHECK_INT(run_binary_split(args, &out, &err, EXIT_TIMEOUT_MS), 1);
    CHECK(strncmp(err, prefix, strlen(prefix)) == 0 && count_lines(err) == 1,
          "one line starting \"%s\": %s", prefix, err);
    CHECK_STR(out, "");
    free(out);
    free(err);
}

static void test_bad_database(void)
{
    char missing[400], prefix[500];
    snprintf(missing, sizeof(missing), "%s/no-such-dir/state.db", tmpdir);
    const char *a[] = {"--port", "0", "--db", missing, NULL};
    snprintf(prefix, sizeof(prefix), "campaign-mock: cannot open database %s: ", missing);
    expect_start_failure(a, prefix);

    const char *junk = tmp_file("junk.db", "this is not a SQLite database, only some text that "
                                           "is long enough to look like a header or more\n");
    const char *b[] = {"--port", "0", "--db", junk, NULL};
    snprintf(prefix, sizeof(prefix), "campaign-mock: cannot open database %s: ", junk);
    expect_start_failure(b, prefix);
}

static void test_check_and_bad_fixtures(void)
{
    char *out, *err;
    /* Files given together merge; the bundled set and ours differ in requestIdStart,
     * so each is checked alone. */
    const char *good[] = {"check", source_path("fixtures/acs-docs.json"), NULL};
    CHECK_INT(run_binary_split(good, &out, &err, EXIT_TIMEOUT_MS), 0);
    CHECK_STR(out, "ok\n");
    free(out);
    free(err);
    const char *merged[] = {"check", source_path("fixtures/acs-docs.json"),
                            source_path("tests/http/fixtures/documented.json"), NULL};
    CHECK_INT(run_binary_split(merged, &out, &err, EXIT_TIMEOUT_MS), 1);
    CHECK(strstr(out, "documented.json: settings.requestIdStart: 100 differs from 3520 in ") &&
              count_lines(out) == 1,
          "%s", out);
    free(out);
    free(err);
    const char *bad = tmp_file("bad.json", "{\"tenants\": {\"acme\": {\"mappings\": [\n"
                                           "  {\"id\": \"XDM44\", \"published\": true,\n"
                                           "   \"script\": [{\"outcome\": \"sucess\"}],\n"
                                           "   \"changedRecords\": -1}\n"
                                           "]}}}\n");
    char expected[2048];
    /* Every problem, one line each, in the validator's order (fields, then script). */
    snprintf(expected, sizeof(expected),
             "%s: tenants.acme.mappings[0].changedRecords: must be between 0 and "
             "9007199254740992\n"
             "%s: tenants.acme.mappings[0].script[0].outcome: unknown outcome \"sucess\" (one "
             "of success, failed-fetch, failed-upload, aborted, hang)\n",
             bad, bad);
    const char *check_bad[] = {"check", bad, NULL};
    CHECK_INT(run_binary_split(check_bad, &out, &err, EXIT_TIMEOUT_MS), 1);
    CHECK_STR(out, expected);
    free(out);
    free(err);
    /* Serving with it stops at once with the same lines. */
    const char *serve_bad[] = {"--port", "0", "--fixtures", bad, NULL};
    CHECK_INT(run_binary_split(serve_bad, &out, &err, EXIT_TIMEOUT_MS), 1);
    char with_prefix[2100];
    snprintf(with_prefix, sizeof(with_prefix), "campaign-mock: %s", expected);
    CHECK_STR(err, with_prefix);
    CHECK_STR(out, "");
    free(out);
    free(err);

    const char *syntax = tmp_file("syntax.json", "{\n  \"tenants\": {\n    \"acme\": [,]\n}\n");
    const char *check_syntax[] = {"check", syntax, NULL};
    CHECK_INT(run_binary_split(check_syntax, &out, &err, EXIT_TIMEOUT_MS), 1);
    snprintf(expected, sizeof(expected), "%s: invalid JSON at line 3, column ", syntax);
    CHECK(strncmp(out, expected, strlen(expected)) == 0 && count_lines(out) == 1, "%s", out);
    free(out);
    free(err);

    char missing[400];
    snprintf(missing, sizeof(missing), "%s/missing.json", tmpdir);
    const char *check_missing[] = {"check", missing, NULL};
    CHECK_INT(run_binary_split(check_missing, &out, &err, EXIT_TIMEOUT_MS), 1);
    snprintf(expected, sizeof(expected), "%s: cannot read: No such file or directory\n", missing);
    CHECK_STR(out, expected);
    free(out);
    free(err);
    /* A good and a bad file: only the bad one's lines, exit 1. */
    const char *both[] = {"check", source_path("fixtures/acs-docs.json"), missing, NULL};
    CHECK_INT(run_binary_split(both, &out, &err, EXIT_TIMEOUT_MS), 1);
    CHECK_STR(out, expected);
    free(out);
    free(err);

    const char *none[] = {"check", NULL};
    CHECK_INT(run_binary_split(none, &out, &err, EXIT_TIMEOUT_MS), 2);
    CHECK(count_lines(err) == 1, "%s", err);
    free(out);
    free(err);

    /* A directory without fixture files (a volume mounted at the wrong place) is refused,
     * by check and at start; an empty set is asked for by name. */
    char empty[400];
    snprintf(empty, sizeof(empty), "%s/empty-dir", tmpdir);
    mkdir(empty, 0755);
    snprintf(expected, sizeof(expected), "%s: the directory holds no fixture file (*.json)\n",
             empty);
    const char *check_empty[] = {"check", empty, NULL};
    CHECK_INT(run_binary_split(check_empty, &out, &err, EXIT_TIMEOUT_MS), 1);
    CHECK_STR(out, expected);
    free(out);
    free(err);
    const char *serve_empty[] = {"--port", "0", "--fixtures", empty, NULL};
    CHECK_INT(run_binary_split(serve_empty, &out, &err, EXIT_TIMEOUT_MS), 1);
    snprintf(with_prefix, sizeof(with_prefix), "campaign-mock: %s", expected);
    CHECK_STR(err, with_prefix);
    free(out);
    free(err);
    const char *check_none[] = {"check", "none", NULL};
    CHECK_INT(run_binary_split(check_none, &out, &err, EXIT_TIMEOUT_MS), 0);
    CHECK_STR(out, "ok\n");
    free(out);
    free(err);
    /* "bundled" adds the bundled set to the user's files (which clash with it here: the
     * names of the lines say which file each mapping came from). */
    const char *check_bundled[] = {"check", "bundled", source_path("tests/docs/clients.json"),
                                   NULL};
    CHECK_INT(run_binary_split(check_bundled, &out, &err, EXIT_TIMEOUT_MS), 0);
    CHECK_STR(out, "ok\n");
    free(out);
    free(err);
    const char *check_twice[] = {"check", "bundled", source_path("fixtures/acs-docs.json"), NULL};
    CHECK_INT(run_binary_split(check_twice, &out, &err, EXIT_TIMEOUT_MS), 1);
    snprintf(expected, sizeof(expected),
             "%s: tenants.acme.mappings[0].id: duplicate mapping id \"XDM44\" (tenant \"acme\" "
             "already has it from an earlier file)\n",
             source_path("fixtures/acs-docs.json"));
    CHECK(out && strncmp(out, expected, strlen(expected)) == 0, "%s", out ? out : "");
    free(out);
    free(err);
}

/* How many times text occurs in the server's log. */
static int log_count(const struct server *s, const char *text)
{
    FILE *f = fopen(s->log_path, "r");
    char line[4096];
    int n = 0;
    while (f && fgets(line, sizeof(line), f))
        n += strstr(line, text) != NULL;
    if (f)
        fclose(f);
    return n;
}

/* A restart on a database loaded from other fixtures says so (and keeps the state); on
 * the same fixtures it says nothing; a reset loads the new ones, and then it is quiet. */
static void test_fixtures_changed(void)
{
    static const char notice[] = "the fixtures differ from those database ";
    char dir[64], db[128];
    if (harness_temp_dir(dir, sizeof(dir)) < 0)
        return;
    snprintf(db, sizeof(db), "%s/state.db", dir);
    const char *a =
        tmp_file("a.json", "{\"tenants\": {\"t1\": {\"mappings\": [{\"id\": \"M1\"}]}}}");
    const char *b =
        tmp_file("b.json", "{\"tenants\": {\"t1\": {\"mappings\": [{\"id\": \"M2\"}]}}}");
    const char *with_a[] = {"--db", db, "--fixtures", a, NULL};
    const char *with_b[] = {"--db", db, "--fixtures", b, NULL};
    struct server s;
    for (int round = 0; round < 4; round++) {
        const char *const *args = round == 0 || round == 1 ? with_a : with_b;
        if (server_start(&s, dir, args) < 0) {
            CHECK(0, "start %d", round);
            return;
        }
        int told = log_count(&s, notice);
        /* 0: fresh; 1: same fixtures; 2: changed (told); 3: after the reset of round 2. */
        CHECK_INT(told, round == 2 ? 1 : 0);
        char url[256];
        snprintf(url, sizeof(url), "%s/_mock/tenants/t1/mappings/M1", s.base);
        struct response r;
        http_call(&r, "GET", url, NULL, 0, NULL);
        CHECK_INT(r.status, round < 3 ? 200 : 404); /* state kept until the reset */
        response_free(&r);
        if (round == 2) {
            snprintf(url, sizeof(url), "%s/_mock/reset", s.base);
            http_call(&r, "POST", url, NULL, 0, NULL);
            CHECK_INT(r.status, 200);
            response_free(&r);
        }
        CHECK_INT(server_stop(&s), 0);
        unlink(s.log_path); /* each round reads its own start */
    }
}

/* --fixtures bundled with the user's own file: both served; --fixtures none: nothing. */
static void test_fixtures_keywords(void)
{
    const char *args[] = {
        "--fixtures", "bundled", "--fixtures", source_path("tests/docs/clients.json"),
        "--auth",     "strict",  NULL};
    struct server s;
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server with --fixtures bundled did not start");
        return;
    }
    struct response r;
    char url[512];
    snprintf(url, sizeof(url), "%s/ims/token/v3", s.base);
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    http_call(&r, "POST", url,
              "grant_type=client_credentials&client_id=my-client-id&client_secret=my-client-"
              "secret&scope=openid",
              -1, form);
    CHECK_INT(r.status, 200); /* the client of clients.json */
    response_free(&r);
    snprintf(url, sizeof(url), "%s/_mock/tenants/acme/mappings/XDM44", s.base);
    http_call(&r, "GET", url, NULL, 0, NULL);
    CHECK_INT(r.status, 200); /* the mapping of the bundled set */
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);

    const char *none[] = {"--fixtures", "none", NULL};
    if (server_start(&s, NULL, none) < 0) {
        CHECK(0, "server with --fixtures none did not start");
        return;
    }
    snprintf(url, sizeof(url), "%s/_mock/tenants", s.base);
    http_call(&r, "GET", url, NULL, 0, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "{\"tenants\":[],\"template\":false}");
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
}

static void post_expect_status(const struct server *s, long status)
{
    char url[512];
    struct response r;
    http_call(&r, "POST", ingest_url(s, "acme", "XDM44", url, sizeof(url)), NULL, 0, NULL);
    CHECK_INT(r.status, status);
    response_free(&r);
}

static void test_environment(void)
{
    struct server s;
    setenv("CAMPAIGN_MOCK_AUTH", "off", 1);
    if (server_start(&s, NULL, NULL) == 0) {
        post_expect_status(&s, 200);
        CHECK_INT(server_stop(&s), 0);
    } else {
        CHECK(0, "server did not start");
    }
    /* The command line wins over the environment. */
    const char *presence[] = {"--auth", "presence", NULL};
    if (server_start(&s, NULL, presence) == 0) {
        post_expect_status(&s, 401);
        CHECK_INT(server_stop(&s), 0);
    } else {
        CHECK(0, "server did not start");
    }
    unsetenv("CAMPAIGN_MOCK_AUTH");

    /* CAMPAIGN_MOCK_PORT and CAMPAIGN_MOCK_PORT_FILE, no options at all. */
    int port = free_port();
    char port_s[16], port_file[400], log[400];
    snprintf(port_s, sizeof(port_s), "%d", port);
    snprintf(port_file, sizeof(port_file), "%s/env-port", tmpdir);
    snprintf(log, sizeof(log), "%s/env.log", tmpdir);
    setenv("CAMPAIGN_MOCK_PORT", port_s, 1);
    setenv("CAMPAIGN_MOCK_PORT_FILE", port_file, 1);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        (void)f;
        dup2(1, 2);
        execl(getenv("CAMPAIGN_MOCK_BIN"), "campaign-mock", (char *)NULL);
        _exit(127);
    }
    unsetenv("CAMPAIGN_MOCK_PORT");
    unsetenv("CAMPAIGN_MOCK_PORT_FILE");
    int got = 0;
    for (long waited = 0; waited < harness_bound(10000) && got <= 0; waited += 10) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", &got) != 1)
                got = 0;
            fclose(f);
        }
        if (got <= 0)
            harness_sleep_ms(10);
    }
    CHECK_INT(got, port);
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    health(base, 200);
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %d", status);

    /* A bad value in the environment is named with its variable. */
    setenv("CAMPAIGN_MOCK_PORT", "abc", 1);
    const char *serve[] = {"serve", NULL};
    expect_usage_error(serve, "campaign-mock: CAMPAIGN_MOCK_PORT: --port: invalid value \"abc\" "
                              "(expected an integer from 0 to 65535)\n");
    unsetenv("CAMPAIGN_MOCK_PORT");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    if (!mkdtemp(tmpdir)) {
        CHECK(0, "mkdtemp");
        return test_report();
    }
    test_help_version();
    test_option_errors();
    test_ready_line_and_port_file();
    test_sigint();
    test_bad_database();
    test_check_and_bad_fixtures();
    test_fixtures_keywords();
    test_fixtures_changed();
    test_environment();
    const char *made[] = {"junk.db", "bad.json", "syntax.json", "env-port", "env.log"};
    for (int i = 0; i < 5; i++) {
        char p[400];
        snprintf(p, sizeof(p), "%s/%s", tmpdir, made[i]);
        unlink(p);
    }
    rmdir(tmpdir);
    curl_global_cleanup();
    return test_report();
}
