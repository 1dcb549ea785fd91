-- A random id for each message, never reused: notifications are named by it (the email's
-- Message-ID, the webhook's X-Scdi-Delivery). Row numbers repeat: SQLite gives the newest
-- number again after a delete, and a copy into another database starts again at 1.
ALTER TABLE messages ADD COLUMN uid TEXT;
UPDATE messages SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
CREATE UNIQUE INDEX messages_uid ON messages (uid);
