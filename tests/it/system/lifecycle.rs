//! The data's life as operators run it: deleting on request and by age, backups of a live
//! database, the move to PostgreSQL, and clearing the message limit.

use std::sync::{
    atomic::{AtomicBool, AtomicUsize, Ordering},
    Arc, Mutex,
};

use scdi_site::{
    config::Database,
    store::{NewMessage, Store},
};
use sqlx::Connection;

use crate::common::{
    execute_sql, form_body,
    server::{form_post, raw, Server},
    Backend,
};

/// `scdi-site ARGS`: exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let (code, out, err) = crate::common::scdi(args, crate::common::repo_root());
    (code, String::from_utf8_lossy(&out).into_owned(), err)
}

/// `--db`'s value for `db`.
fn arg(db: &Database) -> String {
    match db {
        Database::File(path) => path.display().to_string(),
        Database::Postgres(url) => url.clone(),
    }
}

/// Stores a message from `name` with `body`, to be notified by email.
async fn store(db: &Database, name: &str, body: &str) {
    let store = Store::open(db, None).await.unwrap();
    let m = NewMessage {
        name,
        email: "r@example.org",
        body,
        locale: "fa",
        notify: &["email"],
    };
    store.insert(&m).await.unwrap();
    store.close().await;
}

fn list(db: &Database) -> String {
    let (code, out, err) = run(&["messages", "list", "--db", &arg(db)]);
    assert_eq!(code, 0, "{err}");
    out
}

/// A correspondent asks to be forgotten: the message and its notifications go, and in
/// SQLite its text is gone from the file too (not left in free pages or the log).
#[tokio::test]
async fn delete_removes_a_message_and_its_notifications_for_good() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _pg) = backend.database(dir.path()).await;
        store(&db, "Keep", "stays").await;
        store(&db, "Forget", "a-secret-only-this-message-holds").await;
        let (code, out, err) = run(&["messages", "delete", "2", "--db", &arg(&db)]);
        assert_eq!(code, 0, "{backend:?}: {err}");
        assert!(out.contains("Deleted 1 message(s)"), "{out}");
        let listing = list(&db);
        assert!(
            listing.contains("Keep") && !listing.contains("Forget"),
            "{listing}"
        );
        assert_eq!(
            listing.matches("notification by email").count(),
            1,
            "{listing}"
        );
        let (code, _, err) = run(&["messages", "delete", "2", "--db", &arg(&db)]);
        assert_eq!(code, 1, "{backend:?}: a number not there is an error");
        assert!(err.contains("no message 2"), "{err}");
        if let Database::File(path) = &db {
            let bytes = std::fs::read(path).unwrap();
            let needle = b"a-secret-only-this-message-holds";
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "the deleted text is still in the file"
            );
        }
    }
}

/// `purge --older-than` and `--retention-days` delete what is older, nothing else.
#[tokio::test]
async fn purge_and_retention_delete_only_older_messages() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _pg) = backend.database(dir.path()).await;
        for (name, days) in [("Ancient", 400), ("Old", 40), ("New", 0)] {
            store(&db, name, name).await;
            execute_sql(
                &db,
                &format!(
                    "UPDATE messages SET created_at = '{}' WHERE name = '{name}'",
                    ago(days)
                ),
            )
            .await;
        }
        let (code, out, err) = run(&[
            "messages",
            "purge",
            "--older-than",
            "365",
            "--db",
            &arg(&db),
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("Deleted 1 message(s)"), "{backend:?}: {out}");
        let listing = list(&db);
        assert!(
            !listing.contains("Ancient") && listing.contains("Old"),
            "{listing}"
        );
        // The server applies --retention-days itself, at start.
        let server = Server::start(arg(&db), &["--retention-days", "30"]);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !server
            .log_text()
            .contains("messages past --retention-days deleted")
        {
            assert!(
                std::time::Instant::now() < deadline,
                "{}",
                server.log_text()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let listing = list(&db);
        assert!(
            !listing.contains("Old") && listing.contains("New"),
            "{listing}"
        );
    }
}

/// `days` days ago as messages' times are written.
fn ago(days: i64) -> String {
    let t = time::OffsetDateTime::now_utc() - time::Duration::days(days);
    t.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].000Z"
    ))
    .unwrap()
}

/// A backup taken while 16 readers send messages holds every message acknowledged before
/// it began, and is a sound database (copying the file would miss what is in the log).
#[tokio::test]
async fn a_backup_under_load_has_every_acknowledged_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("site.sqlite3");
    let server = Server::start(&db, &["--contact-per-hour", "0"]);
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let sent = Arc::new(AtomicUsize::new(0));
    let mut writers = vec![];
    for w in 0..16 {
        let (addr, stop, acknowledged, sent) = (
            server.addr.clone(),
            stop.clone(),
            acknowledged.clone(),
            sent.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let name = format!("writer-{w}-{i}");
                let body = form_body(&[
                    ("name", &name),
                    ("email", "r@example.org"),
                    ("message", "سلام"),
                ]);
                let response = raw(&addr, &form_post("/en/contact", &body)).await.unwrap();
                if response.status == 303 {
                    acknowledged.lock().unwrap().push(name);
                    sent.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
        }));
    }
    while sent.load(Ordering::Relaxed) < 50 {
        tokio::task::yield_now().await;
    }
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let copy = dir.path().join("backup.sqlite3");
    let (code, out, err) = tokio::task::spawn_blocking({
        let (db, copy) = (db.display().to_string(), copy.display().to_string());
        move || run(&["backup", &copy, "--db", &db])
    })
    .await
    .unwrap();
    while sent.load(Ordering::Relaxed) < before.len() + 50 {
        tokio::task::yield_now().await;
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Backed up"), "{out}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup is its owner's only");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM messages")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let missing: Vec<&String> = before.iter().filter(|n| !names.contains(n)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, not in it: {missing:?}"
    );
    assert!(
        names.len() < sent.load(Ordering::Relaxed),
        "the writers went on during it"
    );
    let (code, _, _) = run(&[
        "backup",
        &copy.display().to_string(),
        "--db",
        &db.display().to_string(),
    ]);
    assert_eq!(code, 1, "an existing file is never overwritten");
}

/// The day the settings the privacy page states became the site's, as `db` records it for
/// settings with `fingerprint`, asked on `today`.
async fn settings_since(db: &Database, fingerprint: &str, today: &str) -> String {
    let store = Store::open(db, None).await.unwrap();
    let since = store.settings_since(fingerprint, today).await.unwrap();
    store.close().await;
    since
}

/// Growing from one server to several: every message and notification moves to PostgreSQL
/// with its number, time and state; a second run copies nothing twice; new messages there
/// are numbered after the copied ones. The privacy page's date of the settings moves too:
/// the same settings on the new database are not a change.
#[tokio::test]
async fn messages_copy_moves_everything_to_postgres_once() {
    let dir = tempfile::tempdir().unwrap();
    let (sqlite, _) = Backend::Sqlite.database(dir.path()).await;
    let (postgres, _pg) = Backend::Postgres.database(dir.path()).await;
    for name in ["Maryam", "Jane", "Sina"] {
        store(&sqlite, name, &format!("{name}: «زن، زندگی، آزادی»")).await;
    }
    execute_sql(
        &sqlite,
        "UPDATE notifications SET state = 'sent', attempts = 1 WHERE message_id = 1",
    )
    .await;
    assert_eq!(
        settings_since(&sqlite, "settings", "2026-06-01").await,
        "2026-06-01"
    );
    let copy = |from: &Database, to: &Database| {
        run(&["messages", "copy", "--from", &arg(from), "--to", &arg(to)])
    };
    let (code, out, err) = copy(&sqlite, &postgres);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Copied 3 of 3 message(s) and 3 of 3"), "{out}");
    assert_eq!(
        list(&postgres),
        list(&sqlite),
        "the same, number for number"
    );
    assert_eq!(
        settings_since(&postgres, "settings", "2026-12-01").await,
        "2026-06-01",
        "the same settings, since the same day"
    );
    // Instances on PostgreSQL run with other settings now: copying again keeps those.
    settings_since(&postgres, "other settings", "2026-12-02").await;
    let (code, out, _) = copy(&sqlite, &postgres);
    assert_eq!(code, 0);
    assert!(out.contains("Copied 0 of 3 message(s) and 0 of 3"), "{out}");
    assert_eq!(
        settings_since(&postgres, "other settings", "2026-12-03").await,
        "2026-12-02"
    );
    store(&postgres, "After", "the move").await;
    let listing = list(&postgres);
    assert!(
        listing.contains("#4"),
        "numbered after the copied ones: {listing}"
    );
}

/// A misconfigured proxy made every reader one client and used up the limit: the operator
/// clears it (PostgreSQL keeps it over restarts); on SQLite a restart does.
#[tokio::test]
async fn limits_reset_gives_the_allowance_back() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _pg) = Backend::Postgres.database(dir.path()).await;
    let server = Server::start(arg(&db), &["--contact-burst", "1"]);
    let send = |name: &'static str| {
        let addr = server.addr.clone();
        async move {
            let body = form_body(&[
                ("name", name),
                ("email", "r@example.org"),
                ("message", name),
            ]);
            raw(&addr, &form_post("/en/contact", &body))
                .await
                .unwrap()
                .status
        }
    };
    assert_eq!(send("one").await, 303);
    assert_eq!(send("two").await, 429);
    let (code, out, err) = run(&["limits", "reset", "127.0.0.1", "--db", &arg(&db)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("of 1 client(s)"), "{out}");
    assert_eq!(send("three").await, 303);
    let (sqlite, _) = Backend::Sqlite.database(dir.path()).await;
    store(&sqlite, "x", "y").await;
    let (code, _, err) = run(&["limits", "reset", "--db", &arg(&sqlite)]);
    assert_eq!(code, 1);
    assert!(err.contains("restarting it clears"), "{err}");
}
