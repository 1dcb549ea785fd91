//! Messages in PostgreSQL, for several instances on one database. The same promises as
//! SQLite: a message is committed before the reader is thanked; a connection that failed a
//! write is closed; the pool reconnects by itself once the database is back.

use std::{str::FromStr, time::Duration};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    Connection, PgConnection, PgPool,
};

use super::{now, Due, Message, NewMessage, Notification};

#[derive(Clone)]
pub(super) struct Store {
    pool: PgPool,
}

/// How long a request waits for a connection (or for a connection to be made) before the
/// reader is told the message was not sent.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections per instance: each instance serves few writes (messages) and many reads from
/// memory.
const MAX_CONNECTIONS: u32 = 8;

fn options(url: &str, password: Option<&str>) -> Result<PgConnectOptions, sqlx::Error> {
    let mut options = PgConnectOptions::from_str(url)?.application_name("scdi-site");
    if let Some(password) = password {
        options = options.password(password);
    }
    Ok(options)
}

impl Store {
    /// Connects and brings the schema up to date. sqlx runs the migrations under a
    /// PostgreSQL advisory lock: instances starting together migrate one at a time, once.
    pub(super) async fn open(url: &str, password: Option<&str>) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options(url, password)?)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Connects for reading only (organisers' commands): every transaction is read-only and
    /// nothing is migrated.
    pub(super) async fn open_read_only(
        url: &str,
        password: Option<&str>,
    ) -> Result<Self, sqlx::Error> {
        let options = options(url, password)?.options([("default_transaction_read_only", "on")]);
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// Stores a message; returns its id once the commit has succeeded. A connection whose
    /// write failed is closed rather than reused.
    pub(super) async fn insert(&self, m: &NewMessage<'_>) -> Result<i64, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let result = insert_message(&mut conn, m).await;
        if result.is_err() {
            conn.close_on_drop();
        }
        result
    }

    pub(super) async fn list_since(
        &self,
        since: Option<&str>,
    ) -> Result<Vec<Message>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, name, email, body, locale, created_at FROM messages \
             WHERE created_at >= $1 ORDER BY id",
        )
        .bind(since.unwrap_or(""))
        .fetch_all(&self.pool)
        .await
    }

    /// Takes a token from `client`'s bucket (`burst` tokens, refilled at `per_second`), in
    /// one statement, by the database's clock: `None` when the client may go ahead,
    /// otherwise how long it has to wait. Atomic, so instances sharing the database share
    /// the limit.
    pub(super) async fn take_token(
        &self,
        client: &str,
        per_second: f64,
        burst: f64,
    ) -> Result<Option<Duration>, sqlx::Error> {
        let taken: Option<f64> = sqlx::query_scalar(
            "WITH now AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t) \
             INSERT INTO rate_limits AS r (client, tokens, refilled_at) \
             SELECT $1, $3 - 1, now.t FROM now \
             ON CONFLICT (client) DO UPDATE SET \
                 tokens = LEAST($3, r.tokens + (EXCLUDED.refilled_at - r.refilled_at) * $2) - 1, \
                 refilled_at = EXCLUDED.refilled_at \
             WHERE LEAST($3, r.tokens + (EXCLUDED.refilled_at - r.refilled_at) * $2) >= 1 \
             RETURNING tokens",
        )
        .bind(client)
        .bind(per_second)
        .bind(burst)
        .fetch_optional(&self.pool)
        .await?;
        if taken.is_some() {
            return Ok(None);
        }
        let wait: f64 = sqlx::query_scalar(
            "SELECT (1 - LEAST($3, tokens + \
                 (extract(epoch FROM clock_timestamp())::float8 - refilled_at) * $2)) / $2 \
             FROM rate_limits WHERE client = $1",
        )
        .bind(client)
        .bind(per_second)
        .bind(burst)
        .fetch_one(&self.pool)
        .await?;
        Ok(Some(Duration::from_secs_f64(wait.max(0.0))))
    }

    /// Forgets clients whose bucket has been full for a while.
    pub(super) async fn forget_full_buckets(
        &self,
        full_after: Duration,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "DELETE FROM rate_limits \
             WHERE refilled_at < extract(epoch FROM clock_timestamp())::float8 - $1",
        )
        .bind(full_after.as_secs_f64())
        .execute(&self.pool)
        .await
        .map(drop)
    }

    /// Claims due notifications: marks them with `token` until `until`, in one statement.
    /// `SKIP LOCKED`: instances claiming at the same moment take different rows.
    pub(super) async fn claim_due(
        &self,
        now: f64,
        until: f64,
        token: i64,
        limit: i64,
    ) -> Result<Vec<Due>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE notifications SET claim = $1, claimed_until = $2 WHERE id IN (\
                 SELECT id FROM notifications WHERE state = 'pending' AND due_at <= $3 \
                 AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY id LIMIT $4 \
                 FOR UPDATE SKIP LOCKED)",
        )
        .bind(token)
        .bind(until)
        .bind(now)
        .bind(limit)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        sqlx::query_as(
            "SELECT n.id, n.channel, n.attempts, n.created_at AS queued_at, \
             m.id AS message_id, m.name, m.email, m.body, m.locale, m.created_at \
             FROM notifications n JOIN messages m ON m.id = n.message_id \
             WHERE n.claim = $1 AND n.state = 'pending' ORDER BY n.id",
        )
        .bind(token)
        .fetch_all(&self.pool)
        .await
    }

    /// Records what became of a claimed notification (`due_at` matters while pending).
    pub(super) async fn mark(
        &self,
        id: i64,
        state: &str,
        due_at: f64,
        error: Option<&String>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE notifications SET state = $1, due_at = $2, last_error = $3, \
             attempts = attempts + 1, claim = NULL, claimed_until = NULL WHERE id = $4",
        )
        .bind(state)
        .bind(due_at)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await
        .map(drop)
    }

    /// Every notification's state; none in a database the site has not migrated to have
    /// them yet (organisers' commands never migrate).
    pub(super) async fn notifications(&self) -> Result<Vec<Notification>, sqlx::Error> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('notifications') IS NOT NULL")
            .fetch_one(&self.pool)
            .await?;
        if !exists {
            return Ok(vec![]);
        }
        sqlx::query_as(super::NOTIFICATIONS)
            .fetch_all(&self.pool)
            .await
    }

    pub(super) async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }

    pub(super) async fn close(&self) {
        self.pool.close().await;
    }
}

async fn insert_message(conn: &mut PgConnection, m: &NewMessage<'_>) -> Result<i64, sqlx::Error> {
    let mut tx = conn.begin().await?;
    // Within the transaction, the row comes back before the commit, which is awaited below:
    // no thanks before it succeeds.
    let id = sqlx::query_scalar(
        "INSERT INTO messages (name, email, body, locale) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(m.name)
    .bind(m.email)
    .bind(m.body)
    .bind(m.locale)
    .fetch_one(&mut *tx)
    .await?;
    let queued = now();
    for channel in m.notify {
        sqlx::query(
            "INSERT INTO notifications (message_id, channel, created_at, due_at) \
             VALUES ($1, $2, $3, $3)",
        )
        .bind(id)
        .bind(channel)
        .bind(queued)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}
