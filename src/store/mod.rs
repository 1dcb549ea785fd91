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
