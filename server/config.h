/*
 * The command line and its CAMPAIGN_MOCK_* environment twins. Environment values
 * apply first; options on the command line override them.
 */
#ifndef CAMPAIGN_CONFIG_H
#define CAMPAIGN_CONFIG_H

#include <stdint.h>

#include "clock.h"
#include "log.h"

#define CONFIG_FIXTURES_MAX  32 /* --fixtures may be repeated this many times */
#define CONFIG_THREADS_MAX   64 /* --threads: more workers than this only contend */
#define CONFIG_TLS_HOSTS_MAX 16 /* --tls-host: names a leaf may add to Adobe's and loopback's */
/* The report's poll interval, in ms, wherever it is given (--report-poll-interval-ms,
 * settings.report.pollIntervalMs, ?pollIntervalMs=, report --poll-interval-ms): at most
 * an hour. A plain number, so that CONFIG_STR makes it the text of every message. */
#define CONFIG_REPORT_POLL_MAX_MS 3600000
#define CONFIG_STR_(x)            #x
#define CONFIG_STR(x)             CONFIG_STR_(x)

enum auth_mode { AUTH_OFF = 0, AUTH_PRESENCE, AUTH_STRICT };
enum command {
    CMD_SERVE = 0,
    CMD_CHECK,
    CMD_PROBE,
    CMD_CA,
    CMD_ENV,
    CMD_REPORT,
    CMD_HELP,
    CMD_VERSION
};

struct config {
    enum command command;
    char host[256];
    int port;
    const char *port_file;
    const char *fixtures[CONFIG_FIXTURES_MAX]; /* none: the bundled set */
    int n_fixtures;
    const char *db;
    enum auth_mode auth;
    enum clock_mode clock;
    uint64_t seed;
    const char *admin_token;
    long long journal_max, journal_max_bytes;        /* --journal-max, --journal-max-bytes */
    long long requests_max, tokens_max, tenants_max; /* --requests-max ... */
    int threads;                                     /* HTTP worker threads (--threads) */
    int max_connections, max_per_client; /* --max-connections, --max-connections-per-client */
    const char *cors;                    /* --cors ORIGIN: "*" or one origin; NULL = off */
    int request_timeout;                 /* seconds, 0 = none (--request-timeout) */
    int idle_timeout;                    /* seconds (--idle-timeout) */
    int shutdown_grace;                  /* seconds SIGTERM waits for answers (--shutdown-grace) */
    long long report_poll_ms;            /* --report-poll-interval-ms; 0: the fixtures' or 1000 */
    int tls_port;                        /* --tls-port: -1 = no HTTPS listener, 0 = a free port */
    const char *tls_dir;                 /* --tls-dir: the local CA; NULL = see tls_dir_resolve */
    const char *tls_hosts[CONFIG_TLS_HOSTS_MAX]; /* --tls-host, repeatable */
    int n_tls_hosts;
    const char *tls_cert, *tls_key; /* --tls-cert, --tls-key: the user's own leaf */
    int ca_path;                    /* ca --path: print the CA file's path, not its PEM */
    /* report: --tenant, --since (NULL: not given), --poll-interval-ms, --format (text,
     * json, junit), --fail-on (error, warning, never). */
    const char *report_tenant, *report_since, *report_interval;
    const char *report_format, *report_fail_on;
    enum log_format log_format;
    enum log_level log_level;
    char *const *args; /* positional arguments of check / probe (argv storage) */
    int n_args;
    /* CAMPAIGN_MOCK_* variables that are no option's, one line each ("" when none):
     * told as warnings, never refused (a typo must not stop a CI job, but must show). */
    char warnings[1024];
};

/* Fills *out from the environment and argv (argv must outlive *out). 0 on success;
 * -1 with a one-line reason in err otherwise. */
int config_parse(struct config *out, int argc, char **argv, char *err, size_t err_size);

const char *config_auth_name(enum auth_mode mode);

/* Variables with the CAMPAIGN_MOCK_ prefix that are not options' twins and not warned
 * about: those of campaign-mock's own test suite and helpers (without the prefix). */
extern const char *const config_env_not_options[];

/* The names of the options (without "--"), NULL-terminated: each is also read from its
 * CAMPAIGN_MOCK_ twin. */
extern const char *const config_options[];

/* The --help text. */
extern const char config_usage[];

#endif
