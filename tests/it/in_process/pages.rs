//! Every page in every language: status, language and direction, alternates, switcher;
//! error pages; and redirects that can only ever point inside the site.

use crate::common::{attr_of, TestApp, PAGES};

const BASE: &str = "http://127.0.0.1:3000";

#[tokio::test]
async fn every_page_in_both_languages() {
    let app = TestApp::new().await;
    for (lang, dir, other) in [("en", "ltr", "fa"), ("fa", "rtl", "en")] {
        for page in PAGES {
            let uri = format!("/{lang}/{page}");
            let res = app.get(&uri).await;
            assert_eq!(res.status, 200, "{uri}");
            assert_eq!(res.header("content-language"), Some(lang), "{uri}");
            assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
            let html = &res.body;
            assert!(html.starts_with("<!doctype html>"), "{uri}");
            assert!(
                html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
                "{uri}"
            );
            assert!(html.contains(&format!(
                "<link rel=\"canonical\" href=\"{BASE}/{lang}/{page}\">"
            )));
            for alt in ["en", "fa"] {
                let link = format!(
                    "<link rel=\"alternate\" hreflang=\"{alt}\" href=\"{BASE}/{alt}/{page}\">"
                );
                assert!(html.contains(&link), "{uri} lacks {link}");
            }
            let x_default =
                format!("<link rel=\"alternate\" hreflang=\"x-default\" href=\"{BASE}/{page}\">");
            assert!(html.contains(&x_default), "{uri}");
            // The switcher goes to the same page in the other language.
            let switch = if page.is_empty() {
                format!("/lang/{other}")
            } else {
                format!("/lang/{other}/{page}")
            };
            assert_eq!(
                attr_of(html, &format!("hreflang=\"{other}\" dir="), "href"),
                Some(switch.as_str())
            );
            let res = app.get(&switch).await;
            assert_eq!(res.location(), Some(format!("/{other}/{page}").as_str()));
            // Landmarks, skip link, a title and a description on every page.
            for needle in [
                "<header",
                "<nav",
                "<main id=\"main\"",
                "<footer",
                "class=\"skip-link\" href=\"#main\"",
                "<meta name=\"description\" content=\"",
            ] {
                assert!(html.contains(needle), "{uri} lacks {needle}");
            }
            let title = &html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()];
            assert!(!title.trim().is_empty(), "{uri}");
        }
    }
}

#[tokio::test]
async fn english_pages_carry_the_campaign_text() {
    let app = TestApp::new().await;
    let home = app.get("/en/").await.body;
    assert!(home.contains("“Women, Life, Freedom”"));
    assert!(home
        .contains("Mahsa Jina Amini in the custody of the Islamic Republic’s “Morality Police”"));
    let platform = app.get("/en/platform").await.body;
    assert!(platform.contains("The freedom of LGBTQ+ people to flourish"));
    assert!(!platform.contains("LBGTQ"), "the typo is fixed");
    let list = &platform[platform.find("<ol class=\"commitments\">").unwrap()..];
    let list = &list[..list.find("</ol>").unwrap()];
    assert_eq!(list.matches("<li>").count(), 7, "seven commitments");
    let people = app.get("/en/people").await.body;
    for name in [
        "Mike Phipps",
        "Hosnieh Djafari-Marbini",
        "Mahmood Delkhasteh",
        "Aghileh Djafari-Marbini",
    ] {
        assert!(people.contains(&format!(">{name}</h2>")), "{name}");
    }
    assert!(app
        .get("/en/contact/thanks")
        .await
        .body
        .contains("Thanks for submitting!"));
}

#[tokio::test]
async fn persian_pages_are_persian() {
    let app = TestApp::new().await;
    let home = app.get("/fa/").await.body;
    assert!(home.contains("«زن، زندگی، آزادی»"));
    assert!(home.contains("مهسا ژینا امینی"));
    assert!(home.contains("می\u{200c}کنیم"), "ZWNJ in می‌کنیم");
    let thanks = app.get("/fa/contact/thanks").await.body;
    assert!(thanks.contains("از پیام شما سپاسگزاریم!"));
    for page in PAGES {
        let body = app.get(&format!("/fa/{page}")).await.body;
        assert!(
            !body.contains('\u{064A}') && !body.contains('\u{0643}'),
            "Arabic yeh/kaf on /fa/{page}"
        );
        assert!(
            !body.contains('\u{2068}'),
            "no Fluent isolation marks on /fa/{page}"
        );
    }
}

#[tokio::test]
async fn unknown_paths_get_a_localized_404() {
    let app = TestApp::new().await;
    let en = app.get("/en/no-such-page").await;
    assert_eq!(en.status, 404);
    assert!(
        en.body.contains("<html lang=\"en\" dir=\"ltr\">") && en.body.contains("Page not found")
    );
    let fa = app.get("/fa/no-such-page").await;
    assert_eq!(fa.status, 404);
    assert_eq!(fa.header("content-language"), Some("fa"));
    assert!(
        fa.body.contains("<html lang=\"fa\" dir=\"rtl\">") && fa.body.contains("صفحه پیدا نشد")
    );
    // The reader is on no page of the menu: none is marked as where they are.
    for page in [&en, &fa] {
        assert!(!page.body.contains("aria-current"), "{}", page.body);
    }
    assert!(app.get("/fa/").await.body.contains("aria-current=\"page\""));
    // Without a language in the path, the negotiated one.
    let neg = app
        .get_with("/nowhere", &[("accept-language", "fa-IR")])
        .await;
    assert_eq!(neg.status, 404);
    assert!(neg.body.contains("صفحه پیدا نشد"));
    let unknown_lang = app.get_with("/de/", &[("accept-language", "en")]).await;
    assert_eq!(unknown_lang.status, 404);
    assert!(unknown_lang.body.contains("Page not found"));
    // Missing static files too.
    let stat = app.get("/static/nothing.css").await;
    assert_eq!(stat.status, 404);
    assert!(stat.body.contains("Page not found"));
    // Error pages are not to be indexed and do not leak internals.
    assert!(en
        .body
        .contains("<meta name=\"robots\" content=\"noindex\">"));
}

#[tokio::test]
async fn wrong_method_is_a_localized_405() {
    let app = TestApp::new().await;
    let res = app
        .post_with("/fa/platform", "", &[("sec-fetch-site", "same-origin")])
        .await;
    assert_eq!(res.status, 405);
    assert!(res.body.contains("مجاز نیست"));
}

#[tokio::test]
async fn language_prefix_without_slash_redirects() {
    let app = TestApp::new().await;
    let res = app.get("/fa").await;
    assert_eq!(res.status, 308);
    assert_eq!(res.location(), Some("/fa/"));
}

#[tokio::test]
async fn static_files_are_served_and_confined() {
    let app = TestApp::new().await;
    let css = app.get("/static/site.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    let font = app.get("/static/fonts/Vazirmatn-NL-Regular.woff2").await;
    assert_eq!(font.status, 200);
    for path in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/..%2fCargo.toml",
        "/static/%2e%2e%2fsrc%2fmain.rs",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, 404, "{path}");
        assert!(!res.body.contains("[package]"), "{path}");
    }
}

#[tokio::test]
async fn redirects_never_leave_the_site() {
    let app = TestApp::new().await;
    for path in [
        "/lang/fa//evil.example",
        "/lang/fa/%2F%2Fevil.example",
        "/lang/fa/%5Cevil.example",
        "/lang/fa/\\evil.example",
        "/lang/fa/https:%2F%2Fevil.example",
        "/lang/en/..%2F..%2Fevil",
    ] {
        let res = app.get(path).await;
        if let Some(loc) = res.location() {
            assert!(
                loc.starts_with('/') && !loc.starts_with("//") && !loc.starts_with("/\\"),
                "{path} -> {loc}"
            );
            assert!(["/fa/", "/en/"].contains(&loc), "{path} -> {loc}");
        } else {
            assert_eq!(res.status, 404, "{path}");
        }
    }
    // Paths that look like other hosts never redirect there.
    for path in [
        "//evil.example",
        "//evil.example/",
        "/\\evil.example",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
    ] {
        let res = app.get(path).await;
        if let Some(loc) = res.location() {
            assert!(
                loc.starts_with('/') && !loc.starts_with("//") && !loc.contains('\\'),
                "{path} -> {loc}"
            );
        }
    }
    // The switcher only knows real languages.
    assert_eq!(app.get("/lang/de/platform").await.status, 404);
}

#[tokio::test]
async fn head_requests_get_headers_only() {
    let app = TestApp::new().await;
    let req = axum::http::Request::head("/fa/")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = app.request(req).await;
    assert_eq!(res.status, 200);
    assert!(res.bytes.is_empty());
    assert_eq!(res.header("content-language"), Some("fa"));
}
