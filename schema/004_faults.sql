-- Fault rules, in the order they were added (the first match applies), with their
-- counters, so that a file database keeps what is left of each rule.
CREATE TABLE fault (
    id         TEXT PRIMARY KEY,
    pos        INTEGER NOT NULL UNIQUE,
    rule       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    seen       INTEGER NOT NULL DEFAULT 0 CHECK (seen >= 0),
    hits       INTEGER NOT NULL DEFAULT 0 CHECK (hits >= 0)
) STRICT;
