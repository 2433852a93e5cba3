-- Indexes the growth measurement (tests/bench/growth.py) showed missing at a million
-- requests: a tenant's requests in id order (without it every page of a tenant-wide
-- listing or snapshot sorted all the tenant's rows: a snapshot of 1 M requests took many
-- minutes), and a mapping's requests by status (its counts read from the index alone).
-- Released migrations are never edited; add a new numbered file instead.
CREATE INDEX request_by_tenant ON request (tenant, id);
CREATE INDEX request_by_mapping_status ON request (tenant, mapping, status);
