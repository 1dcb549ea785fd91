//! `/healthz` (the process serves) and `/readyz` (the store answers) for load balancers and
//! process managers: plain text, never cached, not localized, not in the sitemap, not
//! logged per request.

use std::time::Duration;

use crate::common::{Backend, TestApp};

#[tokio::test]
async fn health_and_readiness_in_plain_text_on_both_stores() {
    for backend in Backend::BOTH {
        let app = TestApp::on(backend).await;
        for (path, body) in [("/healthz", "ok\n"), ("/readyz", "ready\n")] {
            let res = app.get_with(path, &[("accept-language", "fa")]).await;
            assert_eq!(res.status, 200, "{backend:?} {path}");
            assert_eq!(res.body, body);
            assert_eq!(
                res.header("content-type"),
                Some("text/plain; charset=utf-8")
            );
            assert_eq!(res.header("cache-control"), Some("no-store"));
            assert_eq!(res.header("content-language"), None, "not localized");
        }
        let sitemap = app.get("/sitemap.xml").await.body;
        assert!(!sitemap.contains("healthz") && !sitemap.contains("readyz"));
    }
}

/// When the database is gone, `/readyz` says so at once, in plain text, while `/healthz`
/// (the process) is still fine.
#[tokio::test]
async fn readiness_follows_the_database() {
    let app = TestApp::on(Backend::Postgres).await;
    assert_eq!(app.get("/readyz").await.status, 200);
    app.state.store.close().await;
    let started = std::time::Instant::now();
    let res = app.get("/readyz").await;
    assert_eq!(res.status, 503);
    assert!(res.body.starts_with("not ready"), "{}", res.body);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(app.get("/healthz").await.status, 200);
}

/// A database that answers reads but holds writes up (the messages table locked by a
/// migration or a stray transaction) is not ready: no message could be stored now.
#[tokio::test]
async fn readiness_tests_the_write_path() {
    use sqlx::{Connection, PgConnection};
    let app = TestApp::on(Backend::Postgres).await;
    assert_eq!(app.get("/readyz").await.status, 200);
    let scdi_site::config::Database::Postgres(url) = app.state.config.db.clone() else {
        unreachable!("on PostgreSQL")
    };
    let mut locker = PgConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut locker).await.unwrap();
    sqlx::query("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
        .execute(&mut locker)
        .await
        .unwrap();
    let res = app.get("/readyz").await;
    sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(res.body.contains("holds writes up"), "{}", res.body);
    assert_eq!(app.get("/readyz").await.status, 200, "ready again");
}
