//! Pages and static files come from memory: precompressed (brotli, gzip), with `ETag` and
//! `304 Not Modified`, content-hashed asset URLs cached for a year, and `Vary` right.

use std::io::Read;

use crate::common::{request, TestApp};
use axum::{
    body::{Body, HttpBody},
    http::Method,
};
use tower::ServiceExt;

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

fn ungzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// The hashed URL of the stylesheet a page links to.
fn stylesheet(html: &str) -> String {
    crate::common::attr_of(html, "rel=\"stylesheet\"", "href")
        .expect("a stylesheet link")
        .to_string()
}

#[tokio::test]
async fn pages_are_sent_in_the_coding_the_client_prefers() {
    let app = TestApp::new().await;
    for path in ["/en/", "/fa/", "/fa/platform", "/en/contact"] {
        let plain = app.get(path).await;
        assert_eq!(plain.status, 200);
        assert_eq!(plain.header("content-encoding"), None, "{path}");

        let br = app.get_with(path, &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(br.header("content-encoding"), Some("br"), "{path}");
        assert_eq!(unbrotli(&br.bytes), plain.bytes, "{path}: same page");
        assert!(
            br.bytes.len() * 2 < plain.bytes.len(),
            "{path}: brotli pays"
        );

        let gz = app
            .get_with(path, &[("accept-encoding", "gzip, br;q=0.5")])
            .await;
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(ungzip(&gz.bytes), plain.bytes, "{path}: same page");

        let refused = app
            .get_with(path, &[("accept-encoding", "br;q=0, gzip;q=0")])
            .await;
        assert_eq!(refused.header("content-encoding"), None, "{path}");

        for res in [&plain, &br, &gz] {
            assert_eq!(res.header("vary"), Some("Accept-Encoding"), "{path}");
            assert_eq!(res.header("cache-control"), Some("public, max-age=300"));
            assert_eq!(
                res.header("etag"),
                plain.header("etag"),
                "one ETag per page"
            );
        }
        assert_eq!(
            plain.header("content-language"),
            Some(&path[1..3]),
            "{path}"
        );
    }
}

#[tokio::test]
async fn compressed_bodies_are_made_ahead_not_per_request() {
    // A body compressed per request is a stream of unknown length; one made ahead is a
    // buffer whose exact length is known before it is sent.
    let app = TestApp::new().await;
    let html = app.get("/fa/").await.body;
    let known_length = |path: String| {
        let app = app.service.clone();
        async move {
            let req = request(
                Method::GET,
                &path,
                &[("accept-encoding", "br")],
                Body::empty(),
            );
            let res = app.oneshot(req).await.unwrap();
            assert_eq!(res.headers()["content-encoding"], "br", "{path}");
            res.body().size_hint().exact().is_some()
        }
    };
    assert!(known_length("/fa/".into()).await);
    assert!(known_length(stylesheet(&html)).await);
    // An error page is made per request, so it is compressed as it is sent.
    assert!(!known_length("/fa/nowhere".into()).await);
}

#[tokio::test]
async fn if_none_match_gets_304_without_a_body() {
    let app = TestApp::new().await;
    let html = app.get("/en/").await.body;
    for path in ["/en/".to_string(), "/fa/people".into(), stylesheet(&html)] {
        let first = app.get_with(&path, &[("accept-encoding", "br")]).await;
        let etag = first.header("etag").expect("an ETag").to_string();
        assert!(
            etag.starts_with("W/\""),
            "{path}: weak, as it spans codings"
        );

        for sent in [
            etag.clone(),
            etag.trim_start_matches("W/").to_string(),
            format!("\"other\", {etag}"),
            "*".to_string(),
        ] {
            let again = app.get_with(&path, &[("if-none-match", &sent)]).await;
            assert_eq!(again.status, 304, "{path} with {sent}");
            assert!(again.bytes.is_empty());
            assert_eq!(again.header("etag"), Some(etag.as_str()));
            assert!(again.header("cache-control").is_some());
        }
        let stale = app
            .get_with(&path, &[("if-none-match", "W/\"0000000000000000\"")])
            .await;
        assert_eq!(stale.status, 200, "{path}: another version gets the body");
    }
    // Each language is its own representation.
    let (en, fa) = (app.get("/en/").await, app.get("/fa/").await);
    assert_ne!(en.header("etag"), fa.header("etag"));
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_plain_ones_short_lived() {
    let app = TestApp::new().await;
    let html = app.get("/fa/").await.body;
    let css_url = stylesheet(&html);
    assert!(
        css_url.starts_with("/static/site.") && css_url.len() > "/static/site..css".len() + 8,
        "content-hashed: {css_url}"
    );
    let css = app.get_with(&css_url, &[("accept-encoding", "br")]).await;
    assert_eq!(css.status, 200);
    assert_eq!(
        css.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("content-encoding"), Some("br"));

    // The stylesheet points at the fonts' hashed URLs too (relative to itself, so that a
    // mirror under any path works), and fonts are never recompressed.
    let css_text = String::from_utf8(unbrotli(&css.bytes)).unwrap();
    let font = css_text
        .split("url(\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a font URL");
    assert!(font.starts_with("fonts/Vazirmatn-") && font.ends_with(".woff2"));
    let font = format!("/static/{font}");
    let woff2 = app
        .get_with(&font, &[("accept-encoding", "br, gzip")])
        .await;
    assert_eq!(woff2.status, 200, "{font}");
    assert_eq!(woff2.header("content-encoding"), None);
    assert_eq!(woff2.header("content-type"), Some("font/woff2"));
    assert_eq!(
        woff2.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );

    let plain = app.get("/static/site.css").await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("cache-control"), Some("public, max-age=3600"));

    // A hash that was never served is not found, and nothing leaves the manifest.
    for path in [
        "/static/site.0000000000.css",
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn head_is_get_without_the_body() {
    let app = TestApp::new().await;
    let head = |path: &'static str, headers: &'static [(&'static str, &'static str)]| {
        app.send(Method::HEAD, path, headers, Body::empty())
    };
    for (path, headers) in [
        ("/en/", &[("accept-encoding", "br")][..]),
        ("/fa/", &[][..]),
        ("/static/site.css", &[("accept-encoding", "gzip")][..]),
        ("/fa/nowhere", &[][..]),
        ("/", &[("accept-language", "fa")][..]),
    ] {
        let get = app.get_with(path, headers).await;
        let head = head(path, headers).await;
        assert_eq!(head.status, get.status, "{path}");
        assert!(head.bytes.is_empty(), "{path}");
        for name in [
            "etag",
            "content-encoding",
            "content-type",
            "content-language",
            "cache-control",
            "vary",
            "location",
        ] {
            assert_eq!(head.header(name), get.header(name), "{path}: {name}");
        }
        // What GET would send, or nothing: never a wrong length.
        let length = get.bytes.len().to_string();
        assert_eq!(
            head.header("content-length"),
            Some(length.as_str()),
            "{path}"
        );
    }
    // A conditional HEAD is a 304 like a conditional GET, with no length claimed.
    let etag = app.get("/en/").await.header("etag").unwrap().to_string();
    let conditional = [("if-none-match", etag.as_str())];
    let res = app
        .send(Method::HEAD, "/en/", &conditional, Body::empty())
        .await;
    assert_eq!(res.status, 304);
    assert_eq!(res.header("content-length"), None);
}

#[tokio::test]
async fn per_request_pages_are_not_stored_by_caches() {
    let app = TestApp::new().await;
    let invalid = app
        .post_form("/fa/contact", crate::common::form_body(&[("name", "")]))
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(invalid.header("cache-control"), Some("no-store"));
    assert_eq!(invalid.header("etag"), None);

    let missing = app.get("/fa/nowhere").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("cache-control"), Some("no-store"));

    // Redirects depend on the reader's languages and choice.
    let redirect = app.get_with("/", &[("accept-language", "fa")]).await;
    assert!(redirect.status.is_redirection());
    assert_eq!(redirect.header("vary"), Some("Accept-Language, Cookie"));
}

/// Compressing fully starts from the bytes in memory: every page and file keeps its content
/// and its ETag (so nothing a reader cached goes stale), and the brotli forms get smaller.
#[tokio::test]
async fn full_compression_keeps_content_and_etags() {
    let app = TestApp::new().await;
    let css = crate::common::attr_of(&app.get("/fa/").await.body, "rel=\"stylesheet\"", "href")
        .unwrap()
        .to_string();
    let paths = ["/en/", "/fa/", "/fa/platform", css.as_str()];
    let br = [("accept-encoding", "br")];
    let mut before = vec![];
    for path in paths {
        before.push(app.get_with(path, &br).await);
    }
    let app = app.fully_compressed().await;
    let mut smaller = 0;
    for (path, quick) in paths.iter().zip(before) {
        let full = app.get_with(path, &br).await;
        assert_eq!(full.header("etag"), quick.header("etag"), "{path}");
        assert_eq!(unbrotli(&full.bytes), unbrotli(&quick.bytes), "{path}");
        assert!(full.bytes.len() <= quick.bytes.len(), "{path}");
        smaller += usize::from(full.bytes.len() < quick.bytes.len());
    }
    assert!(smaller >= 2, "the pages got smaller");
}

/// A static file's path is percent-decoded, as the router's path parameters are: the fast
/// path and the handler behind the router answer it alike.
#[tokio::test]
async fn a_percent_encoded_static_path_names_the_same_file() {
    let app = TestApp::new().await;
    let plain = app.get("/static/site.css").await;
    let encoded = app.get("/static/site%2Ecss").await;
    assert_eq!(encoded.status, 200);
    assert_eq!(encoded.body, plain.body);
    assert_eq!(app.get("/static/site%2").await.status, 404);
}
