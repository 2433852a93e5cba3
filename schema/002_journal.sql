-- The journal: every call to the emulated API and IMS (any status), not control calls.
-- Capped by --journal-max: the oldest rows go first; meta.journal_evicted counts them.
CREATE TABLE journal (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    server_ms     INTEGER NOT NULL,
    wall_ms       INTEGER NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    query         TEXT NOT NULL,
    endpoint      TEXT NOT NULL,
    tenant        TEXT NOT NULL,
    mapping       TEXT NOT NULL,
    request_id    INTEGER,
    status        INTEGER NOT NULL,
    request_headers TEXT NOT NULL,
    request_body  TEXT NOT NULL,
    response_body TEXT NOT NULL,
    fault         TEXT NOT NULL,
    duration_ms   REAL NOT NULL
) STRICT;

CREATE INDEX journal_by_tenant ON journal (tenant, id);
