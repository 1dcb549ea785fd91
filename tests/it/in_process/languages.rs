//! Languages are data: a third language added with files alone, shown right-to-left, with
//! English fallback marked, offered only once complete enough; numbers and plurals per locale.

use std::{fs, path::Path};

use crate::common::{copy_locales, TestApp};
use fluent_bundle::{FluentArgs, FluentValue};
use scdi_site::i18n::Locales;

/// A partial Central Kurdish (Sorani, RTL) locale next to copies of en and fa.
fn locales_with_partial_ckb(dir: &Path) {
    copy_locales(dir);
    let toml = dir.join("languages.toml");
    let mut meta = fs::read_to_string(&toml).unwrap();
    meta.push_str("\n[ckb]\nname = \"کوردی\"\n");
    fs::write(&toml, meta).unwrap();
    fs::create_dir(dir.join("ckb")).unwrap();
    fs::write(
        dir.join("ckb/shared.ftl"),
        "-site-name = کەمپەینی سۆسیالیستی بۆ دیموکراسی لە ئێران\n\
         site-title = { -site-name }\n\
         nav-home = سەرەکی\n\
         nav-contact = پەیوەندی\n\
         skip-link = بازدان بۆ ناوەڕۆکی سەرەکی\n",
    )
    .unwrap();
}

#[tokio::test]
async fn a_partial_locale_is_previewable_but_not_offered() {
    let dir = tempfile::tempdir().unwrap();
    locales_with_partial_ckb(dir.path());
    let app = TestApp::with_config(|c| c.sources.locales_dir = dir.path().to_path_buf()).await;

    // Previewable at its prefix, right-to-left from its tag alone.
    let page = app.get("/ckb/platform").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"ckb\" dir=\"rtl\">"));
    assert!(page.body.contains(">سەرەکی</a>"), "translated text is used");
    // Missing messages fall back to English, marked with their language and direction.
    assert!(
        page.body
            .contains("<span lang=\"en\" dir=\"ltr\">Our platform</span>"),
        "{}",
        page.body
    );
    // ...but never inside an attribute or the title.
    assert!(!page.body.contains("content=\"<span"));
    assert!(page
        .body
        .contains("<title>Our platform – Socialist Campaign for Democracy in Iran</title>"));

    // It says on every page that it is a preview, and how far along it is (here 4 of the
    // 145 messages: 2 %; the names and wordless messages are not in the file at all).
    assert!(
        page.body.contains("class=\"preview-notice\"") && page.body.contains(" 2 %"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("data-script=\"Arab\""),
        "set in the Persian font"
    );
    assert!(!app.get("/fa/").await.body.contains("preview-notice"));
    assert!(!app.get("/en/").await.body.contains("preview-notice"));

    // Not offered: negotiation, the remembered choice, the switcher and hreflang ignore it.
    let res = app
        .get_with("/", &[("accept-language", "ckb, fa;q=0.5")])
        .await;
    assert_eq!(res.location(), Some("/fa/"));
    let res = app
        .get_with("/", &[("accept-language", "ckb"), ("cookie", "lang=ckb")])
        .await;
    assert_eq!(res.location(), Some("/en/"));
    let en = app.get("/en/").await.body;
    assert!(!en.contains("/lang/ckb") && !en.contains("hreflang=\"ckb\""));
    assert_eq!(app.get("/lang/ckb").await.status, 404);
}

#[tokio::test]
async fn a_locale_above_the_threshold_is_offered() {
    let dir = tempfile::tempdir().unwrap();
    locales_with_partial_ckb(dir.path());
    let app = TestApp::with_config(|c| {
        c.sources.locales_dir = dir.path().to_path_buf();
        c.sources.min_completeness = 2.0;
    })
    .await;
    let res = app
        .get_with("/", &[("accept-language", "ckb-IQ, en;q=0.5")])
        .await;
    assert_eq!(res.location(), Some("/ckb/"));
    let en = app.get("/en/people").await.body;
    assert!(
        en.contains(
            "<a href=\"/lang/ckb/people\" lang=\"ckb\" hreflang=\"ckb\" dir=\"rtl\">کوردی</a>"
        ),
        "{en}"
    );
    assert!(en.contains(
        "<link rel=\"alternate\" hreflang=\"ckb\" href=\"http://127.0.0.1:3000/ckb/people\">"
    ));
    let res = app.get("/lang/ckb/people").await;
    assert_eq!(res.location(), Some("/ckb/people"));
}

#[tokio::test]
async fn numbers_use_each_locales_digits_and_grouping() {
    let app = TestApp::new().await;
    assert!(app
        .get("/fa/contact")
        .await
        .body
        .contains("حداکثر ۵٬۰۰۰ نویسه"));
    assert!(app
        .get("/en/contact")
        .await
        .body
        .contains("up to 5,000 characters"));
}

#[test]
fn plurals_follow_cldr_and_numbers_go_through_icu() {
    let dir = tempfile::tempdir().unwrap();
    copy_locales(dir.path());
    let message = "items = { $n ->\n    [one] { $n } پیام\n   *[other] { $n } پیام‌ها\n}\nprice = { NUMBER($n, minimumFractionDigits: 2) }\n";
    fs::write(dir.path().join("fa/test.ftl"), message).unwrap();
    fs::write(
        dir.path().join("en/test.ftl"),
        message
            .replace("پیام‌ها", "messages")
            .replace("پیام", "message"),
    )
    .unwrap();
    let (locales, problems) = Locales::load(dir.path(), 0.9).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let fa = locales.get("fa").unwrap();
    let en = locales.get("en").unwrap();
    let fmt = |l: &scdi_site::i18n::Locale, id: &str, n: f64| {
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(n));
        l.format(id, Some(&args)).unwrap()
    };
    // Persian CLDR: `one` is i = 0 or n = 1, so 0 is [one] too.
    assert_eq!(fmt(fa, "items", 0.0), "۰ پیام");
    assert_eq!(fmt(fa, "items", 1.0), "۱ پیام");
    assert_eq!(fmt(fa, "items", 1234.0), "۱٬۲۳۴ پیام‌ها");
    assert_eq!(fmt(en, "items", 0.0), "0 messages");
    assert_eq!(fmt(en, "items", 1234567.0), "1,234,567 messages");
    assert_eq!(fmt(fa, "price", 1234.5), "۱٬۲۳۴٫۵۰");
    assert_eq!(fmt(en, "price", 3.0), "3.00");
}

#[tokio::test]
async fn watch_mode_reloads_and_survives_broken_edits() {
    let dir = tempfile::tempdir().unwrap();
    let locales = dir.path().join("locales");
    let templates = dir.path().join("templates");
    copy_locales(&locales);
    crate::common::copy_dir(&crate::common::repo_root().join("templates"), &templates);
    let app = TestApp::with_config(|c| {
        c.sources.locales_dir = locales.clone();
        c.sources.templates_dir = templates.clone();
        c.watch = true;
    })
    .await;
    assert!(app
        .get("/fa/")
        .await
        .body
        .contains("<h1>دربارهٔ کارزار</h1>"));

    let home = locales.join("fa/home.ftl");
    let good = fs::read_to_string(&home).unwrap().replace(
        "home-heading = دربارهٔ کارزار",
        "home-heading = دربارهٔ کارزار ما",
    );
    fs::write(&home, &good).unwrap();
    let page = app.get("/fa/").await.body;
    assert!(
        page.contains("<h1>دربارهٔ کارزار ما</h1>"),
        "edit shows on the next load"
    );
    assert!(!page.contains("reload-error"));

    // A typo: the last good version keeps serving, with a banner naming file:line:col.
    fs::write(&home, format!("{good}broken = {{ $x ]\n")).unwrap();
    let page = app.get("/fa/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>دربارهٔ کارزار ما</h1>"));
    assert!(page.body.contains("class=\"reload-error\""));
    let line = good.lines().count() + 1;
    assert!(
        page.body.contains(&format!("home.ftl:{line}:10")),
        "{}",
        page.body
    );
    // Error pages carry the banner too.
    assert!(app
        .get("/fa/nowhere")
        .await
        .body
        .contains("class=\"reload-error\""));

    // Fixed, and a template edited: both show, the banner goes.
    fs::write(&home, &good).unwrap();
    let base = templates.join("home.html");
    let edited = fs::read_to_string(&base).unwrap().replace(
        "<div class=\"wrap prose\">",
        "<div class=\"wrap prose edited\">",
    );
    fs::write(&base, &edited).unwrap();
    let page = app.get("/fa/").await.body;
    assert!(page.contains("wrap prose edited") && !page.contains("reload-error"));

    // A broken template is caught the same way.
    fs::write(
        &base,
        edited.replace("{% block main %}", "{% block main %}{% if %}"),
    )
    .unwrap();
    let page = app.get("/fa/").await.body;
    assert!(
        page.contains("wrap prose edited") && page.contains("home.html:"),
        "{page}"
    );
}

/// The app in watch mode on a copy of the site's locales in `dir`, and the copy's folder.
async fn watching(dir: &Path) -> (TestApp, std::path::PathBuf) {
    let locales = dir.join("locales");
    copy_locales(&locales);
    let app = TestApp::with_config(|c| {
        c.sources.locales_dir = locales.clone();
        c.watch = true;
    })
    .await;
    (app, locales)
}

/// In watch mode the banner shows every error the locale check finds, not only those that
/// stop a reload: a misspelt variable or term otherwise renders raw with nothing said. Each
/// with its file, line, message id and the line itself.
#[tokio::test]
async fn the_watch_banner_shows_every_check_error() {
    let dir = tempfile::tempdir().unwrap();
    let (app, locales) = watching(dir.path()).await;
    assert!(!app.get("/fa/contact").await.body.contains("reload-error"));

    let contact = locales.join("fa/contact.ftl");
    let good = fs::read_to_string(&contact).unwrap();
    let line = good
        .lines()
        .position(|l| l.starts_with("contact-message-hint"))
        .unwrap()
        + 1;
    fs::write(&contact, good.replace("{ $max }", "{ $maks }")).unwrap();
    let shared = locales.join("fa/shared.ftl");
    let shared_good = fs::read_to_string(&shared).unwrap();
    fs::write(
        &shared,
        shared_good.replace(
            "footer-campaign = { -site-name }",
            "footer-campaign = { -site-nam }",
        ),
    )
    .unwrap();
    let page = app.get("/fa/contact").await.body;
    assert!(page.contains("class=\"reload-error\""), "{page}");
    for expected in [
        format!("contact.ftl:{line}:"),
        "contact-message-hint".to_string(),
        "{ $maks }".to_string(),
        "footer-campaign".to_string(),
        "-site-nam".to_string(),
    ] {
        assert!(page.contains(&expected), "{expected} in the banner: {page}");
    }
    // The edit did load (the message itself is shown in English): the banner quotes it.
    assert!(page.contains("{ $maks }") || page.contains("$maks"));

    fs::write(&contact, &good).unwrap();
    fs::write(&shared, &shared_good).unwrap();
    assert!(!app.get("/fa/contact").await.body.contains("reload-error"));
}

/// Watch mode reloads message by message, as a fresh start loads: a syntax error in one
/// message leaves a fix saved beside it in the same file visible, the broken message is
/// shown in English (as the banner says), the banner names the error once, and it shows
/// warnings too (an Arabic letter).
#[tokio::test]
async fn watch_mode_reloads_message_by_message_and_the_banner_tells_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let (app, locales) = watching(dir.path()).await;
    assert!(!app.get("/fa/").await.body.contains("reload-error"));
    let home = locales.join("fa/home.ftl");
    let text = fs::read_to_string(&home).unwrap();
    let heading = text
        .lines()
        .find(|l| l.starts_with("home-heading ="))
        .unwrap();
    let lead = text
        .lines()
        .find(|l| l.starts_with("home-statement-3 ="))
        .unwrap();
    let edited = text
        .replace(heading, "home-heading = دربارهٔ كارزار ما")
        .replace(lead, "home-statement-3 = { $x ]");
    fs::write(&home, edited).unwrap();
    let page = app.get("/fa/").await.body;
    assert!(
        page.contains("<h1>دربارهٔ كارزار ما</h1>"),
        "the fix beside the error shows"
    );
    assert!(
        page.contains("<span lang=\"en\" dir=\"ltr\">The Socialist Campaign for Democracy in Iran is committed"),
        "the broken message in English"
    );
    let banner = page
        .split("class=\"reload-error\"")
        .nth(1)
        .and_then(|b| b.split("</pre>").next())
        .unwrap_or_else(|| panic!("{page}"));
    assert_eq!(banner.matches("home-statement-3").count(), 1, "{banner}");
    assert!(banner.contains("arabic-letter"), "warnings too: {banner}");
}
