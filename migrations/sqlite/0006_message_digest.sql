-- A digest of each message's name, address and text (SHA-256, hex), so that a reader who
-- sends the same message again (after a failure page, a lost connection, a 502) within a
-- day is thanked without it being stored or notified twice. Earlier messages have none.
ALTER TABLE messages ADD COLUMN digest TEXT;
CREATE INDEX messages_digest ON messages (digest);
