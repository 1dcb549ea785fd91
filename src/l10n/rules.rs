//! The checks made on each locale: references between messages, agreement with the English
//! reference (missing, obsolete, variables), and Persian typography.

use std::collections::{BTreeSet, HashMap};

use super::{
    has_id,
    parse::{ParsedLocale, PatternInfo},
    patterns, persian, Checker, Issue, Severity,
};
use crate::i18n::DEFAULT_LANG;

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

pub(super) fn check_persian(c: &mut Checker, en: &ParsedLocale, l: &ParsedLocale) {
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
