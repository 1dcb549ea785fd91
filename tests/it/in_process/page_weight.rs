//! Bytes on the wire for a first visit (HTML + CSS + fonts, brotli), per page: the budget
//! is 20 KB for English pages and 30 KB for Persian ones, fonts included (cut down to the
//! characters of `fonts/unicodes.txt`). Run with `--nocapture` to see the figures (they are
//! in the README).

use std::collections::BTreeSet;

use crate::common::{TestApp, PAGES};

const EN_BUDGET: usize = 20_000;
const FA_BUDGET: usize = 30_000;

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

/// The ranges of `fonts/unicodes.txt`, which `scripts/subset-fonts` cut the font to.
fn subset() -> Vec<String> {
    let text =
        std::fs::read_to_string(crate::common::repo_root().join("fonts/unicodes.txt")).unwrap();
    text.lines()
        .map(|l| l.split('#').next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether `c` is in one of `ranges` (`U+XXXX` or `U+XXXX-YYYY`).
fn covered(ranges: &[String], c: char) -> bool {
    ranges.iter().any(|r| {
        let hex = |h: &str| u32::from_str_radix(h.trim_start_matches("U+"), 16).unwrap();
        let (lo, hi) = r
            .split_once('-')
            .map_or_else(|| (hex(r), hex(r)), |(a, b)| (hex(a), hex(b)));
        (lo..=hi).contains(&(c as u32))
    })
}

/// Every character an Arabic-script language's messages use is in the font's cut, but
/// ASCII and Latin letters (set in the system's font on purpose): a
/// translator who uses a new letter or sign is told here to add it and run
/// `scripts/subset-fonts`.
#[test]
fn the_cut_font_has_every_character_of_the_arabic_script_languages() {
    let ranges = subset();
    let locales = crate::common::repo_root().join("locales");
    let mut missing = BTreeSet::new();
    for lang in ["fa"] {
        for entry in std::fs::read_dir(locales.join(lang)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "ftl") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
                let value = line.split_once('=').map_or(line, |(_, v)| v);
                for c in value.chars() {
                    // ASCII and Latin letters are set in the system's font on purpose (names,
                    // addresses; the typography check flags Latin punctuation in Persian).
                    let latin = c.is_ascii() || (c <= '\u{24f}' && c.is_alphabetic());
                    if !latin && !covered(&ranges, c) {
                        missing.insert(format!("U+{:04X} {c}", c as u32));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add to fonts/unicodes.txt, then run scripts/subset-fonts: {missing:?}"
    );
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
        // The characters the font was cut down to, no more: text outside them is set in
        // the system's font, never in a blank from a font that lacks it.
        let range = face.split("unicode-range:").nth(1).expect("unicode-range");
        let range = range.split(';').next().unwrap().trim();
        assert_eq!(range, subset().join(", "), "{face}");
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
