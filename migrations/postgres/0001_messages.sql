-- One row per message sent through the contact form. Text columns hold exactly what the
-- reader sent (no normalisation), so Persian with ZWNJ survives byte for byte. The same
-- schema as migrations/sqlite/0001_messages.sql, in PostgreSQL's dialect; created_at is the
-- same UTC text, so both sort and filter alike.
CREATE TABLE messages (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    body       TEXT NOT NULL,
    locale     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);
