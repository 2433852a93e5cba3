/*
 * campaign-mock: entry point. Parses the command line, then serves, checks fixture
 * files, or probes a running server. Serving ends on SIGTERM or SIGINT: in-flight
 * requests finish, the database closes cleanly, exit status 0.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "cli_http.h"
#include "client_setup.h"
#include "config.h"
#include "control/control.h"
#include "fixtures/fixtures.h"
#include "http/server.h"
#include "log.h"
#include "pipeline.h"
#include "report_cli.h"
#include "revision.h" /* generated (cmake/revision.cmake): the git revision */
#include "tls.h"

static int cmd_check(const struct config *cfg)
{
    if (cfg->n_args == 0) {
        fprintf(stderr, "campaign-mock check: give at least one fixture file or directory\n");
        return 2;
    }
    struct problems p;
    problems_init(&p);
    struct fixture_set set;
    int rc = fixtures_read(&set, (const char *const *)cfg->args, cfg->n_args, &p);
    if (rc == 0) {
        fixtures_free(&set);
        printf("ok\n");
        return 0;
    }
    fputs(p.text ? p.text : "invalid fixtures\n", stdout);
    problems_free(&p);
    return 1;
}

/* GET /_mock/health: exit 0 on a 200 within 5 seconds (a health check). */
static int cmd_probe(const struct config *cfg)
{
    char host[256], port[16], *body = NULL;
    int status = 0;
    int rc = cli_target(cfg, "probe", host, sizeof(host), port, sizeof(port));
    if (rc != 0)
        return rc;
    if (cli_get("probe", host, port, "/_mock/health", NULL, 5, &status, &body) != 0)
        return 1;
    free(body);
    if (status == 200)
        return 0;
    fprintf(stderr, "campaign-mock probe: no healthy answer from %s:%s (HTTP %d)\n", host, port,
            status);
    return 1;
}

/* One line with the HTTP port, and a second with the HTTPS port when there is one (-1:
 * none), so that a reader of the first line alone is served as before. */
static int write_port_file(const char *path, int port, int tls_port)
{
    /* Written to a temporary name and renamed, so a reader never sees a partial file. */
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "%d\n", port);
    if (tls_port >= 0)
        fprintf(f, "%d\n", tls_port);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return -1;
    return 0;
}

/* The configuration's warnings, one line each: through the log when serving (in its
 * format), else on stderr. */
static void warn_config(const struct config *cfg, int logged)
{
    for (const char *line = cfg->warnings; *line;) {
        int n = (int)strcspn(line, "\n");
        if (logged)
            log_msg(LOG_WARN, "%.*s", n, line);
        else
            fprintf(stderr, "campaign-mock: warning: %.*s\n", n, line);
        line += n + (line[n] == '\n');
    }
}

static int cmd_serve(const struct config *cfg)
{
    log_configure(cfg->log_level, cfg->log_format);
    warn_config(cfg, 1);
    /* Signals are taken synchronously by sigwait below; every thread inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (ulimit -f) reached: the write fails and SQLite reports the
     * disk full, rather than the process being killed. */
    signal(SIGXFSZ, SIG_IGN);

    struct app app;
    char err[8192];
    if (app_open(&app, cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "campaign-mock: %s\n", err);
        return 1;
    }
    struct http_server *srv = NULL, *tls_srv = NULL;
    int port = 0, tls_port = -1, rc = 1;
    struct tls_material tls = {NULL, NULL};
    char ca_path[4200] = "";
    struct http_options opt = {cfg->host,
                               cfg->port,
                               cfg->threads,
                               cfg->max_connections,
                               cfg->max_per_client,
                               cfg->request_timeout,
                               cfg->idle_timeout,
                               NULL,
                               NULL};
    /* The certificates before any port is taken: a problem with them is told at once. */
    if (cfg->tls_port >= 0 &&
        tls_material_load(&tls, cfg, ca_path, sizeof(ca_path), err, sizeof(err)) < 0) {
        fprintf(stderr, "campaign-mock: %s\n", err);
        app_close(&app);
        return 1;
    }
    if (http_server_start(&srv, &opt, pipeline_dispatch, &app, &port, err, sizeof(err)) < 0) {
        fprintf(stderr, "campaign-mock: %s\n", err);
        goto done;
    }
    if (cfg->tls_port >= 0) {
        /* The same pipeline behind both: one app, one state, whichever door a call
         * comes in by. Each listener has its own connection budget and threads. */
        struct http_options tls_opt = opt;
        tls_opt.port = cfg->tls_port;
        tls_opt.tls_cert_pem = tls.cert_pem;
        tls_opt.tls_key_pem = tls.key_pem;
        if (http_server_start(&tls_srv, &tls_opt, pipeline_dispatch, &app, &tls_port, err,
                              sizeof(err)) < 0) {
            fprintf(stderr, "campaign-mock: %s\n", err);
            goto done;
        }
    }
    /* The port file first: a server that cannot write it stops before it says it is
     * ready. A client that waits for the file and then reads the output finds the
     * ready line there a moment later. */
    if (cfg->port_file && write_port_file(cfg->port_file, port, tls_port) < 0) {
        fprintf(stderr, "campaign-mock: cannot write --port-file %s: %s\n", cfg->port_file,
                strerror(errno));
        goto done;
    }
    int v6 = strchr(cfg->host, ':') != NULL;
    /* The HTTPS line first: the plain one is the last, as it always was, so a client
     * that waits for it has both. */
    if (tls_srv)
        printf("campaign-mock listening on https://%s%s%s:%d\n", v6 ? "[" : "", cfg->host,
               v6 ? "]" : "", tls_port);
    printf("campaign-mock listening on http://%s%s%s:%d\n", v6 ? "[" : "", cfg->host, v6 ? "]" : "",
           port);
    fflush(stdout);
    log_msg(LOG_INFO, "serving (auth %s, clock %s, db %s)", config_auth_name(cfg->auth),
            clock_mode_name(cfg->clock), cfg->db);
    if (tls_srv && ca_path[0])
        log_msg(LOG_INFO,
                "HTTPS certificate signed by the local CA %s (trust it: campaign-mock env)",
                ca_path);
    else if (tls_srv)
        log_msg(LOG_INFO, "HTTPS certificate %s", cfg->tls_cert);

    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            struct problems p;
            problems_init(&p);
            /* As POST /_mock/reset does: while no call runs (see ROUTE_EXCLUSIVE). */
            pthread_rwlock_wrlock(&app.fixtures_lock);
            int reloaded = control_reload(&app, &p);
            pthread_rwlock_unlock(&app.fixtures_lock);
            if (reloaded == 0)
                log_msg(LOG_INFO, "SIGHUP: fixtures reloaded");
            else
                log_msg(LOG_ERROR, "SIGHUP: fixtures invalid, running state kept:\n%s",
                        p.text ? p.text : "");
            problems_free(&p);
            continue;
        }
        log_msg(LOG_INFO, "signal %d: stopping (answers in flight get up to %d s)", sig,
                cfg->shutdown_grace);
        break;
    }
    /* Both listeners drain at once: the grace is spent once, not once per listener. */
    http_server_drain(tls_srv, cfg->shutdown_grace);
    http_server_drain(srv, cfg->shutdown_grace);
    rc = 0;
done:
    http_server_stop(tls_srv);
    http_server_stop(srv);
    app_close(&app);
    tls_material_free(&tls);
    /* The port is no longer served: a stale file would send the next client to it. */
    if (rc == 0 && cfg->port_file)
        unlink(cfg->port_file);
    return rc;
}

int main(int argc, char **argv)
{
    struct config cfg;
    char err[512];
    if (config_parse(&cfg, argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "campaign-mock: %s\n", err);
        return 2;
    }
    if (cfg.command != CMD_SERVE && cfg.command != CMD_HELP && cfg.command != CMD_VERSION)
        warn_config(&cfg, 0);
    switch (cfg.command) {
    case CMD_HELP:
        fputs(config_usage, stdout);
        return 0;
    case CMD_VERSION:
        printf("campaign-mock %s (%s)\n", CAMPAIGN_MOCK_VERSION, CAMPAIGN_MOCK_REVISION);
        return 0;
    case CMD_CHECK:
        return cmd_check(&cfg);
    case CMD_PROBE:
        return cmd_probe(&cfg);
    case CMD_CA:
        return client_setup_ca(&cfg, stdout);
    case CMD_ENV:
        return client_setup_env(&cfg, stdout);
    case CMD_REPORT:
        return report_command(&cfg, stdout);
    case CMD_SERVE:
        break;
    }
    return cmd_serve(&cfg);
}
