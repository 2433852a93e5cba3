/*
 * Command-line and environment parsing. Every option has an environment twin named
 * CAMPAIGN_MOCK_<OPTION> (dashes become underscores, letters upper case).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

extern char **environ; /* the variables, for those no option reads */

const char config_usage[] =
    "usage: campaign-mock [serve] [options]     run the server (default command)\n"
    "       campaign-mock check PATH...         validate fixture files\n"
    "       campaign-mock probe [URL]           exit 0 when the server answers /_mock/health\n"
    "       campaign-mock ca [--path]           print the local CA's certificate (or its path)\n"
    "       campaign-mock env                   print the variables that point clients here\n"
    "       campaign-mock report [URL]          grade the client (--tenant T, --since ID,\n"
    "                                           --format text|json|junit, --fail-on\n"
    "                                           error|warning|never, --poll-interval-ms N)\n"
    "       campaign-mock --help | --version\n"
    "\n"
    "options (each also read from CAMPAIGN_MOCK_<NAME>, e.g. CAMPAIGN_MOCK_PORT):\n"
    "  --host ADDR           bind address (default 127.0.0.1)\n"
    "  --port N              port (default 8080; 0 picks a free port)\n"
    "  --port-file PATH      write the bound port there once listening\n"
    "  --fixtures PATH       fixture file or directory, repeatable (default: bundled set);\n"
    "                        bundled adds the bundled set, none asks for no fixtures\n"
    "  --db PATH             SQLite database (default :memory:; a file keeps state)\n"
    "  --auth MODE           off | presence (default) | strict\n"
    "  --clock MODE          real (default) | manual (moves only when told)\n"
    "  --seed N              seeds every random choice (default 0)\n"
    "  --admin-token TOKEN   /_mock/* then requires header X-Mock-Admin-Token: TOKEN\n"
    "  --journal-max N       journal entries kept, oldest evicted first (default 100000)\n"
    "  --journal-max-bytes N\n"
    "                        journal bytes kept, oldest evicted first (default 67108864)\n"
    "  --requests-max N      finished ingestion requests kept, oldest evicted first\n"
    "                        (default 100000)\n"
    "  --tokens-max N        IMS tokens kept, oldest evicted first (default 100000)\n"
    "  --tenants-max N       tenants the template may create (default 10000)\n"
    "  --threads N           HTTP worker threads, 1 to 64 (default 2)\n"
    "  --max-connections N   open connections served, beyond: 503 (default 1000)\n"
    "  --max-connections-per-client N\n"
    "                        the same for one client address (default 1000)\n"
    "  --cors ORIGIN         answer browsers of ORIGIN (or *) on another origin (default off)\n"
    "  --request-timeout S   a request must arrive whole within S seconds of its first\n"
    "                        byte, else 408 (default 30; 0 = no deadline)\n"
    "  --idle-timeout S      an idle connection is closed after S seconds (default 120)\n"
    "  --report-poll-interval-ms N\n"
    "                        polls of one request closer than N ms are too fast in\n"
    "                        /_mock/report (default: the fixtures' settings.report, else 1000)\n"
    "  --shutdown-grace S    on SIGTERM, wait up to S seconds for the answers in flight,\n"
    "                        delayed ones included (default 5; 0 = cut them)\n"
    "  --tls-port N          also serve HTTPS on port N (0 picks a free port; off, the\n"
    "                        default, serves none)\n"
    "  --tls-dir DIR         the local CA that signs the HTTPS certificate (default: beside\n"
    "                        --db FILE as FILE.tls, else ~/.local/state/campaign-mock/tls)\n"
    "  --tls-host NAME       one more name or address for the certificate, repeatable\n"
    "                        (Adobe's hosts, localhost, 127.0.0.1 and ::1 are always in)\n"
    "  --tls-cert FILE       serve this PEM certificate (chain) instead, with --tls-key FILE\n"
    "  --tls-key FILE        its unencrypted PEM private key\n"
    "  --log-format FORMAT   text (default) | json\n"
    "  --log-level LEVEL     error | warn | info (default) | debug\n";

const char *config_auth_name(enum auth_mode mode)
{
    return mode == AUTH_OFF ? "off" : mode == AUTH_STRICT ? "strict" : "presence";
}

static int parse_ll(long long *out, const char *s, long long min, long long max)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* What each option takes, for the message that refuses a value (the checks are in
 * apply: keep the two in step). */
static const char *allowed_values(const char *name)
{
    static const struct {
        const char *name, *allowed;
    } table[] = {
        {"host", "an address of at most 255 bytes, e.g. 127.0.0.1 or ::1"},
        {"port", "an integer from 0 to 65535"},
        {"db", ":memory: or a file path"},
        {"auth", "off, presence or strict"},
        {"clock", "real or manual"},
        {"seed", "an integer from 0 to 18446744073709551615"},
        {"admin-token", "a non-empty token"},
        {"journal-max", "an integer from 1 to 10000000"},
        {"journal-max-bytes", "an integer from 1048576 to 68719476736"},
        {"requests-max", "an integer from 1 to 10000000"},
        {"tokens-max", "an integer from 1 to 10000000"},
        {"tenants-max", "an integer from 1 to 1000000"},
        {"threads", "an integer from 1 to 64"},
        {"max-connections", "an integer from 1 to 100000"},
        {"max-connections-per-client", "an integer from 1 to 100000"},
        {"request-timeout", "seconds, an integer from 0 to 3600"},
        {"idle-timeout", "seconds, an integer from 1 to 86400"},
        {"shutdown-grace", "seconds, an integer from 0 to 3600"},
        {"report-poll-interval-ms", "an integer from 1 to " CONFIG_STR(CONFIG_REPORT_POLL_MAX_MS)},
        {"tls-port", "an integer from 0 to 65535, or off"},
        {"tls-dir", "a directory path"},
        {"tls-host", "a DNS name or an IP address, at most 253 bytes of letters, digits, '.', "
                     "'-', ':' and '*'"},
        {"tls-cert", "a file path"},
        {"tls-key", "a file path"},
        {"log-format", "text or json"},
        {"log-level", "error, warn, info or debug"},
        /* The report command's own. */
        {"tenant", "a tenant name"},
        {"since", "a journal entry id, 0 or more"},
        {"poll-interval-ms", "an integer from 1 to " CONFIG_STR(CONFIG_REPORT_POLL_MAX_MS)},
        {"format", "text, json or junit"},
        {"fail-on", "error, warning or never"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(table[i].name, name) == 0)
            return table[i].allowed;
    }
    return "another value";
}

/* Applies one option; value may be NULL only for flags without a value. */
static int apply(struct config *c, const char *name, const char *value, char *err, size_t n)
{
    long long v;
    if (strcmp(name, "host") == 0) {
        if (!*value || strlen(value) >= sizeof(c->host))
            goto bad;
        snprintf(c->host, sizeof(c->host), "%s", value);
    } else if (strcmp(name, "port") == 0) {
        if (parse_ll(&v, value, 0, 65535) < 0)
            goto bad;
        c->port = (int)v;
    } else if (strcmp(name, "port-file") == 0) {
        c->port_file = value;
    } else if (strcmp(name, "fixtures") == 0) {
        if (c->n_fixtures >= CONFIG_FIXTURES_MAX) {
            snprintf(err, n, "--fixtures: at most %d paths", CONFIG_FIXTURES_MAX);
            return -1;
        }
        c->fixtures[c->n_fixtures++] = value;
    } else if (strcmp(name, "db") == 0) {
        if (!*value)
            goto bad;
        c->db = value;
    } else if (strcmp(name, "auth") == 0) {
        if (strcmp(value, "off") == 0)
            c->auth = AUTH_OFF;
        else if (strcmp(value, "presence") == 0)
            c->auth = AUTH_PRESENCE;
        else if (strcmp(value, "strict") == 0)
            c->auth = AUTH_STRICT;
        else
            goto bad;
    } else if (strcmp(name, "clock") == 0) {
        if (clock_mode_parse(&c->clock, value) < 0)
            goto bad;
    } else if (strcmp(name, "seed") == 0) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(value, &end, 10);
        if (!*value || *value == '-' || errno || *end)
            goto bad;
        c->seed = s;
    } else if (strcmp(name, "admin-token") == 0) {
        if (!*value)
            goto bad;
        c->admin_token = value;
    } else if (strcmp(name, "journal-max") == 0) {
        /* A cap of 0 would make the journal useless; 10 million rows is ~2 GiB. */
        if (parse_ll(&v, value, 1, 10000000) < 0)
            goto bad;
        c->journal_max = v;
    } else if (strcmp(name, "journal-max-bytes") == 0) {
        /* At least 1 MiB: an entry may weigh some 50 KiB (bodies and headers are cut). */
        if (parse_ll(&v, value, 1048576, 68719476736LL) < 0)
            goto bad;
        c->journal_max_bytes = v;
    } else if (strcmp(name, "requests-max") == 0 || strcmp(name, "tokens-max") == 0) {
        /* As --journal-max: a row is a few hundred bytes, 10 million a few GiB. */
        if (parse_ll(&v, value, 1, 10000000) < 0)
            goto bad;
        *(name[0] == 'r' ? &c->requests_max : &c->tokens_max) = v;
    } else if (strcmp(name, "tenants-max") == 0) {
        if (parse_ll(&v, value, 1, 1000000) < 0)
            goto bad;
        c->tenants_max = v;
    } else if (strcmp(name, "threads") == 0) {
        /* Each worker polls its own connections; beyond 64 threads only contend. */
        if (parse_ll(&v, value, 1, CONFIG_THREADS_MAX) < 0)
            goto bad;
        c->threads = (int)v;
    } else if (strcmp(name, "max-connections") == 0) {
        /* Each connection costs 64 KiB of buffers and a slot in poll(): 100,000 is far
         * beyond any test suite, and below what a process's descriptors allow. */
        if (parse_ll(&v, value, 1, 100000) < 0)
            goto bad;
        c->max_connections = (int)v;
    } else if (strcmp(name, "max-connections-per-client") == 0) {
        if (parse_ll(&v, value, 1, 100000) < 0)
            goto bad;
        c->max_per_client = (int)v;
    } else if (strcmp(name, "cors") == 0) {
        /* "*", or one origin: scheme://host[:port], no path (what browsers send). */
        int ok = strcmp(value, "*") == 0;
        const char *rest = strncmp(value, "http://", 7) == 0    ? value + 7
                           : strncmp(value, "https://", 8) == 0 ? value + 8
                                                                : NULL;
        if (rest && *rest && strlen(value) <= 256) {
            ok = 1;
            for (const char *p = rest; *p; p++)
                ok &= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == ':' ||
                      *p == '[' || *p == ']';
        }
        if (!ok) {
            snprintf(err, n,
                     "--cors: invalid value \"%.100s\" (expected * or an origin such as "
                     "http://localhost:3000)",
                     value);
            return -1;
        }
        c->cors = value;
    } else if (strcmp(name, "request-timeout") == 0) {
        /* An hour is beyond any real client; 0 turns the deadline off (a person typing
         * a request by hand). */
        if (parse_ll(&v, value, 0, 3600) < 0)
            goto bad;
        c->request_timeout = (int)v;
    } else if (strcmp(name, "idle-timeout") == 0) {
        if (parse_ll(&v, value, 1, 86400) < 0)
            goto bad;
        c->idle_timeout = (int)v;
    } else if (strcmp(name, "report-poll-interval-ms") == 0) {
        if (parse_ll(&v, value, 1, CONFIG_REPORT_POLL_MAX_MS) < 0)
            goto bad;
        c->report_poll_ms = v;
    } else if (strcmp(name, "shutdown-grace") == 0) {
        if (parse_ll(&v, value, 0, 3600) < 0)
            goto bad;
        c->shutdown_grace = (int)v;
    } else if (strcmp(name, "tls-port") == 0) {
        /* "off" undoes a CAMPAIGN_MOCK_TLS_PORT that `campaign-mock env` exported. */
        if (strcmp(value, "off") == 0)
            v = -1;
        else if (parse_ll(&v, value, 0, 65535) < 0)
            goto bad;
        c->tls_port = (int)v;
    } else if (strcmp(name, "tls-dir") == 0 || strcmp(name, "tls-cert") == 0 ||
               strcmp(name, "tls-key") == 0) {
        if (!*value)
            goto bad;
        *(name[4] == 'd' ? &c->tls_dir : name[4] == 'c' ? &c->tls_cert : &c->tls_key) = value;
    } else if (strcmp(name, "tls-host") == 0) {
        /* A certificate name (RFC 1035 lengths; '*' for a wildcard) or an address. */
        size_t len = strlen(value);
        int ok = len > 0 && len <= 253;
        for (const char *p = value; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 *p == '.' || *p == '-' || *p == ':' || *p == '*';
        if (!ok)
            goto bad;
        if (c->n_tls_hosts >= CONFIG_TLS_HOSTS_MAX) {
            snprintf(err, n, "--tls-host: at most %d names", CONFIG_TLS_HOSTS_MAX);
            return -1;
        }
        c->tls_hosts[c->n_tls_hosts++] = value;
    } else if (strcmp(name, "log-format") == 0) {
        if (log_format_parse(&c->log_format, value) < 0)
            goto bad;
    } else if (strcmp(name, "log-level") == 0) {
        if (log_level_parse(&c->log_level, value) < 0)
            goto bad;
    } else {
        snprintf(err, n, "unknown option --%s (see --help)", name);
        return -1;
    }
    return 0;
bad:
    snprintf(err, n, "--%s: invalid value \"%.100s\" (expected %s)", name, value,
             allowed_values(name));
    return -1;
}

const char *const config_options[] = {"host",
                                      "port",
                                      "port-file",
                                      "fixtures",
                                      "db",
                                      "auth",
                                      "clock",
                                      "seed",
                                      "admin-token",
                                      "journal-max",
                                      "journal-max-bytes",
                                      "requests-max",
                                      "tokens-max",
                                      "tenants-max",
                                      "threads",
                                      "max-connections",
                                      "max-connections-per-client",
                                      "cors",
                                      "request-timeout",
                                      "idle-timeout",
                                      "shutdown-grace",
                                      "report-poll-interval-ms",
                                      "tls-port",
                                      "tls-dir",
                                      "tls-host",
                                      "tls-cert",
                                      "tls-key",
                                      "log-format",
                                      "log-level",
                                      NULL};

#define N_OPTIONS (sizeof(config_options) / sizeof(config_options[0]) - 1)

const char *const config_env_not_options[] = {
    "BIN",          "SOURCE",        "RESPONSE_LOG",  "KEEP_TEST_DIRS", "VALGRIND",
    "MEMCHECK_BIN", "MEMCHECK_LOGS", "MEMCHECK_TEST", "CONTROL_URL",    NULL};

/* An option's variable name into var: CAMPAIGN_MOCK_ and the name in upper case, '-' as
 * '_'. */
static void env_name(char *var, size_t size, const char *option)
{
    size_t len = (size_t)snprintf(var, size, "CAMPAIGN_MOCK_");
    for (const char *p = option; *p && len < size - 1; p++)
        var[len++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    var[len] = '\0';
}

/* Edit distance of a and b, up to 3 (a typo is one or two). */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) > 2)
        return 3;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb] > 3 ? 3 : row[lb];
}

/* The CAMPAIGN_MOCK_* variables of env that no option reads, as warning lines. */
static void env_warnings(struct config *c, char *const *env)
{
    static const char prefix[] = "CAMPAIGN_MOCK_";
    size_t used = 0;
    c->warnings[0] = '\0';
    for (char *const *e = env; e && *e; e++) {
        if (strncmp(*e, prefix, sizeof(prefix) - 1) != 0)
            continue;
        char name[96];
        size_t len = strcspn(*e, "=");
        if (len >= sizeof(name))
            len = sizeof(name) - 1;
        memcpy(name, *e, len);
        name[len] = '\0';
        int known = 0;
        const char *nearest = NULL;
        char var[64], near_var[64] = "";
        for (size_t i = 0; i < N_OPTIONS && !known; i++) {
            env_name(var, sizeof(var), config_options[i]);
            known = strcmp(var, name) == 0;
            if (!known && !nearest && distance(var, name) <= 2) {
                nearest = config_options[i];
                snprintf(near_var, sizeof(near_var), "%s", var);
            }
        }
        for (const char *const *o = config_env_not_options; *o && !known; o++)
            known = strcmp(name + sizeof(prefix) - 1, *o) == 0;
        if (known)
            continue;
        int n = snprintf(c->warnings + used, sizeof(c->warnings) - used,
                         "%s is no option's variable: ignored%s%s%s\n", name,
                         nearest ? " (did you mean " : "", nearest ? near_var : "",
                         nearest ? "?)" : "");
        if (n < 0 || (size_t)n >= sizeof(c->warnings) - used) {
            c->warnings[used] = '\0'; /* the rest would not fit: the first are told */
            break;
        }
        used += (size_t)n;
    }
}

/* The separator of a repeatable option's values in its environment twin, or 0 for an
 * option that takes one value: ':' between paths as in PATH, ',' between names (an
 * IPv6 address has colons). */
static char list_separator(const char *option)
{
    return strcmp(option, "fixtures") == 0 ? ':' : strcmp(option, "tls-host") == 0 ? ',' : 0;
}

/* Applies the CAMPAIGN_MOCK_* variables. A bad value is not fatal yet: it is kept in
 * env_err[i] and only reported when the command line does not set that option too. */
static void apply_env(struct config *c, char env_err[][256])
{
    /* The split values of the repeatable options, as long as the process lives (the
     * config keeps pointers into them). */
    static char lists[2][8192];
    int n_lists = 0;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const char *o = config_options[i];
        char var[64];
        env_name(var, sizeof(var), o);
        const char *value = getenv(var);
        char sep = list_separator(o);
        if (!value || (sep && !*value))
            continue;
        char err[160];
        if (sep) {
            char *buf = lists[n_lists++];
            if (strlen(value) >= sizeof(lists[0])) {
                snprintf(env_err[i], 256, "%s: longer than %zu bytes", var, sizeof(lists[0]) - 1);
                continue;
            }
            snprintf(buf, sizeof(lists[0]), "%s", value);
            for (char *part = buf; part && *part;) {
                char *end = strchr(part, sep);
                if (end)
                    *end = '\0';
                if (*part && apply(c, o, part, err, sizeof(err)) < 0) {
                    snprintf(env_err[i], 256, "%s: %s", var, err);
                    break;
                }
                part = end ? end + 1 : NULL;
            }
        } else if (apply(c, o, value, err, sizeof(err)) < 0) {
            snprintf(env_err[i], 256, "%s: %s", var, err);
        }
    }
}

/* The options of the report command alone. Returns 1 when a was one of them (taken,
 * with its value: *i moves past it), -1 with err set when its value is wrong, 0 when a
 * is no report option (err left empty). */
static int report_option(struct config *c, const char *a, const char *next, int *i, char *err,
                         size_t n)
{
    static const char *const names[] = {"tenant", "since", "poll-interval-ms", "format", "fail-on"};
    err[0] = '\0';
    if (strncmp(a, "--", 2) != 0)
        return 0;
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        size_t len = strlen(names[k]);
        if (strncmp(a + 2, names[k], len) != 0 || (a[2 + len] != '\0' && a[2 + len] != '='))
            continue;
        const char *value = a[2 + len] == '=' ? a + 3 + len : next;
        if (!value) {
            snprintf(err, n, "--%s needs a value", names[k]);
            return -1;
        }
        if (a[2 + len] != '=')
            (*i)++;
        long long v;
        int ok = 1;
        if (k == 0) {
            ok = *value != '\0';
            c->report_tenant = value;
        } else if (k == 1) {
            ok = parse_ll(&v, value, 0, JSON_INT_MAX) == 0;
            c->report_since = value;
        } else if (k == 2) {
            ok = parse_ll(&v, value, 1, CONFIG_REPORT_POLL_MAX_MS) == 0;
            c->report_interval = value;
        } else if (k == 3) {
            ok = strcmp(value, "text") == 0 || strcmp(value, "json") == 0 ||
                 strcmp(value, "junit") == 0;
            c->report_format = value;
        } else {
            ok = strcmp(value, "error") == 0 || strcmp(value, "warning") == 0 ||
                 strcmp(value, "never") == 0;
            c->report_fail_on = value;
        }
        if (!ok) {
            snprintf(err, n, "--%s: invalid value \"%.100s\" (expected %s)", names[k], value,
                     allowed_values(names[k]));
            return -1;
        }
        return 1;
    }
    return 0;
}

static int option_index(const char *name)
{
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (strcmp(config_options[i], name) == 0)
            return (int)i;
    }
    return -1;
}

int config_parse(struct config *out, int argc, char **argv, char *err, size_t err_size)
{
    struct config c;
    memset(&c, 0, sizeof(c));
    snprintf(c.host, sizeof(c.host), "127.0.0.1");
    c.port = 8080;
    c.db = ":memory:";
    c.auth = AUTH_PRESENCE;
    c.clock = CLOCK_MODE_REAL;
    c.journal_max = 100000;
    /* 64 MiB: the default count of entries of a usual size (a few hundred bytes each),
     * and a bound on memory with :memory: whatever clients send. */
    c.journal_max_bytes = 64LL * 1024 * 1024;
    /* A long CI run's worth of each (a few hundred bytes a row): a suite polls what it
     * just triggered, never a request 100,000 triggers old. */
    c.requests_max = 100000;
    c.tokens_max = 100000;
    c.tenants_max = 10000; /* a template tenant holds its mappings: a few KiB each */
    c.threads = 2;         /* the machines we target have two cores */
    c.max_connections = 1000;
    /* As many as in all by default: a CI suite's clients all come from 127.0.0.1. */
    c.max_per_client = 1000;
    /* Long enough for any client on a loopback or a CI network, short enough that a
     * client sending a byte now and then cannot hold its slot for long. */
    c.request_timeout = 30;
    c.idle_timeout = 120; /* keep-alive pools of HTTP clients reuse within seconds */
    c.tls_port = -1;
    /* Long enough for the delays a fault rule gives a test (a second or two), short
     * enough that a CI job's teardown does not notice. */
    c.shutdown_grace = 5;
    c.log_format = LOG_TEXT;
    c.log_level = LOG_INFO;
    c.command = CMD_SERVE;
    char env_err[N_OPTIONS][256];
    int cli_set[N_OPTIONS];
    memset(env_err, 0, sizeof(env_err));
    memset(cli_set, 0, sizeof(cli_set));
    apply_env(&c, env_err);
    env_warnings(&c, environ);

    int i = 1;
    if (i < argc && argv[i][0] != '-') {
        if (strcmp(argv[i], "serve") == 0)
            c.command = CMD_SERVE;
        else if (strcmp(argv[i], "check") == 0)
            c.command = CMD_CHECK;
        else if (strcmp(argv[i], "probe") == 0)
            c.command = CMD_PROBE;
        else if (strcmp(argv[i], "ca") == 0)
            c.command = CMD_CA;
        else if (strcmp(argv[i], "env") == 0)
            c.command = CMD_ENV;
        else if (strcmp(argv[i], "report") == 0)
            c.command = CMD_REPORT;
        else {
            snprintf(err, err_size, "unknown command \"%.64s\" (see --help)", argv[i]);
            return -1;
        }
        i++;
    }
    int first_arg = -1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            c.command = CMD_HELP;
            break;
        }
        if (strcmp(a, "--version") == 0) {
            c.command = CMD_VERSION;
            break;
        }
        if (c.command == CMD_CA && strcmp(a, "--path") == 0) {
            c.ca_path = 1;
            continue;
        }
        if (c.command == CMD_REPORT &&
            report_option(&c, a, i + 1 < argc ? argv[i + 1] : NULL, &i, err, err_size) != 0) {
            if (err[0])
                return -1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || !a[2]) {
            if (c.command != CMD_CHECK && c.command != CMD_PROBE && c.command != CMD_REPORT) {
                snprintf(err, err_size, "unexpected argument \"%.64s\" (see --help)", a);
                return -1;
            }
            if (first_arg < 0)
                first_arg = i;
            argv[c.n_args + first_arg] = argv[i]; /* gather positionals in order */
            c.n_args++;
            continue;
        }
        char name[64];
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (len >= sizeof(name)) {
            snprintf(err, err_size, "unknown option %.64s (see --help)", a);
            return -1;
        }
        memcpy(name, a + 2, len);
        name[len] = '\0';
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            if (i + 1 >= argc) {
                int known = 0;
                for (const char *const *o = config_options; *o; o++)
                    known |= strcmp(*o, name) == 0;
                if (known)
                    snprintf(err, err_size, "--%s needs a value", name);
                else
                    snprintf(err, err_size, "unknown option --%s (see --help)", name);
                return -1;
            }
            value = argv[++i];
        }
        int idx = option_index(name);
        /* The command line's values of a repeatable option replace the environment's. */
        if (idx >= 0 && !cli_set[idx] && list_separator(name))
            *(name[0] == 'f' ? &c.n_fixtures : &c.n_tls_hosts) = 0;
        if (idx >= 0)
            cli_set[idx] = 1;
        if (apply(&c, name, value, err, err_size) < 0)
            return -1;
    }
    for (size_t k = 0; k < N_OPTIONS && c.command != CMD_HELP && c.command != CMD_VERSION; k++) {
        if (env_err[k][0] && !cli_set[k]) {
            snprintf(err, err_size, "%s", env_err[k]);
            return -1;
        }
    }
    c.args = first_arg >= 0 ? argv + first_arg : NULL;
    *out = c;
    return 0;
}
