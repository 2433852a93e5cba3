-- campaign-mock core state: tenants, mappings, scripts and ingestion requests.
-- Released migrations are never edited; add a new numbered file instead.

-- Scalar state: next_request_id, rng_state, manual_clock_ms, loaded (fixtures applied).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

-- A tenant and the fixture object it came from (what a tenant reset returns to).
-- The template tenant is stored under the name '*', which no path can address.
CREATE TABLE tenant (
    name    TEXT PRIMARY KEY,
    fixture TEXT NOT NULL
) STRICT;

CREATE TABLE mapping (
    tenant              TEXT NOT NULL REFERENCES tenant (name) ON DELETE CASCADE,
    id                  TEXT NOT NULL,
    label               TEXT NOT NULL,
    targeting_dimension TEXT NOT NULL,
    dataset             TEXT NOT NULL,
    published           INTEGER NOT NULL CHECK (published IN (0, 1)),
    started             INTEGER NOT NULL CHECK (started IN (0, 1)),
    changed_records     INTEGER NOT NULL CHECK (changed_records >= 0),
    default_outcome     TEXT NOT NULL,
    default_num_records INTEGER NOT NULL,
    default_batch_id    TEXT NOT NULL,
    default_after_ms    INTEGER NOT NULL CHECK (default_after_ms >= 0),
    default_after_polls INTEGER NOT NULL CHECK (default_after_polls >= 0),
    PRIMARY KEY (tenant, id)
) STRICT;

-- Outcome steps, consumed from the lowest pos by each new request.
CREATE TABLE script_step (
    tenant      TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    pos         INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    num_records INTEGER NOT NULL,
    batch_id    TEXT NOT NULL,
    after_ms    INTEGER NOT NULL CHECK (after_ms >= 0),
    after_polls INTEGER NOT NULL CHECK (after_polls >= 0),
    PRIMARY KEY (tenant, mapping, pos),
    FOREIGN KEY (tenant, mapping) REFERENCES mapping (tenant, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE request (
    id               INTEGER PRIMARY KEY,
    tenant           TEXT NOT NULL,
    mapping          TEXT NOT NULL,
    created_ms       INTEGER NOT NULL,
    outcome          TEXT NOT NULL,
    step_num_records INTEGER NOT NULL,
    step_batch_id    TEXT NOT NULL,
    after_ms         INTEGER NOT NULL CHECK (after_ms >= 0),
    after_polls      INTEGER NOT NULL CHECK (after_polls >= 0),
    polls            INTEGER NOT NULL CHECK (polls >= 0),
    status           TEXT NOT NULL
                     CHECK (status IN ('In Progress', 'Success', 'Failed', 'Aborted')),
    num_records      INTEGER NOT NULL,
    batch_id         TEXT NOT NULL,
    resolved_ms      INTEGER,
    FOREIGN KEY (tenant, mapping) REFERENCES mapping (tenant, id) ON DELETE CASCADE
) STRICT;

-- At most one In Progress request per mapping, whatever the code above does.
CREATE UNIQUE INDEX request_one_in_progress ON request (tenant, mapping)
    WHERE status = 'In Progress';
CREATE INDEX request_by_mapping ON request (tenant, mapping, id);
