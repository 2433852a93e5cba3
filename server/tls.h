/*
 * The HTTPS listener's certificates, from GnuTLS (the TLS library libmicrohttpd uses).
 *
 * By default a local certificate authority is made on first use and kept in a directory
 * of ours (--tls-dir; by default beside --db FILE, or under the user's state directory):
 * ca.pem, which clients trust, and ca-key.pem (0600). At every start a fresh leaf is
 * signed by it, in memory only, for Adobe's hosts, the loopback names and each
 * --tls-host. Or the user gives the leaf: --tls-cert and --tls-key. Either way the
 * material is checked at start (readable, parseable, in date, key matching), and a
 * problem is one line naming the file.
 */
#ifndef CAMPAIGN_TLS_H
#define CAMPAIGN_TLS_H

#include <stddef.h>

#include "config.h"

/* The names every generated leaf is valid for: Adobe's hosts first. */
extern const char *const tls_default_hosts[];

/* A leaf certificate and its key, as PEM (owned, NUL-terminated). */
struct tls_material {
    char *cert_pem;
    char *key_pem;
};

/* The CA directory for cfg into out: --tls-dir, else "FILE.tls" beside --db FILE, else
 * $XDG_STATE_HOME/campaign-mock/tls or ~/.local/state/campaign-mock/tls. 0, or -1 with a
 * reason in err. */
int tls_dir_resolve(const struct config *cfg, char *out, size_t size, char *err, size_t err_size);

/* Makes the CA in dir unless it is there (creating dir as needed; safe against other
 * servers starting at once on the same dir), then checks it. Writes the path of ca.pem
 * into ca_path. 0, or -1 with a reason in err. */
int tls_ca_ensure(const char *dir, char *ca_path, size_t ca_path_size, char *err, size_t err_size);

/* The leaf for cfg: the user's --tls-cert/--tls-key, checked, or a new one signed by
 * the CA (made if needed) for tls_default_hosts and cfg's --tls-host names. On success
 * fills *out (free with tls_material_free) and, when the CA signed it, ca_path. 0, or -1
 * with a reason in err. */
int tls_material_load(struct tls_material *out, const struct config *cfg, char *ca_path,
                      size_t ca_path_size, char *err, size_t err_size);

void tls_material_free(struct tls_material *m);

#endif
