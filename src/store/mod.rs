//! Where contact messages are kept: one interface, two databases. SQLite is the embedded
//! default (`--db data/scdi.sqlite3`); PostgreSQL (`--db postgres://...`) lets several
//! instances share one database. Both promise the same: a message is committed before the
//! reader is thanked, a failed write is reported (never thanked), and the store recovers by
//! itself once the cause is gone. Both use the same migrations, one folder per dialect
//! (`migrations/sqlite`, `migrations/postgres`), embedded in the binary.
//!
//! The SQL both dialects share is written once, here, with `$N` placeholders (which sqlx
//! binds for SQLite too), and so is the code around it ([`each_backend!`]); each backend's
//! module holds only what its dialect does its own way.

/// The outbox's statements in a dialect: `$now` is the database's clock in seconds since
/// 1970 as the dialect writes it (leases and due times never depend on an instance's
/// clock), `$lock` what the dialect adds to take a row no other claim holds.
macro_rules! outbox_sql {
    ($now:literal, $lock:literal) => {
        crate::store::OutboxSql {
            queue: concat!(
                "INSERT INTO notifications (message_id, channel, created_at, due_at) \
                 VALUES ($1, $2, ",
                $now,
                ", ",
                $now,
                ")"
            ),
            claim: concat!(
                "UPDATE notifications SET claim = $1, claimed_until = ",
                $now,
                " + $2 \
                 WHERE id = (SELECT id FROM notifications \
                 WHERE state = 'pending' AND channel = $3 AND due_at <= ",
                $now,
                " \
                 AND (claimed_until IS NULL OR claimed_until < ",
                $now,
                ") \
                 ORDER BY id LIMIT 1",
                $lock,
                ")"
            ),
            due: concat!(
                "SELECT n.id, n.claim, n.channel, n.attempts, ",
                $now,
                " - n.created_at AS age, \
                 m.id AS message_id, m.uid, m.name, m.email, m.body, m.locale, m.created_at \
                 FROM notifications n JOIN messages m ON m.id = n.message_id \
                 WHERE n.claim = $1 AND n.state = 'pending'"
            ),
            mark: concat!(
                "UPDATE notifications SET state = $1, due_at = ",
                $now,
                " + $2, \
                 last_error = $3, attempts = attempts + 1, claim = NULL, claimed_until = NULL \
                 WHERE id = $4 AND claim = $5 AND state = 'pending'"
            ),
        }
    };
}

/// `$query` with a new message's values bound, in `INSERT_MESSAGE`'s order: name, email,
/// body, locale, a new random id, the digest.
macro_rules! bind_message {
    ($query:expr, $m:expr, $digest:expr) => {
        $query
            .bind($m.name)
            .bind($m.email)
            .bind($m.body)
            .bind($m.locale)
            .bind(crate::store::new_uid())
            .bind($digest)
    };
}

/// A message, as both dialects store it (PostgreSQL adds `RETURNING id`): a macro, so that
/// the dialect's addition can be joined to it with `concat!`.
macro_rules! insert_message_sql {
    () => {
        "INSERT INTO messages (name, email, body, locale, uid, digest) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    };
}

/// A copied message, with its own id: nothing when a message with that id is there already
/// (so a copy run twice, or resumed, copies each once). `$overriding` is what PostgreSQL
/// needs to write an identity column.
macro_rules! copy_sql {
    ($overriding:literal) => {
        (
            concat!(
                "INSERT INTO messages (id, name, email, body, locale, created_at, uid, digest) ",
                $overriding,
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING"
            ),
            concat!(
                "INSERT INTO notifications (id, message_id, channel, state, attempts, \
                 created_at, due_at, last_error) ",
                $overriding,
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING"
            ),
        )
    };
}

mod postgres;
mod sqlite;

use std::{path::PathBuf, time::Duration};

use serde::Serialize;
use sqlx::Connection;

use crate::config::Database;

pub use postgres::SharedBuckets;

#[derive(Clone)]
pub struct Store(Backend);

/// How long closing may wait for connections in use to be handed back.
const CLOSE_WITHIN: Duration = Duration::from_secs(30);

/// How long a write may wait, by default (see [`Store::open_within`]).
pub const WRITE_DEADLINE: Duration = Duration::from_secs(10);

#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::Store),
    Postgres(postgres::Store),
}

impl Error {
    /// The database answered, but gave up waiting for a lock or a statement: it is slow or
    /// held up, not gone.
    pub fn is_slow(&self) -> bool {
        match self {
            Error::Database(sqlx::Error::PoolTimedOut) => true,
            Error::Database(sqlx::Error::Database(e)) => {
                // PostgreSQL's lock_not_available, query_canceled; SQLite's BUSY.
                matches!(e.code().as_deref(), Some("55P03" | "57014" | "5"))
            }
            _ => false,
        }
    }
}

/// What went wrong with the database, as an operator needs to know it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("bringing the database's schema up to date: {0}")]
    Migration(sqlx::migrate::MigrateError),
    #[error(
        "this database was upgraded by a newer scdi-site (its schema has change {0}, which \
         this one does not know): run that version or a later one (README, \"Upgrading\")"
    )]
    Newer(i64),
    #[error("no database at {}", .0.display())]
    Missing(PathBuf),
    #[error("the database's folder {} does not exist", .0.display())]
    NoFolder(PathBuf),
    #[error("the database file {} was removed or replaced after it was opened", .0.display())]
    Moved(PathBuf),
    #[error("cannot check the database file {} (SQLite code {code})", .path.display())]
    Unchecked { path: PathBuf, code: i32 },
    #[error("{what} {}: {source}", .path.display())]
    File {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        match e {
            sqlx::migrate::MigrateError::VersionMissing(version) => Error::Newer(version),
            e => Error::Migration(e),
        }
    }
}

/// Runs `$body` on whichever backend `$store` is, with `$backend` naming it: code written
/// once for both dialects (each expansion is compiled for its own database types).
macro_rules! each_backend {
    ($store:expr, |$backend:ident| $body:expr) => {
        match &$store.0 {
            Backend::Sqlite($backend) => $body,
            Backend::Postgres($backend) => $body,
        }
    };
}

mod lifecycle;
mod notice;

pub use lifecycle::Copied;

/// A message, as both dialects store it.
const INSERT_MESSAGE: &str = insert_message_sql!();

/// The message stored with digest `$1` at or after `$2`, if any.
const SAME_MESSAGE: &str =
    "SELECT id FROM messages WHERE digest = $1 AND created_at >= $2 ORDER BY id LIMIT 1";

/// How long a message sent again is recognised as the same one.
const SAME_FOR: time::Duration = time::Duration::hours(24);

/// The outbox's statements in one dialect (see `outbox_sql!`).
struct OutboxSql {
    /// A notification row, due at once, in the message's transaction (`$1` the message,
    /// `$2` the channel).
    queue: &'static str,
    /// Claims the oldest due row of channel `$3` as `$1`, for `$2` seconds.
    claim: &'static str,
    /// The row claimed as `$1`, with its message.
    due: &'static str,
    /// What became of the row `$4` claimed as `$5` (`$2`: seconds until it is due again);
    /// nothing when the claim is no longer held.
    mark: &'static str,
}

/// Messages received at or after `$1`, oldest first. Timestamps are ISO 8601 in UTC, so
/// text order is time order.
const LIST_SINCE: &str = "SELECT id, name, email, body, locale, created_at FROM messages \
     WHERE created_at >= $1 ORDER BY id";

/// How many notifications wait, by channel.
const PENDING: &str = "SELECT channel, count(*) FROM notifications WHERE state = 'pending' \
     GROUP BY channel ORDER BY channel";

/// Every notification's state, by message.
const NOTIFICATIONS: &str = "SELECT message_id, channel, state, attempts, last_error \
    FROM notifications ORDER BY message_id, id";

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

/// What became of a message given to [`Store::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// Stored now, with this number; its notifications are queued.
    Now(i64),
    /// The same message was stored already, with this number, in the last 24 hours
    /// (the reader sent it again): nothing was stored or queued.
    Before(i64),
}

/// A notification claimed for sending: its outbox row and its message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    /// The claim this instance holds on the row: what became of it is recorded only while
    /// the claim is held.
    pub claim: i64,
    pub channel: String,
    pub attempts: i32,
    /// Seconds since the row was written, by the database's clock.
    pub age: f64,
    pub message_id: i64,
    /// The message's random id, never reused: what its notifications are named by.
    pub uid: String,
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

/// What became of one attempt to send a notification.
pub enum Sent {
    Yes,
    /// Try again after this long.
    Retry(Duration, String),
    /// Never again.
    Failed(String),
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

impl NewMessage<'_> {
    /// What makes two messages the same: the SHA-256 of name, address and text, each with
    /// its length first (so that no shift between fields makes two different ones alike).
    fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for field in [self.name, self.email, self.body] {
            hash.update((field.len() as u64).to_be_bytes());
            hash.update(field.as_bytes());
        }
        format!("{:x}", hash.finalize())
    }
}

/// `ago` before now, as messages' times are written.
fn utc_ago(ago: time::Duration) -> String {
    format_utc(time::OffsetDateTime::now_utc() - ago)
}

/// A new message's random id: 128 bits, in hex.
pub(crate) fn new_uid() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Now as messages' times are written: UTC, RFC 3339 with milliseconds.
pub(crate) fn utc_now() -> String {
    format_utc(time::OffsetDateTime::now_utc())
}

fn format_utc(t: time::OffsetDateTime) -> String {
    t.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .unwrap_or_default()
}

impl Store {
    /// Opens the site's database: a SQLite file is created (with its schema) if need be,
    /// and the schema is brought up to date. `password` is PostgreSQL's, when not in the
    /// URL.
    pub async fn open(db: &Database, password: Option<&str>) -> Result<Self, Error> {
        Self::open_within(db, password, WRITE_DEADLINE).await
    }

    /// As [`Store::open`], with a write giving up after `deadline` (waiting for a
    /// connection, a lock, the database): the site passes one well inside its request
    /// deadline, so that a reader whose message could not be stored is told so, with their
    /// text, rather than timed out.
    pub async fn open_within(
        db: &Database,
        password: Option<&str>,
        deadline: Duration,
    ) -> Result<Self, Error> {
        Ok(Self(match db {
            Database::File(path) => Backend::Sqlite(sqlite::Store::open(path, deadline).await?),
            Database::Postgres(url) => {
                Backend::Postgres(postgres::Store::open(url, password, deadline).await?)
            }
        }))
    }

    /// Opens an existing database to change it (organisers' and operators' commands):
    /// nothing is created or migrated, so a mistyped path is an error, not a new database.
    pub async fn open_existing(db: &Database, password: Option<&str>) -> Result<Self, Error> {
        Ok(Self(match db {
            Database::File(path) => Backend::Sqlite(sqlite::Store::open_existing(path).await?),
            Database::Postgres(url) => {
                Backend::Postgres(postgres::Store::open_existing(url, password).await?)
            }
        }))
    }

    /// Opens an existing database for reading only (organisers' commands): nothing is
    /// created, migrated or written.
    pub async fn open_read_only(db: &Database, password: Option<&str>) -> Result<Self, Error> {
        Ok(Self(match db {
            Database::File(path) => Backend::Sqlite(sqlite::Store::open_read_only(path).await?),
            Database::Postgres(url) => {
                Backend::Postgres(postgres::Store::open_read_only(url, password).await?)
            }
        }))
    }

    /// Stores a message and its notifications in one transaction; returns its id once the
    /// commit has succeeded. A message the same as one stored in the last 24 hours (name,
    /// address and text) is that one: its id is returned and nothing is stored or notified
    /// again, so a reader told their message may not have been sent can safely send it
    /// again. A connection whose write failed is closed rather than returned
    /// to the pool: whatever broke it (a full disk, a file removed or replaced, a database
    /// restarted) is not carried into the next write, which opens a fresh connection, so the
    /// site recovers by itself once the cause is gone.
    pub async fn insert(&self, m: &NewMessage<'_>) -> Result<Stored, Error> {
        each_backend!(self, |backend| {
            let mut conn = backend.pool.acquire().await?;
            let result = async {
                let mut tx = conn.begin_with(backend.begin_write()).await?;
                let digest = m.digest();
                backend.lock_digest(&mut tx, &digest).await?;
                let same: Option<i64> = sqlx::query_scalar(SAME_MESSAGE)
                    .bind(&digest)
                    .bind(utc_ago(SAME_FOR))
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(id) = same {
                    tx.rollback().await?;
                    return Ok(Stored::Before(id));
                }
                let id = backend.insert_message(&mut tx, m, &digest).await?;
                for channel in m.notify {
                    sqlx::query(backend.outbox().queue)
                        .bind(id)
                        .bind(*channel)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                backend.committed_where_expected(&mut conn).await?;
                Ok(Stored::Now(id))
            }
            .await;
            if result.is_err() {
                conn.close_on_drop();
            }
            result
        })
    }

    /// Messages received at or after `since` (an RFC 3339 UTC prefix such as `2026-11-01`;
    /// all with `None`), oldest first.
    pub async fn list_since(&self, since: Option<&str>) -> Result<Vec<Message>, Error> {
        let since = since.unwrap_or("");
        each_backend!(self, |backend| Ok(sqlx::query_as(LIST_SINCE)
            .bind(since)
            .fetch_all(&backend.pool)
            .await?))
    }

    /// Claims the oldest due notification of `channel` for `lease`, from now: while its
    /// send is under way no other claim can take it, and should this instance die before
    /// recording the outcome, it is due again once the lease ends (one more send, never
    /// none). The claim is one write, in its own transaction.
    pub async fn claim_next(&self, channel: &str, lease: Duration) -> Result<Option<Due>, Error> {
        let token = rand::random::<i64>();
        each_backend!(self, |backend| {
            let mut tx = backend.pool.begin().await?;
            let claimed = sqlx::query(backend.outbox().claim)
                .bind(token)
                .bind(lease.as_secs_f64())
                .bind(channel)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            if claimed == 0 {
                return Ok(None);
            }
            Ok(sqlx::query_as(backend.outbox().due)
                .bind(token)
                .fetch_optional(&backend.pool)
                .await?)
        })
    }

    /// Records what became of a claimed notification, if the claim is still held: `false`
    /// when it had ended (and another claim may have taken the row), in which case nothing
    /// is written.
    pub async fn mark(&self, due: &Due, sent: &Sent) -> Result<bool, Error> {
        let (state, after, error) = match sent {
            Sent::Yes => ("sent", 0.0, None),
            Sent::Retry(after, error) => ("pending", after.as_secs_f64(), Some(error)),
            Sent::Failed(error) => ("failed", 0.0, Some(error)),
        };
        each_backend!(self, |backend| {
            let mut tx = backend.pool.begin().await?;
            let marked = sqlx::query(backend.outbox().mark)
                .bind(state)
                .bind(after)
                .bind(error)
                .bind(due.id)
                .bind(due.claim)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(marked == 1)
        })
    }

    /// How many notifications wait, by channel.
    pub async fn pending(&self) -> Result<Vec<(String, i64)>, Error> {
        each_backend!(self, |backend| Ok(sqlx::query_as(PENDING)
            .fetch_all(&backend.pool)
            .await?))
    }

    /// Every message's notifications, by message; none in a database the site has not
    /// migrated to have them yet (organisers' commands never migrate).
    pub async fn notifications(&self) -> Result<Vec<Notification>, Error> {
        each_backend!(self, |backend| {
            let exists: bool = sqlx::query_scalar(backend.has_notifications_sql())
                .fetch_one(&backend.pool)
                .await?;
            if !exists {
                return Ok(vec![]);
            }
            Ok(sqlx::query_as(NOTIFICATIONS)
                .fetch_all(&backend.pool)
                .await?)
        })
    }

    /// The contact form's rate-limit buckets when every instance shares them (PostgreSQL);
    /// `None` for SQLite, whose one instance keeps them in memory.
    pub fn shared_buckets(&self) -> Option<SharedBuckets> {
        match &self.0 {
            Backend::Sqlite(_) => None,
            Backend::Postgres(backend) => Some(backend.buckets()),
        }
    }

    /// Whether a message could be stored now (for `/readyz`): a write transaction that
    /// takes the lock an insert takes, then rolls back. A database that answers reads but
    /// holds its writers (a locked table, another writer) is not ready.
    pub async fn writable(&self) -> Result<(), Error> {
        each_backend!(self, |backend| {
            let mut tx = backend.pool.begin_with(backend.begin_write()).await?;
            for statement in backend.write_probe() {
                sqlx::query(statement).execute(&mut *tx).await?;
            }
            tx.rollback().await?;
            Ok(())
        })
    }

    /// Waits for open connections to finish and closes them.
    pub async fn close(&self) {
        each_backend!(self, |backend| backend.close().await)
    }
}

/// Closes `pool` with none of its connections left open. A connection is handed back by a
/// task of sqlx's own, and one that lands in the idle queue after sqlx 0.8's `close` has
/// emptied it stays open for good (`close` stops looking once it holds every permit). So
/// first wait until every connection is idle: nothing takes one out while the site stops.
/// Bounded: a busy machine, not a hang, is what makes it slow.
async fn close_pool<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) {
    let give_up = tokio::time::Instant::now() + CLOSE_WITHIN;
    while pool.num_idle() < pool.size() as usize && tokio::time::Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    pool.close().await;
}
