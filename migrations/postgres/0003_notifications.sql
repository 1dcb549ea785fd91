-- The outbox: one row per message and channel ('email', 'webhook'), written in the same
-- transaction as the message, so a stored message is never without its notifications.
-- Times are seconds since 1970 (UTC). A worker claims due rows for a while (`claim` names
-- the batch, `claimed_until` ends it; `FOR UPDATE SKIP LOCKED`, so instances never claim
-- the same row), sends each, then marks it sent, due again later, or failed for good.
-- Same schema as the other dialect's 0003_notifications.sql.
CREATE TABLE notifications (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id    BIGINT NOT NULL REFERENCES messages (id),
    channel       TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    DOUBLE PRECISION NOT NULL,
    due_at        DOUBLE PRECISION NOT NULL,
    claim         BIGINT,
    claimed_until DOUBLE PRECISION,
    last_error    TEXT
);
CREATE INDEX notifications_due ON notifications (state, due_at);
CREATE INDEX notifications_message ON notifications (message_id);
