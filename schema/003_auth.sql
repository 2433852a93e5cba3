-- Access tokens issued by the emulated IMS (POST /ims/token/v3, POST /ims/exchange/jwt),
-- kept in the database so a file database honours them across restarts.
-- Released migrations are never edited; add a new numbered file instead.

-- Times are server-clock milliseconds since the Unix epoch (manual or real clock).
CREATE TABLE ims_token (
    token      TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    issued_ms  INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL CHECK (expires_ms > issued_ms)
) STRICT;

-- Expired tokens are purged by expiry when new ones are issued.
CREATE INDEX ims_token_by_expiry ON ims_token (expires_ms);
