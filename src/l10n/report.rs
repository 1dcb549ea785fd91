//! The check's findings and their text form (`file:line:col: severity[kind]: message`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::i18n::DEFAULT_LANG;

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
    /// For a message to translate (missing, outdated...): its English today, as Fluent source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub english: Option<String>,
    /// For an outdated translation: the English it was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub english_was: Option<String>,
    /// The English message's comment: where it appears, what it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
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
            // Beside a message to translate: its English, now and (outdated) before.
            let english = [("English now", &f.english), ("English was", &f.english_was)];
            for (label, text) in english {
                if let Some(text) = text {
                    let text = text.replace('\n', "\n      ");
                    let _ = writeln!(out, "    = {label}: {text}");
                }
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
