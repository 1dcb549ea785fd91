//! Bytes on the wire for a first visit (HTML + CSS + fonts, brotli), per page: the budget
//! is 20 KB for English pages and 60 KB for Persian ones, font included. Run with
//! `--nocapture` to see the figures (they are in the README).

use std::collections::BTreeSet;

use crate::common::TestApp;

const EN_BUDGET: usize = 20_000;
const FA_BUDGET: usize = 60_000;
const PAGES: [&str; 5] = ["", "platform", "people", "contact", "contact/thanks"];

/// `url("...")` targets in a stylesheet.
/// The stylesheet's `url()`s, as paths from the host's root (they are relative to
/// `/static/`, where the stylesheet is).
fn urls(css: &str) -> Vec<String> {
    css.split("url(\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|u| format!("/static/{u}"))
        .collect()
}

async fn brotli_len(app: &TestApp, path: &str) -> usize {
    let res = app.get_with(path, &[("accept-encoding", "br")]).await;
    assert_eq!(res.status, 200, "{path}");
    res.bytes.len()
}

#[tokio::test]
async fn first_visits_fit_the_budget() {
    let app = TestApp::new().await.fully_compressed().await;
    let mut rows = vec![];
    for lang in ["en", "fa"] {
        for page in PAGES {
            let path = format!("/{lang}/{page}");
            let html = app.get(&path).await.body;
            let html_bytes = brotli_len(&app, &path).await;
            let css_url = crate::common::attr_of(&html, "rel=\"stylesheet\"", "href").unwrap();
            let css_bytes = brotli_len(&app, css_url).await;
            let css = app.get(css_url).await.body;
            // The Persian font only applies to Arabic-script pages (checked below), so only
            // Persian pages fetch it; headings are bold, so both weights.
            let mut font_bytes = 0;
            if lang == "fa" {
                for font in urls(&css).iter().filter(|u| u.ends_with(".woff2")) {
                    font_bytes += brotli_len(&app, font).await;
                }
            }
            let total = html_bytes + css_bytes + font_bytes;
            let budget = if lang == "en" { EN_BUDGET } else { FA_BUDGET };
            assert!(total <= budget, "{path}: {total} bytes > {budget}");
            rows.push((path, html_bytes, css_bytes, font_bytes, total));
        }
    }
    println!("| Page | HTML | CSS | Fonts | Total (brotli) |\n|---|---|---|---|---|");
    for (path, html, css, fonts, total) in rows {
        println!("| `{path}` | {html} | {css} | {fonts} | {total} |");
    }
}

#[tokio::test]
/// The font never moves text that is already shown (`optional`: a page that painted before
/// the font arrived keeps its system font), and only Arabic-script pages ask for it.
async fn the_persian_font_never_moves_text_and_is_confined_to_arabic_script() {
    let app = TestApp::new().await;
    let css = app.get("/static/site.css").await.body;
    let faces: Vec<&str> = css
        .split("@font-face")
        .skip(1)
        .map(|s| &s[..s.find('}').unwrap()])
        .collect();
    let weights: BTreeSet<&str> = faces
        .iter()
        .filter_map(|f| f.split("font-weight:").nth(1))
        .map(|w| w.split(';').next().unwrap().trim())
        .collect();
    assert!(
        !faces.is_empty() && weights.len() <= 2,
        "weights: {weights:?}"
    );
    for face in &faces {
        assert!(face.contains("font-display: optional"), "{face}");
        // Arabic-script ranges only: Latin text never triggers the download.
        let range = face.split("unicode-range:").nth(1).expect("unicode-range");
        assert!(range.contains("U+0600-06FF") && !range.contains("U+0000"));
    }
    // Outside @font-face, the family is only named in rules for Arabic-script pages.
    for rule in css.split('}').filter(|r| !r.contains("@font-face")) {
        if let Some((selector, body)) = rule.split_once('{') {
            if body.contains("Vazirmatn") {
                assert!(selector.contains("[data-script=\"Arab\"]"), "{selector}");
            }
        }
    }
    // Persian pages ask for both weights at once; English pages never do.
    let fa = app.get("/fa/").await.body;
    let preloads = fa.matches("rel=\"preload\"").count();
    assert_eq!(preloads, 2, "{fa}");
    for url in urls(&css).iter().filter(|u| u.ends_with(".woff2")) {
        assert!(
            fa.contains(&format!(
                "<link rel=\"preload\" href=\"{url}\" as=\"font\" type=\"font/woff2\" crossorigin>"
            )),
            "{url}"
        );
    }
    assert!(!app.get("/en/").await.body.contains("rel=\"preload\""));
}
