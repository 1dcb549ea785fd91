//! The binary as operators run it: what it refuses at startup, what its help says, what it
//! logs, and how soon it serves its fully compressed pages.

use crate::common::{
    copy_locales,
    server::{get, raw, Server},
    TestApp,
};

/// A base URL that cannot be right is refused at startup, naming the flag and the reason.
#[test]
fn an_invalid_base_url_is_a_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite3");
    for (bad, reason) in [
        ("ftp://example.org", "http or https"),
        ("example.org", "not a URL"),
        ("https://", "not a URL"),
        ("https://example.org/?lang=fa", "query"),
        ("https://example.org/#top", "fragment"),
        ("https://example.org/site/", "path"),
        ("https://user:secret@example.org", "user"),
    ] {
        let mut args = vec!["--base-url", bad, "--db"];
        args.push(db.to_str().unwrap());
        let out = refused_at_startup(&args, "SCDI_BASE_URL");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains("--base-url") && err.contains(reason),
            "{bad}: {err}"
        );
        assert!(!db.exists(), "{bad}: nothing is created");
    }
}

/// Every flag of `serve` is in the README's configuration table, so operators can find what
/// a setting does without reading the code.
#[test]
fn every_serve_flag_is_documented_in_the_readme() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let readme = std::fs::read_to_string(crate::common::repo_root().join("README.md")).unwrap();
    let flags: Vec<&str> = help
        .split_whitespace()
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.trim_end_matches([',', '.']))
        .filter(|w| !["--help", "--version"].contains(w))
        .collect();
    assert!(flags.len() > 20, "{flags:?}");
    let missing: Vec<&&str> = flags
        .iter()
        .filter(|f| !readme.contains(&format!("| `{f}")))
        .collect();
    assert!(missing.is_empty(), "not in the README's table: {missing:?}");
}

/// A load balancer asks every few seconds: none of it is logged, even with a line per
/// request.
#[tokio::test]
async fn health_checks_are_not_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path().join("db.sqlite3"), &["--access-log"]);
    for path in ["/healthz", "/readyz", "/healthz", "/en/"] {
        raw(&server.addr, &get(path)).await.unwrap();
    }
    server.signal("-TERM");
    server.child.wait().unwrap();
    let log = server.log_text();
    assert!(log.contains("route=/{lang}/"), "{log}");
    assert!(!log.contains("healthz") && !log.contains("readyz"), "{log}");
}

/// The server starts with quickly compressed pages and soon serves the fully compressed
/// ones: the same bytes the in-process app (which waits for them) serves.
#[tokio::test]
async fn the_served_pages_are_soon_fully_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::new().await.fully_compressed().await;
    let server = Server::start(dir.path().join("db.sqlite3"), &[]);
    soon_serves_as(&server, &app).await;
}

/// Waits (at most 10 s) until `server` serves `/fa/` in brotli as `app`, fully compressed,
/// does.
async fn soon_serves_as(server: &Server, app: &TestApp) {
    let fully = app
        .get_with("/fa/", &[("accept-encoding", "br")])
        .await
        .bytes;
    let request =
        b"GET /fa/ HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: br\r\nConnection: close\r\n\r\n";
    let started = std::time::Instant::now();
    loop {
        let res = raw(&server.addr, request).await.unwrap();
        if res.body == fully {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "still {} bytes, not {}",
            res.body.len(),
            fully.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A broken message is logged when the site loads, before it serves, and not again when
/// the pages are compressed fully (from the bytes in memory: nothing is loaded twice).
#[tokio::test]
async fn a_locale_problem_is_logged_once() {
    let dir = tempfile::tempdir().unwrap();
    let locales = dir.path().join("locales");
    copy_locales(&locales);
    let home = locales.join("fa/home.ftl");
    let text = std::fs::read_to_string(&home).unwrap();
    std::fs::write(&home, format!("{text}broken = {{ $x ]\n")).unwrap();
    let app = TestApp::with_config(|c| c.sources.locales_dir = locales.clone())
        .await
        .fully_compressed()
        .await;
    let server = Server::start(
        dir.path().join("db.sqlite3"),
        &["--locales-dir", locales.to_str().unwrap()],
    );
    soon_serves_as(&server, &app).await;
    let log = server.log_text();
    let serving = log.find("serving").expect("the serving line");
    let (before, after) = log.split_at(serving);
    assert!(before.contains("home.ftl"), "{log}");
    assert!(!after.contains("home.ftl"), "logged again:\n{log}");
}

/// A database path in a folder that does not exist is a mistyped path: the site refuses to
/// start, naming `--db` and the folder, and creates nothing (before, it made the folders and
/// a new empty database, in which organisers then found no messages). Only the default
/// `data/` is made on first run.
#[test]
fn a_database_in_a_folder_that_does_not_exist_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped");
    let db = missing.join("scdi.sqlite3");
    let out = refused_at_startup(&["--db", db.to_str().unwrap()], "SCDI_DB");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("--db") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!missing.exists(), "nothing is created");
}

/// One INFO line at startup says what this instance runs with (the database without its
/// password), and a WARN says that messages are stored but nobody is told when no
/// notification channel is set.
#[tokio::test]
async fn one_line_says_what_runs_and_a_warning_what_is_left_undone() {
    let db = crate::common::postgres::TestDatabase::new().await;
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_password(Some("s3cret")).unwrap();
    let server = Server::start(
        url.as_str(),
        &[
            "--client-ip-header",
            "X-Real-IP",
            "--mirror",
            "https://mirror.example/scdi",
        ],
    );
    // The warnings follow the summary line, which is what `start` waits for: wait for them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server.log_text().contains("nobody is told") {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            server.log_text()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let log = server.log_text();
    let line = log
        .lines()
        .find(|l| l.contains("serving addr="))
        .expect("the summary");
    for field in [
        "base_url=http://127.0.0.1:3000",
        "db=postgres://postgres:***@",
        "client_ip_header=x-real-ip",
        "notifications=none",
        "mirrors=https://mirror.example/scdi",
        "onion=none",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
    assert!(!log.contains("s3cret"), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains("WARN") && l.contains("nobody is told")),
        "{log}"
    );
}

/// `serve` with `args` (and `var` unset), which must exit: its output. Had it accepted
/// them, it would run on; the deadline turns that into a failure naming the arguments.
fn refused_at_startup(args: &[&str], var: &str) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .current_dir(crate::common::repo_root())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove(var)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(10) {
            child.kill().unwrap();
            panic!("{args:?}: the server started");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// On first run the default `data/` folder is made for the site's user only (0700), the
/// database in it 0600, whatever the umask: no other local account reads the messages.
#[cfg(unix)]
#[test]
fn the_default_data_folder_is_the_site_users_only() {
    use std::{io::BufRead, os::unix::fs::PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let root = crate::common::repo_root();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .current_dir(dir.path())
        .args(["serve", "--addr", "127.0.0.1:0", "--locales-dir"])
        .arg(root.join("locales"))
        .arg("--templates-dir")
        .arg(root.join("templates"))
        .arg("--static-dir")
        .arg(root.join("static"))
        .env_remove("SCDI_DB")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let serving = lines
        .map_while(Result::ok)
        .any(|line| line.contains("serving addr="));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(serving, "the server did not start");
    let mode = |p: &str| {
        std::fs::metadata(dir.path().join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("data"), 0o700);
    assert_eq!(mode("data/scdi.sqlite3"), 0o600);
}

/// Migrations are forward-only: an older binary on a database a newer one upgraded refuses
/// it, saying so in words an operator can act on (not sqlx's "previously applied but is
/// missing").
#[tokio::test]
async fn an_older_binary_says_a_newer_one_upgraded_the_database() {
    use crate::common::Backend;
    use scdi_site::{config::Database, store::Store};
    const FUTURE: &str = "INSERT INTO _sqlx_migrations \
        (version, description, success, checksum, execution_time) \
        VALUES (99990101000000, 'from the future', TRUE, X'00', 0)";
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _postgres) = backend.database(dir.path()).await;
        Store::open(&db, None).await.unwrap().close().await;
        let future = match &db {
            Database::File(_) => FUTURE.to_string(),
            Database::Postgres(_) => FUTURE.replace("X'00'", "'\\x00'"),
        };
        crate::common::execute_sql(&db, &future).await;
        let Err(e) = Store::open(&db, None).await else {
            panic!("{db}: an older binary opened a newer database");
        };
        let text = e.to_string();
        assert!(
            text.contains("upgraded by a newer scdi-site") && text.contains("Upgrading"),
            "{db}: {text}"
        );
    }
}

/// A database that cannot be reached is reported with the reason (not a pool's "timed
/// out"), and a missing password file by its path.
#[test]
fn database_problems_at_startup_say_what_and_where() {
    let port = crate::common::server::free_port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/scdi");
    let out = refused_at_startup(&["--db", &url], "SCDI_DB");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Connection refused") && !err.contains("timed out"),
        "{err}"
    );
    let out = refused_at_startup(
        &[
            "--db",
            &url,
            "--db-password-file",
            "/nonexistent/db-password",
        ],
        "SCDI_DB_PASSWORD_FILE",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/db-password"), "{err}");
}

/// With the password given apart (a file, systemd's credential), PostgreSQL's `~/.pgpass`
/// is not read: no warning about a file of another user's HOME.
#[tokio::test]
async fn a_given_password_leaves_pgpass_alone() {
    let db = crate::common::postgres::TestDatabase::new().await;
    let home = tempfile::tempdir().unwrap();
    // Readable by all: sqlx warns when it reads such a file.
    std::fs::write(home.path().join(".pgpass"), "*:*:*:*:other\n").unwrap();
    let password = home.path().join("db-password");
    std::fs::write(&password, "unused-with-trust-authentication\n").unwrap();
    let home_env = format!("HOME={}", home.path().display());
    let server = Server::try_start(
        &db.url,
        &["--db-password-file", password.to_str().unwrap()],
        &["env", &home_env],
    )
    .unwrap();
    assert_eq!(raw(&server.addr, &get("/en/")).await.unwrap().status, 200);
    assert!(
        !server.log_text().contains("pgpass"),
        "{}",
        server.log_text()
    );
}

/// A proxy that does not set the configured client-address header is said, once (then at
/// most every ten minutes), not left to make every reader one client.
#[tokio::test]
async fn a_missing_client_address_header_is_warned_of_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path().join("db.sqlite3"),
        &["--client-ip-header", "X-Real-IP", "--contact-per-hour", "0"],
    );
    for name in ["one", "two", "three"] {
        let body = crate::common::form_body(&[
            ("name", name),
            ("email", "r@example.org"),
            ("message", name),
        ]);
        let sent = raw(
            &server.addr,
            &crate::common::server::form_post("/en/contact", &body),
        )
        .await
        .unwrap();
        assert_eq!(sent.status, 303);
    }
    let log = server.log_text();
    assert_eq!(
        log.matches("without a client address in the --client-ip-header")
            .count(),
        1,
        "{log}"
    );
}

/// A port another program holds is said in words a translator running `serve --watch` can
/// act on: which flag chooses another.
#[test]
fn an_address_in_use_suggests_another_with_addr() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .current_dir(crate::common::repo_root())
        .args(["serve", "--addr", &addr, "--db"])
        .arg(tempfile::tempdir().unwrap().path().join("db.sqlite3"))
        .env_remove("SCDI_ADDR")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("already in use") && err.contains("--addr"),
        "{err}"
    );
}
