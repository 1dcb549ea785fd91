//! Organisers are told: the real binary sends email to a real SMTP server (aiosmtpd) and
//! signed JSON to a webhook receiver, from the outbox, on both stores. Each case waits for
//! what it expects (up to 30 s), never for a fixed time; that nothing more will be sent is
//! read from the store (no notification left pending), not waited for.

use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use scdi_site::{
    config::Database,
    store::{NewMessage, Notification, Store},
};
use sha2::Sha256;

use crate::common::{
    form_body,
    mail::{Receiver, SmtpServer},
    postgres::TestDatabase,
    server::{form_post, free_port, raw, Server},
    Backend,
};

const NAME: &str = "زهرا رهنورد";
/// With a ZWNJ (U+200C) in می‌خواهیم, which must survive.
const TEXT: &str = "ما می\u{200c}خواهیم همبستگی را سازمان دهیم.\nخط دوم.";
const READER: &str = "zahra@example.org";

/// A database of `backend` as `--db` takes it, and what keeps it alive.
async fn database(backend: Backend, dir: &tempfile::TempDir) -> (String, Option<TestDatabase>) {
    match backend.database(dir.path()).await {
        (Database::File(path), _) => (path.display().to_string(), None),
        (Database::Postgres(url), pg) => (url, pg),
    }
}

/// The site on `db`, notifying by email through `smtp_url` (and with `extra` flags), quick
/// to retry and, unless `extra` says otherwise, to give an attempt up.
fn site(db: &str, smtp_url: &str, extra: &[&str]) -> Server {
    let mut args = vec![
        "--contact-per-hour",
        "0",
        "--notify-email",
        "organisers@example.org",
        "--notify-from",
        "website@example.org",
        "--smtp-url",
        smtp_url,
        "--notify-retry-secs",
        "1",
    ];
    if !extra.contains(&"--notify-timeout-secs") {
        args.extend_from_slice(&["--notify-timeout-secs", "2"]);
    }
    args.extend_from_slice(extra);
    Server::start(db, &args)
}

async fn send(server: &Server, name: &str, message: &str) -> u16 {
    let body = form_body(&[("name", name), ("email", READER), ("message", message)]);
    raw(&server.addr, &form_post("/fa/contact", &body))
        .await
        .unwrap()
        .status
}

/// `scdi-site messages list` on `db`.
fn list(db: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args(["messages", "list", "--db", db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Waits (at most 30 s) until `messages list` shows `text`; returns the listing.
async fn listed(db: &str, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let listing = list(db);
        if listing.contains(text) {
            return listing;
        }
        assert!(Instant::now() < deadline, "`{text}` in:\n{listing}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every notification's state in `db`, as the store records it.
async fn states(db: &str) -> Vec<Notification> {
    let store = Store::open_read_only(&db.parse().unwrap(), None)
        .await
        .unwrap();
    let states = store.notifications().await.unwrap();
    store.close().await;
    states
}

/// Every notification's state in `db` once none is pending any more: the outbox sends only
/// pending ones, so what has arrived by now is all that will ever arrive.
async fn settled(db: &str) -> Vec<Notification> {
    let states = states(db).await;
    assert!(states.iter().all(|n| n.state != "pending"), "{states:#?}");
    states
}

#[tokio::test]
async fn email_arrives_with_persian_intact_and_the_right_headers() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _pg) = database(backend, &dir).await;
        let smtp = SmtpServer::start("accept");
        let server = site(&db, &smtp.url(), &[]);
        // A bot's submission (the honeypot filled) is dropped: never notified.
        let bot = form_body(&[
            ("name", "Bot"),
            ("email", "bot@example.org"),
            ("message", "spam"),
            ("website", "http://spam.example"),
        ]);
        let res = raw(&server.addr, &form_post("/fa/contact", &bot))
            .await
            .unwrap();
        assert_eq!(res.status, 303);
        assert_eq!(send(&server, NAME, TEXT).await, 303);

        let mail = smtp.wait_for(1).await;
        let listing = listed(&db, "notification by email to organisers@example.org: sent").await;
        assert_eq!(mail.len(), 1, "{backend:?}: one mail, none for the bot");
        let m = &mail[0];
        assert_eq!(m.rcpt_tos, ["organisers@example.org"]);
        assert_eq!(m.header("Subject"), [format!("Message from {NAME} (fa)")]);
        let head = &m.raw[..m.raw.find("\r\n\r\n").unwrap()];
        assert!(
            head.is_ascii() && head.to_ascii_lowercase().contains("=?utf-8?b?"),
            "the subject is RFC 2047-encoded:\n{head}"
        );
        assert_eq!(m.header("Reply-To"), [READER]);
        assert_eq!(m.header("From"), ["website@example.org"]);
        let id = m.header("Message-ID")[0];
        let uid = id
            .strip_prefix('<')
            .and_then(|i| i.strip_suffix(".scdi-site@127.0.0.1>"))
            .unwrap_or_else(|| panic!("{id}"));
        assert!(
            uid.len() == 32 && uid.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
        assert!(
            head.contains("Content-Type: text/plain; charset=utf-8"),
            "{head}"
        );
        // Mail lines end in CRLF (RFC 5322).
        let text = TEXT.replace('\n', "\r\n");
        assert!(
            m.body.contains(&text),
            "{backend:?}: the text, ZWNJ and all:\n{:?}",
            m.body
        );
        assert!(m.body.contains(&format!("Name:     {NAME}")));
        assert!(m.body.contains(&format!("Email:    {READER}")));
        assert!(m.body.contains("Language: fa"));
        assert!(listing.contains("1 message(s)"), "{listing}");
    }
}

#[tokio::test]
async fn with_content_none_no_text_name_or_address_leaves_the_site() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _pg) = database(backend, &dir).await;
        let smtp = SmtpServer::start("accept");
        let server = site(&db, &smtp.url(), &["--notify-content", "none"]);
        assert_eq!(send(&server, NAME, TEXT).await, 303);
        let m = &smtp.wait_for(1).await[0];
        for private in [NAME, READER, "همبستگی"] {
            assert!(
                !m.raw.contains(private) && !m.body.contains(private),
                "{private}"
            );
            assert!(
                !m.headers.iter().any(|(_, v)| v.contains(private)),
                "{private}"
            );
        }
        assert!(m.header("Reply-To").is_empty(), "{backend:?}");
        assert!(m.body.contains("scdi-site messages list"), "{}", m.body);
    }
}

#[tokio::test]
async fn smtp_down_when_sent_then_delivered_once_when_it_is_up() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _pg) = database(backend, &dir).await;
        let port = free_port();
        let server = site(&db, &format!("smtp://127.0.0.1:{port}"), &[]);
        assert_eq!(
            send(&server, NAME, TEXT).await,
            303,
            "the reader never waits for mail"
        );
        // Pending, after a failed attempt (the row is pending from the start).
        let listing = listed(
            &db,
            "notification by email to organisers@example.org: pending (1 attempt(s); last:",
        )
        .await;
        assert_eq!(
            listing.matches("Connection refused").count(),
            1,
            "{backend:?}: the cause said once: {listing}"
        );
        let smtp = SmtpServer::start_on(port, "accept");
        smtp.wait_for(1).await;
        listed(&db, "notification by email to organisers@example.org: sent").await;
        let log = server.log_text();
        assert!(
            log.contains("notification sent notification=1 message_id=1 channel=\"email:organisers@example.org\""),
            "{backend:?}: every number labelled:\n{log}"
        );
        // Sent is recorded, so nothing more comes.
        let states = settled(&db).await;
        assert_eq!(states.len(), 1);
        assert!(states[0].attempts >= 2, "{states:?}: failed, then sent");
        assert_eq!(smtp.mail().len(), 1, "{backend:?}: delivered once");
    }
}

#[tokio::test]
async fn a_permanent_refusal_is_failed_and_shown_in_messages_list() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _pg) = database(backend, &dir).await;
        let smtp = SmtpServer::start("reject");
        let server = site(&db, &smtp.url(), &[]);
        assert_eq!(send(&server, NAME, TEXT).await, 303);
        let listing = listed(
            &db,
            "notification by email to organisers@example.org: failed",
        )
        .await;
        assert!(
            listing.contains("550"),
            "{backend:?}: the server's words:\n{listing}"
        );
        assert!(listing.contains("1 attempt(s)"), "{listing}");
        assert!(
            server.log_text().contains("ERROR"),
            "logged at ERROR:\n{}",
            server.log_text()
        );
    }
}

/// The site dies after the mail server took the message and before the site recorded it:
/// the next start sends it again, with the same Message-ID; never a third time.
#[tokio::test]
async fn killed_between_sending_and_marking_sends_at_most_twice_with_one_message_id() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _pg) = database(backend, &dir).await;
        let smtp = SmtpServer::start("slow-first");
        let mut first = site(&db, &smtp.url(), &[]);
        assert_eq!(send(&first, NAME, TEXT).await, 303);
        smtp.wait_for(1).await;
        first.signal("-KILL");
        first.child.wait().unwrap();
        let _second = site(&db, &smtp.url(), &[]);
        let mail = smtp.wait_for(2).await;
        listed(&db, "notification by email to organisers@example.org: sent").await;
        let states = settled(&db).await;
        assert_eq!(states.len(), 1, "{states:?}");
        assert_eq!(states[0].state, "sent");
        let mail_now = smtp.mail();
        assert_eq!(mail_now.len(), 2, "{backend:?}: at most twice");
        assert_eq!(mail[0].header("Message-ID"), mail[1].header("Message-ID"));
    }
}

/// Message numbers repeat (SQLite gives the newest number again after a delete; another
/// database starts again at 1); the ids notifications are named by never do.
#[tokio::test]
async fn message_ids_never_repeat_after_a_delete_or_in_another_database() {
    let smtp = SmtpServer::start("accept");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (db_a, _) = database(Backend::Sqlite, &a).await;
    let (db_b, _) = database(Backend::Sqlite, &b).await;
    let site_a = site(&db_a, &smtp.url(), &[]);
    assert_eq!(send(&site_a, NAME, TEXT).await, 303);
    smtp.wait_for(1).await;
    listed(
        &db_a,
        "notification by email to organisers@example.org: sent",
    )
    .await;
    // The organisers delete that message; the next one gets the same number.
    {
        use sqlx::{ConnectOptions, Connection};
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db_a)
            .connect()
            .await
            .unwrap();
        sqlx::query("DELETE FROM notifications")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("DELETE FROM messages")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    assert_eq!(send(&site_a, NAME, TEXT).await, 303);
    let site_b = site(&db_b, &smtp.url(), &[]);
    assert_eq!(send(&site_b, NAME, TEXT).await, 303);
    let mail = smtp.wait_for(3).await;
    assert!(
        mail.iter().all(|m| m.body.contains("Number:   1\r\n")),
        "each was message number 1"
    );
    let mut ids: Vec<&str> = mail.iter().map(|m| m.header("Message-ID")[0]).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "{ids:?}");
}

/// Two organisers, one of whose addresses the mail server refuses for good: the other still
/// gets every message; the refusal is the refused address's alone, logged at ERROR and
/// shown in `messages list`.
#[tokio::test]
async fn a_refused_organiser_address_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = database(Backend::Sqlite, &dir).await;
    let smtp = SmtpServer::start("refuse-some");
    let server = site(&db, &smtp.url(), &["--notify-email", "refused@example.org"]);
    assert_eq!(send(&server, NAME, TEXT).await, 303);
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail[0].rcpt_tos, ["organisers@example.org"]);
    let listing = listed(&db, "notification by email to refused@example.org: failed").await;
    assert!(listing.contains("550"), "{listing}");
    listed(&db, "notification by email to organisers@example.org: sent").await;
    assert!(server.log_text().contains("ERROR"), "{}", server.log_text());
}

/// CR and LF cannot reach the form's name (it refuses control characters); a name stored
/// with them anyway adds no header to the mail.
#[tokio::test]
async fn a_name_with_cr_lf_injects_no_header() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _pg) = database(backend, &dir).await;
        let smtp = SmtpServer::start("accept");
        let server = site(&db, &smtp.url(), &[]);
        assert_eq!(send(&server, "Eve\r\nBcc: x@example.org", "hi").await, 422);
        let store = Store::open(&db.parse().unwrap(), None).await.unwrap();
        store
            .insert(&NewMessage {
                name: "Eve\r\nBcc: spy@example.org\r\nX-Injected: yes",
                email: READER,
                body: "hello",
                locale: "en",
                notify: &["email"],
            })
            .await
            .unwrap();
        store.close().await;
        let m = &smtp.wait_for(1).await[0];
        assert!(m.header("Bcc").is_empty() && m.header("X-Injected").is_empty());
        assert_eq!(m.rcpt_tos, ["organisers@example.org"], "{backend:?}");
        assert_eq!(
            m.header("Subject"),
            ["Message from Eve Bcc: spy@example.org X-Injected: yes (en)"]
        );
        drop(server);
    }
}

/// A name made of an encoded word or bidi overrides reaches the subject as plain text (no
/// mail client decodes or reorders it); an internationalised domain is written in
/// Reply-To as ASCII, and a local part that is not ASCII is left out of it (it is in the
/// body), so the mail is never refused for raw UTF-8 in a header.
#[tokio::test]
async fn header_text_from_readers_is_inert_and_addresses_are_ascii() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = database(Backend::Sqlite, &dir).await;
    let smtp = SmtpServer::start("accept");
    let server = site(&db, &smtp.url(), &[]);
    let store = Store::open(&db.parse().unwrap(), None).await.unwrap();
    for (name, email) in [
        ("=?utf-8?q?Bcc=3A_x=40y.z?=", "reader@exämple.org"),
        ("Eve\u{202E}gnp.exe", "مریم@example.org"),
    ] {
        store
            .insert(&NewMessage {
                name,
                email,
                body: "hello",
                locale: "en",
                notify: &["email"],
            })
            .await
            .unwrap();
    }
    store.close().await;
    let mail = smtp.wait_for(2).await;
    let subjects: Vec<&str> = mail.iter().map(|m| m.header("Subject")[0]).collect();
    assert!(
        subjects
            .iter()
            .all(|s| !s.contains("Bcc:") && !s.contains('\u{202E}')),
        "{subjects:?}"
    );
    let first = mail.iter().find(|m| m.body.contains("exämple")).unwrap();
    assert_eq!(first.header("Reply-To"), ["reader@xn--exmple-cua.org"]);
    let second = mail
        .iter()
        .find(|m| m.body.contains("مریم@example.org"))
        .unwrap();
    assert!(second.header("Reply-To").is_empty());
    for m in &mail {
        let head = &m.raw[..m.raw.find("\r\n\r\n").unwrap()];
        assert!(head.is_ascii(), "{head}");
    }
    drop(server);
}

/// Two instances on one PostgreSQL, and a mail server that takes 1.5 s per mail (longer, in
/// all, than a claim's lease): each notification is claimed by one of them, when its send
/// starts, and sent once (before: 20 messages gave 32 mails).
#[tokio::test]
async fn two_instances_and_a_slow_mail_server_send_each_notification_once() {
    let db = TestDatabase::new().await;
    let smtp = SmtpServer::start("slow");
    // A claim lasts 6 s: a send of 1.5 s fits with room for a loaded machine; a batch of
    // sends one after another (as before) does not.
    let timeout = ["--notify-timeout-secs", "3"];
    let a = site(&db.url, &smtp.url(), &timeout);
    let b = site(&db.url, &smtp.url(), &timeout);
    for i in 0..20 {
        let server = if i % 2 == 0 { &a } else { &b };
        assert_eq!(send(server, &format!("Reader {i}"), TEXT).await, 303);
    }
    smtp.wait_for(20).await;
    // Sent is recorded for each, after one attempt: nothing more comes.
    let deadline = Instant::now() + Duration::from_secs(30);
    while list(&db.url)
        .matches("notification by email to organisers@example.org: sent")
        .count()
        < 20
    {
        assert!(Instant::now() < deadline, "{}", list(&db.url));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let states = settled(&db.url).await;
    assert_eq!(states.len(), 20);
    assert!(states.iter().all(|n| n.attempts == 1), "{states:#?}");
    let mut ids: Vec<String> = smtp
        .mail()
        .iter()
        .map(|m| m.header("Message-ID")[0].to_string())
        .collect();
    assert_eq!(ids.len(), 20, "one mail per message");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "no notification sent twice");
}

/// An instance with no notification settings (a maintenance instance, a deploy missing its
/// environment file) on the same database leaves the others' notifications alone: it says
/// at startup that they wait, and the instance that sends email sends them.
#[tokio::test]
async fn an_instance_without_channels_leaves_the_notifications_to_one_that_has_them() {
    let db = TestDatabase::new().await;
    let store = Store::open(&db.url.parse().unwrap(), None).await.unwrap();
    store
        .insert(&NewMessage {
            name: NAME,
            email: READER,
            body: TEXT,
            locale: "fa",
            notify: &["email:organisers@example.org"],
        })
        .await
        .unwrap();
    store.close().await;
    let bare = Server::start(&db.url, &[]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !bare.log_text().contains("notifications wait on a channel") {
        assert!(Instant::now() < deadline, "{}", bare.log_text());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let waiting = states(&db.url).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        (waiting[0].state.as_str(), waiting[0].attempts),
        ("pending", 0),
        "left alone: {waiting:?}"
    );
    let smtp = SmtpServer::start("accept");
    let _sender = site(&db.url, &smtp.url(), &[]);
    smtp.wait_for(1).await;
    listed(
        &db.url,
        "notification by email to organisers@example.org: sent",
    )
    .await;
    let states = settled(&db.url).await;
    assert_eq!(states[0].attempts, 1, "{states:?}");
    drop(bare);
}

/// A mail server that never answers does not hold up the webhook: each channel has its own
/// worker.
#[tokio::test]
async fn a_mail_server_that_never_answers_does_not_hold_up_the_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite3").display().to_string();
    // A listener that accepts connections and never says a word: every mail times out.
    let tarpit = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let tarpit_url = format!("smtp://{}", tarpit.local_addr().unwrap());
    let receiver = Receiver::start(&[]).await;
    let secret_file = dir.path().join("webhook-secret");
    std::fs::write(&secret_file, "a-long-random-secret-for-the-test\n").unwrap();
    let server = site(
        &db,
        &tarpit_url,
        &[
            "--notify-timeout-secs",
            "30",
            "--notify-webhook",
            &receiver.url,
            "--notify-webhook-secret-file",
            secret_file.to_str().unwrap(),
        ],
    );
    for i in 0..3 {
        assert_eq!(send(&server, &format!("Reader {i}"), TEXT).await, 303);
    }
    // All three webhooks arrive while the first mail still waits for its answer (30 s):
    // before, each waited behind the mail queued before it.
    receiver.wait_for(3).await;
    let states = states(&db).await;
    let emails: Vec<_> = states
        .iter()
        .filter(|n| n.channel.starts_with("email"))
        .collect();
    assert_eq!(emails.len(), 3);
    assert!(
        emails
            .iter()
            .all(|n| n.attempts == 0 && n.state == "pending"),
        "no mail attempt has ended yet: {states:#?}"
    );
    drop(tarpit);
}

#[tokio::test]
async fn the_webhook_is_signed_and_a_500_is_retried_until_it_is_taken() {
    for backend in Backend::BOTH {
        let dir = tempfile::tempdir().unwrap();
        let (db, _pg) = database(backend, &dir).await;
        let receiver = Receiver::start(&[500]).await;
        let secret = "a-long-random-secret-for-the-test";
        let secret_file = dir.path().join("webhook-secret");
        std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
        let server = Server::start(
            &db,
            &[
                "--contact-per-hour",
                "0",
                "--notify-webhook",
                &receiver.url,
                "--notify-webhook-secret-file",
                secret_file.to_str().unwrap(),
                "--notify-retry-secs",
                "1",
            ],
        );
        assert_eq!(send(&server, NAME, TEXT).await, 303);
        let got = receiver.wait_for(2).await;
        listed(&db, "notification by webhook: sent").await;
        let states = settled(&db).await;
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].attempts, 2, "{states:?}: a 500, then taken");
        assert_eq!(
            receiver.received().len(),
            2,
            "{backend:?}: a 500, then taken once"
        );
        // As a receiver checks it: the time is recent, and the MAC covers the time, the
        // delivery and the body, so none of them can be changed or a request replayed later.
        for (headers, body) in &got {
            let signature = headers["x-scdi-signature"].to_str().unwrap();
            let (time, v1) = signature
                .strip_prefix("t=")
                .and_then(|s| s.split_once(",v1="))
                .unwrap_or_else(|| panic!("{signature}"));
            let sent_at: u64 = time.parse().unwrap();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            assert!(now.abs_diff(sent_at) < 300, "{signature}");
            let delivery = headers["x-scdi-delivery"].to_str().unwrap();
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(format!("{time}.{delivery}.").as_bytes());
            mac.update(body);
            let hex: String = mac
                .finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(v1, hex);
            assert_eq!(headers["content-type"], "application/json");
        }
        assert_eq!(got[0].0["x-scdi-delivery"], got[1].0["x-scdi-delivery"]);
        let json: serde_json::Value = serde_json::from_slice(&got[1].1).unwrap();
        assert_eq!(json["id"], 1);
        assert_eq!(json["locale"], "fa");
        assert_eq!(json["name"], NAME);
        assert_eq!(json["email"], READER);
        assert_eq!(json["message"], TEXT);
        assert!(json["time"].as_str().unwrap().ends_with('Z'));
    }
}

// Two threads: the receiver answers while the test waits for the command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_test_reports_each_channel_and_the_servers_words() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("webhook-secret");
    std::fs::write(&secret_file, "a-long-random-secret-for-the-test").unwrap();
    let run = |smtp: &SmtpServer, hook: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_scdi-site"))
            .args([
                "notify",
                "test",
                "--notify-email",
                "organisers@example.org",
                "--notify-from",
                "website@example.org",
                "--smtp-url",
                &smtp.url(),
                "--notify-webhook",
                // A token in the query, as some receivers take one: never shown.
                &format!("{hook}?token=s3cret-token"),
                "--notify-webhook-secret-file",
                secret_file.to_str().unwrap(),
            ])
            .current_dir(crate::common::repo_root())
            .output()
            .unwrap()
    };
    let (smtp, hook) = (SmtpServer::start("accept"), Receiver::start(&[]).await);
    let out = run(&smtp, &hook.url);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("email to organisers@example.org via 127.0.0.1: sent"),
        "{said}"
    );
    let origin = hook.url.trim_end_matches("/hook");
    assert!(said.contains(&format!("webhook {origin}: sent")), "{said}");
    assert!(
        !said.contains("s3cret-token") && !said.contains("/hook"),
        "{said}"
    );
    assert_eq!(smtp.wait_for(1).await.len(), 1);
    assert_eq!(hook.received().len(), 1);

    let (refusing, gone) = (SmtpServer::start("reject"), Receiver::start(&[404]).await);
    let out = run(&refusing, &gone.url);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        said.contains("email to organisers@example.org via 127.0.0.1: refused")
            && said.contains("550"),
        "{said}"
    );
    assert!(
        said.contains("refused: the webhook answered 404 Not Found"),
        "{said}"
    );

    // Nobody listens: the error says what failed, never the URL's path or token.
    let closed = format!("http://127.0.0.1:{}/hook", free_port());
    let out = run(&refusing, &closed);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("not sent"), "{said}");
    assert!(
        !said.contains("s3cret-token") && !said.contains("/hook"),
        "{said}"
    );
}

#[test]
fn unencrypted_mail_to_another_host_is_refused_at_startup() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args([
            "serve",
            "--notify-email",
            "organisers@example.org",
            "--notify-from",
            "website@example.org",
            "--smtp-url",
            "smtp://mail.example.org:25",
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(said.contains("unencrypted"), "{said}");
}

/// Under systemd, secrets come from `LoadCredential=` (`$CREDENTIALS_DIRECTORY`), files
/// only the service's user can read; a webhook without any secret is refused at startup.
#[tokio::test]
async fn the_webhook_secret_comes_from_systemds_credentials() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite3");
    let receiver = Receiver::start(&[]).await;
    let args = ["--notify-webhook", receiver.url.as_str()];
    let refused = Server::try_start(&db, &args, &["env", "-u", "CREDENTIALS_DIRECTORY"])
        .err()
        .expect("a webhook without a secret is refused");
    assert!(
        refused.contains("--notify-webhook-secret-file"),
        "{refused}"
    );
    let credentials = dir.path().join("credentials");
    std::fs::create_dir(&credentials).unwrap();
    let secret = credentials.join("webhook-secret");
    std::fs::write(&secret, "a-long-random-secret-for-the-test\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let env = format!("CREDENTIALS_DIRECTORY={}", credentials.display());
    let server = Server::try_start(&db, &args, &["env", &env]).unwrap();
    assert_eq!(send(&server, NAME, TEXT).await, 303);
    let got = receiver.wait_for(1).await;
    assert!(got[0].0.contains_key("x-scdi-signature"));
}
