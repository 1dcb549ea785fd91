-- One row per message sent through the contact form. Text columns hold exactly what the
-- reader sent (no normalisation), so Persian with ZWNJ survives byte for byte.
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    body       TEXT NOT NULL,
    locale     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
