/*
 * Certificates for the HTTPS listener (see tls.h). Keys are ECDSA P-256: generated in a
 * millisecond, and accepted by every client we are tested with (Node, Python, curl,
 * Java). The CA is written once, each file to a temporary name then renamed, under an
 * exclusive lock on DIR/.lock, so that parallel servers on one directory make one CA.
 */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "text.h"

const char *const tls_default_hosts[] = {"mc.adobe.io",
                                         "ims-na1.adobelogin.com",
                                         "ims-na1-stg1.adobelogin.com",
                                         "localhost",
                                         "127.0.0.1",
                                         "::1",
                                         NULL};

/* Ten years: a CA a user trusted once should not lapse under a long-lived CI image. */
#define CA_DAYS 3650
/* 397 days: the longest leaf that browsers accept (the dashboard is served over it). */
#define LEAF_DAYS 397
/* Backdated an hour, so that a client whose clock is a little behind still accepts it. */
#define BACKDATE_S 3600
/* PEM files we read: a certificate chain or a key is a few KiB; 1 MiB is far beyond. */
#define PEM_MAX (1024 * 1024)

#define DAY_S (24L * 3600)

static int fail_gnutls(char *err, size_t n, const char *what, int rc)
{
    text_printf(err, n, "%s: %s", what, gnutls_strerror(rc));
    return -1;
}

static void utc_text(char *out, size_t n, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* --- files ------------------------------------------------------------------------- */

/* Reads a whole file of at most PEM_MAX bytes (malloc'd, NUL-terminated). */
static char *file_read(const char *path, size_t *len, char *err, size_t n, const char *what)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        text_printf(err, n, "cannot read %s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(PEM_MAX + 1);
    size_t got = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad || got > PEM_MAX) {
        text_printf(err, n, "cannot read %s %s: %s", what, path,
                    !buf            ? "out of memory"
                    : got > PEM_MAX ? "larger than 1 MiB"
                                    : "read error");
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}

/* Writes data to path with mode, by a temporary name in the same directory and a rename,
 * so that a reader sees the whole file or none. */
static int file_write(const char *path, const void *data, size_t len, mode_t mode, char *err,
                      size_t n)
{
    char tmp[4200];
    text_printf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        text_printf(err, n, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            text_printf(err, n, "cannot write %s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        text_printf(err, n, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* mkdir -p for dir, the last component 0700 (it holds a key), the others 0755. */
static int dir_make(const char *dir, char *err, size_t n)
{
    char path[4096];
    if (strlen(dir) >= sizeof(path)) {
        text_printf(err, n, "--tls-dir: longer than %zu bytes", sizeof(path) - 1);
        return -1;
    }
    snprintf(path, sizeof(path), "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            text_printf(err, n, "cannot make the TLS directory %s: %s", path, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        text_printf(err, n, "cannot make the TLS directory %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        text_printf(err, n, "the TLS directory %s is not a directory", path);
        return -1;
    }
    return 0;
}

int tls_dir_resolve(const struct config *cfg, char *out, size_t size, char *err, size_t err_size)
{
    if (cfg->tls_dir) {
        text_printf(out, size, "%s", cfg->tls_dir);
    } else if (cfg->db && strcmp(cfg->db, ":memory:") != 0) {
        text_printf(out, size, "%s.tls", cfg->db);
    } else {
        const char *state = getenv("XDG_STATE_HOME");
        const char *home = getenv("HOME");
        if (state && state[0] == '/') {
            text_printf(out, size, "%s/campaign-mock/tls", state);
        } else if (home && home[0] == '/') {
            text_printf(out, size, "%s/.local/state/campaign-mock/tls", home);
        } else {
            text_printf(err, err_size,
                        "no directory for the TLS certificates: HOME is not set; give --tls-dir");
            return -1;
        }
    }
    if (strlen(out) + 16 >= size) {
        text_printf(err, err_size, "the TLS directory %.100s...: path too long", out);
        return -1;
    }
    return 0;
}

/* --- certificates ------------------------------------------------------------------ */

/* A random positive serial of 16 bytes (RFC 5280 allows up to 20). */
static int set_serial(gnutls_x509_crt_t crt)
{
    unsigned char serial[16];
    if (gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)) < 0)
        return -1;
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x01);
    return gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
}

/* The fields a CA and a leaf share: version, serial, validity, subject, key. */
static int crt_common(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *cn, long days)
{
    time_t now = time(NULL);
    static const char org[] = "campaign-mock";
    int rc;
    if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 || (rc = set_serial(crt)) < 0 ||
        (rc = gnutls_x509_crt_set_activation_time(crt, now - BACKDATE_S)) < 0 ||
        (rc = gnutls_x509_crt_set_expiration_time(crt, now + days * DAY_S)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, org,
                                            sizeof(org) - 1)) < 0 ||
        (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                            (unsigned)strlen(cn))) < 0 ||
        (rc = gnutls_x509_crt_set_key(crt, key)) < 0)
        return rc;
    unsigned char id[64];
    size_t id_len = sizeof(id);
    if ((rc = gnutls_x509_privkey_get_key_id(key, 0, id, &id_len)) < 0)
        return rc;
    return gnutls_x509_crt_set_subject_key_id(crt, id, id_len);
}

static int key_generate(gnutls_x509_privkey_t *key)
{
    int rc = gnutls_x509_privkey_init(key);
    if (rc < 0)
        return rc;
    rc = gnutls_x509_privkey_generate2(
        *key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0);
    if (rc < 0) {
        gnutls_x509_privkey_deinit(*key);
        *key = NULL;
    }
    return rc;
}

/* PEM of a certificate and of a key (PKCS #8, unencrypted), malloc'd. */
static int export_pem(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, char **cert_pem,
                      char **key_pem)
{
    gnutls_datum_t c = {NULL, 0}, k = {NULL, 0};
    int rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &c);
    if (rc >= 0)
        rc = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                               &k);
    if (rc >= 0) {
        *cert_pem = strndup((const char *)c.data, c.size);
        *key_pem = strndup((const char *)k.data, k.size);
        if (!*cert_pem || !*key_pem) {
            free(*cert_pem);
            free(*key_pem);
            rc = GNUTLS_E_MEMORY_ERROR;
        }
    }
    gnutls_free(c.data);
    gnutls_free(k.data);
    return rc;
}

static int ca_generate(const char *cert_path, const char *key_path, char *err, size_t n)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    char *cert_pem = NULL, *key_pem = NULL;
    int ret = -1, rc;
    if ((rc = key_generate(&key)) < 0 || (rc = gnutls_x509_crt_init(&crt)) < 0 ||
        (rc = crt_common(crt, key, "campaign-mock local CA", CA_DAYS)) < 0 ||
        /* A CA that signs leaves only, no intermediate below it. */
        (rc = gnutls_x509_crt_set_basic_constraints(crt, 1, 0)) < 0 ||
        (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)) <
            0 ||
        (rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0 ||
        (rc = export_pem(crt, key, &cert_pem, &key_pem)) < 0) {
        fail_gnutls(err, n, "cannot make the local CA", rc);
        goto done;
    }
    /* The key first: a ca.pem without its key beside it is never seen. */
    if (file_write(key_path, key_pem, strlen(key_pem), 0600, err, n) < 0 ||
        file_write(cert_path, cert_pem, strlen(cert_pem), 0644, err, n) < 0)
        goto done;
    ret = 0;
done:
    free(cert_pem);
    free(key_pem);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return ret;
}

/* Checks a certificate's dates: not before its activation, not after its expiration. */
static int crt_in_date(gnutls_x509_crt_t crt, const char *what, const char *path, char *err,
                       size_t n)
{
    time_t now = time(NULL), from = gnutls_x509_crt_get_activation_time(crt),
           until = gnutls_x509_crt_get_expiration_time(crt);
    char when[32];
    if (until != (time_t)-1 && until < now) {
        utc_text(when, sizeof(when), until);
        text_printf(err, n, "%s %s expired on %s", what, path, when);
        return -1;
    }
    if (from != (time_t)-1 && from > now) {
        utc_text(when, sizeof(when), from);
        text_printf(err, n, "%s %s is not valid before %s", what, path, when);
        return -1;
    }
    return 0;
}

/* Whether key is the private half of crt's public key. */
static int key_matches(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
    unsigned char a[64], b[64];
    size_t al = sizeof(a), bl = sizeof(b);
    return gnutls_x509_crt_get_key_id(crt, 0, a, &al) >= 0 &&
           gnutls_x509_privkey_get_key_id(key, 0, b, &bl) >= 0 && al == bl && memcmp(a, b, al) == 0;
}

/* Reads and checks a certificate (the first of a PEM chain) and its key. what_cert and
 * what_key name them in messages. On success *crt and *key are the caller's. */
static int pair_load(gnutls_x509_crt_t *crt, gnutls_x509_privkey_t *key, char **cert_pem,
                     char **key_pem, const char *cert_path, const char *key_path,
                     const char *what_cert, const char *what_key, char *err, size_t n)
{
    size_t cl = 0, kl = 0;
    char *c = file_read(cert_path, &cl, err, n, what_cert);
    char *k = c ? file_read(key_path, &kl, err, n, what_key) : NULL;
    gnutls_x509_crt_t x = NULL;
    gnutls_x509_privkey_t pk = NULL;
    int rc;
    if (!c || !k)
        goto fail;
    gnutls_datum_t cd = {(unsigned char *)c, (unsigned)cl}, kd = {(unsigned char *)k, (unsigned)kl};
    if ((rc = gnutls_x509_crt_init(&x)) < 0 ||
        (rc = gnutls_x509_crt_import(x, &cd, GNUTLS_X509_FMT_PEM)) < 0) {
        text_printf(err, n, "%s %s is not a PEM certificate (%s)", what_cert, cert_path,
                    gnutls_strerror(rc));
        goto fail;
    }
    if ((rc = gnutls_x509_privkey_init(&pk)) < 0 ||
        (rc = gnutls_x509_privkey_import2(pk, &kd, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        text_printf(err, n, "%s %s is not an unencrypted PEM private key (%s)", what_key, key_path,
                    gnutls_strerror(rc));
        goto fail;
    }
    if (crt_in_date(x, what_cert, cert_path, err, n) < 0)
        goto fail;
    if (!key_matches(x, pk)) {
        text_printf(err, n, "%s %s is not the key of %s %s", what_key, key_path, what_cert,
                    cert_path);
        goto fail;
    }
    *crt = x;
    *key = pk;
    if (cert_pem)
        *cert_pem = c;
    else
        free(c);
    if (key_pem)
        *key_pem = k;
    else
        free(k);
    return 0;
fail:
    if (x)
        gnutls_x509_crt_deinit(x);
    if (pk)
        gnutls_x509_privkey_deinit(pk);
    free(c);
    free(k);
    return -1;
}

static void ca_paths(const char *dir, char *cert, size_t cert_size, char *key, size_t key_size)
{
    text_printf(cert, cert_size, "%s/ca.pem", dir);
    text_printf(key, key_size, "%s/ca-key.pem", dir);
}

/* Makes the CA unless it is there, under the directory's lock. */
static int ca_make_once(const char *dir, const char *cert_path, const char *key_path, char *err,
                        size_t n)
{
    if (access(cert_path, F_OK) == 0)
        return 0;
    if (dir_make(dir, err, n) < 0)
        return -1;
    char lock_path[4200];
    text_printf(lock_path, sizeof(lock_path), "%s/.lock", dir);
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        text_printf(err, n, "cannot open %s: %s", lock_path, strerror(errno));
        return -1;
    }
    int rc = 0;
    while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
        ;
    if (rc != 0) {
        text_printf(err, n, "cannot lock %s: %s", lock_path, strerror(errno));
        close(fd);
        return -1;
    }
    /* Another server may have made it while this one waited for the lock. */
    if (access(cert_path, F_OK) != 0)
        rc = ca_generate(cert_path, key_path, err, n);
    close(fd); /* releases the lock */
    return rc;
}

static int ca_load(const char *dir, gnutls_x509_crt_t *crt, gnutls_x509_privkey_t *key,
                   char *ca_path, size_t ca_path_size, char *err, size_t n)
{
    char cert_path[4200], key_path[4200];
    ca_paths(dir, cert_path, sizeof(cert_path), key_path, sizeof(key_path));
    if (ca_make_once(dir, cert_path, key_path, err, n) < 0)
        return -1;
    if (pair_load(crt, key, NULL, NULL, cert_path, key_path, "the local CA", "the CA key", err, n) <
        0) {
        /* Never replaced behind the user's back: clients trust this very CA. */
        size_t len = strlen(err);
        text_printf(err + len, n - len, "; remove %s to make a new CA (and trust it again)", dir);
        return -1;
    }
    text_printf(ca_path, ca_path_size, "%s", cert_path);
    return 0;
}

int tls_ca_ensure(const char *dir, char *ca_path, size_t ca_path_size, char *err, size_t err_size)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_x509_privkey_t key = NULL;
    if (ca_load(dir, &crt, &key, ca_path, ca_path_size, err, err_size) < 0)
        return -1;
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    return 0;
}

/* Adds one name to a leaf: an IP address as such, anything else as a DNS name. */
static int san_add(gnutls_x509_crt_t crt, const char *name)
{
    unsigned char ip[16];
    if (inet_pton(AF_INET, name, ip) == 1)
        return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4,
                                                    GNUTLS_FSAN_APPEND);
    if (inet_pton(AF_INET6, name, ip) == 1)
        return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16,
                                                    GNUTLS_FSAN_APPEND);
    return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name,
                                                (unsigned)strlen(name), GNUTLS_FSAN_APPEND);
}

static int leaf_generate(struct tls_material *out, const struct config *cfg, gnutls_x509_crt_t ca,
                         gnutls_x509_privkey_t ca_key, char *err, size_t n)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    int rc;
    unsigned char ca_id[64];
    size_t ca_id_len = sizeof(ca_id);
    if ((rc = key_generate(&key)) < 0 || (rc = gnutls_x509_crt_init(&crt)) < 0 ||
        (rc = crt_common(crt, key, "campaign-mock", LEAF_DAYS)) < 0 ||
        (rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
        (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
        (rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
        (rc = gnutls_x509_crt_get_subject_key_id(ca, ca_id, &ca_id_len, NULL)) < 0 ||
        (rc = gnutls_x509_crt_set_authority_key_id(crt, ca_id, ca_id_len)) < 0)
        goto fail;
    for (const char *const *h = tls_default_hosts; *h; h++) {
        if ((rc = san_add(crt, *h)) < 0)
            goto fail;
    }
    for (int i = 0; i < cfg->n_tls_hosts; i++) {
        if ((rc = san_add(crt, cfg->tls_hosts[i])) < 0)
            goto fail;
    }
    /* The CA may expire before the leaf would: the leaf ends with it. */
    time_t ca_until = gnutls_x509_crt_get_expiration_time(ca);
    if (ca_until != (time_t)-1 && ca_until < time(NULL) + LEAF_DAYS * DAY_S &&
        (rc = gnutls_x509_crt_set_expiration_time(crt, ca_until)) < 0)
        goto fail;
    if ((rc = gnutls_x509_crt_sign2(crt, ca, ca_key, GNUTLS_DIG_SHA256, 0)) < 0 ||
        (rc = export_pem(crt, key, &out->cert_pem, &out->key_pem)) < 0)
        goto fail;
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    return 0;
fail:
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return fail_gnutls(err, n, "cannot make the TLS certificate", rc);
}

int tls_material_load(struct tls_material *out, const struct config *cfg, char *ca_path,
                      size_t ca_path_size, char *err, size_t err_size)
{
    struct tls_material m = {NULL, NULL};
    gnutls_x509_crt_t crt = NULL;
    gnutls_x509_privkey_t key = NULL;
    if (cfg->tls_cert || cfg->tls_key) {
        if (!cfg->tls_cert || !cfg->tls_key) {
            text_printf(err, err_size, "--tls-cert and --tls-key go together: %s is missing",
                        cfg->tls_cert ? "--tls-key" : "--tls-cert");
            return -1;
        }
        if (pair_load(&crt, &key, &m.cert_pem, &m.key_pem, cfg->tls_cert, cfg->tls_key,
                      "--tls-cert", "--tls-key", err, err_size) < 0)
            return -1;
        gnutls_x509_crt_deinit(crt);
        gnutls_x509_privkey_deinit(key);
        if (ca_path_size)
            ca_path[0] = '\0';
        *out = m;
        return 0;
    }
    char dir[4096];
    if (tls_dir_resolve(cfg, dir, sizeof(dir), err, err_size) < 0 ||
        ca_load(dir, &crt, &key, ca_path, ca_path_size, err, err_size) < 0)
        return -1;
    int rc = leaf_generate(&m, cfg, crt, key, err, err_size);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    if (rc < 0)
        return -1;
    *out = m;
    return 0;
}

void tls_material_free(struct tls_material *m)
{
    if (!m)
        return;
    if (m->key_pem) /* a private key: not left behind in freed memory */
        explicit_bzero(m->key_pem, strlen(m->key_pem));
    free(m->cert_pem);
    free(m->key_pem);
    m->cert_pem = m->key_pem = NULL;
}
