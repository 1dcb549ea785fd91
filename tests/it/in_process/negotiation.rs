//! Which language a reader lands on: `Accept-Language` (q-weighted), the remembered choice,
//! and the default.

use crate::common::TestApp;
use scdi_site::i18n::negotiate::{parse_accept_language, Range};

/// (Accept-Language, expected language)
const MATRIX: &[(Option<&str>, &str)] = &[
    (None, "en"),
    (Some(""), "en"),
    (Some("fa"), "fa"),
    (Some("fa-IR"), "fa"),
    (Some("FA-ir"), "fa"),
    (Some("fa-AF,en;q=0.5"), "fa"),
    (Some("en-GB,en;q=0.9"), "en"),
    (Some("en;q=0.1, fa;q=0.9"), "fa"),
    (Some("fa;q=0, en;q=0.1"), "en"),
    (Some("fa;q=0"), "en"),
    (Some("de-DE,de;q=0.9,fa;q=0.8,en;q=0.7"), "fa"),
    (Some("de, fr"), "en"),
    (Some("*"), "en"),
    (Some("de, *;q=0.5"), "en"),
    (Some("en;q=0, *"), "fa"),
    (Some("pes"), "fa"),
    (Some("prs-AF"), "fa"),
    (Some("fa;q=abc, en;q=0.5"), "en"),
    (Some("fa;q=1.5, en;q=0.5"), "en"),
    (Some(";;;,,, fa ,"), "fa"),
    (Some("x-klingon-!!!, fa;q=0.3"), "fa"),
    (Some("ar, fa;q=0.2, en;q=0.1"), "fa"),
];

#[tokio::test]
async fn root_redirect_follows_accept_language_matrix() {
    let app = TestApp::new().await;
    for (header, expected) in MATRIX {
        let headers: Vec<(&str, &str)> =
            header.map(|h| ("accept-language", h)).into_iter().collect();
        let res = app.get_with("/", &headers).await;
        assert!(
            matches!(res.status.as_u16(), 302 | 307),
            "status for {header:?}: {}",
            res.status
        );
        assert_eq!(
            res.location(),
            Some(format!("/{expected}/").as_str()),
            "for {header:?}"
        );
        assert_eq!(res.header("vary"), Some("Accept-Language, Cookie"));
    }
}

#[tokio::test]
async fn bare_page_paths_redirect_to_the_same_page() {
    let app = TestApp::new().await;
    for (path, fa) in [
        ("/platform", "/fa/platform"),
        ("/people", "/fa/people"),
        ("/contact", "/fa/contact"),
        ("/contact/thanks", "/fa/contact/thanks"),
    ] {
        let res = app
            .get_with(path, &[("accept-language", "fa-IR,fa;q=0.9")])
            .await;
        assert_eq!(res.location(), Some(fa), "{path}");
        let res = app.get(path).await;
        assert_eq!(res.location(), Some(format!("/en{path}").as_str()));
    }
}

#[tokio::test]
async fn remembered_choice_beats_accept_language() {
    let app = TestApp::new().await;
    // Following the switcher from an English page remembers Persian...
    let res = app
        .get_with("/lang/fa/platform", &[("accept-language", "en")])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), Some("/fa/platform"));
    let cookie = res.header("set-cookie").expect("a cookie").to_string();
    assert!(cookie.starts_with("lang=fa;"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/")
    );

    // ...so `/` goes to Persian although the browser prefers English.
    let res = app
        .get_with(
            "/",
            &[("accept-language", "en-GB,en"), ("cookie", "lang=fa")],
        )
        .await;
    assert_eq!(res.location(), Some("/fa/"));
    // And back: choosing English wins over a Persian browser.
    let res = app
        .get_with(
            "/people",
            &[("accept-language", "fa"), ("cookie", "theme=x; lang=en")],
        )
        .await;
    assert_eq!(res.location(), Some("/en/people"));
    // A cookie naming no supported language is ignored.
    let res = app
        .get_with("/", &[("accept-language", "fa"), ("cookie", "lang=xx")])
        .await;
    assert_eq!(res.location(), Some("/fa/"));
}

#[test]
fn q_values_order_and_exclude_ranges() {
    let (ranges, refused) = parse_accept_language("en;q=0.1, fa;q=0.9, de;q=0, *;q=0.05");
    let tags: Vec<String> = ranges
        .iter()
        .map(|r| match r {
            Range::Tag(t) => t.to_string(),
            Range::Any => "*".into(),
        })
        .collect();
    assert_eq!(tags, ["fa", "en", "*"]);
    assert_eq!(refused, [Range::Tag("de".parse().unwrap())]);
}

#[test]
fn a_huge_header_is_bounded() {
    let huge = "de;q=0.5,".repeat(200_000) + "fa";
    let (ranges, _) = parse_accept_language(&huge);
    assert!(ranges.len() <= scdi_site::i18n::negotiate::MAX_RANGES);
    // `fa` is far past the bound, so it is not seen.
    assert!(!ranges.contains(&Range::Tag("fa".parse().unwrap())));
}
