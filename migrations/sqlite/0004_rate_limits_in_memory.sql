-- With SQLite (one instance) the contact form's rate limit is kept in memory: the table of
-- 0002 was never written to.
DROP TABLE rate_limits;
