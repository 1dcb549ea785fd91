-- The contact form's rate limit, shared by every instance: a token bucket per client
-- (`tokens` left as of `refilled_at`, in seconds since 1970 by the database's clock), so
-- that several instances do not multiply the limit and a restart does not reset it.
CREATE TABLE rate_limits (
    client      TEXT PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    refilled_at DOUBLE PRECISION NOT NULL
);
