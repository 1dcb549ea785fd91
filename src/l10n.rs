//! `scdi-site l10n check`: everything a translator needs to know about `locales/`, with
//! `file:line:col` and the offending line. Errors fail the check; warnings fail it only with
//! `--strict`.

pub mod parse;
pub mod persian;
pub mod usage;

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    fmt::Write as _,
    path::{Path, PathBuf},
};

use serde::Serialize;

use crate::i18n::{line_col, LanguageMeta, DEFAULT_LANG, LANGUAGES_FILE};
use parse::{parse_locale, Entry, ParsedLocale, PatternInfo};
use usage::Usage;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Machine-readable kind: `syntax`, `missing`, `obsolete`, `variable-missing`,
    /// `variable-unknown`, `unknown-reference`, `unknown-id`, `unused`, `duplicate`,
    /// `metadata`, `arabic-letter`, `zwnj`, `untranslated`, `ascii-digit`,
    /// `latin-punctuation`, `bidi-control`, `plural-one`.
    pub kind: &'static str,
    /// The locale concerned (empty for template/code findings).
    pub locale: String,
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// The message or term concerned, when there is one.
    pub id: Option<String>,
    pub message: String,
    /// The offending line of the file.
    pub source_line: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Completeness {
    pub locale: String,
    pub translated: usize,
    pub total: usize,
    pub percent: f64,
    pub offered: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub completeness: Vec<Completeness>,
    pub errors: usize,
    pub warnings: usize,
}

pub struct CheckOptions {
    pub locales_dir: PathBuf,
    pub templates_dir: PathBuf,
    /// Rust sources to scan for `msg!` ids; skipped when absent.
    pub src_dir: PathBuf,
    /// Percentage below which a locale is not offered (and missing messages only warn).
    pub min_completeness: f64,
}

impl Report {
    pub fn failed(&self, strict: bool) -> bool {
        self.errors > 0 || (strict && self.warnings > 0)
    }

    /// The human-readable report.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let sev = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let _ = writeln!(
                out,
                "{}:{}:{}: {sev}[{}]: {}",
                f.file, f.line, f.col, f.kind, f.message
            );
            if !f.source_line.is_empty() {
                let _ = writeln!(out, "    | {}", excerpt(&f.source_line, f.col));
            }
        }
        let _ = writeln!(
            out,
            "\nCompleteness (messages translated / messages in {DEFAULT_LANG}):"
        );
        for c in &self.completeness {
            let offered = if c.offered {
                "offered"
            } else {
                "not offered (preview only)"
            };
            let _ = writeln!(
                out,
                "  {:<6} {:>5.1}%  {}/{}  {offered}",
                c.locale, c.percent, c.translated, c.total
            );
        }
        let _ = writeln!(
            out,
            "\n{} error(s), {} warning(s)",
            self.errors, self.warnings
        );
        out
    }
}

/// At most ~120 characters of `line` around column `col`.
fn excerpt(line: &str, col: usize) -> String {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= 120 {
        return line.to_string();
    }
    let start = col.saturating_sub(60).min(chars.len().saturating_sub(120));
    let end = (start + 120).min(chars.len());
    let mut s: String = chars[start..end].iter().collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if end < chars.len() {
        s.push('…');
    }
    s
}

/// What is wrong, before it is placed in a file.
struct Issue {
    severity: Severity,
    kind: &'static str,
    id: Option<String>,
    message: String,
}

impl Issue {
    fn new(severity: Severity, kind: &'static str, id: Option<&str>, message: String) -> Self {
        Self {
            severity,
            kind,
            id: id.map(str::to_string),
            message,
        }
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
        self.findings.push(Finding {
            severity: Severity::Error,
            kind,
            locale: String::new(),
            file: u.file.display().to_string(),
            line: u.line,
            col: u.col,
            id: Some(u.id.clone()),
            message,
            source_line,
        });
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
    let mut dirs: Vec<_> = std::fs::read_dir(&opts.locales_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
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
        for (file, offset, message) in &l.syntax_errors {
            c.in_locale(
                l,
                *file,
                *offset,
                Issue::new(Severity::Error, "syntax", None, message.clone()),
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
        let total = en.message_ids().count();
        let translated = en
            .message_ids()
            .filter(|id| l.entries.contains_key(*id))
            .count();
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
        if l.code != DEFAULT_LANG {
            compare_with_reference(&mut c, en, l, offered, &passed);
        }
        if l.code.split('-').next() == Some("fa") {
            check_persian(&mut c, en, l);
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

fn check_references(c: &mut Checker, l: &ParsedLocale) {
    for (id, entry) in &l.entries {
        for p in patterns(entry) {
            for (target, offset) in &p.refs {
                if !has_id(l, target) {
                    c.in_locale(
                        l,
                        entry.file,
                        *offset,
                        Issue::new(
                            Severity::Error,
                            "unknown-reference",
                            Some(id),
                            format!(
                                "`{id}` refers to `{target}`, which does not exist in {}",
                                l.code
                            ),
                        ),
                    );
                }
            }
        }
    }
}

fn compare_with_reference(
    c: &mut Checker,
    en: &ParsedLocale,
    l: &ParsedLocale,
    offered: bool,
    passed: &HashMap<&str, BTreeSet<&str>>,
) {
    // Missing text on an offered page shows English to readers: an error. In a locale still
    // in preview it is expected, so a warning.
    let missing_severity = if offered {
        Severity::Error
    } else {
        Severity::Warning
    };
    let anchor = |l: &ParsedLocale| {
        l.files
            .iter()
            .position(|f| f.path.file_name().is_some_and(|n| n == "shared.ftl"))
            .unwrap_or(0)
    };
    for (id, en_entry) in &en.entries {
        let Some(entry) = l.entries.get(id) else {
            if !l.files.is_empty() {
                let en_file = en.files[en_entry.file]
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let file = l
                    .files
                    .iter()
                    .position(|f| {
                        f.path
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy() == en_file)
                    })
                    .unwrap_or_else(|| anchor(l));
                c.in_locale(
                    l,
                    file,
                    0,
                    Issue::new(
                        missing_severity,
                        "missing",
                        Some(id),
                        format!("`{id}` (in {DEFAULT_LANG}/{en_file}) is missing"),
                    ),
                );
                // The finding is about the file as a whole: no line to show.
                if let Some(f) = c.findings.last_mut() {
                    f.source_line.clear();
                }
            }
            continue;
        };
        for attr in en_entry
            .attrs
            .keys()
            .filter(|a| !entry.attrs.contains_key(*a))
        {
            c.in_locale(
                l,
                entry.file,
                entry.offset,
                Issue::new(
                    missing_severity,
                    "missing",
                    Some(id),
                    format!("attribute `{id}.{attr}` is missing"),
                ),
            );
        }
        for attr in entry
            .attrs
            .keys()
            .filter(|a| !en_entry.attrs.contains_key(*a))
        {
            c.in_locale(
                l,
                entry.file,
                entry.offset,
                Issue::new(
                    Severity::Warning,
                    "obsolete",
                    Some(id),
                    format!("attribute `{id}.{attr}` no longer exists in {DEFAULT_LANG}"),
                ),
            );
        }
        let pairs = [(None, en_entry.value.as_ref(), entry.value.as_ref())]
            .into_iter()
            .chain(
                en_entry
                    .attrs
                    .iter()
                    .map(|(a, p)| (Some(a), Some(p), entry.attrs.get(a))),
            );
        for (attr, en_p, p) in pairs {
            let (Some(en_p), Some(p)) = (en_p, p) else {
                continue;
            };
            let name = attr.map_or(id.clone(), |a| format!("{id}.{a}"));
            for var in en_p.vars.difference(&p.vars) {
                c.in_locale(
                    l,
                    entry.file,
                    entry.offset,
                    Issue::new(
                        Severity::Error,
                        "variable-missing",
                        Some(&name),
                        format!("`{name}` does not use {{ ${var} }}, which {DEFAULT_LANG} uses"),
                    ),
                );
            }
            let known = passed.get(name.as_str());
            for var in p.vars.iter().filter(|v| {
                !en_p.vars.contains(*v) && !known.is_some_and(|k| k.contains(v.as_str()))
            }) {
                c.in_locale(
                    l,
                    entry.file,
                    entry.offset,
                    Issue::new(
                        Severity::Error,
                        "variable-unknown",
                        Some(&name),
                        format!("`{name}` uses {{ ${var} }}, which is never passed to it"),
                    ),
                );
            }
        }
    }
    for (id, entry) in &l.entries {
        if !en.entries.contains_key(id) {
            c.in_locale(
                l,
                entry.file,
                entry.offset,
                Issue::new(
                    Severity::Warning,
                    "obsolete",
                    Some(id),
                    format!("`{id}` no longer exists in {DEFAULT_LANG}"),
                ),
            );
        }
    }
}

fn check_persian(c: &mut Checker, en: &ParsedLocale, l: &ParsedLocale) {
    for (id, entry) in &l.entries {
        for p in patterns(entry) {
            for (offset, text) in &p.texts {
                for (at, kind, message) in persian::check_text(text) {
                    c.in_locale(
                        l,
                        entry.file,
                        offset + at,
                        Issue::new(Severity::Warning, kind, Some(id), message),
                    );
                }
            }
            for (offset, text) in &p.one_variants {
                if let Some((at, kind, message)) = persian::check_one_variant(text) {
                    c.in_locale(
                        l,
                        entry.file,
                        offset + at,
                        Issue::new(Severity::Warning, kind, Some(id), message),
                    );
                }
            }
        }
        let same = |a: &PatternInfo, b: &PatternInfo| {
            a.flat.trim() == b.flat.trim() && a.flat.chars().any(char::is_alphabetic)
        };
        if let (Some(p), Some(en_p)) = (
            &entry.value,
            en.entries.get(id).and_then(|e| e.value.as_ref()),
        ) {
            if same(p, en_p) {
                let offset = p.texts.first().map_or(entry.offset, |t| t.0);
                c.in_locale(
                    l,
                    entry.file,
                    offset,
                    Issue::new(
                        Severity::Warning,
                        "untranslated",
                        Some(id),
                        format!("`{id}` is identical to the English text: probably untranslated"),
                    ),
                );
            }
        }
    }
}
