-- The pair of PostgreSQL's 0008, which empties its shared rate_limits table of addresses.
-- One SQLite instance keeps the limit in memory (0004): nothing to change.
SELECT 1;
