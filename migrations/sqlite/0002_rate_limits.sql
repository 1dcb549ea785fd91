-- The contact form's rate limit, as a token bucket per client. With SQLite (one instance)
-- the limit is kept in memory and this table stays empty; it keeps the schema the same as
-- PostgreSQL's (migrations/postgres/0002_rate_limits.sql).
CREATE TABLE rate_limits (
    client      TEXT PRIMARY KEY,
    tokens      REAL NOT NULL,
    refilled_at REAL NOT NULL
);
