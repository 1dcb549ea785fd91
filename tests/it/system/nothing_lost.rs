//! When storing fails, nothing is lost either way: every message answered 303 is in the
//! database, and every refused one is handed back to its writer on a failure page with all
//! they typed. Against the real binary: a file-size limit (runs everywhere), a real full
//! filesystem (a small tmpfs, when run as root), a database removed under the running server,
//! and two instances starting at once on a new database.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::Command,
};

use crate::common::server::{form_post, get, raw, Server};
use scdi_site::store::Store;

/// A message long enough that a few dozen of them fill a small file or filesystem.
fn text(i: usize) -> String {
    format!("Message {i}:{}", " solidarity".repeat(250))
}

fn body(name: &str, message: &str) -> String {
    crate::common::form_body(&[
        ("name", name),
        ("email", "reader@example.org"),
        ("message", message),
    ])
}

#[derive(Default, Debug)]
struct Outcome {
    acknowledged: BTreeSet<String>,
    refused: BTreeSet<String>,
}

/// Sends `count` messages, one at a time, named `{prefix} {i}`. A refusal must be the
/// localized failure page with everything the reader typed, and never a thanks.
async fn submit(server: &Server, lang: &str, prefix: &str, count: usize) -> Outcome {
    let mut outcome = Outcome::default();
    for i in 0..count {
        let name = format!("{prefix} {i}");
        let message = text(i);
        let res = raw(
            &server.addr,
            &form_post(&format!("/{lang}/contact"), &body(&name, &message)),
        )
        .await
        .unwrap();
        match res.status {
            303 => {
                outcome.acknowledged.insert(name);
            }
            503 => {
                let page = String::from_utf8(res.body).unwrap();
                assert!(page.contains(&format!("value=\"{name}\"")), "{page}");
                assert!(page.contains("value=\"reader@example.org\""), "{page}");
                assert!(page.contains(&message), "the text is handed back");
                let not_sent = match lang {
                    "fa" => "پیام شما فرستاده نشد",
                    _ => "Your message may not have been sent",
                };
                assert!(page.contains(not_sent), "{page}");
                assert!(res.head.contains("no-store"), "{}", res.head);
                outcome.refused.insert(name);
            }
            status => panic!("unexpected status {status}"),
        }
    }
    outcome
}

async fn stored(db: &Path) -> BTreeSet<String> {
    let names = crate::common::names_stored_in(&db.to_path_buf().into()).await;
    assert!(crate::common::sqlite_integrity_ok(db).await);
    names.into_iter().collect()
}

/// Every acknowledged message is stored, and no refused one.
fn assert_exact(outcome: &Outcome, stored: &BTreeSet<String>, prefix: &str) {
    let ours: BTreeSet<_> = stored
        .iter()
        .filter(|n| n.starts_with(&format!("{prefix} ")))
        .cloned()
        .collect();
    let lost: Vec<_> = outcome.acknowledged.difference(&ours).collect();
    assert!(lost.is_empty(), "answered 303 but not stored: {lost:?}");
    let ghosts: Vec<_> = outcome.refused.intersection(&ours).collect();
    assert!(ghosts.is_empty(), "refused but stored: {ghosts:?}");
}

/// The failure is logged at ERROR with its cause, and without the reader's text.
fn assert_logged(server: &Server) {
    let log = server.log_text();
    let errors: Vec<_> = log
        .lines()
        .filter(|l| l.contains("ERROR") && l.contains("message not stored"))
        .collect();
    assert!(!errors.is_empty(), "{log}");
    for secret in ["solidarity", "reader@example.org", "Reader "] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
}

fn prlimit(args: &[&str]) {
    let status = Command::new("prlimit").args(args).status().unwrap();
    assert!(status.success(), "prlimit {args:?}");
}

/// A file-size limit on the server (`RLIMIT_FSIZE`, with SIGXFSZ ignored so writes fail
/// with EFBIG rather than killing it): the write-ahead log cannot grow, so commits fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_size_limit_every_thanks_is_stored_and_every_refusal_hands_the_text_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite3");
    let wrapper = ["sh", "-c", "trap '' XFSZ; exec \"$@\"", "sh"];
    let server = Server::try_start(&db, &["--contact-per-hour", "0"], &wrapper).unwrap();
    // Once the schema is in place (its migrations grow with the project), and the soft
    // limit only, so that it can be raised again without privileges.
    prlimit(&[
        "--pid",
        &server.child.id().to_string(),
        "--fsize=180000:unlimited",
    ]);
    let first = submit(&server, "en", "Reader", 40).await;
    assert!(
        !first.acknowledged.is_empty() && !first.refused.is_empty(),
        "the limit was reached: {first:?}"
    );
    assert_logged(&server);

    // The cause goes away: the same server stores messages again, with no restart.
    prlimit(&["--pid", &server.child.id().to_string(), "--fsize=unlimited"]);
    let after = submit(&server, "fa", "Later", 5).await;
    assert_eq!(after.acknowledged.len(), 5, "{after:?}");

    drop(server);
    let stored = stored(&db).await;
    assert_exact(&first, &stored, "Reader");
    assert_exact(&after, &stored, "Later");
}

/// Unmounts (lazily, so that a failed test does not leave a busy mount behind) on drop.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// A real full filesystem: a small tmpfs, filled up while the server runs. Needs root to
/// mount; skipped with a printed reason otherwise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_filesystem_every_thanks_is_stored_and_every_refusal_hands_the_text_back() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(dir.path())
        .output();
    match mounted {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            println!(
                "SKIPPED full_filesystem: cannot mount a tmpfs (needs root): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return;
        }
        Err(e) => {
            println!("SKIPPED full_filesystem: no mount command: {e}");
            return;
        }
    }
    let _mount = Mount(dir.path().to_path_buf());
    let db = dir.path().join("db.sqlite3");
    let server = Server::start(&db, &["--contact-per-hour", "0"]);

    // Fill the filesystem, then leave room for a few messages only.
    let filler = dir.path().join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.flush();
        let len = f.metadata().unwrap().len();
        f.set_len(len.saturating_sub(120 * 1024)).unwrap();
    }
    let first = submit(&server, "fa", "Reader", 40).await;
    assert!(
        !first.acknowledged.is_empty() && !first.refused.is_empty(),
        "the filesystem filled up: {first:?}"
    );
    assert_logged(&server);

    // Space is freed: the same server stores messages again.
    std::fs::remove_file(&filler).unwrap();
    let after = submit(&server, "en", "Later", 5).await;
    assert_eq!(after.acknowledged.len(), 5, "{after:?}");

    drop(server);
    let stored = stored(&db).await;
    assert_exact(&first, &stored, "Reader");
    assert_exact(&after, &stored, "Later");
}

/// The database is created at startup only: removed under a running server, it is not
/// silently replaced by an empty one, no message is acknowledged into the void, and once a
/// database is put back the server uses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_database_is_not_recreated_and_nothing_is_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite3");
    let server = Server::start(&db, &["--contact-per-hour", "0"]);
    let before = submit(&server, "en", "Before", 2).await;
    assert_eq!(before.acknowledged.len(), 2);
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        let _ = std::fs::remove_file(path);
    }
    let after = submit(&server, "en", "After", 3).await;
    assert!(after.acknowledged.is_empty(), "{after:?}");
    assert!(!db.exists(), "an empty database was created after startup");
    // Pages are still served.
    assert_eq!(raw(&server.addr, &get("/en/")).await.unwrap().status, 200);

    // The operator puts a database back: the same server stores into it, with no restart.
    crate::common::sqlite_store(&db).await.close().await;
    let restored = submit(&server, "fa", "Restored", 3).await;
    assert_eq!(restored.acknowledged.len(), 3, "{restored:?}");
    drop(server);
    let stored = stored(&db).await;
    assert_exact(&restored, &stored, "Restored");
    assert_exact(&after, &stored, "After");
}

/// Two instances started at the same moment on a new database both come up and store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_starting_together_on_a_new_database_both_serve() {
    for round in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        // A new database in a new folder, made as an operator would (the site makes only
        // its default `data/`).
        std::fs::create_dir(dir.path().join("new")).unwrap();
        let db = dir.path().join("new").join("db.sqlite3");
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| Server::try_start(&db, &["--contact-per-hour", "0"], &[]));
            let b = s.spawn(|| Server::try_start(&db, &["--contact-per-hour", "0"], &[]));
            (a.join().unwrap(), b.join().unwrap())
        });
        let (a, b) = (
            a.unwrap_or_else(|log| panic!("round {round}: first instance: {log}")),
            b.unwrap_or_else(|log| panic!("round {round}: second instance: {log}")),
        );
        let one = submit(&a, "en", "A", 1).await;
        let two = submit(&b, "fa", "B", 1).await;
        assert_eq!(one.acknowledged.len() + two.acknowledged.len(), 2);
        drop((a, b));
        assert_eq!(stored(&db).await.len(), 2);
    }
}

/// The same race in one process, tighter: many stores opening a new database at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_opening_a_new_database_at_once_all_succeed() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db.sqlite3");
        let opens: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move { Store::open(&db.into(), None).await })
            })
            .collect();
        let mut closes = vec![];
        for open in opens {
            let store = open.await.unwrap().expect("open");
            // Closed together: one by one, each would wait for the log the others hold.
            closes.push(tokio::spawn(async move { store.close().await }));
        }
        for close in closes {
            close.await.unwrap();
        }
    }
}
