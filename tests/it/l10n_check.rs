//! `scdi-site l10n check`: a fixture with one of every problem proves each is detected, with
//! its position; the real locales pass, even with `--strict`.

use std::{path::Path, process::Command};

use crate::common::{copy_dir, repo_root};
use scdi_site::l10n::{check, CheckOptions, Finding, Report, Severity};

fn fixture() -> CheckOptions {
    let base = repo_root().join("tests/fixtures/l10n");
    CheckOptions {
        locales_dir: base.join("locales"),
        templates_dir: base.join("templates"),
        src_dir: base.join("src"),
        min_completeness: 90.0,
    }
}

fn find<'a>(report: &'a Report, kind: &str, file_suffix: &str, line: usize) -> &'a Finding {
    report
        .findings
        .iter()
        .find(|f| f.kind == kind && f.file.ends_with(file_suffix) && f.line == line)
        .unwrap_or_else(|| panic!("no {kind} at {file_suffix}:{line} in\n{}", report.to_text()))
}

#[test]
fn every_kind_of_problem_is_found_with_its_position() {
    let report = check(&fixture()).unwrap();
    let syntax = find(&report, "syntax", "fa/broken.ftl", 3);
    assert_eq!((syntax.col, syntax.severity), (13, Severity::Error));
    assert_eq!(syntax.source_line, "oops = { $x ]");

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
        (Some(3), Some(13))
    );
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
    let text = std::fs::read_to_string(&home)
        .unwrap()
        .replace("۱۹۷۹", "1979");
    std::fs::write(&home, text).unwrap();

    let (code, out) = run_check(&[], dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[ascii-digit]"), "{out}");
    let (code, _) = run_check(&["--strict"], dir.path());
    assert_eq!(code, 1);
}
