-- A random id for each message, never reused: notifications are named by it (the email's
-- Message-ID, the webhook's X-Scdi-Delivery). Row numbers repeat: a restored backup or a
-- copy into another database starts again at 1. Same as SQLite's 0005_message_uid.sql.
ALTER TABLE messages ADD COLUMN uid TEXT;
UPDATE messages SET uid = md5(random()::text || clock_timestamp()::text || id::text)
    WHERE uid IS NULL;
CREATE UNIQUE INDEX messages_uid ON messages (uid);
