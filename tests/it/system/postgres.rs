//! Several instances on one PostgreSQL: migrations run once however many start together, the
//! contact limit is shared and survives restarts, and a database that goes away and comes
//! back costs submissions only while it is away (each told plainly), with no restart.

use std::{collections::BTreeSet, time::Duration};

use scdi_site::{config::Database, store::Store};
use sqlx::{Connection, PgConnection};

use crate::common::{
    form_body, names_stored_in,
    postgres::{TestCluster, TestDatabase},
    server::{form_post, raw, Server},
};

fn message(name: &str) -> String {
    form_body(&[
        ("name", name),
        ("email", "reader@example.org"),
        ("message", "همبستگی با مبارزات مردم ایران"),
    ])
}

/// The migration folders of both dialects hold the same migrations, version for version.
#[test]
fn both_dialects_have_the_same_migrations() {
    let names = |dialect: &str| -> Vec<String> {
        let mut names: Vec<_> =
            std::fs::read_dir(crate::common::repo_root().join("migrations").join(dialect))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
        names.sort();
        names
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(names("sqlite").len() >= 2);
}

/// Ten instances starting at once on a new database: all come up, and each migration is
/// applied once (sqlx holds a PostgreSQL advisory lock while it migrates).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_instances_starting_together_migrate_once() {
    let db = TestDatabase::new().await;
    let target = Database::Postgres(db.url.clone());
    let opens: Vec<_> = (0..10)
        .map(|_| {
            let target = target.clone();
            tokio::spawn(async move { Store::open(&target, None).await })
        })
        .collect();
    for open in opens {
        open.await
            .unwrap()
            .expect("every instance comes up")
            .close()
            .await;
    }
    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    let applied: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT version, count(*) FROM _sqlx_migrations GROUP BY version ORDER BY version",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let migrations = std::fs::read_dir(crate::common::repo_root().join("migrations/postgres"))
        .unwrap()
        .count() as i64;
    let once: Vec<(i64, i64)> = (1..=migrations).map(|v| (v, 1)).collect();
    assert_eq!(applied, once);
}

/// Two instances on one database, one client sending to each in turn: the burst and the
/// hourly limit hold across both, and a restarted instance still knows them; the database
/// holds no address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contact_limit_is_shared_by_instances_and_survives_a_restart() {
    let db = TestDatabase::new().await;
    // A burst of 2, then 2 an hour: a third message waits about half an hour.
    let args = ["--contact-per-hour", "2", "--contact-burst", "2"];
    let a = Server::start(&db.url, &args);
    let b = Server::start(&db.url, &args);
    let send = |server: &Server, name: &str| {
        let (addr, body) = (server.addr.clone(), message(name));
        async move { raw(&addr, &form_post("/en/contact", &body)).await.unwrap() }
    };
    assert_eq!(send(&a, "one").await.status, 303);
    assert_eq!(send(&b, "two").await.status, 303);
    for server in [&a, &b] {
        let limited = send(server, "three").await;
        assert_eq!(limited.status, 429);
        let retry: u64 = limited
            .head
            .lines()
            .find_map(|l| l.strip_prefix("retry-after: "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (1000..=1800).contains(&retry),
            "about half an hour: {retry}"
        );
    }
    drop(a);
    let a = Server::start(&db.url, &args);
    assert_eq!(
        send(&a, "four").await.status,
        429,
        "a restart does not reset it"
    );

    let names = names_stored_in(&Database::Postgres(db.url.clone())).await;
    assert_eq!(names, ["one", "two"]);

    // The shared buckets are named by a code many addresses share, never the address.
    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    let clients: Vec<String> = sqlx::query_scalar("SELECT client FROM rate_limits")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    assert_eq!(clients.len(), 1, "{clients:?}");
    assert!(
        clients[0].len() == 4 && clients[0].bytes().all(|b| b.is_ascii_hexdigit()),
        "not an address: {clients:?}"
    );
}

/// PostgreSQL restarts under a running site: while it is down every submission gets the
/// failure page with its text, and once it is back they are stored again, with no restart of
/// the site; sent again, each is stored once. Every message answered 303 is in the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_fail_cleanly_while_postgres_is_down_and_succeed_after() {
    let cluster = TestCluster::start();
    let server = Server::start(cluster.url(), &["--contact-per-hour", "0"]);
    let mut acknowledged = BTreeSet::new();
    let send = |name: String| {
        let addr = server.addr.clone();
        async move {
            let res = raw(&addr, &form_post("/fa/contact", &message(&name)))
                .await
                .unwrap();
            (name, res)
        }
    };
    let (name, res) = send("before".into()).await;
    assert_eq!(res.status, 303);
    acknowledged.insert(name);

    cluster.down();
    for i in 0..3 {
        let (name, res) = send(format!("while down {i}")).await;
        assert_eq!(res.status, 503, "{name}");
        let page = String::from_utf8(res.body).unwrap();
        assert!(
            page.contains("پیام شما فرستاده نشد") && page.contains(&name),
            "{page}"
        );
    }

    cluster.up();
    // The pool reconnects by itself: within a few seconds, messages are stored again.
    let started = std::time::Instant::now();
    loop {
        let (name, res) = send(format!("after {}", started.elapsed().as_millis())).await;
        match res.status {
            303 => {
                acknowledged.insert(name);
                break;
            }
            503 => assert!(
                started.elapsed() < Duration::from_secs(20),
                "not back in 20 s"
            ),
            status => panic!("unexpected {status}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for i in 0..3 {
        let (name, res) = send(format!("later {i}")).await;
        assert_eq!(res.status, 303);
        acknowledged.insert(name);
    }
    // Readers told their message may not have been sent send it again, as the page says is
    // safe; so does one who was thanked: each message is stored once.
    for name in ["while down 0", "while down 1", "while down 2", "before"] {
        let (name, res) = send(name.into()).await;
        assert_eq!(res.status, 303, "{name}");
        acknowledged.insert(name);
    }
    let log = server.log_text();
    assert!(log.contains("message not stored"), "the outage was logged");
    assert!(log.contains("message sent again"), "{log}");

    let stored = names_stored_in(&Database::Postgres(cluster.url())).await;
    let once: BTreeSet<_> = stored.iter().cloned().collect();
    assert_eq!(once.len(), stored.len(), "none twice: {stored:?}");
    assert_eq!(once, acknowledged);
}

/// The messages table locked (a long migration, an organiser's stray transaction): a
/// submission gives up well inside the request's deadline and the reader gets the failure
/// page with their text and `Retry-After`, not the request timeout's page that drops it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_table_gets_the_failure_page_with_the_text_within_the_deadline() {
    let db = TestDatabase::new().await;
    let server = Server::start(
        &db.url,
        &["--contact-per-hour", "0", "--request-timeout-secs", "4"],
    );
    let mut locker = PgConnection::connect(&db.url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut locker).await.unwrap();
    sqlx::query("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
        .execute(&mut locker)
        .await
        .unwrap();
    let res = raw(
        &server.addr,
        &form_post("/fa/contact", &message("locked out")),
    )
    .await
    .unwrap();
    sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
    assert_eq!(res.status, 503, "{}", res.head);
    assert!(
        res.head.to_ascii_lowercase().contains("retry-after"),
        "{}",
        res.head
    );
    let page = String::from_utf8(res.body).unwrap();
    assert!(
        page.contains("پیام شما فرستاده نشد") && page.contains("locked out"),
        "{page}"
    );
    // Once the lock is gone, the same server stores again.
    let res = raw(&server.addr, &form_post("/fa/contact", &message("after")))
        .await
        .unwrap();
    assert_eq!(res.status, 303);
}
