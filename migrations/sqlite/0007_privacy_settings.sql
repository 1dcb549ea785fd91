-- The settings the privacy page states (a fingerprint of them) and the day they became the
-- ones the site runs with: the page's "last changed" moves when they do. One row.
CREATE TABLE privacy_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    since       TEXT NOT NULL
);
