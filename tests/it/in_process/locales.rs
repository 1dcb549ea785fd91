//! The locale files: every one parses, and every message the site uses exists in every locale.

use std::{collections::BTreeSet, fs, path::PathBuf};

use crate::common::repo_root;
use fluent_syntax::{ast, parser};
use scdi_site::{form::ContactForm, i18n::Locales, l10n::usage};

fn ftl_files() -> Vec<PathBuf> {
    let mut files = vec![];
    for lang in fs::read_dir(repo_root().join("locales")).unwrap() {
        let dir = lang.unwrap().path();
        if dir.is_dir() {
            for f in fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "ftl") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_ftl_file_parses() {
    let files = ftl_files();
    assert!(
        files.len() >= 12,
        "one file per page plus shared, for en and fa"
    );
    let mut problems = vec![];
    for path in &files {
        let source = fs::read_to_string(path).unwrap();
        if let Err((_, errors)) = parser::parse(source.as_str()) {
            for e in errors {
                let (line, col) = scdi_site::i18n::line_col(&source, e.pos.start);
                problems.push(format!("{}:{line}:{col}: {e}", path.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Message ids named literally in templates (`t("id")`, `t_attr('id')`).
fn template_message_ids() -> BTreeSet<String> {
    usage::scan_templates(&repo_root().join("templates"))
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect()
}

/// Message ids chosen by Rust code: every validation error the form can produce.
fn form_error_ids() -> BTreeSet<String> {
    let long = "x".repeat(6000);
    let cases = [
        ("", "", ""),
        (long.as_str(), "bad", long.as_str()),
        ("a\u{0}", "a@example.org", "b\u{0}"),
    ];
    cases
        .iter()
        .flat_map(|(name, email, message)| {
            ContactForm {
                name: name.to_string(),
                email: email.to_string(),
                message: message.to_string(),
                website: String::new(),
            }
            .validate()
        })
        .map(|e| e.message.to_string())
        .collect()
}

#[test]
fn every_used_message_exists_in_every_locale() {
    let (locales, problems) =
        Locales::load(&repo_root().join("locales"), 0.9).expect("locales load");
    assert!(problems.is_empty(), "{problems:?}");
    let mut used = template_message_ids();
    assert!(
        used.len() > 50,
        "found {} ids: is the scan broken?",
        used.len()
    );
    let form_ids = form_error_ids();
    assert_eq!(form_ids.len(), 8, "{form_ids:?}");
    used.extend(form_ids);
    // Ids chosen in Rust code, marked with `msg!`.
    used.extend(
        usage::scan_rust(&repo_root().join("src"))
            .unwrap()
            .into_iter()
            .map(|u| u.id),
    );

    let mut missing = vec![];
    for locale in locales.iter() {
        for id in &used {
            if !locale.has(id) {
                missing.push(format!("{}: {id}", locale.code));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing messages:\n{}",
        missing.join("\n")
    );
    assert_eq!(
        locales.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(),
        ["en", "fa"]
    );
}

#[test]
fn persian_uses_persian_letters_only() {
    for path in ftl_files()
        .into_iter()
        .filter(|p| p.parent().unwrap().ends_with("fa"))
    {
        let source = fs::read_to_string(&path).unwrap();
        let resource = parser::parse(source.as_str()).unwrap();
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                let text = format!("{:?}", m.value);
                assert!(
                    !text.contains('\u{064A}') && !text.contains('\u{0643}'),
                    "Arabic ي/ك in {}: {}",
                    path.display(),
                    m.id.name
                );
            }
        }
    }
}

#[test]
fn a_syntax_error_is_reported_with_its_position_and_the_rest_still_served() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_locales(dir.path());
    fs::write(
        dir.path().join("fa/broken.ftl"),
        "ok = خوب\n\nbroken = { $x ]\nnext = بعدی\n",
    )
    .unwrap();
    let (locales, problems) = Locales::load(dir.path(), 0.9).unwrap();
    let report: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(report.len(), 1, "{report:?}");
    // At the `{` that is never closed, in plain words, naming the message.
    assert!(report[0].contains("broken.ftl:3:10"), "{report:?}");
    assert!(
        report[0].contains("`broken`: this `{` is never closed"),
        "{report:?}"
    );
    let fa = locales.get("fa").unwrap();
    // The entries around the typo, and all other files, still work.
    assert_eq!(fa.format("ok", None).as_deref(), Some("خوب"));
    assert_eq!(fa.format("next", None).as_deref(), Some("بعدی"));
    assert!(fa.has("home-heading"));
    assert!(!fa.has("broken"));
}

/// A tab at the start of a continuation line ends the message there: the first half of the
/// sentence would be served as if it were all. The whole message falls back to English
/// instead, marked as English, and the log says why.
#[tokio::test]
async fn a_message_cut_short_by_a_syntax_error_falls_back_whole_to_english() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_locales(dir.path());
    let path = dir.path().join("fa/home.ftl");
    let text = fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("home-statement-3 = "))
        .unwrap();
    let (first, second) = line.split_at(line.find(" و همبستگی").unwrap());
    fs::write(
        &path,
        text.replace(line, &format!("{first}\n\t{}", second.trim_start())),
    )
    .unwrap();

    let (_, problems) = Locales::load(dir.path(), 0.9).unwrap();
    let report: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        report
            .iter()
            .any(|p| p.contains("`home-statement-3`") && p.contains("not a tab")),
        "{report:?}"
    );
    let app =
        crate::common::TestApp::with_config(|c| c.sources.locales_dir = dir.path().to_path_buf())
            .await;
    let page = app.get("/fa/").await.body;
    let persian_half = first.trim_start_matches("home-statement-3 = ");
    assert!(!page.contains(persian_half), "half a sentence served");
    assert!(
        page.contains("<span lang=\"en\" dir=\"ltr\">The Socialist Campaign for Democracy in Iran is committed"),
        "the whole message in English"
    );
}

/// What must stay on one line in Persian (at 375 px «OR Books» and «۱۳۵۸ (۱۹۷۹)» split) is
/// joined by no-break spaces, in the pages readers get.
#[tokio::test]
async fn persian_keeps_names_and_paired_years_on_one_line() {
    let app = crate::common::TestApp::new().await;
    let home = app.get("/fa/").await;
    assert!(home.body.contains("۱۳۵۸\u{a0}(۱۹۷۹)"), "the year pair");
    let people = app.get("/fa/people").await;
    assert_eq!(people.status, 200);
    assert!(people.body.contains("OR\u{a0}Books"), "the publisher");
}

/// A misspelt term or variable (`{ -site-nmae }`, `{ $maxx }`) is never shown raw to
/// readers, in the page, its `<title>` or its link preview: the message falls back whole to
/// English, marked as English, on a fresh start as in watch mode.
#[tokio::test]
async fn a_misspelt_reference_falls_back_whole_to_english() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_locales(dir.path());
    let shared = dir.path().join("fa/shared.ftl");
    let text = fs::read_to_string(&shared).unwrap();
    fs::write(&shared, text.replace("{ -site-name }", "{ -site-nmae }")).unwrap();
    let contact = dir.path().join("fa/contact.ftl");
    let text = fs::read_to_string(&contact).unwrap();
    fs::write(&contact, text.replace("{ $max } نویسه", "{ $maxx } نویسه")).unwrap();
    let app =
        crate::common::TestApp::with_config(|c| c.sources.locales_dir = dir.path().to_path_buf())
            .await;
    let page = app.get("/fa/").await.body;
    assert!(!page.contains("nmae"), "raw reference served: {page}");
    assert!(
        page.contains(
            "<span lang=\"en\" dir=\"ltr\">Socialist Campaign for Democracy in Iran</span>"
        ),
        "{page}"
    );
    let body = crate::common::form_body(&[
        ("name", &"ن".repeat(200)),
        ("email", "r@example.org"),
        ("message", "سلام"),
    ]);
    let form = app.post_form("/fa/contact", body).await.body;
    assert!(!form.contains("maxx") && !form.contains("{"), "{form}");
}
