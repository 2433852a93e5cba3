/*
 * Every SQL statement of store/, in one table: STORE_STATEMENTS lists them, each as
 * X(NAME, "SQL"). The list makes the enum of statement ids (S_NAME, store_internal.h) and
 * the array of their texts (store.c), which every connection prepares once when it
 * opens; store_stmt(st, S_NAME) is the only way to a statement. An id is a name, not a
 * number: two files cannot take the same one, and a statement cannot be used with
 * another's text.
 *
 * To add one: a line X(S_TOKEN_OLDEST, "SELECT ...") in the file's section below, then
 * store_stmt(st, S_TOKEN_OLDEST) where it runs. A typo in the SQL fails every open (and
 * so every test).
 *
 * Columns are read by name: a table's column list (REQUEST_COLUMNS and the others) is
 * written once, and makes both the text of the SELECT (STORE_COLS_TEXT) and an enum of
 * the columns' positions in its result (RQ_id, RQ_tenant, ...). Where a statement binds
 * one parameter per column, parameter ?N is the column of position N - 1, so the same
 * enum numbers the bindings (a _Static_assert checks the count of placeholders).
 *
 * Besides these, only the setup of a connection (PRAGMAs and migrations, in store.c) runs
 * SQL, before the statements can be prepared. Only store/ includes this.
 */
#ifndef CAMPAIGN_STORE_SQL_H
#define CAMPAIGN_STORE_SQL_H

/* A column list is a macro of two parameters: C(name) for each column but the last,
 * L(name) for the last. */
#define STORE_COL_TEXT(name)  #name ", "
#define STORE_COL_LAST(name)  #name
#define STORE_COLS_TEXT(list) list(STORE_COL_TEXT, STORE_COL_LAST)

/* --- columns ------------------------------------------------------------------------- */

#define MAPPING_COLUMNS(C, L)                                                                      \
    C(tenant)                                                                                      \
    C(id)                                                                                          \
    C(label)                                                                                       \
    C(targeting_dimension)                                                                         \
    C(dataset)                                                                                     \
    C(published)                                                                                   \
    C(started)                                                                                     \
    C(changed_records)                                                                             \
    C(default_outcome)                                                                             \
    C(default_num_records)                                                                         \
    C(default_batch_id)                                                                            \
    C(default_after_ms)                                                                            \
    L(default_after_polls)
#define MP_COL(name) MP_##name,
enum mapping_col { MAPPING_COLUMNS(MP_COL, MP_COL) MP_COUNT };

/* A script step as read: its position, then the step. */
#define SCRIPT_COLUMNS(C, L)                                                                       \
    C(pos)                                                                                         \
    C(outcome)                                                                                     \
    C(num_records)                                                                                 \
    C(batch_id)                                                                                    \
    C(after_ms)                                                                                    \
    L(after_polls)
#define SC_COL(name) SC_##name,
enum script_col { SCRIPT_COLUMNS(SC_COL, SC_COL) SC_COUNT };

#define REQUEST_COLUMNS(C, L)                                                                      \
    C(id)                                                                                          \
    C(tenant)                                                                                      \
    C(mapping)                                                                                     \
    C(created_ms)                                                                                  \
    C(outcome)                                                                                     \
    C(step_num_records)                                                                            \
    C(step_batch_id)                                                                               \
    C(after_ms)                                                                                    \
    C(after_polls)                                                                                 \
    C(polls)                                                                                       \
    C(status)                                                                                      \
    C(num_records)                                                                                 \
    C(batch_id)                                                                                    \
    L(resolved_ms)
#define RQ_COL(name) RQ_##name,
enum request_col { REQUEST_COLUMNS(RQ_COL, RQ_COL) RQ_COUNT };

/* What a journal entry holds, read and written alike. */
#define JOURNAL_FIELDS(C)                                                                          \
    C(server_ms)                                                                                   \
    C(wall_ms)                                                                                     \
    C(method)                                                                                      \
    C(path)                                                                                        \
    C(query)                                                                                       \
    C(endpoint)                                                                                    \
    C(tenant)                                                                                      \
    C(mapping)                                                                                     \
    C(request_id)                                                                                  \
    C(status)                                                                                      \
    C(request_headers)                                                                             \
    C(request_body)                                                                                \
    C(response_body)                                                                               \
    C(fault)                                                                                       \
    C(duration_ms)

/* A journal entry as read. */
#define JOURNAL_COLUMNS(C, L) C(id) JOURNAL_FIELDS(C) C(transport) L(scheme)
#define JN_COL(name)          JN_##name,
enum journal_col { JOURNAL_COLUMNS(JN_COL, JN_COL) JN_COUNT };

/* A journal entry as written (the id is the table's; bytes is what it weighs). */
#define JOURNAL_INSERT_COLUMNS(C, L) JOURNAL_FIELDS(C) C(bytes) C(transport) L(scheme)
#define JI_COL(name)                 JI_##name,
enum journal_insert_col { JOURNAL_INSERT_COLUMNS(JI_COL, JI_COL) JI_COUNT };

#define TOKEN_COLUMNS(C, L)                                                                        \
    C(client_id)                                                                                   \
    C(issued_ms)                                                                                   \
    L(expires_ms)
#define TK_COL(name) TK_##name,
enum token_col { TOKEN_COLUMNS(TK_COL, TK_COL) TK_COUNT };

#define FAULT_COLUMNS(C, L)                                                                        \
    C(id)                                                                                          \
    C(rule)                                                                                        \
    C(created_ms)                                                                                  \
    C(seen)                                                                                        \
    L(hits)
#define FT_COL(name) FT_##name,
enum fault_col { FAULT_COLUMNS(FT_COL, FT_COL) FT_COUNT };

/* Two-column reads: a mapping's count of requests in one status; a journal entry's
 * weight. */
#define REQUEST_COUNT_COLUMNS(C, L)                                                                \
    C(status)                                                                                      \
    L(n)
#define RC_COL(name) RC_##name,
enum request_count_col { REQUEST_COUNT_COLUMNS(RC_COL, RC_COL) RC_COUNT };
#define JOURNAL_SIZE_COLUMNS(C, L)                                                                 \
    C(id)                                                                                          \
    L(bytes)
#define JS_COL(name) JS_##name,
enum journal_size_col { JOURNAL_SIZE_COLUMNS(JS_COL, JS_COL) JS_COUNT };

/* The placeholders of the statements that bind a parameter per column, by count. */
_Static_assert(MP_COUNT == 13, "S_MAPPING_PUT binds ?1..?13, one per MAPPING_COLUMNS");
_Static_assert(RQ_COUNT == 14, "S_REQUEST_INSERT and _UPDATE bind ?1..?14 (REQUEST_COLUMNS)");
_Static_assert(JI_COUNT == 18, "S_JOURNAL_INSERT binds ?1..?18 (JOURNAL_INSERT_COLUMNS)");

#define MAPPING_COLS STORE_COLS_TEXT(MAPPING_COLUMNS)
#define SCRIPT_COLS  STORE_COLS_TEXT(SCRIPT_COLUMNS)
#define REQUEST_COLS STORE_COLS_TEXT(REQUEST_COLUMNS)

/* --- the journal's filter sets ------------------------------------------------------- */

/*
 * The journal's reads name only the filters that are set: "(?1 IS NULL OR tenant = ?1)"
 * would hide the index from SQLite and turn every count into a scan of up to
 * --journal-max rows. Each of the 16 sets has its own statements, one row here:
 * F(A, set, tenant, mapping, method, status, any): the flags of the filters it holds (set is
 * their bits, as filter_set in store_journal.c makes it; any is set != 0, both checked).
 * Parameters keep their numbers whatever the set: ?1 tenant, ?2 mapping, ?3 method,
 * ?4 status.
 */
#define JOURNAL_FILTER_SETS(F, A)                                                                  \
    F(A, 0, 0, 0, 0, 0, 0)                                                                         \
    F(A, 1, 1, 0, 0, 0, 1)                                                                         \
    F(A, 2, 0, 1, 0, 0, 1)                                                                         \
    F(A, 3, 1, 1, 0, 0, 1)                                                                         \
    F(A, 4, 0, 0, 1, 0, 1)                                                                         \
    F(A, 5, 1, 0, 1, 0, 1)                                                                         \
    F(A, 6, 0, 1, 1, 0, 1)                                                                         \
    F(A, 7, 1, 1, 1, 0, 1)                                                                         \
    F(A, 8, 0, 0, 0, 1, 1)                                                                         \
    F(A, 9, 1, 0, 0, 1, 1)                                                                         \
    F(A, 10, 0, 1, 0, 1, 1)                                                                        \
    F(A, 11, 1, 1, 0, 1, 1)                                                                        \
    F(A, 12, 0, 0, 1, 1, 1)                                                                        \
    F(A, 13, 1, 0, 1, 1, 1)                                                                        \
    F(A, 14, 0, 1, 1, 1, 1)                                                                        \
    F(A, 15, 1, 1, 1, 1, 1)
#define JOURNAL_FILTER_SET_COUNT 16
/* The bit of each filter in a set (filter_set in store_journal.c makes it with these). */
#define JOURNAL_FILTER_TENANT  1
#define JOURNAL_FILTER_MAPPING 2
#define JOURNAL_FILTER_METHOD  4
#define JOURNAL_FILTER_STATUS  8
#define JOURNAL_FILTER_ALL                                                                         \
    (JOURNAL_FILTER_TENANT | JOURNAL_FILTER_MAPPING | JOURNAL_FILTER_METHOD | JOURNAL_FILTER_STATUS)
_Static_assert(JOURNAL_FILTER_ALL + 1 == JOURNAL_FILTER_SET_COUNT,
               "a row of JOURNAL_FILTER_SETS for each set of filters");

#define JF_TENANT_0           ""
#define JF_TENANT_1           " AND tenant = ?1"
#define JF_MAPPING_0          ""
#define JF_MAPPING_1          " AND mapping = ?2"
#define JF_METHOD_0           ""
#define JF_METHOD_1           " AND method = ?3"
#define JF_STATUS_0           ""
#define JF_STATUS_1           " AND status = ?4"
#define JF_TERMS(t, m, me, s) JF_TENANT_##t JF_MAPPING_##m JF_METHOD_##me JF_STATUS_##s
/* A count without filters has no WHERE at all: SQLite counts the table's pages then
 * (a WHERE, even "1", makes it step through every row). */
#define JF_COUNT_WHERE_0 ""
#define JF_COUNT_WHERE_1 " WHERE 1"

#define JOURNAL_COUNT_STMT(X, n, t, m, me, s, any)                                                 \
    X(S_JOURNAL_COUNT_##n,                                                                         \
      "SELECT count(*) FROM journal" JF_COUNT_WHERE_##any JF_TERMS(t, m, me, s))
/* A page: the matching rows with ids in (?6, ?7], oldest first, at most ?5. */
#define JOURNAL_PAGE_STMT(X, n, t, m, me, s, any)                                                  \
    X(S_JOURNAL_PAGE_##n, JOURNAL_PAGE_HEAD JF_TERMS(t, m, me, s) " ORDER BY id LIMIT ?5")
#define JOURNAL_PAGE_HEAD                                                                          \
    "SELECT " STORE_COLS_TEXT(JOURNAL_COLUMNS) " FROM journal WHERE id > ?6 AND id <= ?7"
/* The ?5th newest matching row of id at most ?7. */
#define JOURNAL_START_STMT(X, n, t, m, me, s, any)                                                 \
    X(S_JOURNAL_START_##n, "SELECT id FROM journal WHERE id <= ?7" JF_TERMS(                       \
                               t, m, me, s) " ORDER BY id DESC LIMIT 1 OFFSET ?5 - 1")

/* --- the statements ------------------------------------------------------------------ */

#define STORE_STATEMENTS(X)                                                                        \
    /* store.c: transactions */                                                                    \
    X(S_BEGIN, "BEGIN IMMEDIATE")                                                                  \
    X(S_BEGIN_READ, "BEGIN")                                                                       \
    X(S_COMMIT, "COMMIT")                                                                          \
    X(S_ROLLBACK, "ROLLBACK")                                                                      \
    /* store.c: meta, tenants */                                                                   \
    X(S_META_GET, "SELECT value FROM meta WHERE key = ?1")                                         \
    X(S_META_SET, "INSERT INTO meta (key, value) VALUES (?1, ?2) "                                 \
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value")                        \
    X(S_TENANT_GET, "SELECT fixture FROM tenant WHERE name = ?1")                                  \
    X(S_TENANT_PUT, "INSERT INTO tenant (name, fixture) VALUES (?1, ?2) "                          \
                    "ON CONFLICT (name) DO UPDATE SET fixture = excluded.fixture")                 \
    X(S_TENANT_DELETE, "DELETE FROM tenant WHERE name = ?1")                                       \
    X(S_TENANT_EACH, "SELECT name FROM tenant WHERE name <> '*' ORDER BY name")                    \
    X(S_WIPE_TENANTS, "DELETE FROM tenant")                                                        \
    /* store.c: mappings */                                                                        \
    X(S_MAPPING_GET, "SELECT " MAPPING_COLS " FROM mapping WHERE tenant = ?1 AND id = ?2")         \
    X(S_MAPPING_PUT,                                                                               \
      "INSERT INTO mapping (" MAPPING_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "        \
      "?10, ?11, ?12, ?13) ON CONFLICT (tenant, id) DO UPDATE SET label = excluded.label, "        \
      "targeting_dimension = excluded.targeting_dimension, dataset = excluded.dataset, "           \
      "published = excluded.published, started = excluded.started, "                               \
      "changed_records = excluded.changed_records, default_outcome = excluded.default_outcome, "   \
      "default_num_records = excluded.default_num_records, "                                       \
      "default_batch_id = excluded.default_batch_id, "                                             \
      "default_after_ms = excluded.default_after_ms, "                                             \
      "default_after_polls = excluded.default_after_polls")                                        \
    X(S_MAPPING_DELETE, "DELETE FROM mapping WHERE tenant = ?1 AND id = ?2")                       \
    X(S_MAPPING_SET_CHANGED, "UPDATE mapping SET changed_records = ?3 WHERE tenant = ?1 AND "      \
                             "id = ?2")                                                            \
    X(S_MAPPING_EACH, "SELECT " MAPPING_COLS " FROM mapping WHERE tenant = ?1 ORDER BY id")        \
    /* store.c: script steps */                                                                    \
    X(S_SCRIPT_CLEAR, "DELETE FROM script_step WHERE tenant = ?1 AND mapping = ?2")                \
    X(S_SCRIPT_APPEND, "INSERT INTO script_step (tenant, mapping, " SCRIPT_COLS ") "               \
                       "SELECT ?1, ?2, coalesce(max(pos), 0) + 1, ?3, ?4, ?5, ?6, ?7 "             \
                       "FROM script_step WHERE tenant = ?1 AND mapping = ?2")                      \
    X(S_SCRIPT_FIRST, "SELECT " SCRIPT_COLS " FROM script_step WHERE tenant = ?1 AND "             \
                      "mapping = ?2 ORDER BY pos LIMIT 1")                                         \
    X(S_SCRIPT_DELETE, "DELETE FROM script_step WHERE tenant = ?1 AND mapping = ?2 AND pos = ?3")  \
    X(S_SCRIPT_EACH, "SELECT " SCRIPT_COLS " FROM script_step WHERE tenant = ?1 AND "              \
                     "mapping = ?2 ORDER BY pos")                                                  \
    /* store.c: requests */                                                                        \
    X(S_REQUEST_INSERT, "INSERT INTO request (" REQUEST_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, "  \
                        "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")                                    \
    /* Finished requests only: an In Progress one is never evicted. */                             \
    X(S_REQUEST_EVICT, "DELETE FROM request WHERE id <= ?1 AND status <> 'In Progress'")           \
    X(S_REQUEST_GET, "SELECT " REQUEST_COLS " FROM request WHERE id = ?1")                         \
    X(S_REQUEST_IN_PROGRESS, "SELECT " REQUEST_COLS " FROM request WHERE tenant = ?1 AND "         \
                             "mapping = ?2 AND status = 'In Progress'")                            \
    /* ?N is the column of position N - 1 in REQUEST_COLUMNS, as in S_REQUEST_INSERT. */           \
    X(S_REQUEST_UPDATE, "UPDATE request SET outcome = ?5, step_num_records = ?6, "                 \
                        "step_batch_id = ?7, after_ms = ?8, after_polls = ?9, polls = ?10, "       \
                        "status = ?11, num_records = ?12, batch_id = ?13, resolved_ms = ?14 "      \
                        "WHERE id = ?1 AND tenant = ?2 AND mapping = ?3 AND created_ms = ?4")      \
    /* Kept by the triggers of migration 008: no request read. */                                  \
    X(S_REQUEST_COUNTS,                                                                            \
      "SELECT " STORE_COLS_TEXT(                                                                   \
          REQUEST_COUNT_COLUMNS) " FROM request_count WHERE tenant = ?1 AND mapping = ?2")         \
    X(S_REQUEST_TOTAL, "SELECT coalesce(sum(n), 0) FROM request_count WHERE tenant = ?1 AND "      \
                       "(?2 IS NULL OR mapping = ?2) AND (?3 IS NULL OR status = ?3)")             \
    /* Pages: one statement per shape, so that the mapping's index serves the second. */           \
    X(S_REQUEST_PAGE, "SELECT " REQUEST_COLS " FROM request WHERE tenant = ?1 AND id > ?3 "        \
                      "ORDER BY id LIMIT ?4")                                                      \
    X(S_REQUEST_PAGE_MAPPING, "SELECT " REQUEST_COLS " FROM request WHERE tenant = ?1 AND "        \
                              "mapping = ?2 AND id > ?3 ORDER BY id LIMIT ?4")                     \
    /* In Progress only: the partial index request_one_in_progress holds just those. */            \
    X(S_REQUEST_PAGE_IN_PROGRESS, "SELECT " REQUEST_COLS " FROM request INDEXED BY "               \
                                  "request_one_in_progress WHERE tenant = ?1 AND status = "        \
                                  "'In Progress' AND id > ?3 ORDER BY id LIMIT ?4")                \
    X(S_REQUEST_PAGE_MAPPING_IN_PROGRESS,                                                          \
      "SELECT " REQUEST_COLS " FROM request WHERE tenant = ?1 AND mapping = ?2 AND "               \
      "status = 'In Progress' AND id > ?3 ORDER BY id LIMIT ?4")                                   \
    /* Over the partial index, which holds the In Progress rows alone (without the hint            \
     * SQLite counted through the whole table: 90 ms at a million requests). */                    \
    X(S_REQUEST_COUNT_IN_PROGRESS, "SELECT count(*) FROM request INDEXED BY "                      \
                                   "request_one_in_progress WHERE status = 'In Progress'")         \
    /* store_control.c */                                                                          \
    X(S_CONTROL_TENANT_CLEAR, "DELETE FROM mapping WHERE tenant = ?1")                             \
    X(S_CONTROL_MAPPING_COUNT, "SELECT count(*) FROM mapping WHERE tenant = ?1")                   \
    /* The template is stored as the tenant '*', and is not one. */                                \
    X(S_CONTROL_TENANT_COUNT, "SELECT count(*) FROM tenant WHERE name <> '*'")                     \
    /* store_auth.c */                                                                             \
    X(S_TOKEN_INSERT, "INSERT INTO ims_token (token, client_id, issued_ms, expires_ms) "           \
                      "VALUES (?1, ?2, ?3, ?4)")                                                   \
    X(S_TOKEN_GET, "SELECT " STORE_COLS_TEXT(TOKEN_COLUMNS) " FROM ims_token WHERE token = ?1")    \
    X(S_TOKEN_PURGE, "DELETE FROM ims_token WHERE expires_ms <= ?1")                               \
    X(S_TOKEN_COUNT, "SELECT count(*) FROM ims_token")                                             \
    /* Rowids grow with each insert: the newest keep are those within keep of the last. */         \
    X(S_TOKEN_EVICT, "DELETE FROM ims_token WHERE rowid <= ?1")                                    \
    /* store_faults.c */                                                                           \
    X(S_FAULT_INSERT, "INSERT INTO fault (id, pos, rule, created_ms) SELECT ?1, "                  \
                      "coalesce(max(pos), 0) + 1, ?2, ?3 FROM fault")                              \
    X(S_FAULT_EACH, "SELECT " STORE_COLS_TEXT(FAULT_COLUMNS) " FROM fault ORDER BY pos")           \
    X(S_FAULT_COUNTERS, "UPDATE fault SET seen = ?2, hits = ?3 WHERE id = ?1")                     \
    X(S_FAULT_DELETE, "DELETE FROM fault WHERE id = ?1")                                           \
    X(S_FAULT_CLEAR, "DELETE FROM fault")                                                          \
    X(S_FAULT_COUNT, "SELECT count(*) FROM fault")                                                 \
    /* store_journal.c */                                                                          \
    X(S_JOURNAL_INSERT, "INSERT INTO journal (" STORE_COLS_TEXT(                                   \
                            JOURNAL_INSERT_COLUMNS) ") "                                           \
                                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, " \
                                                    "?10, ?11, ?12, ?13, ?14, "                    \
                                                    "?15, ?16, ?17, ?18)")                         \
    /* ?1 is the newest id minus the cap: a rowid range from the oldest row, which is empty        \
     * (one seek) on every call but those that evict. */                                           \
    X(S_JOURNAL_EVICT, "DELETE FROM journal WHERE id <= ?1")                                       \
    X(S_JOURNAL_CLEAR, "DELETE FROM journal")                                                      \
    X(S_JOURNAL_EVICTED_BYTES, "SELECT coalesce(sum(bytes), 0) FROM journal WHERE id <= ?1")       \
    X(S_JOURNAL_OLDEST,                                                                            \
      "SELECT " STORE_COLS_TEXT(JOURNAL_SIZE_COLUMNS) " FROM journal ORDER BY id")                 \
    X(S_JOURNAL_FIRST, "SELECT coalesce(min(id), 0) FROM journal")                                 \
    /* The AUTOINCREMENT sequence: after a DELETE of every entry it still says where the           \
     * ids went, which max(id) would no longer. */                                                 \
    X(S_JOURNAL_LAST, "SELECT max(coalesce((SELECT max(id) FROM journal), 0), coalesce((SELECT "   \
                      "seq FROM sqlite_sequence WHERE name = 'journal'), 0))")                     \
    JOURNAL_FILTER_SETS(JOURNAL_COUNT_STMT, X)                                                     \
    JOURNAL_FILTER_SETS(JOURNAL_PAGE_STMT, X)                                                      \
    JOURNAL_FILTER_SETS(JOURNAL_START_STMT, X)

#define STORE_STMT_ID(name, sql) name,
enum store_stmt_id { STORE_STATEMENTS(STORE_STMT_ID) S_COUNT };
#undef STORE_STMT_ID

/* Each filter set's statements are consecutive, in the order of their set (S_..._0 + set
 * is the statement of set), and the flags of each row make its number. */
#define JOURNAL_FILTER_CHECK(unused, n, t, m, me, s, any)                                          \
    _Static_assert(S_JOURNAL_COUNT_##n == S_JOURNAL_COUNT_0 + (n) &&                               \
                       S_JOURNAL_PAGE_##n == S_JOURNAL_PAGE_0 + (n) &&                             \
                       S_JOURNAL_START_##n == S_JOURNAL_START_0 + (n),                             \
                   "journal filter set " #n " out of order");                                      \
    _Static_assert((n) == ((t)*JOURNAL_FILTER_TENANT | (m)*JOURNAL_FILTER_MAPPING |                \
                           (me)*JOURNAL_FILTER_METHOD | (s)*JOURNAL_FILTER_STATUS) &&              \
                       (any) == ((n) != 0),                                                        \
                   "journal filter set " #n ": its flags do not make its number");
JOURNAL_FILTER_SETS(JOURNAL_FILTER_CHECK, -)
#undef JOURNAL_FILTER_CHECK
_Static_assert(S_JOURNAL_COUNT_15 - S_JOURNAL_COUNT_0 + 1 == JOURNAL_FILTER_SET_COUNT,
               "a statement per journal filter set");

#endif
