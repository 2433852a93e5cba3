/*
 * The HTTPS listener (--tls-port), from libcurl (built on OpenSSL: another TLS stack than
 * the server's GnuTLS): the certificate chain and its names verified against the local
 * CA, TLS 1.2 and 1.3, the same answers as the plain port, a client that sends garbage
 * instead of a handshake, a handshake left unfinished, the CA made once and kept (keys
 * 0600, one CA for servers started together), the user's own --tls-cert/--tls-key, and
 * each kind of bad material refused at start with one line naming the file.
 */
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "harness.h"

/* --- helpers --------------------------------------------------------------------- */

static char *file_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct harness_buf b = {NULL, 0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        harness_collect(chunk, 1, n, &b);
    fclose(f);
    return b.data ? b.data : calloc(1, 1);
}

/* The second line of a server's port file: its HTTPS port. */
static int tls_port_of(const struct server *s)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/port", s->dir);
    FILE *f = fopen(path, "r");
    int http = 0, https = 0;
    if (f) {
        if (fscanf(f, "%d %d", &http, &https) != 2)
            https = 0;
        fclose(f);
    }
    return https;
}

struct tls_call {
    long status;
    CURLcode code;
    char body[4096];
    char san[1024]; /* the leaf's subjectAltName as OpenSSL prints it */
};

static size_t into_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct tls_call *t = userdata;
    size_t n = size * nmemb, have = strlen(t->body);
    if (have + n < sizeof(t->body)) {
        memcpy(t->body + have, ptr, n);
        t->body[have + n] = '\0';
    }
    return n;
}

/* GET https://host:port/path, host resolved to 127.0.0.1, trusting ca (NULL: the
 * system's store). version: a CURL_SSLVERSION_* value (min | max), or 0. */
static void tls_get(struct tls_call *t, const char *host, int port, const char *path,
                    const char *ca, long version)
{
    memset(t, 0, sizeof(*t));
    CURL *c = curl_easy_init();
    char url[512], resolve[300];
    snprintf(url, sizeof(url), "https://%s:%d%s", host, port, path);
    snprintf(resolve, sizeof(resolve), "%s:%d:127.0.0.1", host, port);
    struct curl_slist *rs = curl_slist_append(NULL, resolve);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_RESOLVE, rs);
    if (ca)
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
    if (!ca) /* the system's store alone: which holds no campaign-mock CA */
        curl_easy_setopt(c, CURLOPT_CAINFO, "/etc/ssl/certs/ca-certificates.crt");
    if (version)
        curl_easy_setopt(c, CURLOPT_SSLVERSION, version);
    curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, into_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, harness_bound(10000));
    t->code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t->status);
    struct curl_certinfo *ci = NULL;
    if (t->code == CURLE_OK && curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci &&
        ci->num_of_certs > 0) {
        for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next) {
            if (strncmp(s->data, "X509v3 Subject Alternative Name:", 32) == 0)
                snprintf(t->san, sizeof(t->san), "%s", s->data + 32);
        }
    }
    curl_slist_free_all(rs);
    curl_easy_cleanup(c);
}

/* A self-signed certificate and key, valid from now + from_s to now + until_s, for
 * localhost, written to cert_path and key_path. */
static int make_own_cert(const char *cert_path, const char *key_path, long from_s, long until_s)
{
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    gnutls_x509_privkey_init(&key);
    gnutls_x509_crt_init(&crt);
    unsigned char serial[8] = {0x11, 2, 3, 4, 5, 6, 7, 8};
    time_t now = time(NULL);
    int rc = gnutls_x509_privkey_generate2(
        key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_version(crt, 3);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    if (rc >= 0)
        rc = gnutls_x509_crt_set_activation_time(crt, now + from_s);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_expiration_time(crt, now + until_s);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", 9);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                                  GNUTLS_FSAN_APPEND);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_key(crt, key);
    if (rc >= 0)
        rc = gnutls_x509_crt_set_basic_constraints(crt, 1, -1);
    if (rc >= 0)
        rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
    gnutls_datum_t c = {NULL, 0}, k = {NULL, 0};
    if (rc >= 0)
        rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &c);
    if (rc >= 0)
        rc = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &k);
    FILE *fc = rc >= 0 ? fopen(cert_path, "wb") : NULL;
    FILE *fk = rc >= 0 ? fopen(key_path, "wb") : NULL;
    if (fc)
        fwrite(c.data, 1, c.size, fc);
    if (fk)
        fwrite(k.data, 1, k.size, fk);
    int ok = fc && fk;
    if (fc)
        fclose(fc);
    if (fk)
        fclose(fk);
    gnutls_free(c.data);
    gnutls_free(k.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    return rc >= 0 && ok ? 0 : -1;
}

/* Runs the server with args and expects it to refuse to start: exit 1, one line on
 * stderr that contains want, no port file. */
static void refused(const char *what, const char *const *args, const char *want)
{
    char dir[64], port_file[128];
    if (harness_temp_dir(dir, sizeof(dir)) < 0) {
        CHECK(0, "temp dir");
        return;
    }
    snprintf(port_file, sizeof(port_file), "%s/port", dir);
    const char *argv[32] = {"--port", "0", "--tls-port", "0", "--port-file", port_file};
    int n = 6;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *out = NULL;
    int rc = run_binary(argv, &out);
    CHECK(rc == 1, "%s: exit %d, expected 1; output:\n%s", what, rc, out ? out : "");
    CHECK(out && strstr(out, want), "%s: expected \"%s\" in:\n%s", what, want, out ? out : "");
    int lines = 0;
    for (const char *p = out; p && *p; p++)
        lines += *p == '\n';
    CHECK(lines == 1, "%s: one line expected, got %d:\n%s", what, lines, out ? out : "");
    CHECK(access(port_file, F_OK) != 0, "%s: a refused start wrote its port file", what);
    free(out);
}

/* --- the tests --------------------------------------------------------------------- */

static void test_listener(void)
{
    char tls_dir[256];
    char dir[64];
    if (harness_temp_dir(dir, sizeof(dir)) < 0) {
        CHECK(0, "temp dir");
        return;
    }
    snprintf(tls_dir, sizeof(tls_dir), "%s/tls", dir);
    const char *args[] = {"--tls-port", "0",          "--tls-dir", tls_dir, "--tls-host",
                          "mock.test",  "--tls-host", "10.1.2.3",  NULL};
    struct server s;
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    int port = tls_port_of(&s);
    CHECK(port > 0 && port != s.port, "the port file's second line is the HTTPS port: %d", port);
    char ca[300];
    snprintf(ca, sizeof(ca), "%s/ca.pem", tls_dir);

    /* The ready lines: HTTPS first, the plain one last. The server writes the port file
     * before it prints them, so the log may not hold them yet when the port is known
     * (under valgrind it did not): waited for, up to a bound. */
    char want[256];
    snprintf(want, sizeof(want),
             "campaign-mock listening on https://127.0.0.1:%d\n"
             "campaign-mock listening on http://127.0.0.1:%d\n",
             port, s.port);
    char *log = NULL;
    for (long waited = 0; waited <= harness_bound(5000); waited += 20) {
        free(log);
        log = file_text(s.log_path);
        if (log && strlen(log) >= strlen(want))
            break;
        harness_sleep_ms(20);
    }
    CHECK(log && strncmp(log, want, strlen(want)) == 0, "ready lines:\n%s", log ? log : "");
    free(log);

    /* Every name of the leaf verifies against the CA, and is all of its names. */
    static const char *const names[] = {"mc.adobe.io", "ims-na1.adobelogin.com",
                                        "ims-na1-stg1.adobelogin.com", "localhost", "mock.test"};
    struct tls_call t;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        tls_get(&t, names[i], port, "/_mock/health", ca, 0);
        CHECK(t.code == CURLE_OK && t.status == 200, "%s: curl %d (%s), status %ld", names[i],
              t.code, curl_easy_strerror(t.code), t.status);
    }
    CHECK_STR(t.san, "DNS:mc.adobe.io, DNS:ims-na1.adobelogin.com, "
                     "DNS:ims-na1-stg1.adobelogin.com, DNS:localhost, IP Address:127.0.0.1, "
                     "IP Address:0:0:0:0:0:0:0:1, DNS:mock.test, IP Address:10.1.2.3");
    tls_get(&t, "127.0.0.1", port, "/_mock/health", ca, 0);
    CHECK(t.code == CURLE_OK && t.status == 200, "127.0.0.1: curl %d", t.code);

    /* A name the leaf does not have, and a client that does not trust the CA. */
    tls_get(&t, "evil.example", port, "/_mock/health", ca, 0);
    CHECK_INT(t.code, CURLE_PEER_FAILED_VERIFICATION);
    tls_get(&t, "mc.adobe.io", port, "/_mock/health", NULL, 0);
    CHECK_INT(t.code, CURLE_PEER_FAILED_VERIFICATION);

    /* TLS 1.2 alone, and 1.3 alone. */
    tls_get(&t, "mc.adobe.io", port, "/_mock/health", ca,
            CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2);
    CHECK(t.code == CURLE_OK && t.status == 200, "TLS 1.2: curl %d (%s)", t.code,
          curl_easy_strerror(t.code));
    tls_get(&t, "mc.adobe.io", port, "/_mock/health", ca,
            CURL_SSLVERSION_TLSv1_3 | CURL_SSLVERSION_MAX_TLSv1_3);
    CHECK(t.code == CURLE_OK && t.status == 200, "TLS 1.3: curl %d (%s)", t.code,
          curl_easy_strerror(t.code));

    /* One app behind both doors: the same call, the same bytes (a documented error). */
    tls_get(&t, "mc.adobe.io", port, "/acme/campaign/dataIngestion/xdm/nope/ingest", ca, 0);
    struct response plain;
    char url[256];
    snprintf(url, sizeof(url), "%s/acme/campaign/dataIngestion/xdm/nope/ingest", s.base);
    http_call(&plain, "GET", url, NULL, 0, NULL);
    CHECK(t.status == plain.status && t.status >= 400, "status https %ld, http %ld", t.status,
          plain.status);
    CHECK_STR(t.body, plain.body ? plain.body : "");
    response_free(&plain);
    /* The journal tells the two doors apart: the HTTPS call, then the plain one. */
    snprintf(url, sizeof(url), "%s/_mock/journal?limit=2", s.base);
    http_call(&plain, "GET", url, NULL, 0, NULL);
    const char *first = plain.body ? strstr(plain.body, "\"scheme\":\"https\"") : NULL;
    CHECK(first && strstr(first, "\"scheme\":\"http\"") && !strstr(first + 17, "https"),
          "journal schemes: %s", plain.body ? plain.body : "");
    response_free(&plain);

    /* Plain HTTP sent to the HTTPS port: the connection is closed, the server serves on. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {harness_bound(5000) / 1000, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "connect: %s", strerror(errno));
    static const char garbage[] = "GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n";
    CHECK(send(fd, garbage, sizeof(garbage) - 1, MSG_NOSIGNAL) > 0, "send");
    /* Not a byte comes back (no HTTP answer in clear, no TLS alert either: GnuTLS drops
     * the record), then the close: a timeout (EAGAIN) would be a hang, not a close. */
    char buf[512], head[17] = "";
    ssize_t got, total = 0;
    while ((got = recv(fd, buf, sizeof(buf), 0)) > 0) {
        if (total == 0)
            memcpy(head, buf, got < 16 ? (size_t)got : 16);
        total += got;
    }
    CHECK(got == 0 || (got < 0 && errno == ECONNRESET), "the connection closed (recv %zd, %s)", got,
          got < 0 ? strerror(errno) : "end of stream");
    CHECK(total == 0, "nothing sent back in clear: %zd bytes, starting \"%.16s\"", total, head);
    close(fd);
    tls_get(&t, "mc.adobe.io", port, "/_mock/health", ca, 0);
    CHECK(t.code == CURLE_OK && t.status == 200, "after the garbage: curl %d", t.code);
    http_call(&plain, "GET", s.base, NULL, 0, NULL);
    CHECK_INT(plain.status, 200);
    response_free(&plain);

    /* The CA's files: the key 0600, and `ca` prints the very PEM the server trusts. */
    struct stat st;
    char key[300];
    snprintf(key, sizeof(key), "%s/ca-key.pem", tls_dir);
    CHECK(stat(key, &st) == 0 && (st.st_mode & 0777) == 0600, "ca-key.pem mode %o",
          (unsigned)(st.st_mode & 0777));
    const char *ca_args[] = {"ca", "--tls-dir", tls_dir, NULL};
    char *out = NULL;
    CHECK_INT(run_binary(ca_args, &out), 0);
    char *pem = file_text(ca);
    CHECK(out && pem && strcmp(out, pem) == 0 && strstr(pem, "-----BEGIN CERTIFICATE-----"),
          "ca prints ca.pem:\n%s", out ? out : "");
    free(out);
    const char *path_args[] = {"ca", "--tls-dir", tls_dir, "--path", NULL};
    CHECK_INT(run_binary(path_args, &out), 0);
    char want_path[320];
    snprintf(want_path, sizeof(want_path), "%s\n", ca);
    CHECK_STR(out, want_path);
    free(out);
    CHECK_INT(server_stop(&s), 0);

    /* A restart keeps the CA (clients trusted it) and signs a new leaf with it. */
    if (server_start(&s, NULL, args) == 0) {
        char *again = file_text(ca);
        CHECK(again && pem && strcmp(again, pem) == 0, "the CA was kept across a restart");
        free(again);
        tls_get(&t, "mc.adobe.io", tls_port_of(&s), "/_mock/health", ca, 0);
        CHECK(t.code == CURLE_OK && t.status == 200, "after a restart: curl %d", t.code);
        CHECK_INT(server_stop(&s), 0);
    } else {
        CHECK(0, "restart");
    }
    free(pem);
}

/* A handshake begun and never finished is closed by the request deadline: no thread
 * or slot is held for it. */
static void test_unfinished_handshake(void)
{
    const char *args[] = {"--tls-port", "0", "--tls-dir", NULL, "--request-timeout", "1", NULL};
    char dir[64], tls_dir[128];
    if (harness_temp_dir(dir, sizeof(dir)) < 0)
        return;
    snprintf(tls_dir, sizeof(tls_dir), "%s/tls", dir);
    args[3] = tls_dir;
    struct server s;
    if (server_start(&s, NULL, args) < 0) {
        CHECK(0, "server did not start");
        return;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)tls_port_of(&s));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {harness_bound(10000) / 1000, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
    /* The first bytes of a TLS record header of a ClientHello, then nothing. */
    static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
    send(fd, hello, sizeof(hello), MSG_NOSIGNAL);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char buf[64];
    ssize_t got = recv(fd, buf, sizeof(buf), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s_waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(got == 0 || (got < 0 && errno == ECONNRESET), "closed (recv %zd, %s)", got,
          got < 0 ? strerror(errno) : "end of stream");
    CHECK(s_waited >= 0.9, "closed by the deadline, not before: %.2f s", s_waited);
    close(fd);
    CHECK_INT(server_stop(&s), 0);
}

struct start_arg {
    const char *tls_dir;
    struct server s;
    int rc;
};

static void *start_one(void *p)
{
    struct start_arg *a = p;
    const char *args[] = {"--tls-port", "0", "--tls-dir", a->tls_dir, NULL};
    a->rc = server_start(&a->s, NULL, args);
    return NULL;
}

/* Servers started together on a new directory make one CA, which both their leaves
 * chain to. */
static void test_ca_made_once(void)
{
    char dir[64], tls_dir[128], ca[200];
    if (harness_temp_dir(dir, sizeof(dir)) < 0)
        return;
    snprintf(tls_dir, sizeof(tls_dir), "%s/tls", dir);
    snprintf(ca, sizeof(ca), "%s/ca.pem", tls_dir);
    enum { N = 4 };
    struct start_arg a[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        a[i].tls_dir = tls_dir;
        pthread_create(&th[i], NULL, start_one, &a[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        CHECK(a[i].rc == 0, "server %d did not start", i);
        if (a[i].rc != 0)
            continue;
        struct tls_call t;
        tls_get(&t, "mc.adobe.io", tls_port_of(&a[i].s), "/_mock/health", ca, 0);
        CHECK(t.code == CURLE_OK && t.status == 200, "server %d: curl %d (%s)", i, t.code,
              curl_easy_strerror(t.code));
        server_stop(&a[i].s);
    }
}

/* Where the CA lives by default: beside --db FILE, else under the state directory. */
static void test_ca_dir(void)
{
    char dir[64];
    if (harness_temp_dir(dir, sizeof(dir)) < 0)
        return;
    char db[128], want[256], *out = NULL;
    snprintf(db, sizeof(db), "%s/state.db", dir);
    const char *by_db[] = {"ca", "--path", "--db", db, NULL};
    CHECK_INT(run_binary(by_db, &out), 0);
    snprintf(want, sizeof(want), "%s/state.db.tls/ca.pem\n", dir);
    CHECK_STR(out, want);
    free(out);
    CHECK(access(db, F_OK) != 0, "ca made no database");

    const char *plain[] = {"ca", "--path", NULL};
    char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char *saved_state = getenv("XDG_STATE_HOME") ? strdup(getenv("XDG_STATE_HOME")) : NULL;
    setenv("HOME", dir, 1);
    unsetenv("XDG_STATE_HOME");
    CHECK_INT(run_binary(plain, &out), 0);
    snprintf(want, sizeof(want), "%s/.local/state/campaign-mock/tls/ca.pem\n", dir);
    CHECK_STR(out, want);
    free(out);
    char state[128];
    snprintf(state, sizeof(state), "%s/xdg", dir);
    setenv("XDG_STATE_HOME", state, 1);
    CHECK_INT(run_binary(plain, &out), 0);
    snprintf(want, sizeof(want), "%s/xdg/campaign-mock/tls/ca.pem\n", dir);
    CHECK_STR(out, want);
    free(out);
    unsetenv("HOME");
    unsetenv("XDG_STATE_HOME");
    CHECK_INT(run_binary(plain, &out), 1);
    CHECK_STR(out, "campaign-mock: no directory for the TLS certificates: HOME is not set; give "
                   "--tls-dir\n");
    free(out);
    if (saved_home)
        setenv("HOME", saved_home, 1);
    if (saved_state)
        setenv("XDG_STATE_HOME", saved_state, 1);
    free(saved_home);
    free(saved_state);
}

/* The user's own certificate, served as given; and every kind of bad material refused
 * at start, before any port is taken. */
static void test_own_material(void)
{
    char dir[64];
    if (harness_temp_dir(dir, sizeof(dir)) < 0)
        return;
    char cert[128], key[128], old_cert[128], old_key[128], new_cert[128], new_key[128];
    char junk[128], missing[128];
    snprintf(cert, sizeof(cert), "%s/own.pem", dir);
    snprintf(key, sizeof(key), "%s/own-key.pem", dir);
    snprintf(old_cert, sizeof(old_cert), "%s/old.pem", dir);
    snprintf(old_key, sizeof(old_key), "%s/old-key.pem", dir);
    snprintf(new_cert, sizeof(new_cert), "%s/new.pem", dir);
    snprintf(new_key, sizeof(new_key), "%s/new-key.pem", dir);
    snprintf(junk, sizeof(junk), "%s/junk.pem", dir);
    snprintf(missing, sizeof(missing), "%s/missing.pem", dir);
    CHECK(make_own_cert(cert, key, -3600, 86400) == 0, "own cert");
    CHECK(make_own_cert(old_cert, old_key, -2 * 86400, -86400) == 0, "expired cert");
    CHECK(make_own_cert(new_cert, new_key, 86400, 2 * 86400) == 0, "future cert");
    FILE *f = fopen(junk, "w");
    if (f) {
        fputs("not a certificate\n", f);
        fclose(f);
    }

    const char *own[] = {"--tls-port", "0", "--tls-cert", cert, "--tls-key", key, NULL};
    struct server s;
    if (server_start(&s, NULL, own) == 0) {
        struct tls_call t;
        tls_get(&t, "localhost", tls_port_of(&s), "/_mock/health", cert, 0);
        CHECK(t.code == CURLE_OK && t.status == 200, "own cert: curl %d (%s)", t.code,
              curl_easy_strerror(t.code));
        CHECK_STR(t.san, "DNS:localhost");
        CHECK_INT(server_stop(&s), 0);
    } else {
        CHECK(0, "server with its own certificate did not start");
    }

    char want[600];
    const char *expired[] = {"--tls-cert", old_cert, "--tls-key", old_key, NULL};
    snprintf(want, sizeof(want), "campaign-mock: --tls-cert %s expired on ", old_cert);
    refused("expired", expired, want);
    const char *future[] = {"--tls-cert", new_cert, "--tls-key", new_key, NULL};
    snprintf(want, sizeof(want), "campaign-mock: --tls-cert %s is not valid before ", new_cert);
    refused("not yet valid", future, want);
    const char *mismatch[] = {"--tls-cert", cert, "--tls-key", old_key, NULL};
    snprintf(want, sizeof(want), "campaign-mock: --tls-key %s is not the key of --tls-cert %s\n",
             old_key, cert);
    refused("key mismatch", mismatch, want);
    const char *alone[] = {"--tls-cert", cert, NULL};
    refused("cert alone", alone,
            "campaign-mock: --tls-cert and --tls-key go together: --tls-key is missing\n");
    const char *absent[] = {"--tls-cert", missing, "--tls-key", key, NULL};
    snprintf(want, sizeof(want), "campaign-mock: cannot read --tls-cert %s: No such file", missing);
    refused("unreadable", absent, want);
    const char *garbage[] = {"--tls-cert", junk, "--tls-key", key, NULL};
    snprintf(want, sizeof(want), "campaign-mock: --tls-cert %s is not a PEM certificate", junk);
    refused("not PEM", garbage, want);
    const char *bad_key[] = {"--tls-cert", cert, "--tls-key", junk, NULL};
    snprintf(want, sizeof(want),
             "campaign-mock: --tls-key %s is not an unencrypted PEM private key", junk);
    refused("key not PEM", bad_key, want);

    /* A generated CA that has expired is not replaced behind the user's back. */
    char tls_dir[128], ca[200], ca_key[200];
    snprintf(tls_dir, sizeof(tls_dir), "%s/tls", dir);
    snprintf(ca, sizeof(ca), "%s/ca.pem", tls_dir);
    snprintf(ca_key, sizeof(ca_key), "%s/ca-key.pem", tls_dir);
    mkdir(tls_dir, 0700);
    CHECK(make_own_cert(ca, ca_key, -2 * 86400, -86400) == 0, "expired CA");
    const char *old_ca[] = {"--tls-dir", tls_dir, NULL};
    snprintf(want, sizeof(want),
             "campaign-mock: the local CA %s expired on %%s; remove %s to make a new CA (and "
             "trust it again)\n",
             ca, tls_dir);
    char *prefix_end = strstr(want, "%s");
    *prefix_end = '\0';
    refused("expired CA", old_ca, want);
    refused("expired CA", old_ca, strstr(prefix_end + 2, "; remove"));
    const char *http_only[] = {"--tls-port", "70000", NULL};
    char *out = NULL;
    CHECK_INT(run_binary(http_only, &out), 2);
    CHECK_STR(out, "campaign-mock: --tls-port: invalid value \"70000\" (expected an integer from 0 "
                   "to 65535, or off)\n");
    free(out);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_listener();
    test_unfinished_handshake();
    test_ca_made_once();
    test_ca_dir();
    test_own_material();
    curl_global_cleanup();
    return test_report();
}
