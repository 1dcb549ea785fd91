//! `scdi-site messages list|export`: organisers get every message, Persian intact.

mod common;

use std::process::Command;

use scdi_site::store::{NewMessage, Store};

const PERSIAN: &str = "سلام، می\u{200c}خواهیم همکاری کنیم؛ «زن، زندگی، آزادی»\nخط دوم, with a comma";

async fn database() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("site.sqlite3");
    let store = Store::open(&db).await.unwrap();
    for (name, body, locale) in [("Jane \"JD\" Doe", "Hello", "en"), ("مریم", PERSIAN, "fa")] {
        store
            .insert(&NewMessage {
                name,
                email: "r@example.org",
                body,
                locale,
            })
            .await
            .unwrap();
    }
    store.close().await;
    (dir, db)
}

fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args(args)
        .env_remove("SCDI_DB")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn list_shows_every_message() {
    let (_dir, db) = database().await;
    let (code, out, _) = run(&["messages", "list", "--db", db.to_str().unwrap()]);
    assert_eq!(code, 0);
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("[fa] مریم <r@example.org>"));
    assert!(out.contains(
        "    سلام، می\u{200c}خواهیم همکاری کنیم؛ «زن، زندگی، آزادی»\n    خط دوم, with a comma"
    ));
    assert!(out.ends_with("2 message(s)\n"));
}

#[tokio::test]
async fn csv_export_is_utf8_with_bom_and_round_trips() {
    let (_dir, db) = database().await;
    let (code, out, _) = run(&[
        "messages",
        "export",
        "--format",
        "csv",
        "--db",
        db.to_str().unwrap(),
    ]);
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

#[tokio::test]
async fn json_export_and_since() {
    let (_dir, db) = database().await;
    let (code, out, _) = run(&[
        "messages",
        "export",
        "--format",
        "json",
        "--db",
        db.to_str().unwrap(),
    ]);
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
        db.to_str().unwrap(),
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
        db.to_str().unwrap(),
    ]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let (code, _, err) = run(&[
        "messages",
        "list",
        "--since",
        "last week",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a date"), "{err}");
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
