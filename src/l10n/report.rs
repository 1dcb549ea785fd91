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
    /// `latin-punctuation`, `bidi-control`, `plural-one`; for statements `front-matter`,
    /// `slug`, `date-mismatch`, `raw-html`, `image-alt`, `image-missing`, `unknown-language`,
    /// and the to-do `statement-missing`, `statement-outdated`, `statement-unmarked`.
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
    /// Whether the check fails: on any error, and with `strict` on any warning about what
    /// readers are offered (an offered language, English, templates and code). A language
    /// still in preview is expected to have warnings: they never fail it.
    pub fn failed(&self, strict: bool) -> bool {
        let offered = |locale: &str| {
            locale.is_empty()
                || self
                    .completeness
                    .iter()
                    .any(|c| c.locale == locale && c.offered)
        };
        // A translation not yet recorded (`unmarked`) counts and is shown, but does not fail
        // a strict run: a translator on the web, with no program to record it, has done
        // the job (anyone who runs `mark-translated` later records it).
        // Nor does a statement to translate: one may be in one language only, and an
        // organiser's edit of the English must not wait for its translation.
        self.errors > 0
            || (strict
                && self.findings.iter().any(|f| {
                    f.severity == Severity::Warning
                        && f.kind != "unmarked"
                        && !f.kind.starts_with("statement-")
                        && offered(&f.locale)
                }))
    }

    /// The report for one language only.
    pub fn only(&self, locale: &str) -> Report {
        let findings: Vec<Finding> = self
            .findings
            .iter()
            .filter(|f| f.locale == locale)
            .cloned()
            .collect();
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        Report {
            warnings: findings.len() - errors,
            errors,
            findings,
            completeness: self
                .completeness
                .iter()
                .filter(|c| c.locale == locale)
                .cloned()
                .collect(),
        }
    }

    /// GitHub Actions workflow commands: each finding an annotation on its file and line, so
    /// that a translator who edits on the web sees it on their change.
    pub fn to_github(&self) -> String {
        // GitHub shows ten annotations of a kind per step: the findings that decide the run
        // (the languages readers are offered, the templates, the code) come first, and a
        // language still in preview is summed up in one notice rather than hiding them.
        let preview: Vec<&str> = self
            .completeness
            .iter()
            .filter(|c| !c.offered)
            .map(|c| c.locale.as_str())
            .collect();
        let (previewed, decisive): (Vec<&Finding>, Vec<&Finding>) = self
            .findings
            .iter()
            .partition(|f| preview.contains(&f.locale.as_str()));
        let mut out = String::new();
        for f in decisive {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let title = match &f.id {
                Some(id) => format!("{} ({id})", f.kind),
                None => f.kind.to_string(),
            };
            let mut message = f.message.clone();
            for (label, text) in [("English now", &f.english), ("English was", &f.english_was)] {
                if let Some(text) = text {
                    let _ = write!(message, "\n{label}: {text}");
                }
            }
            let _ = writeln!(
                out,
                "::{level} file={},line={},col={},title={}::{}",
                github_property(&f.file),
                f.line,
                f.col,
                github_property(&title),
                github_data(&message)
            );
        }
        let summary: Vec<String> = preview
            .iter()
            .filter_map(|locale| {
                let count = previewed.iter().filter(|f| f.locale == *locale).count();
                (count > 0).then(|| {
                    format!("{locale}: {count} finding(s), see `scdi-site l10n todo {locale}`")
                })
            })
            .collect();
        if !summary.is_empty() {
            let _ = writeln!(
                out,
                "::notice title=Languages in preview (not offered to readers yet)::{}",
                github_data(&summary.join("\n"))
            );
        }
        out
    }

    /// A translator's to-do for `locale`: each message to translate or check, with what it
    /// is for and its English (and, when outdated, the English it was translated from),
    /// then the language's other findings.
    pub fn to_todo(&self, locale: &str, language: &str) -> String {
        let report = self.only(locale);
        let (todo, other): (Vec<&Finding>, Vec<&Finding>) =
            report.findings.iter().partition(|f| f.english.is_some());
        let mut out = String::new();
        // Messages to translate, counted as the completeness counts them (terms, the shared
        // wording used inside messages, apart), and translations only to mark.
        let is_term = |f: &&&Finding| f.id.as_deref().is_some_and(|id| id.starts_with('-'));
        let to_mark = todo.iter().filter(|f| f.kind == "unmarked").count();
        let terms = todo
            .iter()
            .filter(|f| f.kind != "unmarked")
            .filter(is_term)
            .count();
        let statements = todo
            .iter()
            .filter(|f| f.kind.starts_with("statement-"))
            .count();
        let messages = todo.len() - to_mark - terms - statements;
        let _ = writeln!(
            out,
            "To do in {language} ({locale}): {messages} message(s) to translate{}{}{}\n",
            match terms {
                0 => String::new(),
                n => format!(" and {n} term(s) (shared wording used inside messages)"),
            },
            match to_mark {
                0 => String::new(),
                n => format!("; {n} translated, to mark once checked"),
            },
            match statements {
                0 => String::new(),
                n => format!("; {n} statement(s) to translate, bring up to date or mark"),
            }
        );
        for f in &todo {
            let id = f.id.as_deref().unwrap_or("");
            let _ = writeln!(out, "{id}  [{}]  {}:{}", f.kind, f.file, f.line);
            if let Some(comment) = f.comment.as_deref().filter(|c| !c.is_empty()) {
                let _ = writeln!(out, "  What it is: {}", comment.replace('\n', " "));
            }
            match (&f.english_was, &f.english) {
                // A long text changed in a few words: the change, not two long texts.
                (Some(was), Some(now)) if was.len() + now.len() > LONG => {
                    let _ = writeln!(out, "  English change: {}", indent(&word_diff(was, now)));
                }
                (was, now) => {
                    if let Some(was) = was {
                        let _ = writeln!(out, "  English was: {}", indent(was));
                    }
                    if let Some(now) = now {
                        let _ = writeln!(out, "  English now: {}", indent(now));
                    }
                }
            }
            if !f.source_line.is_empty() {
                let _ = writeln!(out, "  Translation now: {}", f.source_line);
            }
            if matches!(
                f.kind,
                "outdated" | "unmarked" | "statement-outdated" | "statement-unmarked"
            ) {
                let _ = writeln!(
                    out,
                    "  When it matches: scdi-site l10n mark-translated {locale} {id}"
                );
            }
            out.push('\n');
        }
        if !other.is_empty() {
            let _ = writeln!(out, "Other findings in {language} ({locale}):");
            let others = Report {
                findings: other.into_iter().cloned().collect(),
                ..report.clone()
            };
            out.push_str(&others.findings_text());
        }
        for c in &report.completeness {
            let offered = if c.offered {
                "offered"
            } else {
                "not offered yet (preview only)"
            };
            let _ = writeln!(
                out,
                "\nCompleteness: {:.1}% ({}/{}), {offered}",
                c.percent, c.translated, c.total
            );
        }
        out
    }

    /// The findings, each with its line of the file (and, beside a message to translate,
    /// its English now and, when outdated, before).
    fn findings_text(&self) -> String {
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
            let english = [("English now", &f.english), ("English was", &f.english_was)];
            for (label, text) in english {
                if let Some(text) = text {
                    let _ = writeln!(out, "    = {label}: {}", indent(text));
                }
            }
        }
        out
    }

    /// What the watch-mode banner shows, as in the text report: every error and warning but
    /// the to-do of messages to translate or mark (`l10n todo` lists those).
    pub fn banner_text(&self) -> String {
        Report {
            findings: self
                .findings
                .iter()
                .filter(|f| !matches!(f.kind, "missing" | "untranslated" | "unmarked"))
                .filter(|f| !f.kind.starts_with("statement-"))
                .cloned()
                .collect(),
            ..self.clone()
        }
        .findings_text()
    }

    /// The human-readable report.
    pub fn to_text(&self) -> String {
        let mut out = self.findings_text();
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

/// Continuation lines of a multi-line text, indented under the first.
fn indent(text: &str) -> String {
    text.replace('\n', "\n      ")
}

/// A workflow command's property value (file, title), escaped as GitHub wants.
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A workflow command's message, escaped as GitHub wants.
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Old and new English together longer than this are shown as their change.
const LONG: usize = 240;

/// What changed from `was` to `now`, word by word: `[-removed-]{+added+}`, with long
/// unchanged runs shortened to their ends.
fn word_diff(was: &str, now: &str) -> String {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_words(was, now);
    let mut out = String::new();
    let mut same = String::new();
    let flush = |same: &mut String, out: &mut String, last: bool| {
        let words: Vec<&str> = same.split(' ').collect();
        if words.len() > 10 {
            // The ends of a long unchanged run: enough to find the place.
            let head = if out.is_empty() { 0 } else { 4 };
            let tail = if last { 0 } else { 4 };
            out.push_str(&words[..head].join(" "));
            out.push_str(match (head, tail) {
                (0, _) => "… ",
                (_, 0) => " …",
                _ => " … ",
            });
            out.push_str(&words[words.len() - tail..].join(" "));
        } else {
            out.push_str(same);
        }
        same.clear();
    };
    // Consecutive tokens of one kind are one run: `{+for +}`, not `{+for+}{+ +}`.
    let mut run: Option<(ChangeTag, String)> = None;
    let end_run = |run: &mut Option<(ChangeTag, String)>, out: &mut String| {
        if let Some((tag, text)) = run.take() {
            let _ = match tag {
                ChangeTag::Delete => write!(out, "[-{text}-]"),
                _ => write!(out, "{{+{text}+}}"),
            };
        }
    };
    for change in diff.iter_all_changes() {
        let (tag, text) = (change.tag(), change.value());
        if tag == ChangeTag::Equal {
            end_run(&mut run, &mut out);
            same.push_str(text);
            continue;
        }
        flush(&mut same, &mut out, false);
        match &mut run {
            Some((t, buffered)) if *t == tag => buffered.push_str(text),
            _ => {
                end_run(&mut run, &mut out);
                run = Some((tag, text.to_string()));
            }
        }
    }
    end_run(&mut run, &mut out);
    flush(&mut same, &mut out, true);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_change_is_shown_as_its_words() {
        let was = "The campaign supports the struggle of the people of Iran for democracy and \
                   social justice, and it opposes war and sanctions that harm ordinary people.";
        let now = was.replace("opposes war", "firmly opposes war");
        let diff = word_diff(was, &now);
        assert!(diff.contains("{+firmly +}"), "{diff}");
        assert!(diff.contains(" … ") || diff.starts_with("… "), "{diff}");
        assert!(diff.len() < now.len(), "{diff}");
    }
}
