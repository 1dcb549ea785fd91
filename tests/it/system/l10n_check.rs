//! `scdi-site l10n check`: a fixture with one of every problem proves each is detected, with
//! its position; the real locales pass, even with `--strict`.

use std::{fs, path::Path, process::Command};

use crate::common::{copy_dir, copy_locales, repo_root, TestApp};
use scdi_site::l10n::{check, CheckOptions, Finding, Report, Severity};

fn fixture() -> CheckOptions {
    let base = repo_root().join("tests/fixtures/l10n");
    CheckOptions {
        locales_dir: base.join("locales"),
        templates_dir: base.join("templates"),
        src_dir: base.join("src"),
        min_completeness: 90.0,
        content_dir: base.join("content"),
    }
}

fn find<'a>(report: &'a Report, kind: &str, file_suffix: &str, line: usize) -> &'a Finding {
    report
        .findings
        .iter()
        .find(|f| f.kind == kind && f.file.ends_with(file_suffix) && f.line == line)
        .unwrap_or_else(|| panic!("no {kind} at {file_suffix}:{line} in\n{}", report.to_text()))
}

/// The first finding of `kind`.
fn first<'a>(report: &'a Report, kind: &str) -> &'a Finding {
    report
        .findings
        .iter()
        .find(|f| f.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} in\n{}", report.to_text()))
}

#[test]
fn every_kind_of_problem_is_found_with_its_position() {
    let report = check(&fixture()).unwrap();
    // At the `{` that is never closed, naming the message.
    let syntax = find(&report, "syntax", "fa/broken.ftl", 3);
    assert_eq!((syntax.col, syntax.severity), (8, Severity::Error));
    assert_eq!(syntax.source_line, "oops = { $x ]");
    assert_eq!(syntax.id.as_deref(), Some("oops"));
    assert!(
        syntax.message.contains("never closed"),
        "{}",
        syntax.message
    );

    assert_eq!(
        find(&report, "duplicate", "fa/dup.ftl", 2).severity,
        Severity::Error
    );
    // Missing: a message (in a locale below the threshold: a warning) and an attribute (in an
    // offered locale: an error).
    let missing_msg = report
        .findings
        .iter()
        .find(|f| f.kind == "missing" && f.locale == "de" && f.id.as_deref() == Some("count"))
        .unwrap();
    assert_eq!(missing_msg.severity, Severity::Warning);
    let missing_attr = find(&report, "missing", "fa/main.ftl", 6);
    assert!(missing_attr.message.contains("with-attr.title"));
    assert_eq!(missing_attr.severity, Severity::Error);
    assert_eq!(
        find(&report, "obsolete", "fa/main.ftl", 9).id.as_deref(),
        Some("extra")
    );

    let var_missing = find(&report, "variable-missing", "fa/main.ftl", 1);
    assert!(var_missing.message.contains("$name"));
    let var_unknown = find(&report, "variable-unknown", "fa/main.ftl", 1);
    assert!(var_unknown.message.contains("$nam"));
    let reference = find(&report, "unknown-reference", "fa/main.ftl", 7);
    assert_eq!(reference.col, 13);
    assert!(reference.message.contains("-brandd"));

    assert_eq!(
        find(&report, "unknown-id", "templates/page.html", 2)
            .id
            .as_deref(),
        Some("nope")
    );
    assert_eq!(
        find(&report, "unknown-id", "src/code.rs", 3).id.as_deref(),
        Some("also-nope")
    );
    assert_eq!(
        find(&report, "unused", "en/main.ftl", 11).severity,
        Severity::Warning
    );
    assert_eq!(
        find(&report, "metadata", "languages.toml", 1).severity,
        Severity::Error
    );

    // Persian typography.
    assert_eq!(find(&report, "arabic-letter", "fa/main.ftl", 14).col, 12);
    assert_eq!(find(&report, "zwnj", "fa/main.ftl", 10).col, 27);
    assert_eq!(
        find(&report, "untranslated", "fa/main.ftl", 8)
            .id
            .as_deref(),
        Some("same")
    );
    assert_eq!(find(&report, "ascii-digit", "fa/main.ftl", 11).col, 17);
    assert_eq!(
        find(&report, "latin-punctuation", "fa/main.ftl", 12).col,
        15
    );
    assert_eq!(find(&report, "bidi-control", "fa/main.ftl", 13).col, 8);
    assert_eq!(find(&report, "plural-one", "fa/main.ftl", 3).col, 11);
    for persian in [
        "arabic-letter",
        "zwnj",
        "untranslated",
        "ascii-digit",
        "latin-punctuation",
        "bidi-control",
        "plural-one",
    ] {
        assert!(report
            .findings
            .iter()
            .filter(|f| f.kind == persian)
            .all(|f| f.severity == Severity::Warning));
    }

    let de = report
        .completeness
        .iter()
        .find(|c| c.locale == "de")
        .unwrap();
    assert_eq!((de.translated, de.total, de.offered), (1, 10, false));
    assert!(report.failed(false));
}

/// `scdi-site l10n todo LANG` on the site copy in `dir`.
fn todo(lang: &str, dir: &Path) -> String {
    let (_, out, _) = crate::common::scdi(&["l10n", "todo", lang], dir);
    String::from_utf8(out).unwrap()
}

fn run_check(args: &[&str], dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args(["l10n", "check"])
        .args(args)
        .current_dir(dir)
        .env_remove("SCDI_LOCALES")
        .env_remove("SCDI_TEMPLATES")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn the_sites_own_locales_pass() {
    let (code, out) = run_check(&["--json"], repo_root());
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    // English and Persian, the languages readers are offered today, are clean: no errors
    // and no warnings (a language still being translated may have warnings).
    let findings: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| ["", "en", "fa"].contains(&f["locale"].as_str().unwrap()))
        .collect();
    assert!(findings.is_empty(), "{findings:#?}");
    let fa = json["completeness"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["locale"] == "fa")
        .unwrap();
    assert_eq!(fa["percent"].as_f64(), Some(100.0));
}

#[test]
fn json_output_and_exit_code() {
    let (code, out) = run_check(
        &[
            "--json",
            "--locales-dir",
            "tests/fixtures/l10n/locales",
            "--templates-dir",
            "tests/fixtures/l10n/templates",
            "--src-dir",
            "tests/fixtures/l10n/src",
        ],
        repo_root(),
    );
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(
        json["errors"].as_u64().unwrap() as usize,
        findings.iter().filter(|f| f["severity"] == "error").count()
    );
    let syntax = findings.iter().find(|f| f["kind"] == "syntax").unwrap();
    assert_eq!(
        (syntax["line"].as_u64(), syntax["col"].as_u64()),
        (Some(3), Some(8))
    );
    assert_eq!(syntax["id"], "oops");
    assert!(syntax["file"].as_str().unwrap().ends_with("fa/broken.ftl"));
}

#[test]
fn warnings_fail_only_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("locales"), &dir.path().join("locales"));
    copy_dir(
        &repo_root().join("templates"),
        &dir.path().join("templates"),
    );
    copy_dir(&repo_root().join("src"), &dir.path().join("src"));
    let home = dir.path().join("locales/fa/home.ftl");
    let text = fs::read_to_string(&home).unwrap().replace("۱۹۷۹", "1979");
    fs::write(&home, text).unwrap();

    let (code, out) = run_check(&[], dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[ascii-digit]"), "{out}");
    let (code, _) = run_check(&["--strict"], dir.path());
    assert_eq!(code, 1);
}

/// A copy of the site's locales, templates and sources, to change.
fn site_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["locales", "templates", "src"] {
        copy_dir(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} in {}", path.display());
    fs::write(path, text.replace(from, to)).unwrap();
}

fn check_copy(dir: &Path) -> Report {
    check(&CheckOptions {
        locales_dir: dir.join("locales"),
        templates_dir: dir.join("templates"),
        src_dir: dir.join("src"),
        min_completeness: 90.0,
        content_dir: dir.join("content"),
    })
    .unwrap()
}

fn completeness<'a>(report: &'a Report, locale: &str) -> &'a scdi_site::l10n::Completeness {
    report
        .completeness
        .iter()
        .find(|c| c.locale == locale)
        .unwrap()
}

/// When an English message changes, its Persian translation is reported outdated, with the
/// old and the new English; it still counts against completeness until it is marked.
#[test]
fn a_changed_english_message_makes_its_translation_outdated() {
    let dir = site_copy();
    replace_in(
        &dir.path().join("locales/en/home.ftl"),
        "home-heading = About the campaign",
        "home-heading = About us",
    );
    let report = check_copy(dir.path());
    let outdated = report
        .findings
        .iter()
        .find(|f| f.kind == "outdated" && f.id.as_deref() == Some("home-heading"))
        .unwrap_or_else(|| panic!("{}", report.to_text()));
    assert_eq!(outdated.locale, "fa");
    assert!(outdated.file.ends_with("locales/fa/home.ftl"));
    assert_eq!(outdated.severity, Severity::Warning);
    assert_eq!(outdated.english.as_deref(), Some("About us"));
    assert_eq!(outdated.english_was.as_deref(), Some("About the campaign"));
    assert!(outdated
        .comment
        .as_deref()
        .unwrap()
        .contains("Main heading"));
    assert!(outdated.message.contains("mark-translated fa home-heading"));
    let fa = completeness(&report, "fa");
    assert_eq!(fa.translated, fa.total - 1);
    let text = report.to_text();
    assert!(
        text.contains("About the campaign") && text.contains("About us"),
        "{text}"
    );

    // Once the translator has checked it, marking it clears the finding.
    let marked = scdi_site::l10n::mark_translated(
        &dir.path().join("locales"),
        "fa",
        &["home-heading".to_string()],
        false,
        false,
    )
    .unwrap();
    assert_eq!(marked.marked, ["home-heading"]);
    let report = check_copy(dir.path());
    assert!(!report.findings.iter().any(|f| f.kind == "outdated"));
    let fa = completeness(&report, "fa");
    assert_eq!(fa.translated, fa.total);
}

/// A language made by copying the English files and translating a few messages is as
/// incomplete as it is: copies do not count as translations, in any language.
#[test]
fn copied_english_is_not_counted_as_translated() {
    let dir = site_copy();
    let locales = dir.path().join("locales");
    copy_dir(&locales.join("en"), &locales.join("ckb"));
    let mut meta = fs::read_to_string(locales.join("languages.toml")).unwrap();
    meta.push_str("\n[ckb]\nname = \"کوردی\"\n");
    fs::write(locales.join("languages.toml"), meta).unwrap();
    for (from, to) in [
        ("nav-home = Home", "nav-home = سەرەکی"),
        ("nav-contact = Contact", "nav-contact = پەیوەندی"),
        ("nav-platform = Our platform", "nav-platform = بەرنامەکەمان"),
        ("nav-people = Who we are", "nav-people = ئێمە کێین"),
    ] {
        replace_in(&locales.join("ckb/shared.ftl"), from, to);
    }
    let report = check_copy(dir.path());
    let ckb = completeness(&report, "ckb");
    // Four translated, and nothing else: the four names stay as in English only in a
    // language written in Latin letters (their comment says so), and the three messages
    // without words of their own (`{ -site-name }`, `{ $page } – ...`) show the English
    // term, copied, not translated.
    assert_eq!(
        (ckb.translated, ckb.offered),
        (4, false),
        "{}",
        report.to_text()
    );
    let copies = report
        .findings
        .iter()
        .filter(|f| f.locale == "ckb" && f.kind == "untranslated")
        .count();
    // The copied messages (the four names among them: Kurdish is not written in Latin
    // letters), and the `-site-name` term; the three messages without words of their own
    // are not copies, but show the copied term.
    assert_eq!(copies, ckb.total - 4 - 3 + 1);
    assert!(report
        .findings
        .iter()
        .any(|f| f.kind == "untranslated" && f.id.as_deref() == Some("people-phipps-name")));
    // The server counts the same way: not offered to readers.
    let (locales, _) = scdi_site::i18n::Locales::load(&locales, 0.9).unwrap();
    let served = locales.get("ckb").unwrap();
    assert!(!served.offered);
    assert!(
        (served.completeness * 100.0 - ckb.percent).abs() < 1e-9,
        "server {} vs check {}",
        served.completeness * 100.0,
        ckb.percent
    );
}

/// A message missing from a file that does not exist yet is reported against that file
/// (named as the English one), not another.
#[test]
fn missing_messages_are_reported_against_the_file_they_belong_in() {
    let dir = site_copy();
    fs::remove_file(dir.path().join("locales/fa/home.ftl")).unwrap();
    let report = check_copy(dir.path());
    let missing = report
        .findings
        .iter()
        .find(|f| f.kind == "missing" && f.id.as_deref() == Some("home-heading"))
        .unwrap();
    assert!(
        missing.file.ends_with("locales/fa/home.ftl"),
        "{}",
        missing.file
    );
    assert_eq!(missing.english.as_deref(), Some("About the campaign"));
}

/// A syntax error is reported once, on its line and with its message's id: not also as the
/// message being missing.
#[test]
fn a_syntax_error_is_not_also_reported_as_missing() {
    let dir = site_copy();
    replace_in(
        &dir.path().join("locales/fa/home.ftl"),
        "home-heading = دربارهٔ کارزار",
        "home-heading = دربارهٔ { کارزار",
    );
    let report = check_copy(dir.path());
    let about: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.id.as_deref() == Some("home-heading"))
        .map(|f| f.kind)
        .collect();
    assert_eq!(about, ["syntax"], "{}", report.to_text());
}

/// Plural variants are checked against the language's CLDR categories: Persian has `one`
/// and `other`, so a `[many]` variant can never be chosen.
#[test]
fn plural_variants_are_checked_against_the_languages_categories() {
    let dir = site_copy();
    let en = dir.path().join("locales/en/shared.ftl");
    let fa = dir.path().join("locales/fa/shared.ftl");
    let mut text = fs::read_to_string(&en).unwrap();
    text.push_str("\n# Used for the test: $n (number) messages.\nmessage-count = { $n ->\n    [one] { $n } message\n   *[other] { $n } messages\n}\n");
    fs::write(&en, text).unwrap();
    let mut text = fs::read_to_string(&fa).unwrap();
    text.push_str(
        "message-count = { $n ->\n    [one] { $n } پیام\n    [many] { $n } پیام\n   *[other] { $n } پیام\n}\n",
    );
    fs::write(&fa, text).unwrap();
    let report = check_copy(dir.path());
    let wrong = report
        .findings
        .iter()
        .find(|f| f.kind == "plural-category")
        .unwrap_or_else(|| panic!("{}", report.to_text()));
    assert_eq!(wrong.severity, Severity::Error);
    assert_eq!(wrong.id.as_deref(), Some("message-count"));
    assert!(
        wrong.message.contains("`[many]`") && wrong.message.contains("`[one]`, `[other]`"),
        "{}",
        wrong.message
    );
    assert!(wrong.source_line.contains("[many]"));
}

/// Two languages in progress: a Persian translator sees only Persian, side by side with the
/// English; `--strict` fails only for what a language that readers are offered lacks.
#[test]
fn each_language_has_its_own_todo_and_strictness() {
    let dir = site_copy();
    let locales = dir.path().join("locales");
    // Kurdish in preview: one file, a few messages.
    fs::create_dir(locales.join("ckb")).unwrap();
    fs::write(locales.join("ckb/shared.ftl"), "nav-home = سەرەکی\n").unwrap();
    let mut meta = fs::read_to_string(locales.join("languages.toml")).unwrap();
    meta.push_str("\n[ckb]\nname = \"کوردی\"\n");
    fs::write(locales.join("languages.toml"), meta).unwrap();
    // Persian: one message outdated.
    replace_in(
        &locales.join("en/home.ftl"),
        "home-heading = About the campaign",
        "home-heading = About us",
    );

    // Kurdish's many warnings never fail --strict, which is for offered languages.
    let kurdish_only = site_copy();
    copy_dir(
        &locales.join("ckb"),
        &kurdish_only.path().join("locales/ckb"),
    );
    fs::copy(
        locales.join("languages.toml"),
        kurdish_only.path().join("locales/languages.toml"),
    )
    .unwrap();
    let (code, out) = run_check(&["--strict"], kurdish_only.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[missing]"), "{out}");

    // Persian's outdated message does.
    let (code, out) = run_check(&["--strict", "--locale", "fa"], dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("locales/ckb"), "only Persian: {out}");
    assert!(out.contains("warning[outdated]"), "{out}");

    // The to-do: each message with its English (then and now) and what it is for.
    let out = Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args(["l10n", "todo", "fa"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let todo = String::from_utf8(out.stdout).unwrap();
    assert!(!todo.contains("ckb") && !todo.contains("کوردی"), "{todo}");
    for expected in [
        "home-heading",
        "outdated",
        "English was: About the campaign",
        "English now: About us",
        "What it is: Main heading of the home page.",
        "Translation now: home-heading = دربارهٔ کارزار",
        "scdi-site l10n mark-translated fa home-heading",
    ] {
        assert!(todo.contains(expected), "{expected} in:\n{todo}");
    }
}

/// `--format github`: findings as workflow-command annotations, which GitHub shows on the
/// changed lines of a pull request, for translators who edit on the web.
#[test]
fn findings_as_github_annotations() {
    let dir = site_copy();
    replace_in(
        &dir.path().join("locales/fa/home.ftl"),
        "home-heading = دربارهٔ کارزار",
        "home-heading = دربارهٔ { کارزار",
    );
    replace_in(
        &dir.path().join("locales/en/shared.ftl"),
        "nav-home = Home",
        "nav-home = Home page",
    );
    let (code, out) = run_check(&["--format", "github"], dir.path());
    assert_eq!(code, 1);
    let syntax = out
        .lines()
        .find(|l| l.starts_with("::error file=locales/fa/home.ftl,line=4,col="))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(syntax.contains("title=syntax (home-heading)::"), "{syntax}");
    assert!(syntax.contains("inside `{ }` write a variable"), "{syntax}");
    let outdated = out
        .lines()
        .find(|l| l.starts_with("::warning file=locales/fa/shared.ftl,") && l.contains("outdated"))
        .unwrap_or_else(|| panic!("{out}"));
    // Line breaks inside a message are escaped, as the format wants.
    assert!(
        outdated.contains("%0AEnglish now: Home page%0AEnglish was: Home"),
        "{outdated}"
    );
}

/// `scdi-site l10n new-language`: a folder with one file per English file, each message's
/// English kept as comments beside where its translation goes, and the languages.toml entry;
/// the new language is at once previewable, in its direction and script.
#[tokio::test]
async fn new_language_makes_a_folder_ready_to_translate() {
    let dir = tempfile::tempdir().unwrap();
    let locales = dir.path().join("locales");
    copy_locales(&locales);
    let out = Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args([
            "l10n",
            "new-language",
            "ckb",
            "--name",
            "کوردی",
            "--og-locale",
            "ckb_IQ",
        ])
        .arg("--locales-dir")
        .arg(&locales)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("l10n todo ckb") && said.contains("/ckb/"),
        "{said}"
    );
    let mut files: Vec<_> = fs::read_dir(locales.join("ckb"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut english: Vec<_> = fs::read_dir(locales.join("en"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    english.sort();
    assert_eq!(files, english);
    let home = fs::read_to_string(locales.join("ckb/home.ftl")).unwrap();
    assert!(home.contains("# Main heading of the home page."), "{home}");
    assert!(
        home.contains("# home-heading = About the campaign"),
        "{home}"
    );
    let meta = fs::read_to_string(locales.join("languages.toml")).unwrap();
    assert!(
        meta.contains("[ckb]\nname = \"کوردی\"\nog_locale = \"ckb_IQ\""),
        "{meta}"
    );
    // Twice is refused: nothing is overwritten.
    let again = Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args([
            "l10n",
            "new-language",
            "ckb",
            "--name",
            "x",
            "--locales-dir",
        ])
        .arg(&locales)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert_eq!(
        fs::read_to_string(locales.join("ckb/home.ftl")).unwrap(),
        home
    );

    let app = TestApp::with_config(|c| c.sources.locales_dir = locales.clone()).await;
    let page = app.get("/ckb/").await.body;
    assert!(page.contains("<html lang=\"ckb\" dir=\"rtl\">"));
    assert!(page.contains("data-script=\"Arab\"") && page.contains("preview-notice"));
}

/// Editors' side files are not translations (an Emacs lock `.#shared.ftl`, a dangling link;
/// macOS's `._shared.ftl`, not UTF-8), and a byte-order mark (Windows Notepad) is not a
/// syntax error: the check passes strictly and the site serves the file's text.
#[tokio::test]
async fn side_files_and_a_byte_order_mark_break_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for folder in ["locales", "templates", "src"] {
        copy_dir(&repo_root().join(folder), &dir.path().join(folder));
    }
    let fa = dir.path().join("locales/fa");
    std::os::unix::fs::symlink("root@host.1234:1700000000", fa.join(".#shared.ftl")).unwrap();
    fs::write(
        fa.join("._shared.ftl"),
        b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X\xff\xfe",
    )
    .unwrap();
    let home = fa.join("home.ftl");
    let text = fs::read_to_string(&home).unwrap();
    fs::write(&home, format!("\u{feff}{text}")).unwrap();
    let (code, out) = run_check(&["--strict"], dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 error(s), 0 warning(s)"), "{out}");
    let locales = dir.path().join("locales");
    let app = TestApp::with_config(|c| c.sources.locales_dir = locales).await;
    let page = app.get("/fa/").await;
    assert!(page.body.contains("کارزار"), "{}", page.body);
}

/// The web route, with no program run: when the English changes, the Persian is outdated;
/// a translator who then edits only the Persian text has done the job: nothing is
/// reported, and the strict check passes.
#[test]
fn editing_an_outdated_translation_alone_clears_it() {
    let dir = site_copy();
    let locales = dir.path().join("locales");
    replace_in(
        &locales.join("en/home.ftl"),
        "home-heading = About the campaign",
        "home-heading = About us",
    );
    let outdated = |report: &Report| {
        report
            .findings
            .iter()
            .any(|f| f.kind == "outdated" && f.id.as_deref() == Some("home-heading"))
    };
    assert!(outdated(&check_copy(dir.path())));
    let fa = fs::read_to_string(locales.join("fa/home.ftl")).unwrap();
    let line = fa
        .lines()
        .find(|l| l.starts_with("home-heading ="))
        .unwrap();
    replace_in(
        &locales.join("fa/home.ftl"),
        line,
        "home-heading = دربارهٔ ما",
    );
    assert!(!outdated(&check_copy(dir.path())));
    let (code, out) = run_check(&["--strict"], dir.path());
    assert_eq!(code, 0, "{out}");
}

/// `mark-translated --all` marks what is current or new, never an outdated translation
/// nobody checked (unless named, or with --include-outdated), and says what it marked.
#[test]
fn mark_translated_all_refuses_outdated_translations() {
    let dir = site_copy();
    let locales = dir.path().join("locales");
    replace_in(
        &locales.join("en/home.ftl"),
        "home-heading = About the campaign",
        "home-heading = About us",
    );
    let mark = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_scdi-site"))
            .args(["l10n", "mark-translated", "fa", "--locales-dir"])
            .arg(&locales)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, err) = mark(&["--all"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("not marked: home-heading: outdated"), "{err}");
    assert!(
        out.contains("  nav-home\n") && !out.contains("  home-heading\n"),
        "{out}"
    );
    let report = check_copy(dir.path());
    assert!(report.findings.iter().any(|f| f.kind == "outdated"));
    let (code, out, _) = mark(&["--all", "--include-outdated"]);
    assert_eq!(code, 0);
    assert!(out.contains("  home-heading\n"), "{out}");
    assert!(!check_copy(dir.path())
        .findings
        .iter()
        .any(|f| f.kind == "outdated"));
}

/// On a pull request, what decides the run comes first: with a new language in preview (93
/// messages missing) beside one Persian mistake, the Persian error is the first annotation,
/// at the column of the variable, and the preview language is one notice, not 93 warnings
/// (GitHub shows ten of a kind). Missing messages are at the commented English
/// `new-language` left, not at 1:1.
#[test]
fn github_annotations_put_offered_languages_first_and_sum_up_previews() {
    let dir = site_copy();
    let locales = dir.path().join("locales");
    scdi_site::l10n::new_language(&locales, "ckb", "کوردی", None).unwrap();
    replace_in(
        &locales.join("fa/contact.ftl"),
        "نام شما باید حداکثر { $max }",
        "نام شما باید حداکثر { $maxx }",
    );
    let (code, out) = run_check(&["--format", "github"], dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("::error file=locales/fa/contact.ftl,"),
        "{out}"
    );
    let first = out
        .lines()
        .find(|l| l.contains("variable-unknown"))
        .unwrap_or_else(|| panic!("{out}"));
    let fa = fs::read_to_string(locales.join("fa/contact.ftl")).unwrap();
    let line = fa.lines().position(|l| l.contains("$maxx")).unwrap() + 1;
    let col = fa
        .lines()
        .nth(line - 1)
        .unwrap()
        .chars()
        .take_while(|c| *c != '$')
        .count()
        + 1;
    assert!(
        first.contains(&format!(",line={line},col={col},")),
        "{first}"
    );
    assert!(!out.contains("file=locales/ckb"), "{out}");
    let notices: Vec<&str> = out.lines().filter(|l| l.starts_with("::notice")).collect();
    assert_eq!(notices.len(), 1, "{out}");
    assert!(
        notices[0].contains("ckb:") && notices[0].contains("l10n todo ckb"),
        "{out}"
    );
    let report = check_copy(dir.path());
    let missing = report
        .findings
        .iter()
        .find(|f| f.locale == "ckb" && f.kind == "missing" && f.id.as_deref() == Some("nav-home"))
        .unwrap();
    assert!(
        missing.line > 1 && missing.source_line.starts_with("# nav-home ="),
        "{missing:?}"
    );
}

/// One definition of completeness: for a new language with four messages translated, the
/// check, the server (which languages it offers) and the to-do give the same figure.
#[test]
fn the_check_the_server_and_the_todo_count_alike() {
    let dir = site_copy();
    let locales = dir.path().join("locales");
    scdi_site::l10n::new_language(&locales, "ckb", "کوردی", None).unwrap();
    for (from, to) in [
        ("# nav-home = Home", "nav-home = سەرەکی"),
        ("# nav-contact = Contact", "nav-contact = پەیوەندی"),
        (
            "# nav-platform = Our platform",
            "nav-platform = بەرنامەکەمان",
        ),
        ("# nav-people = Who we are", "nav-people = ئێمە کێین"),
    ] {
        replace_in(&locales.join("ckb/shared.ftl"), from, to);
    }
    let report = check_copy(dir.path());
    let ckb = completeness(&report, "ckb");
    assert_eq!(ckb.translated, 4);
    let (loaded, _) = scdi_site::i18n::Locales::load(&locales, 0.9).unwrap();
    let served = loaded.get("ckb").unwrap().completeness;
    assert_eq!(served, ckb.translated as f64 / ckb.total as f64);
    let todo = todo("ckb", dir.path());
    let header = todo.lines().next().unwrap();
    assert_eq!(
        header,
        format!(
            "To do in کوردی (ckb): {} message(s) to translate and 1 term(s) (shared wording \
             used inside messages); 4 translated, to mark once checked",
            ckb.total - ckb.translated
        )
    );
}

/// A misspelt reference or id gets the likely spelling: in the check, and in
/// `mark-translated`.
#[test]
fn misspellings_get_a_did_you_mean() {
    let dir = site_copy();
    let locales = dir.path().join("locales");
    replace_in(
        &locales.join("fa/shared.ftl"),
        "site-title = { -site-name }",
        "site-title = { -site-nmae }",
    );
    let report = check_copy(dir.path());
    let finding = first(&report, "unknown-reference");
    assert!(
        finding.message.ends_with("(did you mean `-site-name`?)"),
        "{}",
        finding.message
    );
    let (_, _, err) = crate::common::scdi(
        &["l10n", "mark-translated", "fa", "home-hedaing"],
        dir.path(),
    );
    assert!(err.contains("did you mean `home-heading`?"), "{err}");
}

/// The to-do describes every message, the ones under a shared comment too; plural hints
/// name the message's own variable, and a `*[many]` default (chosen when nothing else
/// matches) is a warning, not "never chosen".
#[test]
fn todo_comments_and_plural_hints_say_what_is_true() {
    let dir = site_copy();
    let locales = dir.path().join("locales");
    scdi_site::l10n::new_language(&locales, "ckb", "کوردی", None).unwrap();
    let todo = todo("ckb", dir.path());
    let platform = todo
        .split("\n\n")
        .find(|b| b.starts_with("nav-platform "))
        .unwrap();
    assert!(
        platform.contains("What it is: Navigation links in the header."),
        "{platform}"
    );
    replace_in(
        &locales.join("fa/contact.ftl"),
        "contact-message-hint = به فارسی یا انگلیسی بنویسید؛ حداکثر { $max } نویسه.",
        "contact-message-hint = { $max ->\n    [one] یک نویسه\n   *[many] حداکثر { $max } نویسه\n}",
    );
    let report = check_copy(dir.path());
    let one = first(&report, "plural-one");
    assert!(one.message.ends_with("({ $max })"), "{}", one.message);
    let many = first(&report, "plural-category");
    assert_eq!(many.severity, Severity::Warning, "{}", many.message);
    assert!(!many.message.contains("never chosen"), "{}", many.message);
}

/// Script checks run for every language written in Arabic script, not Persian only.
#[test]
fn kurdish_gets_its_own_script_checks() {
    let dir = site_copy();
    let locales = dir.path().join("locales");
    scdi_site::l10n::new_language(&locales, "ckb", "کوردی", None).unwrap();
    replace_in(
        &locales.join("ckb/shared.ftl"),
        "# nav-home = Home",
        "nav-home = سەرەكی?",
    );
    let report = check_copy(dir.path());
    let kinds: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.locale == "ckb" && f.id.as_deref() == Some("nav-home"))
        .map(|f| f.kind)
        .collect();
    assert!(
        kinds.contains(&"arabic-letter") && kinds.contains(&"latin-punctuation"),
        "{kinds:?}"
    );
}

/// A message translated on the web and never recorded (no program to run) is shown as
/// unmarked, and counts, but does not fail the strict check.
#[test]
fn an_unmarked_translation_does_not_fail_the_strict_check() {
    let dir = site_copy();
    let record = dir.path().join("locales/fa/translated-from.toml");
    let text = fs::read_to_string(&record).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with("nav-home ="))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&record, kept).unwrap();
    let (code, out) = run_check(&["--strict"], dir.path());
    assert!(out.contains("warning[unmarked]"), "{out}");
    assert_eq!(code, 0, "{out}");
}

/// Statements are checked with the messages: a front matter mistake with its file and line,
/// raw HTML, an image without alt text, and the Persian typography of a Persian statement.
#[test]
fn statements_are_checked_with_their_file_and_line() {
    let dir = site_copy();
    let folder = dir.path().join("content/statements/example-statement");
    fs::create_dir_all(&folder).unwrap();
    fs::write(
        folder.join("en.md"),
        "+++\ntitle = \"An example\"\ndate = 2026-11-31\n+++\nText.\n",
    )
    .unwrap();
    fs::write(
        folder.join("fa.md"),
        "+++\ntitle = \"نمونه\"\ndate = 2026-11-30\n+++\nمتن علي.\n\n<b>bold</b>\n\n![](x.png)\n",
    )
    .unwrap();
    fs::write(
        folder.join("de.md"),
        "+++\ntitle = \"Ein Beispiel\"\ndate = 2026-11-30\n+++\nText.\n",
    )
    .unwrap();
    let report = check_copy(dir.path());
    assert!(first(&report, "unknown-language").file.ends_with("de.md"));
    let date = first(&report, "front-matter");
    assert!(
        date.file.ends_with("example-statement/en.md") && date.line == 3,
        "{date:?}"
    );
    assert_eq!(date.severity, Severity::Error);
    let html = first(&report, "raw-html");
    assert!(html.file.ends_with("fa.md") && html.line == 7, "{html:?}");
    assert_eq!(first(&report, "image-alt").line, 9);
    let letter = first(&report, "arabic-letter");
    assert!(
        letter.file.ends_with("fa.md") && letter.line == 5,
        "{letter:?}"
    );
    let (code, out) = run_check(&[], dir.path());
    assert_eq!(code, 1, "{out}");
}

/// `l10n todo fa` lists statements with no Persian version and Persian versions whose
/// English changed since they were translated, with the change word by word; marking one
/// clears it; none of it fails a strict check or changes the language's completeness.
#[test]
fn statements_to_translate_are_in_the_todo() {
    let dir = site_copy();
    let statements = dir.path().join("content/statements");
    let write = |slug: &str, lang: &str, text: &str| {
        fs::create_dir_all(statements.join(slug)).unwrap();
        fs::write(statements.join(slug).join(format!("{lang}.md")), text).unwrap();
    };
    let long = "The campaign calls on every union in Britain to stand with the workers of \
                Iran, whose strike has now entered its third week despite arrests.";
    write(
        "english-only",
        "en",
        "+++\ntitle = \"Only English\"\ndate = 2026-11-30\n+++\nText.\n",
    );
    write(
        "both",
        "en",
        &format!("+++\ntitle = \"Both\"\ndate = 2026-11-29\n+++\n{long}\n"),
    );
    write(
        "both",
        "fa",
        "+++\ntitle = \"هر دو\"\ndate = 2026-11-29\n+++\nمتن.\n",
    );
    let completeness_before = completeness(&check_copy(dir.path()), "fa").translated;

    let out = todo("fa", dir.path());
    assert!(
        out.contains("statements/english-only  [statement-missing]"),
        "{out}"
    );
    assert!(
        out.contains("statements/both  [statement-unmarked]"),
        "{out}"
    );
    assert!(out.contains("2 statement(s) to translate"), "{out}");
    let (code, _, err) = crate::common::scdi(
        &["l10n", "mark-translated", "fa", "statements/both"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(!todo("fa", dir.path()).contains("statements/both"));

    // The English changes: the Persian version is outdated, the change shown word by word.
    write(
        "both",
        "en",
        &format!(
            "+++\ntitle = \"Both\"\ndate = 2026-11-29\n+++\n{}\n",
            long.replace("third", "fourth")
        ),
    );
    let out = todo("fa", dir.path());
    assert!(
        out.contains("statements/both  [statement-outdated]"),
        "{out}"
    );
    assert!(
        out.contains("[-third-]") && out.contains("{+fourth+}"),
        "{out}"
    );
    assert!(
        out.contains("scdi-site l10n mark-translated fa statements/both"),
        "{out}"
    );
    let (code, out) = run_check(&["--strict"], dir.path());
    assert_eq!(
        code, 0,
        "a statement to translate never fails the check: {out}"
    );
    assert_eq!(
        completeness(&check_copy(dir.path()), "fa").translated,
        completeness_before
    );
}
