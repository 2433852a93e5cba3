-- What each journal entry weighs (the bytes of its texts), so that --journal-max-bytes
-- bounds the journal by size as --journal-max does by count; meta.journal_bytes holds
-- their sum. Released migrations are never edited; add a new numbered file instead.
ALTER TABLE journal ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;

UPDATE journal SET bytes = 64 + length(CAST(method AS BLOB)) + length(CAST(path AS BLOB))
    + length(CAST(query AS BLOB)) + length(CAST(endpoint AS BLOB))
    + length(CAST(tenant AS BLOB)) + length(CAST(mapping AS BLOB))
    + length(CAST(request_headers AS BLOB)) + length(CAST(request_body AS BLOB))
    + length(CAST(response_body AS BLOB)) + length(CAST(fault AS BLOB));

INSERT OR REPLACE INTO meta (key, value)
    VALUES ('journal_bytes', (SELECT coalesce(sum(bytes), 0) FROM journal));
