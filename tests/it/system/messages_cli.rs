//! `scdi-site messages list|export`: organisers get every message, Persian intact.

use std::process::Command;

use scdi_site::{
    config::Database,
    store::{NewMessage, Store},
};

use crate::common::Backend;

const PERSIAN: &str = "سلام، می\u{200c}خواهیم همکاری کنیم؛ «زن، زندگی، آزادی»\nخط دوم, with a comma";

/// A database holding some messages, and the `--db` value that names it.
struct Filled {
    /// `--db`: the SQLite file or the PostgreSQL URL.
    arg: String,
    dir: tempfile::TempDir,
    _postgres: Option<crate::common::postgres::TestDatabase>,
}

/// A database of `backend` holding `messages` (name, body, locale).
async fn filled(backend: Backend, messages: &[(&str, &str, &str)]) -> Filled {
    let dir = tempfile::tempdir().unwrap();
    let (db, postgres) = backend.database(dir.path()).await;
    let store = Store::open(&db, None).await.unwrap();
    for (name, body, locale) in messages {
        let m = NewMessage {
            name,
            email: "r@example.org",
            body,
            locale,
            notify: &[],
        };
        store.insert(&m).await.unwrap();
    }
    store.close().await;
    let arg = match &db {
        Database::File(path) => path.display().to_string(),
        Database::Postgres(url) => url.clone(),
    };
    Filled {
        arg,
        dir,
        _postgres: postgres,
    }
}

async fn database(backend: Backend) -> Filled {
    filled(
        backend,
        &[("Jane \"JD\" Doe", "Hello", "en"), ("مریم", PERSIAN, "fa")],
    )
    .await
}

fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    crate::common::scdi(args, crate::common::repo_root())
}

#[tokio::test]
async fn list_shows_every_message() {
    for backend in Backend::BOTH {
        let db = database(backend).await;
        let (code, out, _) = run(&["messages", "list", "--db", &db.arg]);
        assert_eq!(code, 0);
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("[fa] مریم <r@example.org>"));
        assert!(out.contains(
            "    سلام، می\u{200c}خواهیم همکاری کنیم؛ «زن، زندگی، آزادی»\n    خط دوم, with a comma"
        ));
        assert!(out.ends_with("2 message(s)\n"));
    }
}

#[tokio::test]
async fn csv_export_is_utf8_with_bom_and_round_trips() {
    for backend in Backend::BOTH {
        let db = database(backend).await;
        let (code, out, _) = run(&["messages", "export", "--format", "csv", "--db", &db.arg]);
        assert_eq!(code, 0);
        assert!(
            out.starts_with("\u{FEFF}".as_bytes()),
            "BOM for spreadsheet programs"
        );
        let mut reader = csv::Reader::from_reader(&out[3..]);
        assert_eq!(
            reader.headers().unwrap(),
            vec!["id", "created_at", "locale", "name", "email", "message"]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][3], "Jane \"JD\" Doe");
        assert_eq!(
            rows[1][5].as_bytes(),
            PERSIAN.as_bytes(),
            "byte for byte, ZWNJ and newline included"
        );
    }
}

#[tokio::test]
async fn json_export_and_since() {
    for backend in Backend::BOTH {
        let db = database(backend).await;
        let (code, out, _) = run(&["messages", "export", "--format", "json", "--db", &db.arg]);
        assert_eq!(code, 0);
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json[1]["body"], PERSIAN);
        assert_eq!(json[1]["locale"], "fa");

        let (_, out, _) = run(&[
            "messages",
            "export",
            "--format",
            "json",
            "--since",
            "2999-01-01",
            "--db",
            &db.arg,
        ]);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&out).unwrap(),
            serde_json::json!([])
        );
        let (_, out, _) = run(&[
            "messages",
            "export",
            "--format",
            "json",
            "--since",
            "2000-01-01T00:00:00Z",
            "--db",
            &db.arg,
        ]);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&out)
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            2
        );

        let (code, _, err) = run(&["messages", "list", "--since", "last week", "--db", &db.arg]);
        assert_eq!(code, 2);
        assert!(err.contains("is not a date"), "{err}");
    }
}

#[test]
fn a_missing_database_is_an_error_not_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.sqlite3");
    let (code, _, err) = run(&["messages", "list", "--db", db.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("no database at"), "{err}");
    assert!(!db.exists());
}

/// What a hostile sender could have put in the database (rows written before today's
/// validation, or by another tool): terminal escapes, C1 controls, a bare CR, bidi overrides
/// and isolates, and a line that imitates a message header.
const HOSTILE_NAME: &str = "Eve\u{1b}]0;pwned\u{7}\u{202E}";
const HOSTILE_BODY: &str = "hello\r\n#9 2026-01-01T00:00:00.000Z [en] Fake <f@example.org>\n\u{1b}[2J\u{9b}31m\u{2066}x\u{2069}\rover\u{2028}end";

async fn hostile_database(backend: Backend) -> Filled {
    filled(
        backend,
        &[
            (HOSTILE_NAME, HOSTILE_BODY, "en"),
            (
                "=HYPERLINK(\"http://evil.example\")",
                "+1+cmd|' /C calc'!A0",
                "en",
            ),
            ("-2+3", "@SUM(A1:A9)", "en"),
            ("\tTab", "\rCarriage", "en"),
            ("Plain", "a = b, and -1 is fine inside", "en"),
        ],
    )
    .await
}

#[tokio::test]
async fn list_never_writes_raw_control_characters_to_the_terminal() {
    for backend in Backend::BOTH {
        let db = hostile_database(backend).await;
        let (code, out, _) = run(&["messages", "list", "--db", &db.arg]);
        assert_eq!(code, 0);
        let out = String::from_utf8(out).unwrap();
        for raw in [
            '\u{1b}', '\u{7}', '\u{9b}', '\r', '\u{202E}', '\u{2066}', '\u{2069}', '\u{2028}',
        ] {
            assert!(!out.contains(raw), "raw {raw:?} in {out:?}");
        }
        for shown in [
            "\\u{1b}]0;pwned\\u{7}\\u{202e}",
            "\\u{1b}[2J\\u{9b}31m",
            "\\u{2066}x\\u{2069}\\u{d}over\\u{2028}end",
        ] {
            assert!(out.contains(shown), "{shown} in {out}");
        }
        // Only real headers start a line with `#`: message text is always indented.
        let headers: Vec<_> = out.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(headers.len(), 5, "{out}");
        assert!(out.contains("\n    #9 2026-01-01T00:00:00.000Z [en] Fake"));
    }
}

#[tokio::test]
async fn csv_cells_cannot_become_formulas_and_json_stays_exact() {
    for backend in Backend::BOTH {
        let db = hostile_database(backend).await;
        let db = db.arg.as_str();
        let (code, out, _) = run(&["messages", "export", "--format", "csv", "--db", db]);
        assert_eq!(code, 0);
        let mut reader = csv::Reader::from_reader(&out[3..]);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let cells: Vec<(&str, &str)> = rows.iter().map(|r| (&r[3], &r[5])).collect();
        assert_eq!(
            cells[1..],
            [
                (
                    "'=HYPERLINK(\"http://evil.example\")",
                    "'+1+cmd|' /C calc'!A0"
                ),
                ("'-2+3", "'@SUM(A1:A9)"),
                ("'\tTab", "'\rCarriage"),
                ("Plain", "a = b, and -1 is fine inside"),
            ]
        );

        let (_, out, _) = run(&["messages", "export", "--format", "json", "--db", db]);
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json[0]["name"], HOSTILE_NAME);
        assert_eq!(json[0]["body"], HOSTILE_BODY);
        assert_eq!(json[1]["name"], "=HYPERLINK(\"http://evil.example\")");
    }
}

/// Runs the binary as a user who may read the database but not write it or its folder:
/// `nobody` when the tests run as root, otherwise the same user with the write bits removed.
fn run_read_only(dir: &std::path::Path, args: &[&str]) -> (i32, Vec<u8>, String) {
    use std::os::unix::fs::PermissionsExt;
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let set = |path: &std::path::Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    for entry in std::fs::read_dir(dir).unwrap() {
        set(&entry.unwrap().path(), 0o444);
    }
    set(dir, 0o555);
    let mut command = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_scdi-site"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_scdi-site"))
    };
    let out = command.args(args).env_remove("SCDI_DB").output().unwrap();
    set(dir, 0o755);
    (
        out.status.code().unwrap(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn organisers_with_read_access_only_can_read_and_nothing_is_written() {
    let filled = database(Backend::Sqlite).await;
    let (dir, db) = (&filled.dir, std::path::PathBuf::from(&filled.arg));
    let before: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let bytes = std::fs::read(&db).unwrap();
    let (code, out, err) = run_read_only(
        dir.path(),
        &["messages", "list", "--db", db.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert!(String::from_utf8(out).unwrap().ends_with("2 message(s)\n"));
    let after: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after, "no file created");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes,
        "the database is untouched"
    );
}

#[tokio::test]
async fn output_into_a_pipe_closed_early_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("site.sqlite3");
    let store = crate::common::sqlite_store(&db).await;
    let long = "همبستگی ".repeat(600);
    for _ in 0..60 {
        let m = NewMessage {
            name: "Reader",
            email: "r@example.org",
            body: &long,
            locale: "fa",
            notify: &[],
        };
        store.insert(&m).await.unwrap();
    }
    store.close().await;
    for format in [None, Some("csv"), Some("json")] {
        let mut args = vec!["messages"];
        match format {
            None => args.push("list"),
            Some(f) => args.extend(["export", "--format", f]),
        }
        args.extend(["--db", db.to_str().unwrap()]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_scdi-site"))
            .args(&args)
            .env_remove("SCDI_DB")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Read a little, as `head` does, then close the pipe.
        let mut first = [0u8; 100];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.is_empty(), "{format:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{format:?}");
    }
}

/// While the site runs (its write-ahead log open), an organiser who may only read sees every
/// message, the newest included.
#[tokio::test]
async fn organisers_with_read_access_only_can_read_while_the_site_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("site.sqlite3");
    let server = crate::common::server::Server::start(&db, &["--contact-per-hour", "0"]);
    let body = crate::common::form_body(&[
        ("name", "Maryam"),
        ("email", "m@example.org"),
        ("message", "سلام"),
    ]);
    let res = crate::common::server::raw(
        &server.addr,
        &crate::common::server::form_post("/fa/contact", &body),
    )
    .await
    .unwrap();
    assert_eq!(res.status, 303);
    assert!(std::path::Path::new(&format!("{}-wal", db.display())).exists());
    let (code, out, err) = run_read_only(
        dir.path(),
        &["messages", "list", "--db", db.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("[fa] Maryam <m@example.org>"), "{out}");
    drop(server);
}

/// An organiser's newer binary reads a database the site has not yet migrated (it migrates
/// when it starts): the messages are listed, without notification states.
#[tokio::test]
async fn a_database_from_before_notifications_is_still_listed() {
    for backend in Backend::BOTH {
        let f = filled(backend, &[("Maryam", PERSIAN, "fa")]).await;
        let drop_table = "DROP TABLE notifications";
        match backend {
            Backend::Sqlite => {
                let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
                    "sqlite:{}",
                    f.arg
                ))
                .await
                .unwrap();
                sqlx::query(drop_table).execute(&mut conn).await.unwrap();
            }
            Backend::Postgres => {
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&f.arg)
                    .await
                    .unwrap();
                sqlx::query(drop_table).execute(&mut conn).await.unwrap();
            }
        }
        let (code, out, err) = run(&["messages", "list", "--db", &f.arg]);
        assert_eq!(code, 0, "{backend:?}: {err}");
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("Maryam") && out.contains("1 message(s)"),
            "{out}"
        );
    }
}
