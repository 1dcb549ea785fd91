//! The checks made on each locale: references between messages, agreement with the English
//! reference (missing, obsolete, variables), and Persian typography.

use std::collections::{BTreeSet, HashMap};

use super::{has_id, parse::ParsedLocale, patterns, persian, Checker, Issue, Severity};
use crate::i18n::{
    status::{self, Status, SAME_IN_TRANSLATION},
    DEFAULT_LANG,
};

pub(super) fn check_references(c: &mut Checker, l: &ParsedLocale) {
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
                                "`{id}` refers to `{target}`, which does not exist in {}{}",
                                l.code,
                                did_you_mean(target, l.entries.keys())
                            ),
                        ),
                    );
                }
            }
        }
    }
}

pub(super) fn compare_with_reference(
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
    for (id, en_entry) in &en.entries {
        let Some(english) = en.english.get(id) else {
            continue;
        };
        let st = status::status(
            english,
            l.texts.get(id).map(String::as_str),
            l.record.get(id),
            l.latin,
        );
        let mark = format!("scdi-site l10n mark-translated {} {id}", l.code);
        let Some(entry) = l.entries.get(id) else {
            // A message whose syntax error is reported is not missing as well.
            if st == Status::Missing && !l.broken_ids.contains(id) {
                // Reported against the file it belongs in (the English file's name), which
                // may not exist yet.
                let file = l
                    .dir
                    .join(en.files[en_entry.file].path.file_name().unwrap_or_default());
                let message = format!("`{id}` is missing: translate it into {}", file.display());
                let issue = Issue::new(missing_severity, "missing", Some(id), message)
                    .with_english(english, None);
                // At the commented English `new-language` left where the translation goes,
                // if it is there.
                let (at, source_line) = placeholder(&file, id).unwrap_or(((1, 1), String::new()));
                c.push(&l.code, &file, at, source_line, issue);
            }
            continue;
        };
        let (kind, message) = match &st {
            Status::SameAsEnglish => (
                "untranslated",
                format!(
                    "`{id}` is the English text, not a translation (if it must stay so, its English \
                     comment says `{SAME_IN_TRANSLATION} ...`)"
                ),
            ),
            Status::Outdated { .. } => (
                "outdated",
                format!(
                    "`{id}` was translated from English that has changed since: compare it with \
                     today's English, update it, then run `{mark}`"
                ),
            ),
            Status::Unmarked => (
                "unmarked",
                format!(
                    "`{id}` is not recorded as translated from today's English: when it matches, \
                     run `{mark}`"
                ),
            ),
            Status::Missing | Status::Current => ("", String::new()),
        };
        if !kind.is_empty() {
            let was = match &st {
                Status::Outdated { was } => Some(was.as_str()),
                _ => None,
            };
            let issue =
                Issue::new(Severity::Warning, kind, Some(id), message).with_english(english, was);
            c.in_locale(l, entry.file, entry.offset, issue);
        }
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
                // At the variable itself, where the message uses it.
                let text = &l.files[entry.file].text;
                let at = text
                    .get(entry.offset..)
                    .and_then(|rest| rest.find(&format!("${var}")))
                    .map_or(entry.offset, |i| entry.offset + i);
                c.in_locale(
                    l,
                    entry.file,
                    at,
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

/// The typography of a language written in Arabic script (Persian's in full).
pub(super) fn check_arabic_script(c: &mut Checker, l: &ParsedLocale) {
    let writing = persian::writing_of(&l.code);
    for (id, entry) in &l.entries {
        for p in patterns(entry) {
            for (offset, text) in &p.texts {
                for (at, kind, message) in persian::check_text(text, &writing) {
                    c.in_locale(
                        l,
                        entry.file,
                        offset + at,
                        Issue::new(Severity::Warning, kind, Some(id), message),
                    );
                }
            }
            // Direction controls can hide in string literals too (`{"\u202E"}`).
            for (offset, text) in &p.literals {
                let mut hits = vec![];
                persian::bidi_controls(text, &mut hits);
                for (_, kind, message) in hits {
                    c.in_locale(
                        l,
                        entry.file,
                        *offset,
                        Issue::new(Severity::Warning, kind, Some(id), message),
                    );
                }
            }
            if let Some(problem) = persian::isolates(&p.shown) {
                let offset = p.texts.first().map_or(entry.offset, |t| t.0);
                c.in_locale(
                    l,
                    entry.file,
                    offset,
                    Issue::new(Severity::Warning, "bidi-control", Some(id), problem),
                );
            }
            for (offset, text, var) in p.one_variants.iter().filter(|_| writing.persian) {
                if let Some((at, kind, message)) =
                    persian::check_one_variant(text, var.as_deref().unwrap_or("n"))
                {
                    c.in_locale(
                        l,
                        entry.file,
                        offset + at,
                        Issue::new(Severity::Warning, kind, Some(id), message),
                    );
                }
            }
        }
    }
}

/// Plural variants a language can never choose: keys outside its CLDR categories.
pub(super) fn check_plurals(c: &mut Checker, l: &ParsedLocale) {
    let Some(categories) = plural_categories(&l.code) else {
        return;
    };
    for (id, entry) in &l.entries {
        for p in patterns(entry) {
            for (offset, key, default) in &p.plural_keys {
                if categories.contains(key.as_str()) {
                    continue;
                }
                let forms: Vec<String> = ["zero", "one", "two", "few", "many", "other"]
                    .iter()
                    .filter(|c| categories.contains(*c))
                    .map(|c| format!("`[{c}]`"))
                    .collect();
                // The default is chosen whenever no other variant matches, whatever its name:
                // misleading, not wrong.
                let (severity, message) = if *default {
                    (
                        Severity::Warning,
                        format!(
                            "`{id}`: {} has no plural form `[{key}]`; as the default (`*`) it is \
                             chosen for every number no other variant matches: name it after \
                             one of {}",
                            l.code,
                            forms.join(", ")
                        ),
                    )
                } else {
                    (
                        Severity::Error,
                        format!(
                            "`{id}`: {} has no plural form `[{key}]`, so it is never chosen; its \
                             forms are {}",
                            l.code,
                            forms.join(", ")
                        ),
                    )
                };
                c.in_locale(
                    l,
                    entry.file,
                    *offset,
                    Issue::new(severity, "plural-category", Some(id), message),
                );
            }
        }
    }
}

/// The cardinal plural categories of language `code` (CLDR, through the rules Fluent uses),
/// found by asking for the category of enough numbers: every integer to 1000, a million,
/// and some decimals.
fn plural_categories(code: &str) -> Option<BTreeSet<&'static str>> {
    use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
    let id: unic_langid::LanguageIdentifier = code.parse().ok()?;
    let rules = PluralRules::create(id, PluralRuleType::CARDINAL).ok()?;
    let decimals = [
        "0.5", "1.5", "2.5", "0.1", "1.1", "10.5", "100.5", "1000000",
    ];
    let mut found = BTreeSet::new();
    let numbers = (0..=1000)
        .map(|n| n.to_string())
        .chain(decimals.map(String::from));
    for n in numbers {
        let category = rules.select(n.as_str()).ok()?;
        found.insert(match category {
            PluralCategory::ZERO => "zero",
            PluralCategory::ONE => "one",
            PluralCategory::TWO => "two",
            PluralCategory::FEW => "few",
            PluralCategory::MANY => "many",
            PluralCategory::OTHER => "other",
        });
    }
    Some(found)
}

/// Where `file` holds the commented English of `id` that `new-language` wrote in place of
/// its translation (`# id = ...`): its line and column, and the line.
fn placeholder(file: &std::path::Path, id: &str) -> Option<((usize, usize), String)> {
    let text = std::fs::read_to_string(file).ok()?;
    let start = format!("# {id} =");
    text.lines()
        .enumerate()
        .find(|(_, line)| line.starts_with(&start))
        .map(|(i, line)| ((i + 1, 1), line.to_string()))
}

/// ` (did you mean `-site-name`?)` when one of `known` is a likely spelling of `wrong`.
pub(super) fn did_you_mean<'a>(wrong: &str, known: impl Iterator<Item = &'a String>) -> String {
    known
        .map(|k| (strsim::damerau_levenshtein(wrong, k), k))
        .filter(|(distance, k)| *distance <= 2.max(k.len() / 5))
        .min()
        .map_or(String::new(), |(_, k)| format!(" (did you mean `{k}`?)"))
}
