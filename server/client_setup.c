/*
 * campaign-mock ca and campaign-mock env (see client_setup.h).
 *
 * The preloads are written beside the CA, DIR/preload/, each file rewritten only when
 * its bytes differ from the binary's (so a running client never reads half a file, and
 * an unchanged file keeps its time).
 */
#include "client_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "embedded.h"
#include "text.h"
#include "tls.h"

/* The preloads, by their name in preload_files and where env puts them under DIR. */
#define NODE_PRELOAD   "campaign-mock-preload.js"
#define PYTHON_PRELOAD "sitecustomize.py"

/* The TLS port env points clients at when none is set: the one the docs use, which
 * Docker maps from 443 (-p 443:8443). */
#define ENV_DEFAULT_TLS_PORT 8443

static int ca_dir(const struct config *cfg, char *dir, size_t dir_size, char *ca_path,
                  size_t ca_size)
{
    char err[4400];
    if (tls_dir_resolve(cfg, dir, dir_size, err, sizeof(err)) < 0 ||
        tls_ca_ensure(dir, ca_path, ca_size, err, sizeof(err)) < 0) {
        fprintf(stderr, "campaign-mock: %s\n", err);
        return -1;
    }
    return 0;
}

int client_setup_ca(const struct config *cfg, FILE *out)
{
    char dir[4096], ca_path[4200];
    if (ca_dir(cfg, dir, sizeof(dir), ca_path, sizeof(ca_path)) < 0)
        return 1;
    if (cfg->ca_path) {
        fprintf(out, "%s\n", ca_path);
        return 0;
    }
    FILE *f = fopen(ca_path, "r");
    if (!f) {
        fprintf(stderr, "campaign-mock: cannot read %s: %s\n", ca_path, strerror(errno));
        return 1;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, out);
    fclose(f);
    return 0;
}

static const char *preload_text(const char *name)
{
    for (int i = 0; i < preload_files_count; i++) {
        if (strcmp(preload_files[i].name, name) == 0)
            return preload_files[i].text;
    }
    return NULL;
}

/* Whether path holds exactly text. */
static int file_same(const char *path, const char *text)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t len = strlen(text), off = 0;
    char buf[4096];
    size_t n;
    int same = 1;
    while (same && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        same = off + n <= len && memcmp(buf, text + off, n) == 0;
        off += n;
    }
    fclose(f);
    return same && off == len;
}

/* Writes an embedded preload to path unless it is there already, by a temporary name. */
static int preload_write(const char *path, const char *name)
{
    const char *text = preload_text(name);
    if (!text) {
        fprintf(stderr, "campaign-mock: this build has no %s (preload/ was empty)\n", name);
        return -1;
    }
    if (file_same(path, text))
        return 0;
    char tmp[4400];
    text_printf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(text, 1, strlen(text), f) == strlen(text);
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "campaign-mock: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int dir_ensure(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "campaign-mock: cannot make %s: %s\n", path, strerror(errno));
    return -1;
}

/* export NAME='value' with the value quoted for any POSIX shell; suffix (may be NULL)
 * follows unquoted, for an expansion such as "${PYTHONPATH:+:$PYTHONPATH}". */
static void export_line(FILE *out, const char *name, const char *value, const char *suffix)
{
    fprintf(out, "export %s='", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", out);
        else
            fputc(*p, out);
    }
    fprintf(out, "'%s\n", suffix ? suffix : "");
}

int client_setup_env(const struct config *cfg, FILE *out)
{
    if (cfg->tls_port == 0) {
        fprintf(stderr, "campaign-mock env: --tls-port 0 is no port a client can use: give the "
                        "port the server took (the second line of its --port-file)\n");
        return 2;
    }
    char dir[4096], ca_path[4200];
    if (ca_dir(cfg, dir, sizeof(dir), ca_path, sizeof(ca_path)) < 0)
        return 1;
    char preload_dir[4200], python_dir[4300], node_path[4300], python_path[4400];
    text_printf(preload_dir, sizeof(preload_dir), "%s/preload", dir);
    text_printf(python_dir, sizeof(python_dir), "%s/python", preload_dir);
    text_printf(node_path, sizeof(node_path), "%s/" NODE_PRELOAD, preload_dir);
    text_printf(python_path, sizeof(python_path), "%s/" PYTHON_PRELOAD, python_dir);
    if (dir_ensure(preload_dir) < 0 || dir_ensure(python_dir) < 0 ||
        preload_write(node_path, NODE_PRELOAD) < 0 ||
        preload_write(python_path, PYTHON_PRELOAD) < 0)
        return 1;

    char port[16];
    text_printf(port, sizeof(port), "%d", cfg->tls_port > 0 ? cfg->tls_port : ENV_DEFAULT_TLS_PORT);
    fprintf(out, "# campaign-mock env: clients that trust the local CA and send Adobe's hosts\n"
                 "# (mc.adobe.io, ims-na1.adobelogin.com, ims-na1-stg1.adobelogin.com) to the\n"
                 "# mock's HTTPS port. Paste these lines, or: eval \"$(campaign-mock env)\"\n"
                 "# A server started in the same shell serves HTTPS on that port with that CA.\n");
    export_line(out, "CAMPAIGN_MOCK_TLS_PORT", port, NULL);
    export_line(out, "CAMPAIGN_MOCK_TLS_DIR", dir, NULL);
    if (strcmp(cfg->host, "127.0.0.1") != 0)
        export_line(out, "CAMPAIGN_MOCK_HOST", cfg->host, NULL);
    if (cfg->n_tls_hosts > 0) {
        char hosts[CONFIG_TLS_HOSTS_MAX * 256] = "";
        size_t len = 0;
        for (int i = 0; i < cfg->n_tls_hosts; i++) {
            text_printf(hosts + len, sizeof(hosts) - len, "%s%s", i ? "," : "", cfg->tls_hosts[i]);
            len += strlen(hosts + len);
        }
        export_line(out, "CAMPAIGN_MOCK_TLS_HOST", hosts, NULL);
    }
    /* Each runtime's own way to trust a CA. The three OpenSSL ones replace the system's
     * list: with the preloads, such a client reaches no other host anyway. */
    export_line(out, "NODE_EXTRA_CA_CERTS", ca_path, NULL);
    export_line(out, "SSL_CERT_FILE", ca_path, NULL);
    export_line(out, "REQUESTS_CA_BUNDLE", ca_path, NULL);
    export_line(out, "CURL_CA_BUNDLE", ca_path, NULL);
    /* NODE_OPTIONS splits on spaces: a path with one is quoted inside. */
    char node_opt[4400];
    text_printf(node_opt, sizeof(node_opt),
                strchr(node_path, ' ') ? "--require \"%s\"" : "--require %s", node_path);
    export_line(out, "NODE_OPTIONS", node_opt, "\"${NODE_OPTIONS:+ $NODE_OPTIONS}\"");
    export_line(out, "PYTHONPATH", python_dir, "\"${PYTHONPATH:+:$PYTHONPATH}\"");
    return 0;
}
