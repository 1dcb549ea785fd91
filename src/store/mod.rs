//! Where contact messages are kept: one interface, two databases. SQLite is the embedded
//! default (`--db data/scdi.sqlite3`); PostgreSQL (`--db postgres://...`) lets several
//! instances share one database. Both promise the same: a message is committed before the
//! reader is thanked, a failed write is reported (never thanked), and the store recovers by
//! itself once the cause is gone. Both use the same migrations, one folder per dialect
//! (`migrations/sqlite`, `migrations/postgres`), embedded in the binary.

mod postgres;
mod sqlite;

use std::time::Duration;

use serde::Serialize;

use crate::config::Database;

#[derive(Clone)]
pub struct Store(Backend);

#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::Store),
    Postgres(postgres::Store),
}

/// A message about to be stored.
pub struct NewMessage<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub body: &'a str,
    pub locale: &'a str,
    /// The channels to notify ("email", "webhook"): an outbox row each, in the message's
    /// transaction.
    pub notify: &'a [&'a str],
}

/// A notification claimed for sending: its outbox row and its message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub channel: String,
    pub attempts: i32,
    /// When the row was written (seconds since 1970).
    pub queued_at: f64,
    pub message_id: i64,
    pub name: String,
    pub email: String,
    pub body: String,
    pub locale: String,
    /// The message's time: UTC, RFC 3339 with milliseconds.
    pub created_at: String,
}

/// Where a message's notification on one channel stands.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Notification {
    pub message_id: i64,
    pub channel: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// Every notification's state, by message (the same SQL in both dialects).
const NOTIFICATIONS: &str = "SELECT message_id, channel, state, attempts, last_error \
    FROM notifications ORDER BY message_id, id";

/// What became of one attempt to send a notification.
pub enum Sent {
    Yes,
    /// Try again after this long.
    Retry(Duration, String),
    /// Never again.
    Failed(String),
}

/// Now, in seconds since 1970, as the outbox keeps times.
pub(crate) fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A stored message.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Message {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub body: String,
    pub locale: String,
    /// UTC, RFC 3339 with milliseconds.
    pub created_at: String,
}

/// Now as messages' times are written: UTC, RFC 3339 with milliseconds.
pub(crate) fn utc_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .unwrap_or_default()
}

impl Store {
    /// Opens the site's database: a SQLite file is created (with its schema) if need be,
    /// and the schema is brought up to date. `password` is PostgreSQL's, when not in the
    /// URL.
    pub async fn open(db: &Database, password: Option<&str>) -> Result<Self, sqlx::Error> {
        Ok(Self(match db {
            Database::File(path) => Backend::Sqlite(sqlite::Store::open(path).await?),
            Database::Postgres(url) => {
                Backend::Postgres(postgres::Store::open(url, password).await?)
            }
        }))
    }

    /// Opens an existing database for reading only (organisers' commands): nothing is
    /// created, migrated or written.
    pub async fn open_read_only(
        db: &Database,
        password: Option<&str>,
    ) -> Result<Self, sqlx::Error> {
        Ok(Self(match db {
            Database::File(path) => Backend::Sqlite(sqlite::Store::open_read_only(path).await?),
            Database::Postgres(url) => {
                Backend::Postgres(postgres::Store::open_read_only(url, password).await?)
            }
        }))
    }

    /// Stores a message; returns its id once the commit has succeeded.
    pub async fn insert(&self, m: &NewMessage<'_>) -> Result<i64, sqlx::Error> {
        match &self.0 {
            Backend::Sqlite(s) => s.insert(m).await,
            Backend::Postgres(s) => s.insert(m).await,
        }
    }

    /// All messages, oldest first.
    pub async fn list(&self) -> Result<Vec<Message>, sqlx::Error> {
        self.list_since(None).await
    }

    /// Messages received at or after `since` (an RFC 3339 UTC prefix such as `2026-11-01`),
    /// oldest first. Timestamps are ISO 8601 UTC text, so text order is time order.
    pub async fn list_since(&self, since: Option<&str>) -> Result<Vec<Message>, sqlx::Error> {
        match &self.0 {
            Backend::Sqlite(s) => s.list_since(since).await,
            Backend::Postgres(s) => s.list_since(since).await,
        }
    }

    /// Claims up to `limit` due notifications for `lease` (after which, unsent, they are due
    /// again: a crash between sending and marking means one more send, never none).
    pub async fn claim_due(&self, limit: i64, lease: Duration) -> Result<Vec<Due>, sqlx::Error> {
        let (now, token) = (now(), rand::random::<i64>());
        let until = now + lease.as_secs_f64();
        match &self.0 {
            Backend::Sqlite(s) => s.claim_due(now, until, token, limit).await,
            Backend::Postgres(s) => s.claim_due(now, until, token, limit).await,
        }
    }

    /// Records what became of a claimed notification.
    pub async fn mark(&self, id: i64, sent: &Sent) -> Result<(), sqlx::Error> {
        let (state, due_at, error) = match sent {
            Sent::Yes => ("sent", 0.0, None),
            Sent::Retry(after, error) => ("pending", now() + after.as_secs_f64(), Some(error)),
            Sent::Failed(error) => ("failed", 0.0, Some(error)),
        };
        match &self.0 {
            Backend::Sqlite(s) => s.mark(id, state, due_at, error).await,
            Backend::Postgres(s) => s.mark(id, state, due_at, error).await,
        }
    }

    /// Every message's notifications, by message.
    pub async fn notifications(&self) -> Result<Vec<Notification>, sqlx::Error> {
        match &self.0 {
            Backend::Sqlite(s) => s.notifications().await,
            Backend::Postgres(s) => s.notifications().await,
        }
    }

    /// Whether the rate limit is kept here, shared by every instance (PostgreSQL), rather
    /// than in each process's memory (SQLite, one instance).
    pub fn shares_limits(&self) -> bool {
        matches!(self.0, Backend::Postgres(_))
    }

    /// With a shared limit: takes a token from `client`'s bucket; `None` when the client
    /// may go ahead, otherwise how long to wait. Without one, always `None`.
    pub async fn take_token(
        &self,
        client: &str,
        per_second: f64,
        burst: f64,
    ) -> Result<Option<Duration>, sqlx::Error> {
        match &self.0 {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres(s) => s.take_token(client, per_second, burst).await,
        }
    }

    /// With a shared limit: forgets clients whose bucket has been full for `full_after`.
    pub async fn forget_full_buckets(&self, full_after: Duration) -> Result<(), sqlx::Error> {
        match &self.0 {
            Backend::Sqlite(_) => Ok(()),
            Backend::Postgres(s) => s.forget_full_buckets(full_after).await,
        }
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match &self.0 {
            Backend::Sqlite(s) => s.ping().await,
            Backend::Postgres(s) => s.ping().await,
        }
    }

    /// SQLite's own consistency check: `true` when it answers `ok` (PostgreSQL keeps its own
    /// consistency: always `true`).
    pub async fn integrity_ok(&self) -> Result<bool, sqlx::Error> {
        match &self.0 {
            Backend::Sqlite(s) => s.integrity_ok().await,
            Backend::Postgres(_) => Ok(true),
        }
    }

    /// Waits for open connections to finish and closes them.
    pub async fn close(&self) {
        match &self.0 {
            Backend::Sqlite(s) => s.close().await,
            Backend::Postgres(s) => s.close().await,
        }
    }
}
