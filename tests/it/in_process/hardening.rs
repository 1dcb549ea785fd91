//! Hostile and unusual requests, in-process: security headers, bounds, rate limiting,
//! malformed paths and queries.

use std::time::Duration;

use crate::common::{form_body, TestApp};
use axum::{body::Body, http::Method};

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = TestApp::new().await;
    for uri in [
        "/fa/",
        "/en/contact",
        "/fa/missing",
        "/static/site.css",
        "/",
    ] {
        let res = app.get(uri).await;
        let csp = res
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{uri}"));
        for directive in [
            "default-src 'self'",
            "script-src 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{uri}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
        assert!(res
            .header("permissions-policy")
            .unwrap()
            .contains("camera=()"));
        assert_eq!(
            res.header("strict-transport-security"),
            None,
            "no HSTS over plain HTTP"
        );
    }
    let https = TestApp::with_config(|c| c.https = true).await;
    let res = https.get("/fa/").await;
    assert_eq!(
        res.header("strict-transport-security"),
        Some("max-age=86400; includeSubDomains"),
        "a day at first: a TLS mistake is not locked in for years"
    );
    let longer = TestApp::with_config(|c| {
        c.https = true;
        c.hsts_max_age_secs = 63_072_000;
    })
    .await;
    assert_eq!(
        longer.get("/fa/").await.header("strict-transport-security"),
        Some("max-age=63072000; includeSubDomains")
    );
    let cookie = https.get("/lang/fa").await;
    assert!(cookie.header("set-cookie").unwrap().contains("Secure"));
}

#[tokio::test]
async fn pages_stay_free_of_other_hosts_and_scripts() {
    let app = TestApp::new().await;
    for uri in [
        "/en/",
        "/fa/",
        "/en/platform",
        "/fa/people",
        "/fa/contact",
        "/en/contact/thanks",
    ] {
        let body = app.get(uri).await.body;
        assert!(!body.contains("<script"), "{uri}");
        for attr in ["src=\"", "href=\""] {
            for (i, _) in body.match_indices(attr) {
                let target = &body[i + attr.len()..];
                let target = &target[..target.find('"').unwrap()];
                // Only canonical/alternate links may be absolute (they name this site).
                assert!(
                    target.starts_with('/')
                        || target.starts_with('#')
                        || target.starts_with("http://127.0.0.1:3000/"),
                    "{uri}: {target}"
                );
                assert!(!target.starts_with("//"), "{uri}: {target}");
            }
        }
    }
}

/// A form POST from a client that sends no Fetch Metadata (a script, an old browser).
const FORM: &[(&str, &str)] = &[("content-type", "application/x-www-form-urlencoded")];

#[tokio::test]
async fn contact_rate_limit_per_client_with_retry_after() {
    let app = TestApp::with_config(|c| {
        c.handling.contact_per_hour = 60;
        c.handling.contact_burst = 2;
    })
    .await;
    // Each a message of its own (the same one sent again is thanked and stored once).
    let valid = |n: u32| {
        form_body(&[
            ("name", "A"),
            ("email", "a@example.org"),
            ("message", &format!("hi {n}")),
        ])
    };
    let invalid = form_body(&[("name", ""), ("email", "a@example.org"), ("message", "hi")]);
    let spam = form_body(&[
        ("name", "Bot"),
        ("email", "b@example.org"),
        ("message", "x"),
        ("website", "x"),
    ]);
    let me = app.as_client([192, 0, 2, 1]);
    // Mistakes and honeypot hits never count.
    for body in [&invalid, &invalid, &invalid, &spam, &spam] {
        let res = me.post_with("/fa/contact", body.clone(), FORM).await;
        assert!(matches!(res.status.as_u16(), 422 | 303));
    }
    for n in 0..2 {
        let res = me.post_with("/fa/contact", valid(n), FORM).await;
        assert_eq!(res.status, 303);
    }
    let limited = me.post_with("/fa/contact", valid(2), FORM).await;
    assert_eq!(limited.status, 429);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(limited.body.contains("تعداد پیام‌ها بیش از حد مجاز است"));
    // The form again, with everything the reader typed (readers behind one carrier-grade
    // NAT share an address: a limit must not cost them their text).
    assert!(limited.body.contains("value=\"A\""), "{}", limited.body);
    assert!(limited.body.contains("hi 2</textarea>"), "{}", limited.body);
    assert_eq!(limited.header("cache-control"), Some("no-store"));
    // Another reader is not affected; nothing limited was stored.
    let other = app.as_client([192, 0, 2, 2]);
    let res = other.post_with("/en/contact", valid(3), FORM).await;
    assert_eq!(res.status, 303);
    assert_eq!(app.state.store.list_since(None).await.unwrap().len(), 3);
}

/// A message that could not be stored does not use up the reader's allowance: sending it
/// again, once the store is back, is thanked, not refused as too many.
#[tokio::test]
async fn a_failed_save_does_not_count_against_the_limit() {
    let app = TestApp::with_config(|c| {
        c.handling.contact_per_hour = 1;
        c.handling.contact_burst = 1;
    })
    .await;
    let scdi_site::config::Database::File(db) = app.state.config.db.clone() else {
        unreachable!("the test app is on SQLite")
    };
    let aside = db.with_extension("aside");
    let me = app.as_client([192, 0, 2, 7]);
    let message = form_body(&[("name", "A"), ("email", "a@example.org"), ("message", "hi")]);
    std::fs::rename(&db, &aside).unwrap();
    let failed = me.post_with("/en/contact", message.clone(), FORM).await;
    assert_eq!(failed.status, 503, "{}", failed.body);
    std::fs::rename(&aside, &db).unwrap();
    let again = me.post_with("/en/contact", message, FORM).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(app.state.store.list_since(None).await.unwrap().len(), 1);
}

/// A valid message POSTed through a proxy at 10.0.0.1 that sends `header` with `values`,
/// one line each; the status of the answer.
async fn via_proxy(app: &TestApp, header: &str, values: &[&str]) -> u16 {
    let valid = form_body(&[("name", "A"), ("email", "a@example.org"), ("message", "hi")]);
    let mut headers = FORM.to_vec();
    headers.extend(values.iter().map(|v| (header, *v)));
    let proxy = app.as_client([10, 0, 0, 1]);
    let res = proxy.post_with("/en/contact", valid, &headers).await;
    res.status.as_u16()
}

#[tokio::test]
async fn trusted_proxy_header_only_when_configured() {
    // Without configuration the header is ignored: all share the proxy's socket address.
    let plain = TestApp::with_config(|c| {
        c.handling.contact_per_hour = 60;
        c.handling.contact_burst = 1;
    })
    .await;
    assert_eq!(via_proxy(&plain, "x-real-ip", &["198.51.100.1"]).await, 303);
    assert_eq!(via_proxy(&plain, "x-real-ip", &["198.51.100.2"]).await, 429);
    // Configured: each reader has their own allowance.
    let proxied = TestApp::with_config(|c| {
        c.handling.contact_per_hour = 60;
        c.handling.contact_burst = 1;
        c.client_ip_header = Some("x-real-ip".into());
    })
    .await;
    assert_eq!(
        via_proxy(&proxied, "x-real-ip", &["198.51.100.1"]).await,
        303
    );
    assert_eq!(
        via_proxy(&proxied, "x-real-ip", &["198.51.100.2"]).await,
        303
    );
    assert_eq!(
        via_proxy(&proxied, "x-real-ip", &["198.51.100.1"]).await,
        429
    );
}

#[tokio::test]
async fn streamed_oversized_body_is_a_localized_413() {
    let app = TestApp::new().await;
    let chunks = (0..100).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 1024]));
    let body = Body::from_stream(futures_stream(chunks));
    let res = app.post_with("/fa/contact", body, FORM).await;
    assert_eq!(res.status, 413);
    assert!(res.body.contains("حجم بیش از حد مجاز"));
}

fn futures_stream<I>(iter: I) -> impl futures_core::Stream<Item = I::Item>
where
    I: Iterator,
{
    tokio_stream::iter(iter)
}

#[tokio::test]
async fn a_body_that_never_finishes_times_out() {
    let app = TestApp::with_config(|c| c.request_timeout_secs = 1).await;
    let stream = tokio_stream::iter([Ok::<_, std::io::Error>(b"name=a".to_vec())])
        .chain(tokio_stream::pending());
    let sent = app.post_with("/en/contact", Body::from_stream(stream), FORM);
    let res = tokio::time::timeout(Duration::from_secs(10), sent)
        .await
        .expect("answered");
    assert_eq!(res.status, 408);
    assert!(res.body.contains("Request timed out"));
}

use tokio_stream::StreamExt as _;

#[tokio::test]
async fn long_uris_get_a_localized_414() {
    let app = TestApp::new().await;
    let res = app.get(&format!("/fa/{}", "a".repeat(3000))).await;
    assert_eq!(res.status, 414);
    assert!(res.body.contains("نشانی بیش از حد طولانی"));
    let res = app.get(&format!("/en/?q={}", "a".repeat(3000))).await;
    assert_eq!(res.status, 414);
}

#[tokio::test]
async fn odd_paths_and_queries_never_fail_the_server() {
    let app = TestApp::new().await;
    for (uri, expected) in [
        ("/fa/%FF", 404),
        ("/fa/%C3%28", 404),
        ("/%FF/", 404),
        ("/fa/%00", 404),
        ("/fa/?q=%FF%FE", 200),
        ("/fa/?%00=%00", 200),
        ("/fa/contact?name=%3Cscript%3E", 200),
        ("/static/%00", 404),
        ("/static/..%5c..%5cCargo.toml", 404),
        ("/static/%252e%252e/Cargo.toml", 404),
        ("/static/....//....//Cargo.toml", 404),
        ("/lang/fa/%00", 303),
        // Invalid UTF-8 in a path parameter is a bad request.
        ("/lang/%FF", 400),
    ] {
        let res = app.get(uri).await;
        assert_eq!(res.status, expected, "{uri}");
        assert!(!res.body.contains("[package]"));
        if expected >= 400 {
            assert!(res.body.contains("<html lang="), "{uri}: a localized page");
        }
        if let Some(loc) = res.location() {
            assert!(["/fa/", "/en/"].contains(&loc), "{uri} -> {loc}");
        }
    }
    // A NUL in a form field is refused with a field error, not stored.
    let res = app
        .post_form("/en/contact", "name=a%00b&email=a%40example.org&message=hi")
        .await;
    assert_eq!(res.status, 422);
    assert!(app.state.store.list_since(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_methods_are_405_everywhere() {
    let app = TestApp::new().await;
    for (method, uri) in [
        ("DELETE", "/fa/contact"),
        ("PUT", "/en/"),
        ("PATCH", "/fa/platform"),
        ("POST", "/en/contact/thanks"),
    ] {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let same_origin = [("sec-fetch-site", "same-origin")];
        let res = app
            .send(method.clone(), uri, &same_origin, Body::empty())
            .await;
        assert_eq!(res.status, 405, "{method} {uri}");
        assert!(res.header("allow").is_some());
        assert!(
            res.body.contains("<html lang="),
            "{method} {uri}: localized page"
        );
    }
}

/// Behind a trusted proxy the client's address is the value the proxy appended last; what
/// the client sent itself (earlier lines, earlier entries) is ignored, so it cannot choose
/// its own allowance.
#[tokio::test]
async fn trusted_proxy_header_uses_the_last_value_across_lines() {
    let app = TestApp::with_config(|c| {
        c.handling.contact_per_hour = 60;
        c.handling.contact_burst = 1;
        c.client_ip_header = Some("x-forwarded-for".into());
    })
    .await;
    let xff = "x-forwarded-for";
    // The client forges a first line each time; the proxy's last line names it.
    assert_eq!(
        via_proxy(&app, xff, &["1.1.1.1", "198.51.100.7"]).await,
        303
    );
    assert_eq!(
        via_proxy(&app, xff, &["2.2.2.2", "198.51.100.7"]).await,
        429
    );
    // The same in the comma-joined form.
    assert_eq!(via_proxy(&app, xff, &["3.3.3.3, 198.51.100.8"]).await, 303);
    assert_eq!(via_proxy(&app, xff, &["4.4.4.4, 198.51.100.8"]).await, 429);
    // A different last value is a different reader.
    assert_eq!(
        via_proxy(&app, xff, &["1.1.1.1", "198.51.100.9"]).await,
        303
    );
}

/// A `Cookie` header with bytes that are not ASCII (set by something else on the domain)
/// does not hide the reader's language choice.
#[tokio::test]
async fn language_choice_survives_a_cookie_header_with_other_bytes() {
    let app = TestApp::new().await;
    let headers = [
        ("accept-language", "en"),
        ("cookie", "tracker=\u{e9}t\u{e9}; lang=fa"),
    ];
    let res = app.get_with("/", &headers).await;
    assert_eq!(res.location(), Some("/fa/"));
}
