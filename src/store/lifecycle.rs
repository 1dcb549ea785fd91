//! What organisers and operators do to the stored messages besides reading them: delete
//! (on request, or by age), back up, copy to another database, and clear the shared rate
//! limit. Written once for both dialects, as the rest of the store.

use std::path::Path;

use sqlx::Connection;

use super::{notice, utc_ago, Backend, Error, Store};

/// Every column of a message, in the order `copy_sql!` binds them.
const ALL_MESSAGES: &str = "SELECT id, name, email, body, locale, created_at, uid, digest \
     FROM messages ORDER BY id";

/// Every column of a notification but its claim (a copy is claimed by nobody).
const ALL_NOTIFICATIONS: &str = "SELECT id, message_id, channel, state, attempts, created_at, \
     due_at, last_error FROM notifications ORDER BY id";

/// A message with every column, as copied.
#[derive(sqlx::FromRow)]
struct FullMessage {
    id: i64,
    name: String,
    email: String,
    body: String,
    locale: String,
    created_at: String,
    uid: Option<String>,
    digest: Option<String>,
}

/// A notification with every column a copy keeps.
#[derive(sqlx::FromRow)]
struct FullNotification {
    id: i64,
    message_id: i64,
    channel: String,
    state: String,
    attempts: i32,
    created_at: f64,
    due_at: f64,
    last_error: Option<String>,
}

/// What a copy found and wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Copied {
    /// Messages in the source.
    pub messages: usize,
    /// Of them, the ones written now (the others were there already).
    pub new_messages: u64,
    pub notifications: usize,
    pub new_notifications: u64,
}

impl Store {
    /// Deletes these messages with their notifications, in one transaction; the ids that
    /// were there (and are gone now).
    pub async fn delete(&self, ids: &[i64]) -> Result<Vec<i64>, Error> {
        each_backend!(self, |backend| {
            let mut tx = backend.pool.begin().await?;
            let mut deleted = vec![];
            for &id in ids {
                sqlx::query("DELETE FROM notifications WHERE message_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let gone = sqlx::query("DELETE FROM messages WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if gone == 1 {
                    deleted.push(id);
                }
            }
            tx.commit().await?;
            backend.forget_deleted().await?;
            Ok(deleted)
        })
    }

    /// Deletes the messages received more than `days` days ago, with their notifications;
    /// how many messages.
    pub async fn purge_older_than(&self, days: u32) -> Result<u64, Error> {
        let before = utc_ago(time::Duration::days(i64::from(days)));
        each_backend!(self, |backend| {
            let mut tx = backend.pool.begin().await?;
            sqlx::query(
                "DELETE FROM notifications WHERE message_id IN \
                 (SELECT id FROM messages WHERE created_at < $1)",
            )
            .bind(&before)
            .execute(&mut *tx)
            .await?;
            let gone = sqlx::query("DELETE FROM messages WHERE created_at < $1")
                .bind(&before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            if gone > 0 {
                backend.forget_deleted().await?;
            }
            Ok(gone)
        })
    }

    /// A consistent copy of a live SQLite database in the new file `to` (made 0600), taken
    /// in one read transaction: every message committed before it began is in it, whatever
    /// is written meanwhile. `None` for PostgreSQL, which `pg_dump` backs up.
    pub async fn backup(&self, to: &Path) -> Result<Option<()>, Error> {
        match &self.0 {
            Backend::Sqlite(backend) => backend.backup(to).await.map(Some),
            Backend::Postgres(_) => Ok(None),
        }
    }

    /// Clears the shared rate limit of `client` (a key as the limit counts it), or of every
    /// client: how many were cleared. `None` for SQLite, whose one instance keeps its limit
    /// in memory (a restart clears it).
    pub async fn reset_limits(&self, client: Option<&str>) -> Result<Option<u64>, Error> {
        match self.shared_buckets() {
            Some(buckets) => buckets.reset(client).await.map(Some),
            None => Ok(None),
        }
    }

    /// Copies every message and notification of `self` into `to`, keeping their ids, times
    /// and states, and the day the privacy page's settings took effect; what is there
    /// already (the same ids) is left as it is, so running it again copies nothing twice.
    /// Nothing is claimed in the copy: its instances send what was pending.
    pub async fn copy_to(&self, to: &Store) -> Result<Copied, Error> {
        let (messages, notifications, settings): (
            Vec<FullMessage>,
            Vec<FullNotification>,
            Option<(String, String)>,
        ) = each_backend!(self, |backend| {
            let mut conn = backend.pool.acquire().await?;
            let mut tx = conn.begin().await?;
            let messages = sqlx::query_as(ALL_MESSAGES).fetch_all(&mut *tx).await?;
            let notifications = sqlx::query_as(ALL_NOTIFICATIONS)
                .fetch_all(&mut *tx)
                .await?;
            let settings = sqlx::query_as(notice::SETTINGS)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            (messages, notifications, settings)
        });
        let mut copied = Copied {
            messages: messages.len(),
            notifications: notifications.len(),
            ..Copied::default()
        };
        each_backend!(to, |backend| {
            let (message_sql, notification_sql) = backend.copy_sql();
            let mut tx = backend.pool.begin().await?;
            for m in &messages {
                copied.new_messages += sqlx::query(message_sql)
                    .bind(m.id)
                    .bind(&m.name)
                    .bind(&m.email)
                    .bind(&m.body)
                    .bind(&m.locale)
                    .bind(&m.created_at)
                    .bind(&m.uid)
                    .bind(&m.digest)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            for n in &notifications {
                copied.new_notifications += sqlx::query(notification_sql)
                    .bind(n.id)
                    .bind(n.message_id)
                    .bind(&n.channel)
                    .bind(&n.state)
                    .bind(n.attempts)
                    .bind(n.created_at)
                    .bind(n.due_at)
                    .bind(&n.last_error)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            if let Some((fingerprint, since)) = &settings {
                sqlx::query(notice::COPY_SETTINGS)
                    .bind(fingerprint)
                    .bind(since)
                    .execute(&mut *tx)
                    .await?;
            }
            backend.after_copy(&mut tx).await?;
            tx.commit().await?;
        });
        Ok(copied)
    }
}
