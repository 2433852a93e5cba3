/*
 * SQLite store. Statements live in one table (store_sql.h), each prepared once per
 * connection, at its first use; each public function binds parameters (never formats
 * them into SQL), steps, copies what it read into caller memory and resets the
 * statement before returning.
 */
#include "store/store.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "embedded.h"
#include "store/store_internal.h"

/* The text of every statement (store_sql.h), by id. */
#define STORE_STMT_TEXT(name, sql) [name] = sql,
static const char *const sql_text[] = {STORE_STATEMENTS(STORE_STMT_TEXT)};
#undef STORE_STMT_TEXT
_Static_assert(sizeof(sql_text) / sizeof(sql_text[0]) == S_COUNT, "a text per statement id");

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT]; /* the statements of store_sql.h, each prepared at its first
                                  * use (preparing all 102 at open cost a start-up and each
                                  * worker's first call 4 million instructions) */
    sqlite3_stmt *failing;       /* stands in for a statement that cannot be prepared */
    struct store_shared *shared; /* owned by the first connection */
    int primary;                 /* the first connection (store_open) */
    char last_error[256];        /* why this thread's last transaction failed */
};

static _Thread_local char failure_msg[200];
static _Thread_local int failure_code;

/* A statement that prepares and always fails when stepped (SQLite's integer overflow),
 * to stand in for one that cannot be prepared (out of memory): its caller's step then
 * fails as any failed statement does, with the preparation's reason kept as the
 * transaction's cause, and no caller has a NULL statement to handle. */
#define FAILING_SQL "SELECT abs(-9223372036854775807 - 1)"

sqlite3_stmt *store_stmt(struct store *st, enum store_stmt_id id)
{
    assert(id >= 0 && id < S_COUNT);
    if (st->stmt[id])
        return st->stmt[id];
    if (sqlite3_prepare_v3(st->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[id],
                           NULL) == SQLITE_OK)
        return st->stmt[id];
    st->stmt[id] = NULL;
    if (!failure_msg[0]) {
        failure_code = sqlite3_extended_errcode(st->db);
        snprintf(failure_msg, sizeof(failure_msg), "prepare statement %d: %s", (int)id,
                 sqlite3_errmsg(st->db));
    }
    return st->failing;
}

sqlite3 *store_db(struct store *st)
{
    return st->db;
}

const char *store_errmsg(struct store *st)
{
    return st->last_error[0] ? st->last_error : sqlite3_errmsg(st->db);
}

static int exec_script(sqlite3 *db, const char *sql, char *err, size_t err_size)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (err)
            snprintf(err, err_size, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return STORE_ERROR;
    }
    return 0;
}

/* The WAL is cut back to this after each checkpoint (SQLite otherwise keeps it as large
 * as it ever grew). */
#define STORE_WAL_KEEP "16777216"

/* What every database of campaign-mock carries in its header (PRAGMA application_id):
 * "CMok". A file without it is not ours, and is never written. */
#define STORE_APPLICATION_ID 0x434d6f6b

/* The integer a one-value PRAGMA reads, or -1 (SQLite's message in err). */
static long long pragma_int(sqlite3 *db, const char *sql, char *err, size_t err_size)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    else
        snprintf(err, err_size, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return v;
}

/*
 * Whether the database may be used, read before anything is written to it: empty (a
 * new database), or ours (our application_id), of a schema this campaign-mock knows, and
 * whole (PRAGMA quick_check). Returns the schema version (0 for an empty database), or
 * STORE_ERROR with the reason in err.
 */
static int validate(sqlite3 *db, char *err, size_t err_size)
{
    long long pages = pragma_int(db, "PRAGMA page_count", err, err_size);
    if (pages < 0)
        return STORE_ERROR; /* "file is not a database" */
    if (pages == 0)
        return 0;
    long long id = pragma_int(db, "PRAGMA application_id", err, err_size);
    long long version = id < 0 ? -1 : pragma_int(db, "PRAGMA user_version", err, err_size);
    if (version < 0)
        return STORE_ERROR;
    if (id != STORE_APPLICATION_ID) {
        snprintf(err, err_size,
                 "not a campaign-mock database (its application_id is %lld, ours is %d); "
                 "it was left as it is",
                 id, STORE_APPLICATION_ID);
        return STORE_ERROR;
    }
    if (version > store_migrations_count) {
        snprintf(err, err_size,
                 "database schema version %lld is newer than this campaign-mock (%d); it was "
                 "left as it is",
                 version, store_migrations_count);
        return STORE_ERROR;
    }
    sqlite3_stmt *s = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        const char *verdict = (const char *)sqlite3_column_text(s, 0);
        ok = verdict && strcmp(verdict, "ok") == 0;
        if (!ok)
            snprintf(err, err_size, "the database is damaged (quick_check: %.160s)",
                     verdict ? verdict : "");
    } else {
        snprintf(err, err_size, "the database is damaged (quick_check: %s)", sqlite3_errmsg(db));
    }
    sqlite3_finalize(s);
    return ok ? (int)version : STORE_ERROR;
}

/* Applies the migrations past version in one transaction, which also stamps the file as
 * ours: a failure leaves the database as it was. */
static int migrate(sqlite3 *db, int version, char *err, size_t err_size)
{
    if (version == store_migrations_count)
        return 0;
    if (exec_script(db, "BEGIN IMMEDIATE", err, err_size) < 0)
        return STORE_ERROR;
    for (int i = version; i < store_migrations_count; i++) {
        if (exec_script(db, store_migrations[i].text, err, err_size) < 0) {
            exec_script(db, "ROLLBACK", NULL, 0);
            return STORE_ERROR;
        }
    }
    char pragmas[128];
    snprintf(pragmas, sizeof(pragmas), "PRAGMA user_version = %d; PRAGMA application_id = %d",
             store_migrations_count, STORE_APPLICATION_ID);
    if (exec_script(db, pragmas, err, err_size) < 0) {
        exec_script(db, "ROLLBACK", NULL, 0);
        return STORE_ERROR;
    }
    return exec_script(db, "COMMIT", err, err_size);
}

/* What the connections to one database share. */
struct store_shared {
    /* SQLite admits one writer at a time; waiting for it here, on a futex, costs
     * nothing, where SQLite's busy handler would poll. SQLite still enforces it. */
    pthread_mutex_t write_lock;
    /* The connection every write transaction runs on, whichever thread asks (under
     * write_lock): the only one that writes, so its page cache stays valid across
     * transactions, where a connection that another one wrote behind must read every
     * page again (a 4 KiB copy each from memdb). The peers only read. */
    struct store *writer;
    char uri[512]; /* what a peer opens */
    int memory;
    int lock_fd;      /* the file database, flocked for this process; -1 for memory */
    atomic_int peers; /* connections open besides the first */
};

/* Names of in-memory databases, unique in this process (two stores never share). */
static atomic_uint memory_serial;

/*
 * Busy handler. Another connection of this process holds the lock for one short
 * transaction (or one page of a long read), so the wait starts with yields and grows
 * to 1 ms sleeps; SQLite's own busy timeout sleeps whole milliseconds from the first
 * retry. Gives up after about STORE_BUSY_MS: the caller answers 503.
 */
#define STORE_BUSY_MS 5000
#define BUSY_YIELDS   100
static int on_busy(void *arg, int n)
{
    (void)arg;
    if (n < BUSY_YIELDS) {
        sched_yield();
        return 1;
    }
    long us = 10L * (n - BUSY_YIELDS + 1);
    if (us > 1000)
        us = 1000;
    if (n > BUSY_YIELDS + 100 + STORE_BUSY_MS)
        return 0;
    struct timespec ts = {0, us * 1000L};
    nanosleep(&ts, NULL);
    return 1;
}

/* Opens one connection to shared->uri with the per-connection settings (the
 * statements are prepared by the caller). */
static int connection_open(struct store *st, char *err, size_t err_size)
{
    /* NOMUTEX: a connection is used by one thread at a time (each thread has its own,
     * see app_store). */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                (st->shared->memory ? SQLITE_OPEN_URI : 0);
    if (sqlite3_open_v2(st->shared->uri, &st->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, err_size, "%s", st->db ? sqlite3_errmsg(st->db) : "cannot open");
        return STORE_ERROR;
    }
    sqlite3_busy_handler(st->db, on_busy, NULL);
    if (exec_script(st->db, "PRAGMA foreign_keys = ON", err, err_size) < 0)
        return STORE_ERROR;
    if (st->shared->memory) {
        /* The memdb VFS keeps the database in memory but would open a rollback journal
         * through the default VFS, as a file: the journal stays in memory too. */
        if (exec_script(st->db, "PRAGMA journal_mode = MEMORY", err, err_size) < 0 ||
            exec_script(st->db, "PRAGMA temp_store = MEMORY", err, err_size) < 0)
            return STORE_ERROR;
    }
    return 0;
}

/* The settings of a file database, applied once it is known to be ours. WAL with
 * synchronous=NORMAL survives a killed process without losing a committed transaction
 * (only a power cut could lose the last ones), and lets readers run while a writer
 * commits. */
static int file_settings(struct store *st, char *err, size_t err_size)
{
    if (st->shared->memory)
        return 0;
    if (exec_script(st->db, "PRAGMA journal_mode = WAL", err, err_size) < 0 ||
        exec_script(st->db, "PRAGMA synchronous = NORMAL", err, err_size) < 0 ||
        exec_script(st->db, "PRAGMA journal_size_limit = " STORE_WAL_KEEP, err, err_size) < 0)
        return STORE_ERROR;
    return 0;
}

void store_reclaim(struct store *st)
{
    struct store *w = st->shared->writer;
    if (st->shared->memory)
        return;
    pthread_mutex_lock(&st->shared->write_lock);
    /* The free pages go back to the file system, then the WAL is emptied and cut to
     * nothing (a reader still open keeps it, and it is cut at a later checkpoint). */
    exec_script(w->db, "PRAGMA incremental_vacuum", NULL, 0);
    exec_script(w->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, 0);
    pthread_mutex_unlock(&st->shared->write_lock);
}

static int prepare_failing(struct store *st, char *err, size_t err_size)
{
    if (sqlite3_prepare_v3(st->db, FAILING_SQL, -1, SQLITE_PREPARE_PERSISTENT, &st->failing,
                           NULL) != SQLITE_OK) {
        snprintf(err, err_size, "prepare: %s", sqlite3_errmsg(st->db));
        return STORE_ERROR;
    }
    return 0;
}

int store_check_statements(struct store *st, char *err, size_t err_size)
{
    for (int i = 0; i < S_COUNT; i++) {
        assert(sql_text[i]);
        if (!st->stmt[i] && sqlite3_prepare_v3(st->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT,
                                               &st->stmt[i], NULL) != SQLITE_OK) {
            snprintf(err, err_size, "prepare statement %d: %s", i, sqlite3_errmsg(st->db));
            st->stmt[i] = NULL;
            return STORE_ERROR;
        }
    }
    return 0;
}

/* One campaign-mock per database file: a second one would interleave its requests and
 * journal with ours. flock is separate from SQLite's own (fcntl) locks and writes
 * nothing. */
static int lock_file(struct store_shared *sh, const char *path, char *err, size_t err_size)
{
    /* Only a regular file (or a link to one): SQLite would put its journal beside a
     * device, and a directory or a pipe is no database. */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        snprintf(err, err_size, "not a regular file; it was left as it is");
        return STORE_ERROR;
    }
    /* An absent file is created empty, which SQLite takes for a new database. */
    sh->lock_fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    if (sh->lock_fd < 0) {
        snprintf(err, err_size, "%s", strerror(errno));
        return STORE_ERROR;
    }
    if (flock(sh->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        snprintf(err, err_size, "database is locked by another process");
        return STORE_ERROR;
    }
    return 0;
}

int store_open(struct store **out, const char *path, char *err, size_t err_size)
{
    char scratch[256];
    if (!err) {
        err = scratch;
        err_size = sizeof(scratch);
    }
    struct store *st = calloc(1, sizeof(*st));
    struct store_shared *sh = calloc(1, sizeof(*sh));
    if (!st || !sh) {
        free(st);
        free(sh);
        snprintf(err, err_size, "out of memory");
        return STORE_ERROR;
    }
    st->shared = sh;
    st->primary = 1;
    sh->writer = st;
    sh->lock_fd = -1;
    pthread_mutex_init(&sh->write_lock, NULL);
    sh->memory = strcmp(path, ":memory:") == 0;
    /* Before SQLite's first use: no memory statistics (a global mutex taken on every
     * allocation). Later calls are refused by SQLite and change nothing. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (sh->memory) {
        /* A memdb name starting with '/' is shared by every connection of the process
         * that opens it, and lives until the last one closes. */
        snprintf(sh->uri, sizeof(sh->uri), "file:/campaign-mock-%ld-%u?vfs=memdb", (long)getpid(),
                 atomic_fetch_add(&memory_serial, 1));
    } else if (strlen(path) >= sizeof(sh->uri)) {
        snprintf(err, err_size, "the path is longer than %zu bytes", sizeof(sh->uri) - 1);
        goto fail;
    } else {
        snprintf(sh->uri, sizeof(sh->uri), "%s", path);
    }
    /* The lock first: a file another campaign-mock serves is refused untouched. */
    if (!sh->memory && lock_file(sh, path, err, err_size) < 0)
        goto fail;
    if (connection_open(st, err, err_size) < 0)
        goto fail;
    /* Nothing is written before the file is known to be ours (or empty). A new database
     * gives back the pages large deletes free (see store_reclaim): the mode can only be
     * chosen before the first page is written, and switching to WAL writes one. */
    int version = validate(st->db, err, err_size);
    if (version == 0 && exec_script(st->db, "PRAGMA auto_vacuum = INCREMENTAL", err, err_size) < 0)
        version = -1;
    if (version < 0 || file_settings(st, err, err_size) < 0 ||
        migrate(st->db, version, err, err_size) < 0 || prepare_failing(st, err, err_size) < 0)
        goto fail;
    *out = st;
    return 0;
fail:
    store_close(st);
    return STORE_ERROR;
}

int store_open_peer(struct store **out, struct store *first, char *err, size_t err_size)
{
    char scratch[256];
    if (!err) {
        err = scratch;
        err_size = sizeof(scratch);
    }
    assert(first->primary);
    struct store *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(err, err_size, "out of memory");
        return STORE_ERROR;
    }
    st->shared = first->shared;
    atomic_fetch_add(&st->shared->peers, 1);
    if (connection_open(st, err, err_size) < 0 || file_settings(st, err, err_size) < 0 ||
        prepare_failing(st, err, err_size) < 0) {
        store_close(st);
        return STORE_ERROR;
    }
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_finalize(st->failing);
    if (st->db)
        sqlite3_close(st->db);
    struct store_shared *sh = st->shared;
    if (st->primary) {
        /* The peers are closed first: they use the shared part. */
        assert(atomic_load(&sh->peers) == 0);
        if (sh->lock_fd >= 0)
            close(sh->lock_fd);
        pthread_mutex_destroy(&sh->write_lock);
        free(sh);
    } else {
        atomic_fetch_sub(&sh->peers, 1);
    }
    free(st);
}

/* The last failure of a statement on this thread: SQLite's message and extended code,
 * read at the failing step. */
int store_fail(sqlite3_stmt *s, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_DONE:
    case SQLITE_ROW:
    case SQLITE_OK:
        return 0;
    default:
        break;
    }
    /* The first failure of a transaction is its cause: what fails after it (the
     * rollback of a transaction SQLite already ended) only follows from it. */
    sqlite3 *db = s ? sqlite3_db_handle(s) : NULL;
    if (!failure_msg[0]) {
        failure_code = db ? sqlite3_extended_errcode(db) : rc;
        snprintf(failure_msg, sizeof(failure_msg), "%s",
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    }
    /* A write cut by a quota (EDQUOT) or a file size limit (EFBIG, ulimit -f) is a full
     * disk too, which SQLite reports as such only for ENOSPC. sqlite3_system_errno does
     * not keep it here; errno does, as transact cleared it before the transaction. */
    int ext = db ? sqlite3_extended_errcode(db) : rc;
    if ((ext == SQLITE_IOERR_WRITE || ext == SQLITE_IOERR_TRUNCATE) &&
        (errno == ENOSPC || errno == EDQUOT || errno == EFBIG))
        return STORE_FULL;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_BUSY;
    case SQLITE_CONSTRAINT:
        return STORE_CONSTRAINT;
    case SQLITE_FULL:
        return STORE_FULL;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return STORE_DAMAGED;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return STORE_IO;
    default:
        return STORE_ERROR;
    }
}

int store_stmt_run(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    int result = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return result;
}

int store_stmt_one_int(sqlite3_stmt *s, long long *out)
{
    int rc = sqlite3_step(s);
    int result = rc == SQLITE_ROW ? 0 : store_fail(s, rc);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return result;
}

void store_stmt_done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    /* SQLITE_STATIC: every store function binds, steps and resets (which clears the
     * bindings) before it returns, while the caller's string is alive; no copy. */
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

void store_col_copy(char *dst, size_t size, sqlite3_stmt *s, int col)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

/* Steps one of the core statements that returns no row. */
static int run(struct store *st, enum store_stmt_id id)
{
    return store_stmt_run(store_stmt(st, id));
}

/* Runs fn between begin and COMMIT, retrying the whole of it a few times when the
 * database stays busy past the busy handler's wait. */
static int transact(struct store *st, enum store_stmt_id begin,
                    int (*fn)(struct store *st, void *arg), void *arg)
{
    /* Each attempt already waited up to STORE_BUSY_MS in the busy handler; beyond
     * STORE_ATTEMPTS the caller answers 503 rather than hold a thread. */
    failure_msg[0] = '\0';
    errno = 0; /* see store_fail */
    for (int attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
        int rc = run(st, begin);
        if (rc == STORE_BUSY)
            continue;
        if (rc < 0)
            return rc;
        rc = fn(st, arg);
        if (rc != 0) {
            run(st, S_ROLLBACK);
            if (rc == STORE_BUSY)
                continue;
            return rc;
        }
        rc = run(st, S_COMMIT);
        if (rc == 0)
            return 0;
        run(st, S_ROLLBACK);
        if (rc != STORE_BUSY)
            return rc;
    }
    return STORE_BUSY;
}

/* Keeps the reason of a failed transaction where the caller's thread finds it: the
 * message of the step that failed, not what the connection says after the rollback. */
static int note_failure(struct store *st, struct store *ran, int rc)
{
    if (rc == 0)
        st->last_error[0] = '\0';
    else if (failure_msg[0])
        snprintf(st->last_error, sizeof(st->last_error), "%s (SQLite code %d)", failure_msg,
                 failure_code);
    else
        snprintf(st->last_error, sizeof(st->last_error), "%s", sqlite3_errmsg(ran->db));
    failure_msg[0] = '\0';
    return rc;
}

int store_transact(struct store *st, int (*fn)(struct store *st, void *arg), void *arg)
{
    struct store *w = st->shared->writer;
    pthread_mutex_lock(&st->shared->write_lock);
    int rc = transact(w, S_BEGIN, fn, arg);
    note_failure(st, w, rc);
    pthread_mutex_unlock(&st->shared->write_lock);
    return rc;
}

int store_read(struct store *st, int (*fn)(struct store *st, void *arg), void *arg)
{
    return note_failure(st, st, transact(st, S_BEGIN_READ, fn, arg));
}

int store_meta_get(struct store *st, const char *key, long long *out)
{
    sqlite3_stmt *s = store_stmt(st, S_META_GET);
    store_bind_text(s, 1, key);
    int rc = sqlite3_step(s);
    int result = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        result = 0;
    } else if (rc != SQLITE_DONE) {
        result = store_fail(s, rc);
    }
    store_stmt_done(s);
    return result;
}

int store_meta_set(struct store *st, const char *key, long long value)
{
    sqlite3_stmt *s = store_stmt(st, S_META_SET);
    store_bind_text(s, 1, key);
    sqlite3_bind_int64(s, 2, value);
    return run(st, S_META_SET);
}

int store_tenant_get(struct store *st, const char *name, char **fixture_out)
{
    sqlite3_stmt *s = store_stmt(st, S_TENANT_GET);
    store_bind_text(s, 1, name);
    int rc = sqlite3_step(s);
    int result = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        result = 0;
        if (fixture_out) {
            const unsigned char *t = sqlite3_column_text(s, 0);
            *fixture_out = strdup(t ? (const char *)t : "{}");
            if (!*fixture_out)
                result = STORE_ERROR;
        }
    } else if (rc != SQLITE_DONE) {
        result = store_fail(s, rc);
    }
    store_stmt_done(s);
    return result;
}

int store_tenant_put(struct store *st, const char *name, const char *fixture_json)
{
    sqlite3_stmt *s = store_stmt(st, S_TENANT_PUT);
    store_bind_text(s, 1, name);
    store_bind_text(s, 2, fixture_json);
    return run(st, S_TENANT_PUT);
}

int store_tenant_delete(struct store *st, const char *name)
{
    sqlite3_stmt *s = store_stmt(st, S_TENANT_DELETE);
    store_bind_text(s, 1, name);
    int rc = run(st, S_TENANT_DELETE);
    if (rc == 0 && sqlite3_changes(st->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int store_tenant_each(struct store *st, int (*fn)(void *arg, const char *name), void *arg)
{
    sqlite3_stmt *s = store_stmt(st, S_TENANT_EACH);
    int rc, result = 0;
    char name[MODEL_NAME_MAX + 1];
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_col_copy(name, sizeof(name), s, 0);
        if (fn(arg, name) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = store_fail(s, rc);
    store_stmt_done(s);
    return result;
}

int store_wipe(struct store *st)
{
    return run(st, S_WIPE_TENANTS);
}

static void read_mapping(sqlite3_stmt *s, struct model_mapping *m)
{
    memset(m, 0, sizeof(*m));
    store_col_copy(m->tenant, sizeof(m->tenant), s, MP_tenant);
    store_col_copy(m->id, sizeof(m->id), s, MP_id);
    store_col_copy(m->label, sizeof(m->label), s, MP_label);
    store_col_copy(m->targeting_dimension, sizeof(m->targeting_dimension), s,
                   MP_targeting_dimension);
    store_col_copy(m->dataset, sizeof(m->dataset), s, MP_dataset);
    m->published = sqlite3_column_int(s, MP_published);
    m->started = sqlite3_column_int(s, MP_started);
    m->changed_records = sqlite3_column_int64(s, MP_changed_records);
    char outcome[32];
    store_col_copy(outcome, sizeof(outcome), s, MP_default_outcome);
    if (model_outcome_parse(&m->default_step.outcome, outcome) < 0)
        m->default_step.outcome = OUTCOME_SUCCESS;
    m->default_step.num_records = sqlite3_column_int64(s, MP_default_num_records);
    store_col_copy(m->default_step.batch_id, sizeof(m->default_step.batch_id), s,
                   MP_default_batch_id);
    m->default_step.after_ms = sqlite3_column_int64(s, MP_default_after_ms);
    m->default_step.after_polls = sqlite3_column_int64(s, MP_default_after_polls);
}

int store_mapping_get(struct store *st, const char *tenant, const char *id,
                      struct model_mapping *out)
{
    sqlite3_stmt *s = store_stmt(st, S_MAPPING_GET);
    store_bind_text(s, 1, tenant);
    store_bind_text(s, 2, id);
    int rc = sqlite3_step(s);
    int result = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        read_mapping(s, out);
        result = 0;
    } else if (rc != SQLITE_DONE) {
        result = store_fail(s, rc);
    }
    store_stmt_done(s);
    return result;
}

int store_mapping_put(struct store *st, const struct model_mapping *m)
{
    sqlite3_stmt *s = store_stmt(st, S_MAPPING_PUT);
    /* ?N is the column of position N - 1 (see S_MAPPING_PUT). */
    store_bind_text(s, MP_tenant + 1, m->tenant);
    store_bind_text(s, MP_id + 1, m->id);
    store_bind_text(s, MP_label + 1, m->label);
    store_bind_text(s, MP_targeting_dimension + 1, m->targeting_dimension);
    store_bind_text(s, MP_dataset + 1, m->dataset);
    sqlite3_bind_int(s, MP_published + 1, m->published ? 1 : 0);
    sqlite3_bind_int(s, MP_started + 1, m->started ? 1 : 0);
    sqlite3_bind_int64(s, MP_changed_records + 1, m->changed_records);
    store_bind_text(s, MP_default_outcome + 1, model_outcome_name(m->default_step.outcome));
    sqlite3_bind_int64(s, MP_default_num_records + 1, m->default_step.num_records);
    store_bind_text(s, MP_default_batch_id + 1, m->default_step.batch_id);
    sqlite3_bind_int64(s, MP_default_after_ms + 1, m->default_step.after_ms);
    sqlite3_bind_int64(s, MP_default_after_polls + 1, m->default_step.after_polls);
    return run(st, S_MAPPING_PUT);
}

int store_mapping_delete(struct store *st, const char *tenant, const char *id)
{
    sqlite3_stmt *s = store_stmt(st, S_MAPPING_DELETE);
    store_bind_text(s, 1, tenant);
    store_bind_text(s, 2, id);
    int rc = run(st, S_MAPPING_DELETE);
    if (rc == 0 && sqlite3_changes(st->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int store_mapping_set_changed(struct store *st, const char *tenant, const char *id,
                              long long changed)
{
    sqlite3_stmt *s = store_stmt(st, S_MAPPING_SET_CHANGED);
    store_bind_text(s, 1, tenant);
    store_bind_text(s, 2, id);
    sqlite3_bind_int64(s, 3, changed);
    int rc = run(st, S_MAPPING_SET_CHANGED);
    if (rc == 0 && sqlite3_changes(st->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}

int store_mapping_each(struct store *st, const char *tenant,
                       int (*fn)(void *arg, const struct model_mapping *m), void *arg)
{
    sqlite3_stmt *s = store_stmt(st, S_MAPPING_EACH);
    store_bind_text(s, 1, tenant);
    int rc, result = 0;
    struct model_mapping m;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_mapping(s, &m);
        if (fn(arg, &m) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = store_fail(s, rc);
    store_stmt_done(s);
    return result;
}

int store_script_clear(struct store *st, const char *tenant, const char *mapping)
{
    sqlite3_stmt *s = store_stmt(st, S_SCRIPT_CLEAR);
    store_bind_text(s, 1, tenant);
    store_bind_text(s, 2, mapping);
    return run(st, S_SCRIPT_CLEAR);
}

int store_script_append(struct store *st, const char *tenant, const char *mapping,
                        const struct model_step *step)
{
    sqlite3_stmt *s = store_stmt(st, S_SCRIPT_APPEND);
    store_bind_text(s, 1, tenant);
    store_bind_text(s, 2, mapping);
    store_bind_text(s, 3, model_outcome_name(step->outcome));
    sqlite3_bind_int64(s, 4, step->num_records);
    store_bind_text(s, 5, step->batch_id);
    sqlite3_bind_int64(s, 6, step->after_ms);
    sqlite3_bind_int64(s, 7, step->after_polls);
    return run(st, S_SCRIPT_APPEND);
}

/* Reads the step of a row of SCRIPT_COLUMNS. */
static void read_step(sqlite3_stmt *s, struct model_step *out)
{
    memset(out, 0, sizeof(*out));
    char outcome[32];
    store_col_copy(outcome, sizeof(outcome), s, SC_outcome);
    if (model_outcome_parse(&out->outcome, outcome) < 0)
        out->outcome = OUTCOME_SUCCESS;
    out->num_records = sqlite3_column_int64(s, SC_num_records);
    store_col_copy(out->batch_id, sizeof(out->batch_id), s, SC_batch_id);
    out->after_ms = sqlite3_column_int64(s, SC_after_ms);
    out->after_polls = sqlite3_column_int64(s, SC_after_polls);
}

int store_script_pop(struct store *st, const char *tenant, const char *mapping,
                     struct model_step *out)
{
    sqlite3_stmt *s = store_stmt(st, S_SCRIPT_FIRST);
    store_bind_text(s, 1, tenant);
    store_bind_text(s, 2, mapping);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        store_stmt_done(s);
        return rc == SQLITE_DONE ? STORE_NOTFOUND : store_fail(s, rc);
    }
    long long pos = sqlite3_column_int64(s, SC_pos);
    read_step(s, out);
    store_stmt_done(s);
    sqlite3_stmt *d = store_stmt(st, S_SCRIPT_DELETE);
    store_bind_text(d, 1, tenant);
    store_bind_text(d, 2, mapping);
    sqlite3_bind_int64(d, 3, pos);
    return run(st, S_SCRIPT_DELETE);
}

int store_script_each(struct store *st, const char *tenant, const char *mapping,
                      int (*fn)(void *arg, const struct model_step *step), void *arg)
{
    sqlite3_stmt *s = store_stmt(st, S_SCRIPT_EACH);
    store_bind_text(s, 1, tenant);
    store_bind_text(s, 2, mapping);
    int rc, result = 0;
    struct model_step step;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_step(s, &step);
        if (fn(arg, &step) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = store_fail(s, rc);
    store_stmt_done(s);
    return result;
}

/* Binds r to ?1..?14, the columns of REQUEST_COLUMNS in order (S_REQUEST_INSERT and
 * S_REQUEST_UPDATE). */
static void bind_request(sqlite3_stmt *s, const struct model_request *r)
{
    sqlite3_bind_int64(s, RQ_id + 1, r->id);
    store_bind_text(s, RQ_tenant + 1, r->tenant);
    store_bind_text(s, RQ_mapping + 1, r->mapping);
    sqlite3_bind_int64(s, RQ_created_ms + 1, r->created_ms);
    store_bind_text(s, RQ_outcome + 1, model_outcome_name(r->step.outcome));
    sqlite3_bind_int64(s, RQ_step_num_records + 1, r->step.num_records);
    store_bind_text(s, RQ_step_batch_id + 1, r->step.batch_id);
    sqlite3_bind_int64(s, RQ_after_ms + 1, r->step.after_ms);
    sqlite3_bind_int64(s, RQ_after_polls + 1, r->step.after_polls);
    sqlite3_bind_int64(s, RQ_polls + 1, r->polls);
    store_bind_text(s, RQ_status + 1, model_status_name(r->status));
    sqlite3_bind_int64(s, RQ_num_records + 1, r->num_records);
    store_bind_text(s, RQ_batch_id + 1, r->batch_id);
    if (r->resolved_ms >= 0)
        sqlite3_bind_int64(s, RQ_resolved_ms + 1, r->resolved_ms);
    else
        sqlite3_bind_null(s, RQ_resolved_ms + 1);
}

static void read_request(sqlite3_stmt *s, struct model_request *r)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(s, RQ_id);
    store_col_copy(r->tenant, sizeof(r->tenant), s, RQ_tenant);
    store_col_copy(r->mapping, sizeof(r->mapping), s, RQ_mapping);
    r->created_ms = sqlite3_column_int64(s, RQ_created_ms);
    char text[32];
    store_col_copy(text, sizeof(text), s, RQ_outcome);
    if (model_outcome_parse(&r->step.outcome, text) < 0)
        r->step.outcome = OUTCOME_SUCCESS;
    r->step.num_records = sqlite3_column_int64(s, RQ_step_num_records);
    store_col_copy(r->step.batch_id, sizeof(r->step.batch_id), s, RQ_step_batch_id);
    r->step.after_ms = sqlite3_column_int64(s, RQ_after_ms);
    r->step.after_polls = sqlite3_column_int64(s, RQ_after_polls);
    r->polls = sqlite3_column_int64(s, RQ_polls);
    store_col_copy(text, sizeof(text), s, RQ_status);
    if (model_status_parse(&r->status, text) < 0)
        r->status = STATUS_FAILED;
    r->num_records = sqlite3_column_int64(s, RQ_num_records);
    store_col_copy(r->batch_id, sizeof(r->batch_id), s, RQ_batch_id);
    r->resolved_ms = sqlite3_column_type(s, RQ_resolved_ms) == SQLITE_NULL
                         ? -1
                         : sqlite3_column_int64(s, RQ_resolved_ms);
}

int store_request_insert(struct store *st, const struct model_request *r)
{
    bind_request(store_stmt(st, S_REQUEST_INSERT), r);
    return run(st, S_REQUEST_INSERT);
}

int store_request_evict(struct store *st, long long upto, long long *evicted)
{
    sqlite3_bind_int64(store_stmt(st, S_REQUEST_EVICT), 1, upto);
    int rc = run(st, S_REQUEST_EVICT);
    *evicted = rc == 0 ? sqlite3_changes(st->db) : 0;
    return rc;
}

static int request_one(struct store *st, enum store_stmt_id id, struct model_request *out)
{
    sqlite3_stmt *s = store_stmt(st, id);
    int rc = sqlite3_step(s);
    int result = STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        read_request(s, out);
        result = 0;
    } else if (rc != SQLITE_DONE) {
        result = store_fail(s, rc);
    }
    store_stmt_done(s);
    return result;
}

int store_request_get(struct store *st, long long id, struct model_request *out)
{
    sqlite3_bind_int64(store_stmt(st, S_REQUEST_GET), 1, id);
    return request_one(st, S_REQUEST_GET, out);
}

int store_request_in_progress(struct store *st, const char *tenant, const char *mapping,
                              struct model_request *out)
{
    store_bind_text(store_stmt(st, S_REQUEST_IN_PROGRESS), 1, tenant);
    store_bind_text(store_stmt(st, S_REQUEST_IN_PROGRESS), 2, mapping);
    return request_one(st, S_REQUEST_IN_PROGRESS, out);
}

int store_request_update(struct store *st, const struct model_request *r)
{
    bind_request(store_stmt(st, S_REQUEST_UPDATE), r);
    int rc = run(st, S_REQUEST_UPDATE);
    if (rc == 0 && sqlite3_changes(st->db) == 0)
        return STORE_NOTFOUND;
    return rc;
}

/* Steps a bound request query to its end (or until fn returns non-0), handing each row
 * to fn; *n (may be NULL) gets how many rows were read. Resets the statement. */
static int step_requests(sqlite3_stmt *s, int (*fn)(void *arg, const struct model_request *r),
                         void *arg, int *n)
{
    int rc, result = 0, count = 0;
    struct model_request r;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_request(s, &r);
        count++;
        if (fn(arg, &r) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = store_fail(s, rc);
    store_stmt_done(s);
    if (n)
        *n = count;
    return result;
}

int store_request_counts(struct store *st, const char *tenant, const char *mapping,
                         long long counts[MODEL_STATUS_COUNT])
{
    sqlite3_stmt *s = store_stmt(st, S_REQUEST_COUNTS);
    store_bind_text(s, 1, tenant);
    store_bind_text(s, 2, mapping);
    for (int i = 0; i < MODEL_STATUS_COUNT; i++)
        counts[i] = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enum model_status status;
        const unsigned char *name = sqlite3_column_text(s, RC_status);
        if (name && model_status_parse(&status, (const char *)name) == 0)
            counts[status] = sqlite3_column_int64(s, RC_n);
    }
    int result = store_fail(s, rc);
    store_stmt_done(s);
    return result;
}

int store_request_page(struct store *st, const char *tenant, const char *mapping,
                       int in_progress_only, long long after, int limit,
                       int (*fn)(void *arg, const struct model_request *r), void *arg, int *n)
{
    sqlite3_stmt *s =
        store_stmt(st, in_progress_only ? (mapping ? S_REQUEST_PAGE_MAPPING_IN_PROGRESS
                                                   : S_REQUEST_PAGE_IN_PROGRESS)
                                        : (mapping ? S_REQUEST_PAGE_MAPPING : S_REQUEST_PAGE));
    store_bind_text(s, 1, tenant);
    if (mapping)
        store_bind_text(s, 2, mapping);
    sqlite3_bind_int64(s, 3, after);
    sqlite3_bind_int(s, 4, limit);
    return step_requests(s, fn, arg, n);
}

int store_request_total(struct store *st, const char *tenant, const char *mapping,
                        const char *status, long long *out)
{
    sqlite3_stmt *s = store_stmt(st, S_REQUEST_TOTAL);
    store_bind_text(s, 1, tenant);
    store_bind_text(s, 2, mapping);
    store_bind_text(s, 3, status);
    return store_stmt_one_int(s, out);
}

int store_request_count_in_progress(struct store *st, long long *out)
{
    return store_stmt_one_int(store_stmt(st, S_REQUEST_COUNT_IN_PROGRESS), out);
}
