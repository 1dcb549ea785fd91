//! Whether a translated message is up to date with the English it was made from.
//!
//! Each language keeps, in `locales/{lang}/translated-from.toml`, the English text each of its
//! messages was translated from, and a fingerprint of the translation as it was then, written
//! by `scdi-site l10n mark-translated` (translators never edit it). A translation is then:
//! - current: made from today's English, or changed since it was recorded (a translator who
//!   updated it, on the web without the program, made it from the English of that day:
//!   `mark-translated`, run by anyone later, writes that down);
//! - outdated: made from English that has changed since, and not touched since;
//! - unmarked: not yet recorded (just translated, or never checked);
//! - the same as English: copied, not translated (unless the English comment says
//!   `Same in translation: ...`, as for a name);
//! - missing.
//!
//! Only current and unmarked translations count towards a language's completeness. The server
//! (which languages to offer) and `l10n check` (the report) both count with [`status`].

use std::{collections::BTreeMap, fs, io, path::Path};

use fluent_syntax::{ast, parser::Slice, serializer};
use serde::{Deserialize, Serialize};

/// The file in each language folder.
pub const RECORD_FILE: &str = "translated-from.toml";

/// The comment line by which an English message says a translation may be identical.
pub const SAME_IN_TRANSLATION: &str = "Same in translation:";

/// What the English reference says of one message or term.
#[derive(Debug, Clone)]
pub struct English {
    /// The entry as Fluent source, without its comment ([`canonical`]).
    pub text: String,
    /// Its comment: where it appears, what it is for.
    pub comment: String,
    /// Whether it has words (a message of only placeables and punctuation, such as
    /// `{ $page } – { -site-name }`, may well read the same in translation).
    pub has_words: bool,
    /// Its comment says a translation may be identical (a name, an acronym).
    pub may_stay_the_same: bool,
    /// ... but only in a language written in Latin letters, as the comment says of a name.
    pub same_only_in_latin: bool,
    /// The terms it uses (`-site-name`): a message without words of its own shows them.
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Missing,
    SameAsEnglish,
    /// Translated from English that has changed since: `was` is that English.
    Outdated {
        was: String,
    },
    Unmarked,
    Current,
}

impl Status {
    /// Whether the message counts as translated (towards completeness).
    pub fn counts(&self) -> bool {
        matches!(self, Status::Current | Status::Unmarked)
    }
}

/// What the record says of one translation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Recorded {
    /// The English it was made from, and the [`fingerprint`] of the translation then.
    Both {
        english: String,
        translation: String,
    },
    /// The English only (records written before fingerprints).
    English(String),
}

impl Recorded {
    /// A record of `translation`, made from `english`.
    pub fn of(english: &str, translation: &str) -> Self {
        Recorded::Both {
            english: english.to_string(),
            translation: fingerprint(translation),
        }
    }

    pub fn english(&self) -> &str {
        match self {
            Recorded::Both { english, .. } | Recorded::English(english) => english,
        }
    }

    /// Whether `translation` is no longer the text this record was made of: someone edited
    /// it since.
    pub fn edited_since(&self, translation: &str) -> bool {
        match self {
            Recorded::Both {
                translation: was, ..
            } => *was != fingerprint(translation),
            Recorded::English(_) => false,
        }
    }
}

/// A short fingerprint of a translation's [`canonical`] text (SHA-256, 16 hex digits): the
/// record tells an edited translation from an untouched one without holding a second copy.
pub fn fingerprint(translation: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(translation.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The status of a translation (its [`canonical`] text, if the language has the message) in
/// a language written in Latin letters or not (`latin`).
pub fn status(
    english: &English,
    translation: Option<&str>,
    recorded: Option<&Recorded>,
    latin: bool,
) -> Status {
    let Some(translation) = translation else {
        return Status::Missing;
    };
    let may_stay = english.may_stay_the_same && (latin || !english.same_only_in_latin);
    if english.has_words && !may_stay && words(translation) == words(&english.text) {
        return Status::SameAsEnglish;
    }
    match recorded {
        None => Status::Unmarked,
        Some(r) if r.english() == english.text || r.edited_since(translation) => Status::Current,
        Some(r) => Status::Outdated {
            was: r.english().to_string(),
        },
    }
}

/// A text's words alone: a copy of the English with a space or a full stop added is still a
/// copy.
fn words(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
        .collect()
}

/// How many of the English messages (terms aside) a language has translated: those whose
/// [`status`] counts and, for a message without words of its own (`{ -site-name }`), whose
/// terms are translated too (else it shows English). The one definition of completeness:
/// the server (which languages to offer), `l10n check` and `l10n todo` all count with it.
pub fn translated<'a>(
    reference: &std::collections::HashMap<String, English>,
    texts: impl Fn(&str) -> Option<&'a str>,
    record: &BTreeMap<String, Recorded>,
    latin: bool,
) -> usize {
    let counts = |id: &str| {
        reference
            .get(id)
            .is_some_and(|english| status(english, texts(id), record.get(id), latin).counts())
    };
    reference
        .iter()
        .filter(|(id, _)| !id.starts_with('-'))
        .filter(|(id, english)| {
            counts(id) && (english.has_words || english.terms.iter().all(|t| counts(t)))
        })
        .count()
}

/// The id (terms with their `-`) and the Fluent source of a message or term after its
/// `id =`, without its comment: the same text however the file was laid out.
pub fn canonical<'s, S: Slice<'s>>(entry: &ast::Entry<S>) -> Option<(String, String)> {
    let (id, entry) = match entry {
        ast::Entry::Message(m) => (
            m.id.name.as_ref().to_string(),
            ast::Entry::Message(ast::Message {
                comment: None,
                ..m.clone()
            }),
        ),
        ast::Entry::Term(t) => (
            format!("-{}", t.id.name.as_ref()),
            ast::Entry::Term(ast::Term {
                comment: None,
                ..t.clone()
            }),
        ),
        _ => return None,
    };
    let text = serializer::serialize(&ast::Resource { body: vec![entry] });
    // Without the `id =` every entry starts with: the value, then any attributes.
    let body = text
        .strip_prefix(&id)
        .and_then(|t| t.strip_prefix(" ="))
        .unwrap_or(&text);
    Some((id, body.trim_start_matches(' ').trim_end().to_string()))
}

/// What the English reference says of `entry` (with [`canonical`]'s id), if it is a message
/// or term.
pub fn english<'s, S: Slice<'s>>(entry: &ast::Entry<S>) -> Option<(String, English)> {
    let (id, text) = canonical(entry)?;
    let (comment, value, attributes) = match entry {
        ast::Entry::Message(m) => (&m.comment, m.value.as_ref(), &m.attributes),
        ast::Entry::Term(t) => (&t.comment, Some(&t.value), &t.attributes),
        _ => return None,
    };
    let comment = comment.as_ref().map_or(String::new(), |c| {
        let lines: Vec<&str> = c.content.iter().map(|l| l.as_ref()).collect();
        lines.join("\n")
    });
    let has_words = value
        .into_iter()
        .chain(attributes.iter().map(|a| &a.value))
        .any(has_words);
    let same_line = comment
        .lines()
        .find(|l| l.trim_start().starts_with(SAME_IN_TRANSLATION));
    let mut terms = vec![];
    for pattern in value.into_iter().chain(attributes.iter().map(|a| &a.value)) {
        term_references(pattern, &mut terms);
    }
    let may_stay_the_same = same_line.is_some();
    let same_only_in_latin = same_line.is_some_and(|l| l.contains("Latin letters"));
    Some((
        id,
        English {
            text,
            comment,
            has_words,
            may_stay_the_same,
            same_only_in_latin,
            terms,
        },
    ))
}

/// The terms `pattern` references, with their `-`.
fn term_references<'s, S: Slice<'s>>(pattern: &ast::Pattern<S>, out: &mut Vec<String>) {
    for element in &pattern.elements {
        match element {
            ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(ast::InlineExpression::TermReference { id, .. }),
            } => out.push(format!("-{}", id.name.as_ref())),
            ast::PatternElement::Placeable {
                expression: ast::Expression::Select { variants, .. },
            } => {
                for v in variants {
                    term_references(&v.value, out);
                }
            }
            _ => {}
        }
    }
}

fn has_words<'s, S: Slice<'s>>(pattern: &ast::Pattern<S>) -> bool {
    pattern.elements.iter().any(|e| match e {
        ast::PatternElement::TextElement { value } => {
            value.as_ref().chars().any(char::is_alphabetic)
        }
        ast::PatternElement::Placeable {
            expression: ast::Expression::Select { variants, .. },
        } => variants.iter().any(|v| has_words(&v.value)),
        ast::PatternElement::Placeable { .. } => false,
    })
}

/// The record of a language folder: id -> what its translation was made from. Empty when the
/// file does not exist yet.
pub fn read_record(dir: &Path) -> io::Result<BTreeMap<String, Recorded>> {
    let path = dir.join(RECORD_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {}", path.display(), e.message()),
            )
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(e),
    }
}

/// Writes the record of a language folder, one line per message, sorted (stable diffs).
/// `lang`: the language of the folder's translations; `None` for a statement's folder, whose
/// record is by language.
pub fn write_record(
    dir: &Path,
    lang: Option<&str>,
    record: &BTreeMap<String, Recorded>,
) -> io::Result<()> {
    // One line per message (an inline table), so that a change is one line of a diff. Ids
    // (Fluent's letters, digits, `-` and `_`) are TOML's bare keys.
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let body: String = record
        .iter()
        .map(|(id, r)| match r {
            Recorded::Both {
                english,
                translation,
            } => format!(
                "{id} = {{ english = {}, translation = {} }}\n",
                quote(english),
                quote(translation)
            ),
            Recorded::English(english) => format!("{id} = {}\n", quote(english)),
        })
        .collect();
    let (what, command) = match lang {
        Some(lang) => (format!("each {lang} translation"), lang.to_string()),
        None => (
            "each language's version of this statement".to_string(),
            "LANG statements/SLUG".to_string(),
        ),
    };
    let text = format!(
        "# The English {what} was made from, and a fingerprint of the translation\n\
         # then, written by `scdi-site l10n mark-translated {command}`. Do not edit it by hand: `l10n\n\
         # check` compares it with today's English to tell which translations are outdated (a\n\
         # translation changed since its fingerprint counts as made from today's English).\n\n{body}"
    );
    fs::write(dir.join(RECORD_FILE), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(source: &str) -> Vec<(String, English)> {
        let resource = fluent_syntax::parser::parse(source).unwrap();
        resource.body.iter().filter_map(english).collect()
    }

    #[test]
    fn canonical_text_ignores_layout_and_comments() {
        let a = entries("# A comment\nhello = Hello,\n    world\n");
        let b = entries("hello =\n    Hello,\n    world\n");
        assert_eq!(a[0].1.text, b[0].1.text);
        assert_eq!(a[0].1.comment, "A comment");
    }

    #[test]
    fn statuses() {
        let en = entries(
            "greet = Hello\n# Same in translation: a name.\nname = Mike Phipps\ntitle = { $page } – { -site }\n",
        );
        let (greet, name, title) = (&en[0].1, &en[1].1, &en[2].1);
        assert_eq!(status(greet, None, None, false), Status::Missing);
        assert_eq!(greet.text, "Hello");
        assert_eq!(
            status(greet, Some("Hello"), None, false),
            Status::SameAsEnglish
        );
        assert_eq!(
            status(name, Some("Mike Phipps"), None, false),
            Status::Unmarked
        );
        assert_eq!(
            status(title, Some(&title.text), None, false),
            Status::Unmarked,
            "no words"
        );
        assert_eq!(status(greet, Some("سلام"), None, false), Status::Unmarked);
        let old = Recorded::English("Hi".into());
        assert_eq!(
            status(
                greet,
                Some("سلام"),
                Some(&Recorded::English("Hello".into())),
                false
            ),
            Status::Current
        );
        assert_eq!(
            status(greet, Some("سلام"), Some(&old), false),
            Status::Outdated { was: "Hi".into() }
        );
        // Recorded from "Hi" as «سلام»: untouched since, it is outdated; edited since (on the
        // web, with no program run), it was made from today's English.
        let fingerprinted = Recorded::of("Hi", "سلام");
        assert_eq!(
            status(greet, Some("سلام"), Some(&fingerprinted), false),
            Status::Outdated { was: "Hi".into() }
        );
        assert_eq!(
            status(greet, Some("درود"), Some(&fingerprinted), false),
            Status::Current
        );
        assert!(Status::Unmarked.counts() && !Status::SameAsEnglish.counts());
    }

    #[test]
    fn counts_are_honest_about_copies() {
        let en = entries(
            "-site = Campaign\n\
             # Same in translation: a name, in a language written in Latin letters.\n\
             name = Mike Phipps\n\
             title = { -site }\n\
             hello = Hello, world.\n",
        );
        let name = &en.iter().find(|(id, _)| id == "name").unwrap().1;
        let hello = &en.iter().find(|(id, _)| id == "hello").unwrap().1;
        // A Latin-letter name is a translation in a Latin-script language only.
        assert_eq!(
            status(name, Some("Mike Phipps"), None, true),
            Status::Unmarked
        );
        assert_eq!(
            status(name, Some("Mike Phipps"), None, false),
            Status::SameAsEnglish
        );
        // A copy with a space before the full stop, or without it, is still a copy.
        assert_eq!(
            status(hello, Some("Hello, world ."), None, false),
            Status::SameAsEnglish
        );
        assert_eq!(
            status(hello, Some("Hello world"), None, false),
            Status::SameAsEnglish
        );
        // `title` has no words of its own: it counts once its term is translated.
        let reference: std::collections::HashMap<String, English> = en.into_iter().collect();
        let record = BTreeMap::new();
        let copied = |id: &str| match id {
            "-site" => Some("Campaign"),
            "title" => Some("{ -site }"),
            "hello" => Some("سلام"),
            _ => None,
        };
        assert_eq!(translated(&reference, copied, &record, false), 1);
        let done = |id: &str| match id {
            "-site" => Some("کارزار"),
            "title" => Some("{ -site }"),
            "hello" => Some("سلام"),
            _ => None,
        };
        assert_eq!(translated(&reference, done, &record, false), 2);
    }
}
