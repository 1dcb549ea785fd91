//! Contact messages in SQLite, through sqlx (which also speaks PostgreSQL, for a later store
//! shared by several instances). WAL with `synchronous=FULL`: a message is on disk before the
//! reader is told it was received.

use std::{path::Path, str::FromStr, time::Duration};

use serde::Serialize;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
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
    /// Opens an existing database (for the organisers' commands: never create an empty one
    /// because of a mistyped path).
    pub async fn open_existing(path: &Path) -> Result<Self, sqlx::Error> {
        if !path.is_file() {
            return Err(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no database at {}", path.display()),
            )));
        }
        Self::open(path).await
    }

    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self, sqlx::Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            // Concurrent writers wait for the lock instead of failing with "database is locked".
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Stores a message; returns its id once committed.
    pub async fn insert(&self, m: &NewMessage<'_>) -> Result<i64, sqlx::Error> {
        let id = sqlx::query_scalar(
            "INSERT INTO messages (name, email, body, locale) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(m.name)
        .bind(m.email)
        .bind(m.body)
        .bind(m.locale)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// All messages, oldest first.
    pub async fn list(&self) -> Result<Vec<Message>, sqlx::Error> {
        self.list_since(None).await
    }

    /// Messages received at or after `since` (an RFC 3339 UTC prefix such as `2026-11-01`),
    /// oldest first.
    pub async fn list_since(&self, since: Option<&str>) -> Result<Vec<Message>, sqlx::Error> {
        // Timestamps are ISO 8601 in UTC, so text order is time order.
        sqlx::query_as(
            "SELECT id, name, email, body, locale, created_at FROM messages \
             WHERE created_at >= ? ORDER BY id",
        )
        .bind(since.unwrap_or(""))
        .fetch_all(&self.pool)
        .await
    }

    /// SQLite's own consistency check: `true` when it answers `ok`.
    pub async fn integrity_ok(&self) -> Result<bool, sqlx::Error> {
        let result: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?;
        Ok(result == "ok")
    }

    /// Waits for open connections to finish and closes them (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
