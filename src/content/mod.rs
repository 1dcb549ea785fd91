//! Statements, the campaign's dated texts, as organisers write them: one folder per
//! statement, `content/statements/<slug>/`, with one Markdown file per language (`en.md`,
//! `fa.md`, ...), each opening with TOML front matter between `+++` lines (as Zola does):
//!
//! ```text
//! +++
//! title = "Stop the executions"
//! date = 2026-11-30
//! summary = "One sentence for the list and the feed."   # optional: else the first paragraph
//! updated = 2026-12-01                                  # optional
//! +++
//! The text, in Markdown (CommonMark, with tables and footnotes).
//! ```
//!
//! Raw HTML in a statement is text, never markup: a statement is words, and a pasted
//! `<script>` or `<iframe>` must not reach readers. What is read here is what `l10n check`
//! checks and what the pages show.

mod markdown;

use std::{
    collections::BTreeMap,
    io,
    path::{Path, PathBuf},
};

use rayon::prelude::*;

use crate::files;

pub(crate) use markdown::{html, Image};

/// The folder of statements below the content folder.
pub(crate) const STATEMENTS: &str = "statements";

/// A statement in every language it was written in.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    /// Its folder's name: `a-z`, `0-9` and `-`; its URL path.
    pub(crate) slug: String,
    /// Its folder, where its images are.
    pub(crate) folder: PathBuf,
    /// By language tag.
    pub(crate) versions: BTreeMap<String, Version>,
}

/// A statement in one language.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub(crate) path: PathBuf,
    pub(crate) title: String,
    /// The front matter's `summary`, else the words of the first paragraph.
    pub(crate) summary: String,
    pub(crate) date: time::Date,
    pub(crate) updated: Option<time::Date>,
    /// The Markdown after the front matter; `None` once the site has rendered it
    /// ([`Version::markdown`] reads it again).
    pub(crate) body: Option<String>,
    /// The words a reader sees (title, summary, the text outside code), with the byte
    /// offset of each run in the file: for the typography checks.
    pub(crate) texts: Vec<(usize, String)>,
}

impl Version {
    /// Its Markdown, as held or read again from its file (empty when the file is gone).
    pub(crate) fn markdown(&self) -> std::borrow::Cow<'_, str> {
        if let Some(body) = &self.body {
            return body.into();
        }
        let folder = self.path.parent().unwrap_or(Path::new(""));
        let read = files::read_text(&self.path)
            .ok()
            .and_then(|text| read_version(&self.path, &text, folder, &mut vec![]));
        read.and_then(|v| v.body).unwrap_or_default().into()
    }
}

/// Something wrong in a statement's file, where it is.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub(crate) path: PathBuf,
    /// Byte offset in the file.
    pub(crate) offset: usize,
    /// `front-matter`, `raw-html`, `image-alt`, `image-missing`, `date-mismatch`, `slug`.
    pub(crate) kind: &'static str,
    pub(crate) message: String,
}

/// What the front matter may say.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    date: toml::value::Datetime,
    summary: Option<String>,
    updated: Option<toml::value::Datetime>,
}

/// Every statement below `content_dir` (none when it has no `statements` folder), newest
/// first, with what is wrong in them. A file with a problem in its front matter is left
/// out; other problems (raw HTML, an image) are reported and the statement kept.
pub(crate) fn load(content_dir: &Path) -> io::Result<(Vec<Statement>, Vec<Problem>)> {
    let root = content_dir.join(STATEMENTS);
    let mut statements = vec![];
    let mut problems = vec![];
    if !root.is_dir() {
        return Ok((statements, problems));
    }
    // Statements are read in parallel: a thousand of them are most of a start's reading.
    let read: Vec<(Option<Statement>, Vec<Problem>)> = files::folders(&root)?
        .into_par_iter()
        .map(read_statement)
        .collect::<io::Result<_>>()?;
    for (statement, found) in read {
        statements.extend(statement);
        problems.extend(found);
    }
    statements.sort_by(|a, b| newest(b).cmp(&newest(a)).then(a.slug.cmp(&b.slug)));
    Ok((statements, problems))
}

/// The statement in `folder`, if it has a version whose front matter reads, with what is
/// wrong in it.
fn read_statement(folder: PathBuf) -> io::Result<(Option<Statement>, Vec<Problem>)> {
    let mut problems = vec![];
    let slug = folder
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    if slug.is_empty()
        || !slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        problems.push(Problem {
            path: folder.clone(),
            offset: 0,
            kind: "slug",
            message: format!(
                "the folder name `{slug}` is the statement's address: use only a-z, 0-9 and -"
            ),
        });
        return Ok((None, problems));
    }
    let mut versions = BTreeMap::new();
    for path in files::sources(&folder, &["md"])? {
        let lang = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text = files::read_text(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if let Some(version) = read_version(&path, &text, &folder, &mut problems) {
            versions.insert(lang, version);
        }
    }
    let mut dates = versions.values().map(|v| v.date);
    if let Some(first) = dates.next() {
        if dates.any(|d| d != first) {
            for v in versions.values() {
                problems.push(Problem {
                    path: v.path.clone(),
                    offset: 0,
                    kind: "date-mismatch",
                    message: format!(
                        "the languages of `{slug}` give different dates ({}): a statement has one date",
                        versions
                            .iter()
                            .map(|(l, v)| format!("{l}: {}", v.date))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
    }
    let statement = (!versions.is_empty()).then_some(Statement {
        slug,
        folder,
        versions,
    });
    Ok((statement, problems))
}

/// A statement's date (its languages' earliest, should they disagree).
fn newest(s: &Statement) -> Option<time::Date> {
    s.versions.values().map(|v| v.date).min()
}

/// One language's file: its front matter and its text, or `None` (with the problem said)
/// when the front matter is missing or wrong.
fn read_version(
    path: &Path,
    text: &str,
    folder: &Path,
    problems: &mut Vec<Problem>,
) -> Option<Version> {
    let problem = |offset: usize, kind: &'static str, message: String| Problem {
        path: path.to_path_buf(),
        offset,
        kind,
        message,
    };
    let Some(rest) = text.strip_prefix("+++\n") else {
        problems.push(problem(
            0,
            "front-matter",
            "a statement starts with its front matter: a line `+++`, `title = \"...\"`, \
             `date = YYYY-MM-DD`, and a line `+++`"
                .into(),
        ));
        return None;
    };
    // The closing `+++` line: the front matter is what comes before it.
    let (front, close) = if rest.starts_with("+++") {
        ("", 4)
    } else {
        match rest.find("\n+++") {
            Some(i) => (&rest[..=i], 4 + i + 1),
            None => {
                problems.push(problem(
                    0,
                    "front-matter",
                    "the front matter has no closing `+++` line".into(),
                ));
                return None;
            }
        }
    };
    let after = close + 3;
    let body_start = after + usize::from(text[after..].starts_with('\n'));
    let body = &text[body_start..];
    let matter: FrontMatter = match toml::from_str(front) {
        Ok(m) => m,
        Err(e) => {
            let at = 4 + e.span().map_or(0, |s| s.start);
            problems.push(problem(at, "front-matter", e.message().to_string()));
            return None;
        }
    };
    let date_at = 4 + front.find("date").unwrap_or(0);
    let date = match day_of(&matter.date) {
        Some(d) => d,
        None => {
            problems.push(problem(
                date_at,
                "front-matter",
                format!(
                    "`date = {}`: write the day only, as 2026-11-30",
                    matter.date
                ),
            ));
            return None;
        }
    };
    let updated = match &matter.updated {
        None => None,
        Some(u) => match day_of(u) {
            Some(d) => Some(d),
            None => {
                let at = 4 + front.find("updated").unwrap_or(0);
                problems.push(problem(
                    at,
                    "front-matter",
                    format!("`updated = {u}`: write the day only, as 2026-11-30"),
                ));
                None
            }
        },
    };
    if let Some(u) = updated.filter(|u| *u < date) {
        let at = 4 + front.find("updated").unwrap_or(0);
        problems.push(problem(
            at,
            "front-matter",
            format!("`updated = {u}` is before `date = {date}`"),
        ));
    }
    let at = |field: &str| 4 + front.find(field).unwrap_or(0);
    let mut texts = vec![(at("title"), matter.title.clone())];
    texts.extend(matter.summary.clone().map(|s| (at("summary"), s)));
    texts.extend(markdown::read_body(
        body, body_start, folder, path, problems,
    ));
    Some(Version {
        path: path.to_path_buf(),
        title: matter.title,
        summary: matter
            .summary
            .unwrap_or_else(|| markdown::first_paragraph(body)),
        date,
        updated,
        body: Some(body.to_string()),
        texts,
    })
}

/// A TOML date that is a day and nothing more.
fn day_of(value: &toml::value::Datetime) -> Option<time::Date> {
    let (Some(d), None, None) = (value.date, value.time, value.offset) else {
        return None;
    };
    let month = time::Month::try_from(d.month).ok()?;
    time::Date::from_calendar_date(i32::from(d.year), month, d.day).ok()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn statement(dir: &Path, slug: &str, lang: &str, text: &str) -> PathBuf {
        let folder = dir.join(STATEMENTS).join(slug);
        fs::create_dir_all(&folder).unwrap();
        let path = folder.join(format!("{lang}.md"));
        fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn statements_load_newest_first_and_raw_html_is_text() {
        let dir = tempfile::tempdir().unwrap();
        statement(
            dir.path(),
            "older",
            "en",
            "+++\ntitle = \"Older\"\ndate = 2022-09-16\n+++\nFirst words\nof it.\n\n<script>alert(1)</script>\n",
        );
        statement(
            dir.path(),
            "newer",
            "fa",
            "+++\ntitle = \"تازه\"\ndate = 2026-11-30\nsummary = \"خلاصه\"\n+++\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        let (all, problems) = load(dir.path()).unwrap();
        assert_eq!(
            all.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(),
            ["newer", "older"]
        );
        let older = &all[1].versions["en"];
        assert!(
            older.texts.iter().any(|(_, t)| t.contains("<script>")),
            "as text"
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, "raw-html");
        let newer: Vec<&str> = all[0].versions["fa"]
            .texts
            .iter()
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(
            newer[..2],
            ["تازه", "خلاصه"],
            "title and summary are words too"
        );
        assert!(newer.contains(&"1"), "table cells are text");
    }

    #[test]
    fn front_matter_problems_are_said_where_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("no-front", "Just text\n", "front-matter", 0),
            (
                "no-title",
                "+++\ndate = 2026-11-30\n+++\nText\n",
                "front-matter",
                4,
            ),
            (
                "bad-date",
                "+++\ntitle = \"T\"\ndate = 2026-13-01\n+++\n",
                "front-matter",
                14,
            ),
            (
                "unknown",
                "+++\ntitle = \"T\"\ndate = 2026-11-30\nauthor = \"x\"\n+++\n",
                "front-matter",
                32,
            ),
        ];
        for (slug, text, _, _) in cases {
            statement(dir.path(), slug, "en", text);
        }
        statement(
            dir.path(),
            "Bad_Slug",
            "en",
            "+++\ntitle = \"T\"\ndate = 2026-11-30\n+++\n",
        );
        let (all, problems) = load(dir.path()).unwrap();
        assert!(all.is_empty(), "{all:?}");
        for (slug, _, kind, line_start) in cases {
            let p = problems
                .iter()
                .find(|p| p.path.to_string_lossy().contains(slug))
                .unwrap_or_else(|| panic!("{slug}: {problems:?}"));
            assert_eq!(p.kind, kind, "{slug}");
            assert!(p.offset >= line_start, "{slug}: {p:?}");
        }
        assert!(problems.iter().any(|p| p.kind == "slug"));
    }

    #[test]
    fn languages_must_agree_on_the_date_and_images_need_alt_text_and_a_file() {
        let dir = tempfile::tempdir().unwrap();
        statement(
            dir.path(),
            "s",
            "en",
            "+++\ntitle = \"T\"\ndate = 2026-11-30\n+++\n![](crowd.jpg)\n",
        );
        statement(
            dir.path(),
            "s",
            "fa",
            "+++\ntitle = \"ت\"\ndate = 2026-11-29\n+++\n![جمعیت](crowd.jpg)\n",
        );
        let (_, problems) = load(dir.path()).unwrap();
        let kinds: Vec<&str> = problems.iter().map(|p| p.kind).collect();
        assert!(kinds.contains(&"date-mismatch"), "{kinds:?}");
        assert_eq!(
            kinds.iter().filter(|k| **k == "image-alt").count(),
            1,
            "{kinds:?}"
        );
        assert_eq!(
            kinds.iter().filter(|k| **k == "image-missing").count(),
            2,
            "{kinds:?}"
        );
    }
}
