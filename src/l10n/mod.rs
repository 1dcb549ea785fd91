//! `scdi-site l10n check`: everything a translator needs to know about `locales/`, with
//! `file:line:col` and the offending line. Errors fail the check; warnings fail it only with
//! `--strict`.

mod mark;
mod new_language;
pub mod parse;
pub mod persian;
mod report;
mod rules;
pub mod usage;

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::{Path, PathBuf},
};

use crate::i18n::{
    line_col,
    status::{self, English},
    LanguageMeta, DEFAULT_LANG, LANGUAGES_FILE,
};
pub use mark::{mark_statement, mark_translated, Marked};
pub use new_language::{new_language, NewLanguage};
use parse::{parse_locale, Entry, ParsedLocale, PatternInfo};
pub use report::{Completeness, Finding, Report, Severity};
use rules::{check_arabic_script, check_plurals, check_references, compare_with_reference};
use usage::Usage;

pub struct CheckOptions {
    pub locales_dir: PathBuf,
    pub templates_dir: PathBuf,
    /// Rust sources to scan for `msg!` ids; skipped when absent.
    pub src_dir: PathBuf,
    /// Percentage below which a locale is not offered (and missing messages only warn).
    pub min_completeness: f64,
    /// The organisers' content (statements), checked too; nothing when it is absent.
    pub content_dir: PathBuf,
}

/// What is wrong, before it is placed in a file.
struct Issue {
    severity: Severity,
    kind: &'static str,
    id: Option<String>,
    message: String,
    /// The English to translate: (today's text, the text translated from, its comment).
    english: Option<(String, Option<String>, String)>,
}

impl Issue {
    fn new(severity: Severity, kind: &'static str, id: Option<&str>, message: String) -> Self {
        Self {
            severity,
            kind,
            id: id.map(str::to_string),
            message,
            english: None,
        }
    }

    /// With the English a translator needs beside the finding (and, for an outdated
    /// translation, the English it was made from).
    fn with_english(mut self, english: &English, was: Option<&str>) -> Self {
        self.english = Some((
            english.text.clone(),
            was.map(str::to_string),
            english.comment.clone(),
        ));
        self
    }
}

/// Collects findings; `file` paths are shown as given in the options.
struct Checker {
    findings: Vec<Finding>,
}

impl Checker {
    fn at(&mut self, locale: &str, file: &Path, text: &str, offset: usize, issue: Issue) {
        let (line, col) = line_col(text, offset);
        let source_line = text.lines().nth(line - 1).unwrap_or("").to_string();
        self.push(locale, file, (line, col), source_line, issue);
    }

    fn push(
        &mut self,
        locale: &str,
        file: &Path,
        (line, col): (usize, usize),
        source_line: String,
        issue: Issue,
    ) {
        let (english, english_was, comment) = match issue.english {
            Some((text, was, comment)) => (Some(text), was, Some(comment)),
            None => (None, None, None),
        };
        self.findings.push(Finding {
            severity: issue.severity,
            kind: issue.kind,
            locale: locale.to_string(),
            file: file.display().to_string(),
            line,
            col,
            id: issue.id,
            message: issue.message,
            source_line,
            english,
            english_was,
            comment,
        });
    }

    fn in_locale(&mut self, l: &ParsedLocale, file: usize, offset: usize, issue: Issue) {
        let f = &l.files[file];
        self.at(&l.code, &f.path, &f.text, offset, issue);
    }

    fn at_usage(&mut self, kind: &'static str, u: &Usage, message: String) {
        let text = std::fs::read_to_string(&u.file).unwrap_or_default();
        let source_line = text
            .lines()
            .nth(u.line.saturating_sub(1))
            .unwrap_or("")
            .trim_end()
            .to_string();
        let issue = Issue::new(Severity::Error, kind, Some(&u.id), message);
        self.push("", &u.file, (u.line, u.col), source_line, issue);
    }
}

pub fn check(opts: &CheckOptions) -> anyhow::Result<Report> {
    let mut c = Checker { findings: vec![] };
    let meta_path = opts.locales_dir.join(LANGUAGES_FILE);
    let meta_text = std::fs::read_to_string(&meta_path)?;
    let meta: BTreeMap<String, LanguageMeta> = match toml::from_str(&meta_text) {
        Ok(m) => m,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            c.at(
                "",
                &meta_path,
                &meta_text,
                offset,
                Issue::new(Severity::Error, "metadata", None, e.message().to_string()),
            );
            BTreeMap::new()
        }
    };

    let mut locales = vec![];
    for dir in crate::files::folders(&opts.locales_dir)? {
        let code = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !meta.contains_key(&code) && !meta.is_empty() {
            c.at(
                &code,
                &meta_path,
                &meta_text,
                0,
                Issue::new(
                    Severity::Error,
                    "metadata",
                    None,
                    format!("no entry [{code}] for the folder {}", dir.display()),
                ),
            );
        }
        locales.push(parse_locale(&code, &dir)?);
    }
    for code in meta.keys() {
        if !locales.iter().any(|l| &l.code == code) {
            c.at(
                code,
                &meta_path,
                &meta_text,
                meta_text.find(&format!("[{code}]")).unwrap_or(0),
                Issue::new(
                    Severity::Warning,
                    "metadata",
                    None,
                    format!("[{code}] has no folder in {}", opts.locales_dir.display()),
                ),
            );
        }
    }
    let Some(en_index) = locales.iter().position(|l| l.code == DEFAULT_LANG) else {
        anyhow::bail!(
            "no `{DEFAULT_LANG}` folder in {}",
            opts.locales_dir.display()
        );
    };

    let mut uses = usage::scan_templates(&opts.templates_dir)?;
    uses.extend(usage::scan_rust(&opts.src_dir)?);
    // Arguments the code passes to each message.
    let mut passed: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for u in &uses {
        passed
            .entry(u.id.as_str())
            .or_default()
            .extend(u.args.iter().map(String::as_str));
    }

    let en = &locales[en_index];
    let mut completeness = vec![];
    for l in &locales {
        for (file, problem) in &l.syntax_errors {
            let mut message = problem.message.clone();
            // A translated variable name: say which English one to write.
            if message.starts_with("variable names") {
                let vars = problem
                    .id
                    .as_deref()
                    .and_then(|id| en.entries.get(id))
                    .and_then(|e| e.value.as_ref())
                    .map(|p| {
                        p.vars
                            .iter()
                            .map(|v| format!("`{{ ${v} }}`"))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                if !vars.is_empty() {
                    message = format!("{message}: here {}", vars.join(" or "));
                }
            }
            if l.code != DEFAULT_LANG && problem.cut.is_some() {
                message.push_str("; the message is shown in English until this is fixed");
            }
            c.in_locale(
                l,
                *file,
                problem.offset,
                Issue::new(Severity::Error, "syntax", problem.id.as_deref(), message),
            );
        }
        for (file, offset, id) in &l.duplicates {
            c.in_locale(
                l,
                *file,
                *offset,
                Issue::new(
                    Severity::Error,
                    "duplicate",
                    Some(id),
                    format!("`{id}` is defined twice; the second definition is ignored"),
                ),
            );
        }
        // Counted as the server counts ([`status::translated`]); a message whose syntax
        // error is reported is not served, so it does not count.
        let total = en.message_ids().count();
        let translated = if l.code == DEFAULT_LANG {
            total
        } else {
            status::translated(
                &en.english,
                |id| {
                    (!l.broken_ids.contains(id))
                        .then(|| l.texts.get(id).map(String::as_str))
                        .flatten()
                },
                &l.record,
                l.latin,
            )
        };
        let percent = if total == 0 {
            100.0
        } else {
            translated as f64 * 100.0 / total as f64
        };
        let offered = l.code == DEFAULT_LANG || percent >= opts.min_completeness;
        completeness.push(Completeness {
            locale: l.code.clone(),
            translated,
            total,
            percent,
            offered,
        });
        check_references(&mut c, l);
        check_plurals(&mut c, l);
        if l.code != DEFAULT_LANG {
            compare_with_reference(&mut c, en, l, offered, &passed);
        }
        if l.code
            .parse()
            .is_ok_and(|id| crate::i18n::likely_script(&id) == "Arab")
        {
            check_arabic_script(&mut c, l);
        }
    }

    // Ids the site uses must exist in the reference locale; reference messages nothing uses
    // are probably leftovers.
    for u in &uses {
        if !has_id(en, &u.id) {
            c.at_usage(
                "unknown-id",
                u,
                format!(
                    "`{}` is used here but does not exist in {DEFAULT_LANG}",
                    u.id
                ),
            );
        }
    }
    let referenced: BTreeSet<String> = en
        .entries
        .values()
        .flat_map(|e| patterns(e).flat_map(|p| p.refs.iter().map(|r| r.0.clone())))
        .collect();
    for (id, entry) in &en.entries {
        let used = uses
            .iter()
            .any(|u| u.id == *id || u.id.starts_with(&format!("{id}.")))
            || referenced
                .iter()
                .any(|r| r == id || r.starts_with(&format!("{id}.")));
        if !used {
            c.in_locale(
                en,
                entry.file,
                entry.offset,
                Issue::new(
                    Severity::Warning,
                    "unused",
                    Some(id),
                    format!("`{id}` is not used by any template or code"),
                ),
            );
        }
    }

    let codes: Vec<String> = locales.iter().map(|l| l.code.clone()).collect();
    check_content(&mut c, &opts.content_dir, &codes)?;

    let mut findings = c.findings;
    findings.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    Ok(Report {
        warnings: findings.len() - errors,
        errors,
        findings,
        completeness,
    })
}

fn patterns(entry: &Entry) -> impl Iterator<Item = &PatternInfo> {
    entry.value.iter().chain(entry.attrs.values())
}

/// `id` or `id.attr` exists in `locale`.
fn has_id(locale: &ParsedLocale, id: &str) -> bool {
    match id.split_once('.') {
        Some((m, a)) => locale
            .entries
            .get(m)
            .is_some_and(|e| e.attrs.contains_key(a)),
        None => locale.entries.get(id).is_some_and(|e| e.value.is_some()),
    }
}

/// The statements' problems (front matter, raw HTML, images), and the typography of those
/// in a language written in Arabic script, each in the statement's language.
fn check_content(c: &mut Checker, content_dir: &Path, languages: &[String]) -> anyhow::Result<()> {
    let (statements, problems) = crate::content::load(content_dir)?;
    let lang_of = |path: &Path| {
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string()
    };
    for p in problems {
        let text = std::fs::read_to_string(&p.path).unwrap_or_default();
        let issue = Issue::new(Severity::Error, p.kind, None, p.message);
        c.at(&lang_of(&p.path), &p.path, &text, p.offset, issue);
    }
    statements_to_translate(c, &statements, languages)?;
    for version in statements.iter().flat_map(|s| s.versions.values()) {
        let lang = lang_of(&version.path);
        if !languages.contains(&lang) {
            let issue = Issue::new(
                Severity::Warning,
                "unknown-language",
                None,
                format!("the site has no language `{lang}` (a folder in the locales): this file is not published"),
            );
            c.at(&lang, &version.path, "", 0, issue);
        }
    }
    for version in statements.iter().flat_map(|s| s.versions.values()) {
        let lang = lang_of(&version.path);
        let arabic = lang
            .parse()
            .is_ok_and(|id| crate::i18n::likely_script(&id) == "Arab");
        if !arabic {
            continue;
        }
        let writing = persian::writing_of(&lang);
        let text = std::fs::read_to_string(&version.path).unwrap_or_default();
        for (offset, run) in &version.texts {
            for (at, kind, message) in persian::check_text(run, &writing) {
                let issue = Issue::new(Severity::Warning, kind, None, message);
                c.at(&lang, &version.path, &text, offset + at, issue);
            }
        }
    }
    Ok(())
}

/// For each translation `languages`, the statements to translate: those written in English
/// and not in it (`statement-missing`), and versions whose English changed since they were
/// translated (`statement-outdated`, with the English then and now) or that were never
/// recorded (`statement-unmarked`): the messages' outdated mechanism, a file for a message.
fn statements_to_translate(
    c: &mut Checker,
    statements: &[crate::content::Statement],
    languages: &[String],
) -> anyhow::Result<()> {
    for s in statements {
        let Some(en) = s.versions.get(DEFAULT_LANG) else {
            continue;
        };
        let english = crate::files::read_text(&en.path)?;
        let record = status::read_record(&s.folder)?;
        let id = format!("statements/{}", s.slug);
        for lang in languages.iter().filter(|l| *l != DEFAULT_LANG) {
            let path = s.folder.join(format!("{lang}.md"));
            let (kind, was, message) = match s.versions.get(lang) {
                None => (
                    "statement-missing",
                    None,
                    format!(
                        "`{}` has no {lang} version yet: write {}",
                        s.slug,
                        path.display()
                    ),
                ),
                Some(v) => {
                    let translation = crate::files::read_text(&v.path)?;
                    match record.get(lang) {
                        None => (
                            "statement-unmarked",
                            None,
                            format!(
                                "`{}` in {lang} is not recorded as translated from today's English",
                                s.slug
                            ),
                        ),
                        Some(r) if r.english() == english || r.edited_since(&translation) => {
                            continue
                        }
                        Some(r) => (
                            "statement-outdated",
                            Some(r.english().to_string()),
                            format!(
                                "the English of `{}` changed since it was translated into {lang}",
                                s.slug
                            ),
                        ),
                    }
                }
            };
            let mut issue = Issue::new(Severity::Warning, kind, Some(&id), message);
            issue.english = Some((english.clone(), was, en.title.clone()));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            c.at(lang, &path, &text, 0, issue);
        }
    }
    Ok(())
}
