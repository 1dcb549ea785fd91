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
    ConnectOptions, Connection, Sqlite, SqliteConnection, SqlitePool, Transaction,
};

use super::{Error, NewMessage, OutboxSql, INSERT_MESSAGE};

/// SQLite's clock, in seconds since 1970 (to the millisecond); the writer takes the whole
/// database, so a claim needs no lock clause.
static OUTBOX: OutboxSql = outbox_sql!("((julianday('now') - 2440587.5) * 86400.0)", "");

#[derive(Clone)]
pub(super) struct Store {
    pub(super) pool: SqlitePool,
    /// The database file.
    path: PathBuf,
    /// The site's own store: at close, its write-ahead log is checkpointed and removed.
    owns_log: bool,
    /// How long a write waits for a connection, and for another writer to finish.
    deadline: Duration,
}

fn options(path: &Path, deadline: Duration) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        // Concurrent writers wait for the lock instead of failing with "database is locked".
        .busy_timeout(deadline)
        // A deleted message's text is overwritten, not left in free pages of the file.
        .pragma("secure_delete", "ON"))
}

impl Store {
    /// Opens the database for the site, creating it with its schema when it does not exist
    /// and bringing the schema up to date. Creation and migration happen here only, under a
    /// lock file beside the database (`<db>-lock`), so that instances starting together
    /// migrate one at a time; the pool's connections never create a file, so a database
    /// removed later is an error, not a new empty one.
    pub(super) async fn open(path: &Path, deadline: Duration) -> Result<Self, Error> {
        let file_error = |what, path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::File { what, path, source }
        };
        // A folder that is not there is a mistyped path, not a place to start a new, empty
        // database that organisers would then find no messages in.
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(Error::NoFolder(parent.to_path_buf()));
            }
        }
        let lock_path = PathBuf::from(format!("{}-lock", path.display()));
        let lock = tokio::task::spawn_blocking({
            let lock_path = lock_path.clone();
            move || -> std::io::Result<File> {
                let file = private_file(&lock_path)?;
                file.lock()?;
                Ok(file)
            }
        })
        .await
        .map_err(std::io::Error::other)
        .and_then(|locked| locked)
        .map_err(file_error("locking", &lock_path))?;
        // Made by the site's user for that user only: readers' messages are not for every
        // local account. SQLite gives its `-wal` and `-shm` files the database's mode.
        if !path.exists() {
            private_file(path).map_err(file_error("creating", path))?;
        }
        let mut conn = options(path, deadline)?
            .create_if_missing(true)
            .connect()
            .await?;
        sqlx::migrate!("./migrations/sqlite")
            .run_direct(&mut conn)
            .await?;
        conn.close().await?;
        drop(lock);
        Self::pooled(path, 4, deadline, true).await
    }

    /// `connections` connections to the database at `path`, whose writes wait up to
    /// `deadline`; `owns_log`: the site's own store ([`Store::close`]).
    async fn pooled(
        path: &Path,
        connections: u32,
        deadline: Duration,
        owns_log: bool,
    ) -> Result<Self, Error> {
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(deadline)
            .connect_with(options(path, deadline)?)
            .await?;
        Ok(Self {
            pool,
            path: path.to_path_buf(),
            owns_log,
            deadline,
        })
    }

    /// Opens an existing database to change it, without creating or migrating it.
    pub(super) async fn open_existing(path: &Path) -> Result<Self, Error> {
        if !path.is_file() {
            return Err(Error::Missing(path.to_path_buf()));
        }
        // Not the site's own log, if the site runs: SQLite removes it with the last
        // connection, whoever that is.
        Self::pooled(path, 1, super::WRITE_DEADLINE, false).await
    }

    /// Opens an existing database read-only, for organisers: never creates, migrates or
    /// writes, so read access to the file is enough and a mistyped path is an error.
    pub(super) async fn open_read_only(path: &Path) -> Result<Self, Error> {
        if !path.is_file() {
            return Err(Error::Missing(path.to_path_buf()));
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
            .busy_timeout(super::WRITE_DEADLINE);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            path: path.to_path_buf(),
            owns_log: false,
            deadline: super::WRITE_DEADLINE,
        })
    }

    /// A transaction that reads and then writes takes the write lock from the start: a
    /// deferred one would read a snapshot that another writer's commit makes stale, and its
    /// write would then fail at once (`SQLITE_BUSY_SNAPSHOT`) instead of waiting its turn.
    pub(super) fn begin_write(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }

    /// Nothing more than [`Store::begin_write`]: it takes the write lock an insert needs.
    pub(super) fn write_probe(&self) -> &'static [&'static str] {
        &[]
    }

    /// Nothing to do: the transaction already holds the only write lock.
    pub(super) async fn lock_digest(
        &self,
        _: &mut Transaction<'_, Sqlite>,
        _: &str,
    ) -> Result<(), Error> {
        Ok(())
    }

    /// The message's row, in the transaction; its id. Never `RETURNING` read with `fetch_*`
    /// (see the top of this file).
    pub(super) async fn insert_message(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        m: &NewMessage<'_>,
        digest: &str,
    ) -> Result<i64, Error> {
        Ok(bind_message!(sqlx::query(INSERT_MESSAGE), m, digest)
            .execute(&mut **tx)
            .await?
            .last_insert_rowid())
    }

    /// After a commit: the file written is still the one at the database's path. SQLite
    /// keeps writing to a file removed, renamed or replaced since it was opened without
    /// complaint in WAL mode, so such a commit would be acknowledged and lost.
    pub(super) async fn committed_where_expected(
        &self,
        conn: &mut SqliteConnection,
    ) -> Result<(), Error> {
        match file_has_moved(conn).await? {
            Ok(false) => Ok(()),
            Ok(true) => Err(Error::Moved(self.path.clone())),
            Err(code) => Err(Error::Unchecked {
                path: self.path.clone(),
                code,
            }),
        }
    }

    /// After a delete: the write-ahead log, which still holds the deleted rows' pages, is
    /// written into the database (where `secure_delete` has zeroed them) and emptied.
    pub(super) async fn forget_deleted(&self) -> Result<(), Error> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A consistent copy in the new file `to`: `VACUUM INTO` reads in one transaction, so
    /// writers carry on and every commit before it began is in the copy.
    pub(super) async fn backup(&self, to: &Path) -> Result<(), Error> {
        // Made first, empty and private: the copy holds every message.
        File::options()
            .write(true)
            .create_new(true)
            .mode_private()
            .open(to)
            .map_err(|source| Error::File {
                what: "creating the backup",
                path: to.to_path_buf(),
                source,
            })?;
        sqlx::query("VACUUM INTO $1")
            .bind(to.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The statements a copy writes with (see `copy_sql!`).
    pub(super) fn copy_sql(&self) -> (&'static str, &'static str) {
        copy_sql!("")
    }

    /// Nothing to do: SQLite's next id follows the largest one there.
    pub(super) async fn after_copy(&self, _: &mut Transaction<'_, Sqlite>) -> Result<(), Error> {
        Ok(())
    }

    /// The outbox's statements, by SQLite's clock.
    pub(super) fn outbox(&self) -> &'static OutboxSql {
        &OUTBOX
    }

    /// Whether the schema has the notifications yet.
    pub(super) fn has_notifications_sql(&self) -> &'static str {
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'notifications'"
    }

    /// Waits for open connections to finish and closes them (checkpointing the WAL).
    pub(super) async fn close(&self) {
        super::close_pool(&self.pool).await;
        // Connections closing at the same moment (each on a thread of sqlx's) can each see
        // the other still open, and then none checkpoints and removes the log. One more
        // connection, alone now, does: closed means closed. A handle sqlx counted closed a
        // moment before its thread closed it can still hold the log open, so this is done
        // until the log is gone.
        if !self.owns_log {
            return;
        }
        // Another process with the database open (an organiser's command) keeps the log
        // too, rightly: then this gives up after a moment rather than holding up the stop.
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        let give_up = tokio::time::Instant::now() + LOG_GONE_WITHIN;
        while wal.exists() && tokio::time::Instant::now() < give_up {
            if let Ok(options) = options(&self.path, self.deadline) {
                if let Ok(conn) = options.connect().await {
                    let _ = conn.close().await;
                }
            }
            if wal.exists() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// How long closing may wait for the log to be checkpointed and removed.
const LOG_GONE_WITHIN: Duration = Duration::from_secs(2);

/// Opens `path` for writing, creating it readable and writable by this user only (0600)
/// when it does not exist; an existing file is left as it is.
fn private_file(path: &Path) -> std::io::Result<File> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .mode_private()
        .open(path)
}

/// Files made readable and writable by their owner only.
trait Private {
    fn mode_private(&mut self) -> &mut Self;
}

impl Private for std::fs::OpenOptions {
    fn mode_private(&mut self) -> &mut Self {
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(self, 0o600);
        self
    }
}

/// Whether the file this connection has open is no longer the one at its path (removed,
/// renamed or replaced since it was opened); `Err` with SQLite's code when it cannot tell.
#[allow(unsafe_code)]
async fn file_has_moved(conn: &mut SqliteConnection) -> Result<Result<bool, i32>, sqlx::Error> {
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
    Ok(if rc == SQLITE_OK {
        Ok(moved != 0)
    } else {
        Err(rc)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// Closed means closed: the write-ahead log is checkpointed into the database file and
    /// removed by the time `close` returns (sqlx's own close could return first).
    #[tokio::test]
    async fn close_returns_once_the_log_is_checkpointed_and_gone() {
        for _ in 0..10 {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("site.sqlite3");
            let store = Store::open(&db.clone().into(), None).await.unwrap();
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

    /// A connection handed back while the store closes is closed too, not left open in
    /// the closed pool (with the log beside it): sqlx's `close` can end before such a
    /// connection lands in the idle queue, where nothing would ever close it.
    #[tokio::test(flavor = "current_thread")]
    async fn a_connection_handed_back_as_the_store_closes_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("site.sqlite3");
        let store = super::Store::open(&db, crate::store::WRITE_DEADLINE)
            .await
            .unwrap();
        let conn = store.pool.acquire().await.unwrap();
        // Its return is a task of sqlx's: let it start (and wait on its ping) first.
        drop(conn);
        tokio::task::yield_now().await;
        store.close().await;
        assert_eq!(store.pool.size(), 0, "every connection is closed");
        assert!(!dir.path().join("site.sqlite3-wal").exists());
    }

    /// Readers' messages are for the site's user only: the database, its write-ahead log,
    /// its shared-memory index and the lock file are created 0600, whatever the umask.
    #[cfg(unix)]
    #[tokio::test]
    async fn the_database_files_are_the_site_users_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("site.sqlite3");
        let store = Store::open(&db.clone().into(), None).await.unwrap();
        let m = NewMessage {
            name: "Maryam",
            email: "m@example.org",
            body: "سلام",
            locale: "fa",
            notify: &[],
        };
        store.insert(&m).await.unwrap();
        for suffix in ["", "-wal", "-shm", "-lock"] {
            let file = format!("{}{suffix}", db.display());
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{file}: {mode:o}");
        }
        store.close().await;
    }
}
