-- The pair of SQLite's 0004, which drops its unused rate_limits table (one instance keeps
-- the limit in memory). Here the table is the limit every instance shares: nothing changes.
SELECT 1;
