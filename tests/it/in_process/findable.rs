//! Findable and shareable: sitemap with hreflang alternates, robots.txt, Open Graph and
//! Twitter cards, favicon and share image, all on the configured public base URL.

use crate::common::{TestApp, PAGES};

const BASE: &str = "https://scdi.example.org";

async fn app() -> TestApp {
    TestApp::with_config(|c| c.base_url = BASE.parse().unwrap()).await
}

#[tokio::test]
async fn sitemap_lists_every_page_with_alternates() {
    let app = app().await;
    let res = app.get("/sitemap.xml").await;
    assert_eq!(res.status, 200);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("application/xml"));
    let xml = &res.body;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    assert_eq!(xml.matches("<url>").count(), PAGES.len() * 2);
    for page in PAGES {
        for lang in ["en", "fa"] {
            let loc = format!("<loc>{BASE}/{lang}/{page}</loc>");
            let start = xml.find(&loc).unwrap_or_else(|| panic!("{loc}"));
            let entry = &xml[start..start + xml[start..].find("</url>").unwrap()];
            for alt in ["en", "fa"] {
                assert!(entry.contains(&format!("<xhtml:link rel=\"alternate\" hreflang=\"{alt}\" href=\"{BASE}/{alt}/{page}\"/>")), "{entry}");
            }
            assert!(entry.contains(&format!("hreflang=\"x-default\" href=\"{BASE}/{page}\"")));
        }
    }
}

#[tokio::test]
async fn robots_points_at_the_sitemap() {
    let app = app().await;
    let res = app.get("/robots.txt").await;
    assert_eq!(res.status, 200);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    assert!(res.body.contains("User-agent: *"));
    assert!(res.body.contains(&format!("Sitemap: {BASE}/sitemap.xml")));
}

fn meta<'a>(html: &'a str, key: &str) -> Vec<&'a str> {
    let mut out = vec![];
    for (i, _) in html.match_indices(&format!("=\"{key}\" content=\"")) {
        let rest = &html[i + key.len() + 13..];
        out.push(&rest[..rest.find('"').unwrap()]);
    }
    out
}

#[tokio::test]
async fn open_graph_and_twitter_cards_per_page_and_language() {
    let app = app().await;
    for (lang, og_locale, other) in [("en", "en_GB", "fa_IR"), ("fa", "fa_IR", "en_GB")] {
        for page in PAGES {
            let html = app.get(&format!("/{lang}/{page}")).await.body;
            let title = &html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()];
            assert_eq!(meta(&html, "og:title"), [title]);
            assert_eq!(meta(&html, "twitter:title"), [title]);
            assert_eq!(
                meta(&html, "og:url"),
                [format!("{BASE}/{lang}/{page}").as_str()]
            );
            assert_eq!(meta(&html, "og:locale"), [og_locale]);
            assert_eq!(meta(&html, "og:locale:alternate"), [other]);
            assert_eq!(meta(&html, "og:type"), ["website"]);
            assert_eq!(
                meta(&html, "og:image"),
                [format!("{BASE}/static/share.png").as_str()]
            );
            assert_eq!(meta(&html, "twitter:card"), ["summary_large_image"]);
            let description = meta(&html, "og:description");
            assert_eq!(description.len(), 1);
            assert!(!description[0].is_empty());
            assert_eq!(meta(&html, "description"), description);
            assert_eq!(meta(&html, "og:image:alt").len(), 1);
            assert!(html.contains("<link rel=\"canonical\" href=\"https://scdi.example.org/"));
        }
    }
    let fa = app.get("/fa/").await.body;
    assert_eq!(
        meta(&fa, "og:site_name"),
        ["کارزار سوسیالیستی برای دموکراسی در ایران"]
    );
}

#[tokio::test]
async fn favicon_and_share_image_are_served() {
    let app = app().await;
    let png = app.get("/static/share.png").await;
    assert_eq!(png.status, 200);
    assert_eq!(&png.bytes[..8], b"\x89PNG\r\n\x1a\n");
    // PNG header: width and height, big-endian, after the IHDR tag.
    let width = u32::from_be_bytes(png.bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png.bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1200, 630));
    let svg = app.get("/static/favicon.svg").await;
    assert_eq!(svg.status, 200);
    assert!(svg
        .header("content-type")
        .unwrap()
        .starts_with("image/svg+xml"));
    let page = app.get("/en/").await.body;
    let icon = crate::common::attr_of(&page, "rel=\"icon\"", "href").unwrap();
    assert!(
        icon.starts_with("/static/favicon.") && icon.ends_with(".svg"),
        "{icon}"
    );
    assert_eq!(app.get(icon).await.status, 200);
    assert_eq!(
        app.get("/favicon.ico").await.location(),
        Some("/static/favicon.svg")
    );
}

/// `--base-url` is normalised once at startup: a trailing slash, an upper-case host or a
/// default port never shows up in canonical, hreflang, Open Graph or sitemap URLs.
#[tokio::test]
async fn the_base_url_is_normalised() {
    let app = TestApp::with_config(|c| {
        c.base_url = "HTTPS://SCDI.Example.org:443/".parse().unwrap();
    })
    .await;
    for uri in ["/en/", "/fa/platform", "/sitemap.xml", "/robots.txt"] {
        let body = app.get(uri).await.body;
        assert!(body.contains(BASE), "{uri}");
        assert!(
            !body.contains("org//") && !body.contains(":443"),
            "{uri}: {body}"
        );
    }
    let home = app.get("/fa/people").await.body;
    assert!(home.contains(&format!(
        "<link rel=\"canonical\" href=\"{BASE}/fa/people\">"
    )));
    assert!(home.contains(&format!(
        "<meta property=\"og:url\" content=\"{BASE}/fa/people\">"
    )));
}
