-- What the journal did not say of a call: how its answer travelled (normal, or the
-- transport fault that broke it: reset, empty, truncate, hang) and whether it came in
-- over HTTPS (--tls-port). Released migrations are never edited; add a new numbered file
-- instead.
ALTER TABLE journal ADD COLUMN transport TEXT NOT NULL DEFAULT 'normal'
    CHECK (transport IN ('normal', 'reset', 'empty', 'truncate', 'hang'));
ALTER TABLE journal ADD COLUMN scheme TEXT NOT NULL DEFAULT 'http'
    CHECK (scheme IN ('http', 'https'));
