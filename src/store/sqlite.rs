//! Messages in SQLite, the embedded default. WAL with `synchronous=FULL`: a message is on
//! disk before the reader is told it was received.
//!
//! Every write runs in an explicit transaction whose `COMMIT` is awaited. In autocommit mode
//! SQLite commits when a statement is reset, and sqlx drops a statement after the row it
//! fetched, discarding the reset's error (sqlx issue #2099): an `INSERT ... RETURNING` read
//! with `fetch_one` can report success for a commit that failed (a full disk, an I/O
//! error). So no write here ever uses `fetch_*`.

use std::{
    fs::File,
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    ConnectOptions, Connection, SqliteConnection, SqlitePool,
};

use super::{now, Due, Message, NewMessage, Notification};

#[derive(Clone)]
pub(super) struct Store {
    pool: SqlitePool,
    /// The database file, when opened for writing (and so with a write-ahead log to
    /// remove at close).
    path: Option<PathBuf>,
}

/// How long a writer waits for another to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request waits for a free connection: well inside the request deadline.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

fn options(path: &Path) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        // Concurrent writers wait for the lock instead of failing with "database is locked".
        .busy_timeout(BUSY_TIMEOUT))
}

impl Store {
    /// Opens the database for the site, creating it with its schema when it does not exist
    /// and bringing the schema up to date. Creation and migration happen here only, under a
    /// lock file beside the database (`<db>-lock`), so that instances starting together
    /// migrate one at a time; the pool's connections never create a file, so a database
    /// removed later is an error, not a new empty one.
    pub(super) async fn open(path: &Path) -> Result<Self, sqlx::Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let lock_path = format!("{}-lock", path.display());
        let lock = tokio::task::spawn_blocking(move || -> std::io::Result<File> {
            let file = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(lock_path)?;
            file.lock()?;
            Ok(file)
        })
        .await
        .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))??;
        let mut conn = options(path)?.create_if_missing(true).connect().await?;
        sqlx::migrate!("./migrations/sqlite")
            .run_direct(&mut conn)
            .await?;
        conn.close().await?;
        drop(lock);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options(path)?)
            .await?;
        Ok(Self {
            pool,
            path: Some(path.to_path_buf()),
        })
    }

    /// Opens an existing database read-only, for organisers: never creates, migrates or
    /// writes, so read access to the file is enough and a mistyped path is an error.
    pub(super) async fn open_read_only(path: &Path) -> Result<Self, sqlx::Error> {
        if !path.is_file() {
            return Err(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no database at {}", path.display()),
            )));
        }
        // Without a write-ahead log beside it (no site running, or it stopped cleanly) the
        // file holds every message; opened `immutable`, SQLite then needs no `-shm` file,
        // which a reader without write access to the folder could not create. With a site
        // running, SQLite reads its log and `-shm` read-only.
        let wal = format!("{}-wal", path.display());
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .read_only(true)
            .immutable(!Path::new(&wal).exists())
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Ok(Self { pool, path: None })
    }

    /// Stores a message; returns its id once the commit has succeeded. A connection whose
    /// write failed is closed rather than returned to the pool: whatever broke it (a full
    /// disk, a file removed or replaced) is not carried into the next write, which opens a
    /// fresh connection, so the site recovers by itself once the cause is gone.
    pub(super) async fn insert(&self, m: &NewMessage<'_>) -> Result<i64, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let result = insert_message(&mut conn, m).await;
        if result.is_err() {
            conn.close_on_drop();
        }
        result
    }

    /// Messages received at or after `since` (an RFC 3339 UTC prefix such as `2026-11-01`),
    /// oldest first.
    pub(super) async fn list_since(
        &self,
        since: Option<&str>,
    ) -> Result<Vec<Message>, sqlx::Error> {
        // Timestamps are ISO 8601 in UTC, so text order is time order.
        sqlx::query_as(
            "SELECT id, name, email, body, locale, created_at FROM messages \
             WHERE created_at >= ? ORDER BY id",
        )
        .bind(since.unwrap_or(""))
        .fetch_all(&self.pool)
        .await
    }

    /// Claims due notifications: marks them with `token` until `until`, in one write.
    pub(super) async fn claim_due(
        &self,
        now: f64,
        until: f64,
        token: i64,
        limit: i64,
    ) -> Result<Vec<Due>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE notifications SET claim = ?, claimed_until = ? WHERE id IN (\
                 SELECT id FROM notifications WHERE state = 'pending' AND due_at <= ? \
                 AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?)",
        )
        .bind(token)
        .bind(until)
        .bind(now)
        .bind(now)
        .bind(limit)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        sqlx::query_as(DUE).bind(token).fetch_all(&self.pool).await
    }

    /// Records what became of a claimed notification (`due_at` matters while pending).
    pub(super) async fn mark(
        &self,
        id: i64,
        state: &str,
        due_at: f64,
        error: Option<&String>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE notifications SET state = ?, due_at = ?, last_error = ?, \
             attempts = attempts + 1, claim = NULL, claimed_until = NULL WHERE id = ?",
        )
        .bind(state)
        .bind(due_at)
        .bind(error)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Every notification's state; none in a database the site has not migrated to have
    /// them yet (organisers' commands never migrate).
    pub(super) async fn notifications(&self) -> Result<Vec<Notification>, sqlx::Error> {
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'notifications'",
        )
        .fetch_one(&self.pool)
        .await?;
        if tables == 0 {
            return Ok(vec![]);
        }
        sqlx::query_as(super::NOTIFICATIONS)
            .fetch_all(&self.pool)
            .await
    }

    /// SQLite's own consistency check: `true` when it answers `ok`.
    pub(super) async fn integrity_ok(&self) -> Result<bool, sqlx::Error> {
        let result: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?;
        Ok(result == "ok")
    }

    /// Whether the database answers.
    pub(super) async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }

    /// Waits for open connections to finish and closes them (checkpointing the WAL).
    pub(super) async fn close(&self) {
        self.pool.close().await;
        // A connection handed back just before is closed by a task of sqlx's own, which
        // `close` does not wait for: wait until none is left.
        for _ in 0..1000 {
            if self.pool.size() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Connections closing at the same moment (each on a thread of sqlx's) can each see
        // the other still open, and then none checkpoints and removes the log. One more
        // connection, alone now, does: closed means closed.
        let Some(path) = &self.path else { return };
        if Path::new(&format!("{}-wal", path.display())).exists() {
            if let Ok(options) = options(path) {
                if let Ok(conn) = options.connect().await {
                    let _ = conn.close().await;
                }
            }
        }
    }
}

/// The claimed notifications of a batch, with their messages.
const DUE: &str = "SELECT n.id, n.channel, n.attempts, n.created_at AS queued_at, \
     m.id AS message_id, m.name, m.email, m.body, m.locale, m.created_at \
     FROM notifications n JOIN messages m ON m.id = n.message_id \
     WHERE n.claim = ? AND n.state = 'pending' ORDER BY n.id";

async fn insert_message(
    conn: &mut SqliteConnection,
    m: &NewMessage<'_>,
) -> Result<i64, sqlx::Error> {
    let mut tx = conn.begin().await?;
    let id = sqlx::query("INSERT INTO messages (name, email, body, locale) VALUES (?, ?, ?, ?)")
        .bind(m.name)
        .bind(m.email)
        .bind(m.body)
        .bind(m.locale)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
    let queued = now();
    for channel in m.notify {
        sqlx::query(
            "INSERT INTO notifications (message_id, channel, created_at, due_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(channel)
        .bind(queued)
        .bind(queued)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if file_has_moved(conn).await? {
        return Err(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the database file was removed or replaced after it was opened",
        )));
    }
    Ok(id)
}

/// Whether the file this connection has open is no longer the one at its path (removed,
/// renamed or replaced since it was opened). SQLite keeps writing to such a file without
/// complaint in WAL mode, so a commit there would be acknowledged and lost.
#[allow(unsafe_code)]
async fn file_has_moved(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    use libsqlite3_sys::{sqlite3_file_control, SQLITE_FCNTL_HAS_MOVED, SQLITE_OK};
    let mut handle = conn.lock_handle().await?;
    let mut moved: std::ffi::c_int = 0;
    // SAFETY: the locked handle is a live connection that no other thread uses until the
    // guard drops; "main" is NUL-terminated; HAS_MOVED writes one int through the pointer.
    let rc = unsafe {
        sqlite3_file_control(
            handle.as_raw_handle().as_ptr(),
            c"main".as_ptr(),
            SQLITE_FCNTL_HAS_MOVED,
            (&raw mut moved).cast(),
        )
    };
    if rc != SQLITE_OK {
        return Err(sqlx::Error::Io(std::io::Error::other(format!(
            "cannot check the database file (SQLite code {rc})"
        ))));
    }
    Ok(moved != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed means closed: the write-ahead log is checkpointed into the database file and
    /// removed by the time `close` returns (sqlx's own close could return first).
    #[tokio::test]
    async fn close_returns_once_the_log_is_checkpointed_and_gone() {
        for _ in 0..10 {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("site.sqlite3");
            let store = Store::open(&db).await.unwrap();
            let m = NewMessage {
                name: "Maryam",
                email: "m@example.org",
                body: "سلام",
                locale: "fa",
                notify: &[],
            };
            store.insert(&m).await.unwrap();
            store.insert(&m).await.unwrap();
            store.close().await;
            let files: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            assert!(
                !files
                    .iter()
                    .any(|f| f.ends_with("-wal") || f.ends_with("-shm")),
                "{files:?}"
            );
        }
    }
}
