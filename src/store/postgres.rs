//! Messages in PostgreSQL, for several instances on one database. The same promises as
//! SQLite: a message is committed before the reader is thanked; a connection that failed a
//! write is closed; the pool reconnects by itself once the database is back.

use std::{str::FromStr, time::Duration};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    ConnectOptions, Connection, PgConnection, PgPool, Postgres, Transaction,
};

use super::{Error, NewMessage, OutboxSql};

/// `INSERT_MESSAGE`, returning the new row's id (read before the commit, which the caller
/// awaits).
const INSERT_MESSAGE_RETURNING_ID: &str = concat!(insert_message_sql!(), " RETURNING id");

/// The server's clock, in seconds since 1970; `SKIP LOCKED`: instances claiming at the same
/// moment take different rows.
static OUTBOX: OutboxSql = outbox_sql!(
    "extract(epoch FROM clock_timestamp())::float8",
    " FOR UPDATE SKIP LOCKED"
);

#[derive(Clone)]
pub(super) struct Store {
    pub(super) pool: PgPool,
}

/// Connections per instance: each instance serves few writes (messages) and many reads from
/// memory.
const MAX_CONNECTIONS: u32 = 8;

fn options(url: &str, password: Option<&str>) -> Result<PgConnectOptions, sqlx::Error> {
    // A password given apart goes into the URL before sqlx parses it: parsing a URL without
    // one reads ~/.pgpass, and warns when it cannot (the site's user, with root's HOME).
    let mut with_password = url::Url::parse(url).ok();
    let set = match (&mut with_password, password) {
        (Some(u), Some(p)) => u.set_password(Some(p)).is_ok(),
        _ => false,
    };
    let parsed = match &with_password {
        Some(u) if set => PgConnectOptions::from_str(u.as_str())?,
        _ => PgConnectOptions::from_str(url)?,
    };
    let mut options = parsed.application_name("scdi-site");
    if let (false, Some(password)) = (set, password) {
        options = options.password(password);
    }
    Ok(options)
}

/// `options` with every statement, and every wait for a lock, given up after `deadline`.
fn within(options: PgConnectOptions, deadline: Duration) -> PgConnectOptions {
    let ms = deadline.as_millis().to_string();
    options.options([
        ("statement_timeout", ms.as_str()),
        ("lock_timeout", ms.as_str()),
    ])
}

impl Store {
    /// Connects and brings the schema up to date. sqlx runs the migrations under a
    /// PostgreSQL advisory lock: instances starting together migrate one at a time, once
    /// (on a connection of their own, without the writes' deadline: the others wait their
    /// turn however long one takes).
    pub(super) async fn open(
        url: &str,
        password: Option<&str>,
        deadline: Duration,
    ) -> Result<Self, Error> {
        // One connection first, for the migrations: a database that cannot be reached is
        // reported with its reason (refused, unknown host, bad password), where a pool
        // would say only that it timed out.
        let mut conn = options(url, password)?.connect().await?;
        sqlx::migrate!("./migrations/postgres")
            .run_direct(&mut conn)
            .await?;
        conn.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(deadline)
            .connect_with(within(options(url, password)?, deadline))
            .await?;
        Ok(Self { pool })
    }

    /// Connects to change what is stored (organisers' commands), without migrating.
    pub(super) async fn open_existing(url: &str, password: Option<&str>) -> Result<Self, Error> {
        let options = within(options(url, password)?, super::WRITE_DEADLINE);
        // Tried alone first, so that a database not reached says why (see `open`).
        options.clone().connect().await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(super::WRITE_DEADLINE)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// Connects for reading only (organisers' commands): every transaction is read-only and
    /// nothing is migrated.
    pub(super) async fn open_read_only(url: &str, password: Option<&str>) -> Result<Self, Error> {
        let options = within(options(url, password)?, super::WRITE_DEADLINE)
            .options([("default_transaction_read_only", "on")]);
        // Tried alone first, so that a database not reached says why (see `open`).
        options.clone().connect().await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(super::WRITE_DEADLINE)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    pub(super) fn begin_write(&self) -> &'static str {
        "BEGIN"
    }

    /// The lock an insert takes on the messages table, waited for at most 1.5 s (inside
    /// `/readyz`'s 2 s).
    pub(super) fn write_probe(&self) -> &'static [&'static str] {
        &[
            "SET LOCAL lock_timeout = '1500ms'",
            "LOCK TABLE messages IN ROW EXCLUSIVE MODE",
        ]
    }

    /// Holds, until the transaction ends, a lock on this digest: two instances storing the
    /// same message at the same moment (a double click) store it once.
    pub(super) async fn lock_digest(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        digest: &str,
    ) -> Result<(), Error> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(digest)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The message's row, in the transaction; its id. The row comes back before the
    /// commit, which the caller awaits: no thanks before it succeeds.
    pub(super) async fn insert_message(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        m: &NewMessage<'_>,
        digest: &str,
    ) -> Result<i64, Error> {
        let insert = sqlx::query_scalar(INSERT_MESSAGE_RETURNING_ID);
        Ok(bind_message!(insert, m, digest)
            .fetch_one(&mut **tx)
            .await?)
    }

    /// After a commit: nothing to check (the server keeps its own files).
    pub(super) async fn committed_where_expected(&self, _: &mut PgConnection) -> Result<(), Error> {
        Ok(())
    }

    /// The outbox's statements, by the server's clock.
    pub(super) fn outbox(&self) -> &'static OutboxSql {
        &OUTBOX
    }

    /// Whether the schema has the notifications yet.
    pub(super) fn has_notifications_sql(&self) -> &'static str {
        "SELECT to_regclass('notifications') IS NOT NULL"
    }

    /// Nothing to do: rows deleted are gone from queries at once, and autovacuum reclaims
    /// their space (README, "Deleting messages").
    pub(super) async fn forget_deleted(&self) -> Result<(), Error> {
        Ok(())
    }

    /// The statements a copy writes with: ids are kept, though identity columns.
    pub(super) fn copy_sql(&self) -> (&'static str, &'static str) {
        copy_sql!("OVERRIDING SYSTEM VALUE")
    }

    /// After ids were written by hand: the identity columns go on after the largest.
    pub(super) async fn after_copy(&self, tx: &mut Transaction<'_, Postgres>) -> Result<(), Error> {
        for table in ["messages", "notifications"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT max(id) FROM {table})) WHERE EXISTS (SELECT 1 FROM {table})"
            ))
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    pub(super) fn buckets(&self) -> SharedBuckets {
        SharedBuckets(self.pool.clone())
    }

    pub(super) async fn close(&self) {
        super::close_pool(&self.pool).await;
    }
}

/// The contact form's rate-limit buckets in the database, shared by every instance and
/// kept over restarts.
#[derive(Clone)]
pub struct SharedBuckets(PgPool);

impl SharedBuckets {
    /// Takes a token from `client`'s bucket (`burst` tokens, refilled at `per_second`), in
    /// one statement, by the database's clock: `None` when the client may go ahead,
    /// otherwise how long it has to wait. Atomic, so instances sharing the database share
    /// the limit.
    pub async fn take(
        &self,
        client: &str,
        per_second: f64,
        burst: f64,
    ) -> Result<Option<Duration>, Error> {
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
        .fetch_optional(&self.0)
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
        .fetch_one(&self.0)
        .await?;
        Ok(Some(Duration::from_secs_f64(wait.max(0.0))))
    }

    /// Gives a token back to `client`'s bucket, up to `burst`.
    pub async fn refund(&self, client: &str, burst: f64) -> Result<(), Error> {
        sqlx::query("UPDATE rate_limits SET tokens = LEAST($2, tokens + 1) WHERE client = $1")
            .bind(client)
            .bind(burst)
            .execute(&self.0)
            .await?;
        Ok(())
    }

    /// Forgets `client`'s bucket (every client's with `None`): their allowance is whole
    /// again. How many were forgotten.
    pub async fn reset(&self, client: Option<&str>) -> Result<u64, Error> {
        let query = match client {
            Some(client) => sqlx::query("DELETE FROM rate_limits WHERE client = $1").bind(client),
            None => sqlx::query("DELETE FROM rate_limits"),
        };
        Ok(query.execute(&self.0).await?.rows_affected())
    }

    /// Forgets clients whose bucket has been full for `full_after`.
    pub async fn forget_full(&self, full_after: Duration) -> Result<(), Error> {
        sqlx::query(
            "DELETE FROM rate_limits \
             WHERE refilled_at < extract(epoch FROM clock_timestamp())::float8 - $1",
        )
        .bind(full_after.as_secs_f64())
        .execute(&self.0)
        .await?;
        Ok(())
    }
}
