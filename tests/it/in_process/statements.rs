//! Statements: the example statements of `tests/fixtures/content` (made up for the tests)
//! listed, shown, dated in each reader's calendar, fed and found; and a site with none has
//! no trace of them.

use std::{fmt::Write as _, fs, path::Path};

use scdi_site::mirror::{export, ExportOptions};

use crate::common::{attr_of, repo_root, TestApp};

fn fixtures() -> std::path::PathBuf {
    repo_root().join("tests/fixtures/content")
}

/// The app publishing the example statements.
async fn with_statements() -> TestApp {
    TestApp::with_config(|c| c.sources.content_dir = fixtures()).await
}

/// Writes statement `slug` in `lang` into the content folder `dir`.
fn write_statement(dir: &Path, slug: &str, lang: &str, front: &str, body: &str) {
    let folder = dir.join("statements").join(slug);
    fs::create_dir_all(&folder).unwrap();
    fs::write(
        folder.join(format!("{lang}.md")),
        format!("+++\n{front}\n+++\n{body}\n"),
    )
    .unwrap();
}

/// The `href` of every `<link rel="alternate" hreflang=...>` in a page, by hreflang.
fn hreflangs(page: &str) -> Vec<(String, String)> {
    page.lines()
        .filter(|l| l.starts_with("<link rel=\"alternate\" hreflang="))
        .map(|l| {
            (
                attr_of(l, "rel=", "hreflang").unwrap().to_string(),
                attr_of(l, "rel=", "href").unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn dates_are_in_the_readers_calendar_and_raw_html_is_text() {
    let app = with_statements().await;
    let fa = app.get("/fa/statements/stop-the-executions").await;
    assert_eq!(fa.status, 200);
    assert!(
        fa.body
            .contains(r#"<time datetime="2022-09-16">۲۵ شهریور ۱۴۰۱</time>"#),
        "the Solar Hijri date, Persian digits and month: {}",
        fa.body
    );
    let en = app.get("/en/statements/stop-the-executions").await;
    assert!(en
        .body
        .contains(r#"<time datetime="2022-09-16">16 September 2022</time>"#));
    assert!(
        en.body.contains("&lt;script&gt;alert(") && !en.body.contains("<script"),
        "raw HTML is shown as text, never run"
    );
    // Markdown's headings sit below the statement's title; tables and footnotes work.
    assert!(en.body.contains("<h3>What we ask</h3>") && en.body.contains("<table>"));
    assert!(en.body.contains("footnote-definition"));
    // Open Graph says it is an article and when it was published.
    assert!(en
        .body
        .contains(r#"<meta property="og:type" content="article">"#));
    assert!(en
        .body
        .contains(r#"<meta property="article:published_time" content="2022-09-16">"#));
    let updated = app.get("/en/statements/general-strike").await.body;
    assert!(updated.contains(r#"<meta property="article:modified_time" content="2024-03-09">"#));
}

#[tokio::test]
async fn images_have_hashed_urls_their_size_and_load_lazily() {
    let app = with_statements().await;
    let page = app.get("/fa/statements/stop-the-executions").await.body;
    let img = &page[page.find("<img ").expect("the image")..];
    let src = attr_of(img, "img src", "src").unwrap();
    assert!(
        src.starts_with("/static/statements/stop-the-executions/banner.") && src.ends_with(".png"),
        "{src}"
    );
    assert_eq!(attr_of(img, "img src", "alt"), Some("پرچمی سرخ"));
    assert_eq!(attr_of(img, "img src", "width"), Some("40"));
    assert_eq!(attr_of(img, "img src", "height"), Some("20"));
    assert_eq!(attr_of(img, "img src", "loading"), Some("lazy"));
    let file = app.get(src).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("image/png"));
    assert!(file.header("cache-control").unwrap().contains("immutable"));
}

#[tokio::test]
async fn the_listing_is_newest_first_and_marks_what_is_in_another_language() {
    let app = with_statements().await;
    let fa = app.get("/fa/statements/").await;
    assert_eq!(fa.status, 200);
    let order: Vec<usize> = [
        "/fa/statements/general-strike",
        "/en/statements/english-only",
        "/fa/statements/stop-the-executions",
        "/fa/statements/persian-only",
    ]
    .iter()
    .map(|href| fa.body.find(&format!("href=\"{href}\"")).expect(href))
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "newest first: {order:?}"
    );
    // The English-only statement: its own title, marked as English, and the note.
    let item = &fa.body[order[1]..order[2]];
    assert!(
        item.contains(r#"lang="en" dir="ltr""#)
            && item.contains("Example: a statement in English only"),
        "{item}"
    );
    assert!(item.contains("(فقط به انگلیسی)"), "{item}");
    let en = app.get("/en/statements/").await.body;
    assert!(en.contains(r#"href="/fa/statements/persian-only" lang="fa" dir="rtl""#));
    assert!(en.contains("(in Persian only)"));
}

#[tokio::test]
async fn the_listing_has_twenty_a_page() {
    let dir = tempfile::tempdir().unwrap();
    for day in 1..=25 {
        write_statement(
            dir.path(),
            &format!("day-{day:02}"),
            "en",
            &format!("title = \"Day {day}\"\ndate = 2025-01-{day:02}"),
            "Text.",
        );
    }
    let content = dir.path().to_path_buf();
    let app = TestApp::with_config(|c| c.sources.content_dir = content).await;
    let first = app.get("/en/statements/").await.body;
    let titles = |page: &str| -> Vec<String> {
        page.match_indices("/en/statements/day-")
            .map(|(at, _)| page[at + 19..at + 21].to_string())
            .collect()
    };
    let expected: Vec<String> = (6..=25).rev().map(|d| format!("{d:02}")).collect();
    assert_eq!(titles(&first), expected, "the 20 newest, newest first");
    assert!(first.contains(r#"href="/en/statements/page/2/" rel="next""#));
    assert!(first.contains("Page 1 of 2"));
    let second = app.get("/en/statements/page/2/").await;
    assert_eq!(second.status, 200);
    assert_eq!(titles(&second.body), ["05", "04", "03", "02", "01"]);
    assert!(second.body.contains(r#"href="/en/statements/" rel="prev""#));
    assert!(!second.body.contains("rel=\"next\""));
    assert_eq!(app.get("/en/statements/page/3/").await.status, 404);
    // A Persian reader sees the same pages, the numbers in Persian.
    assert!(app
        .get("/fa/statements/page/2/")
        .await
        .body
        .contains("صفحهٔ ۲ از ۲"));
}

#[tokio::test]
async fn hreflang_links_join_existing_translations_only() {
    let app = with_statements().await;
    let both = app.get("/en/statements/stop-the-executions").await.body;
    let langs: Vec<String> = hreflangs(&both).into_iter().map(|(l, _)| l).collect();
    assert_eq!(langs, ["en", "fa", "x-default"]);
    let one = app.get("/en/statements/english-only").await.body;
    let alternates = hreflangs(&one);
    assert_eq!(
        alternates
            .iter()
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>(),
        ["en", "x-default"],
        "no Persian page to point to"
    );
    assert!(!one.contains("og:locale:alternate"));
    // The switcher goes to the Persian list rather than a page that does not exist.
    assert!(one.contains(r#"href="/lang/fa/statements/""#), "{one}");
    let switched = app.get("/lang/fa/statements/english-only").await;
    assert_eq!(switched.location(), Some("/fa/statements/"));
    let switched = app.get("/lang/fa/statements/stop-the-executions").await;
    assert_eq!(
        switched.location(),
        Some("/fa/statements/stop-the-executions")
    );
}

#[tokio::test]
async fn a_statement_missing_in_a_language_redirects_to_one_it_has() {
    let app = with_statements().await;
    let res = app.get("/fa/statements/english-only").await;
    assert_eq!(res.status, 307);
    assert_eq!(res.location(), Some("/en/statements/english-only"));
    let res = app
        .get_with(
            "/statements/stop-the-executions",
            &[("accept-language", "fa")],
        )
        .await;
    assert_eq!(res.location(), Some("/fa/statements/stop-the-executions"));
    assert_eq!(res.header("vary"), Some("Accept-Language, Cookie"));
    let res = app
        .get_with("/statements/persian-only", &[("accept-language", "en")])
        .await;
    assert_eq!(res.location(), Some("/fa/statements/persian-only"));
    assert_eq!(
        app.get("/en/statements/no-such-statement").await.status,
        404
    );
    assert_eq!(app.get("/statements/no-such-statement").await.status, 404);
    assert_eq!(
        app.get("/en/statements").await.location(),
        Some("/en/statements/")
    );
}

#[tokio::test]
async fn the_home_page_shows_the_three_newest_in_the_readers_language() {
    let app = with_statements().await;
    let en = app.get("/en/").await.body;
    let latest = &en[en.find("class=\"latest\"").expect("the latest statements")..];
    let shown: Vec<&str> = ["general-strike", "english-only", "stop-the-executions"]
        .into_iter()
        .filter(|s| latest.contains(&format!("/en/statements/{s}\"")))
        .collect();
    assert_eq!(shown.len(), 3, "{latest}");
    let fa = app.get("/fa/").await.body;
    assert!(
        fa.contains("/fa/statements/persian-only\""),
        "Persian's three"
    );
    assert!(!fa.contains("english-only"), "only statements in Persian");
    assert!(fa.contains("۱۸ اسفند ۱۴۰۲"));
}

#[tokio::test]
async fn with_no_statements_there_is_no_trace_of_them() {
    let app = TestApp::new().await;
    for page in ["/en/", "/fa/platform", "/fa/contact"] {
        let body = app.get(page).await.body;
        assert!(!body.contains("statements"), "{page}: {body}");
        assert!(!body.contains("application/atom+xml"), "{page}");
    }
    for path in ["/en/statements/", "/fa/statements/feed.xml", "/statements/"] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn the_feed_is_valid_linked_compressed_and_revalidated() {
    // Statement pages and feeds are compressed once the site has started (not to hold the
    // start up): as readers get them a moment after it.
    let app = with_statements().await.fully_compressed().await;
    for lang in ["en", "fa"] {
        let page = app.get(&format!("/{lang}/platform")).await.body;
        let link = format!(
            r#"<link rel="alternate" type="application/atom+xml" hreflang="{lang}" title="#
        );
        assert!(page.contains(&link), "{lang}: linked from every page");
        let feed = app
            .get_with(
                &format!("/{lang}/statements/feed.xml"),
                &[("accept-encoding", "br")],
            )
            .await;
        assert_eq!(feed.status, 200);
        assert!(feed
            .header("content-type")
            .unwrap()
            .starts_with("application/atom+xml"));
        assert_eq!(feed.header("content-encoding"), Some("br"));
        let etag = feed.header("etag").unwrap().to_string();
        let again = app
            .get_with(
                &format!("/{lang}/statements/feed.xml"),
                &[("if-none-match", &etag)],
            )
            .await;
        assert_eq!(again.status, 304);
        let xml = app.get(&format!("/{lang}/statements/feed.xml")).await.body;
        let parsed = feedparser(&xml);
        assert!(parsed.starts_with("bozo=0\n"), "{lang}: {parsed}\n{xml}");
        assert!(parsed.contains(&format!("lang={lang}\n")), "{parsed}");
        let entries = parsed.matches("\nentry ").count();
        assert_eq!(entries, 3, "{lang}: the statements in {lang}: {parsed}");
        // Absolute links, stable ids, the full text as HTML.
        assert!(parsed.contains(&format!(
            "entry http://127.0.0.1:3000/{lang}/statements/stop-the-executions http://127.0.0.1:3000/{lang}/statements/stop-the-executions 2022-09-16T00:00:00Z"
        )), "{parsed}");
        assert!(xml.contains(
            "&lt;img src=&quot;http://127.0.0.1:3000/static/statements/stop-the-executions/banner."
        ));
    }
}

/// What Python's feedparser (as feed readers read feeds) makes of `xml`: `bozo`, the
/// language, then one line per entry (id, link, published).
fn feedparser(xml: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    fs::write(&path, xml).unwrap();
    let script = r#"
import sys, feedparser
d = feedparser.parse(sys.argv[1])
print(f"bozo={int(d.bozo)}", d.get("bozo_exception", ""))
print(f"lang={d.feed.get('language')}")
for e in d.entries:
    print("entry", e.id, e.link, e.published)
"#;
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .expect("Python's feedparser (scripts/test installs python3-feedparser)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = String::from_utf8(out.stdout).unwrap();
    // "bozo=0 " with an empty exception: one line.
    text = text.replacen("bozo=0 \n", "bozo=0\n", 1);
    text
}

#[tokio::test]
async fn the_sitemap_lists_statements_with_their_translations() {
    let app = with_statements().await;
    let xml = app.get("/sitemap.xml").await.body;
    for url in [
        "http://127.0.0.1:3000/en/statements/",
        "http://127.0.0.1:3000/fa/statements/",
        "http://127.0.0.1:3000/en/statements/stop-the-executions",
        "http://127.0.0.1:3000/fa/statements/stop-the-executions",
        "http://127.0.0.1:3000/en/statements/english-only",
        "http://127.0.0.1:3000/fa/statements/persian-only",
    ] {
        assert!(xml.contains(&format!("<loc>{url}</loc>")), "{url}");
    }
    assert!(!xml.contains("<loc>http://127.0.0.1:3000/fa/statements/english-only</loc>"));
    let entry = &xml[xml
        .find("<loc>http://127.0.0.1:3000/en/statements/english-only</loc>")
        .unwrap()..];
    let entry = &entry[..entry.find("</url>").unwrap()];
    assert!(!entry.contains("hreflang=\"fa\""), "{entry}");
}

#[test]
fn the_export_writes_statements_listings_and_feeds_for_the_mirror() {
    let out = tempfile::tempdir().unwrap();
    let mut sources = scdi_site::config::SiteSources::rooted(repo_root());
    sources.content_dir = fixtures();
    export(
        &sources,
        &ExportOptions {
            out: out.path().to_path_buf(),
            base_url: "https://user.github.io/scdi".parse().unwrap(),
            form_action: "https://live.example.org".parse().unwrap(),
            canonical_url: "https://live.example.org".parse().unwrap(),
            mirrors: vec![],
            onion_url: None,
            privacy: crate::common::privacy_with(|_| {}),
            force: false,
        },
    )
    .unwrap();
    let read = |p: &str| fs::read_to_string(out.path().join(p)).unwrap_or_else(|_| panic!("{p}"));
    let listing = read("fa/statements/index.html");
    assert!(
        listing.contains(r#"href="../../en/statements/english-only/index.html""#),
        "{listing}"
    );
    let statement = read("fa/statements/stop-the-executions/index.html");
    assert!(statement.contains(r#"src="../../../static/statements/stop-the-executions/banner."#));
    assert!(
        statement.contains(r#"href="https://live.example.org/fa/statements/stop-the-executions""#),
        "canonical: the live site"
    );
    let feed = read("fa/statements/feed.xml");
    assert!(
        feed.contains(r#"href="https://user.github.io/scdi/fa/statements/stop-the-executions/""#),
        "links to the mirror"
    );
    assert!(
        feed.contains("<id>https://live.example.org/fa/statements/stop-the-executions</id>"),
        "ids as on every copy"
    );
    assert!(feedparser(&feed).starts_with("bozo=0\n"));
    let sitemap = read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://user.github.io/scdi/en/statements/english-only/</loc>"));
    let home = read("en/index.html");
    assert!(
        home.contains(r#"href="../en/statements/feed.xml""#)
            || home.contains(r#"href="statements/feed.xml""#),
        "{home}"
    );
    let mut listed = String::new();
    for e in walkdir::WalkDir::new(out.path().join("en/statements")) {
        let _ = writeln!(listed, "{}", e.unwrap().path().display());
    }
    assert!(
        listed.contains("en/statements/general-strike/index.html"),
        "{listed}"
    );
}

/// In watch mode an organiser's new statement shows at once, and a mistake in one is said
/// in the log and by the check while the rest keeps serving.
#[tokio::test]
async fn watch_mode_publishes_a_new_statement_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().to_path_buf();
    let app = TestApp::with_config(|c| {
        c.sources.content_dir = content.clone();
        c.watch = true;
    })
    .await;
    assert_eq!(app.get("/en/statements/").await.status, 404);
    write_statement(
        dir.path(),
        "a-new-one",
        "en",
        "title = \"A new one\"\ndate = 2026-11-30",
        "Its text.",
    );
    let listing = app.get("/en/statements/").await;
    assert_eq!(listing.status, 200);
    assert!(listing.body.contains("A new one"));
    assert!(app
        .get("/en/")
        .await
        .body
        .contains("/en/statements/a-new-one"));
    write_statement(dir.path(), "broken", "en", "title = \"No date\"", "Text.");
    let listing = app.get("/en/statements/").await;
    assert!(listing.body.contains("A new one"));
    assert!(!listing.body.contains("/en/statements/broken"), "left out");
    // The banner names the file and the problem, on the pages it shows on.
    for page in ["/en/", "/en/statements/", "/en/statements/a-new-one"] {
        let body = app.get(page).await.body;
        assert!(
            body.contains("class=\"reload-error\"") && body.contains("broken/en.md:"),
            "{page}: {body}"
        );
    }
}
