//! `scdi-site l10n mark-translated fa [ID...] [--all]`: records that these translations were
//! made from today's English, in `locales/fa/translated-from.toml`. Translators never edit
//! that file; `l10n check` compares it with the English to tell what is outdated. A
//! statement (`statements/<slug>`) is recorded the same way, beside it, in its folder.

use std::path::Path;

use super::parse::parse_locale;
use crate::i18n::{status, DEFAULT_LANG};

/// What was recorded, and what could not be, with why.
#[derive(Debug, Default)]
pub struct Marked {
    pub marked: Vec<String>,
    pub refused: Vec<(String, String)>,
}

/// Marks `ids` (all the language's translations with `all`) of language `lang` as translated
/// from today's English. With `all`, an outdated translation is refused (nobody said it was
/// checked against the new English) unless `include_outdated`; one named is marked. Entries
/// for messages English no longer has are dropped.
pub fn mark_translated(
    locales_dir: &Path,
    lang: &str,
    ids: &[String],
    all: bool,
    include_outdated: bool,
) -> anyhow::Result<Marked> {
    anyhow::ensure!(
        lang != DEFAULT_LANG,
        "{DEFAULT_LANG} is the reference: only translations are marked"
    );
    let dir = locales_dir.join(lang);
    anyhow::ensure!(dir.is_dir(), "no language folder {}", dir.display());
    let en = parse_locale(DEFAULT_LANG, &locales_dir.join(DEFAULT_LANG))?;
    let l = parse_locale(lang, &dir)?;
    let mut record = l.record.clone();
    record.retain(|id, _| en.english.contains_key(id));
    let wanted: Vec<String> = if all {
        let mut ids: Vec<_> = l
            .texts
            .keys()
            .filter(|id| en.english.contains_key(*id))
            .cloned()
            .collect();
        ids.sort();
        ids
    } else {
        ids.to_vec()
    };
    let mut result = Marked::default();
    for id in wanted {
        let Some(english) = en.english.get(&id) else {
            let hint = super::rules::did_you_mean(&id, en.english.keys());
            result
                .refused
                .push((id, format!("English has no such message{hint}")));
            continue;
        };
        let translation = l.texts.get(&id).map(String::as_str);
        match status::status(english, translation, record.get(&id), l.latin) {
            status::Status::Missing => {
                result
                    .refused
                    .push((id, format!("not translated into {lang} yet")));
            }
            status::Status::SameAsEnglish => result
                .refused
                .push((id, "still the English text: translate it first".into())),
            status::Status::Outdated { .. } if all && !include_outdated => result.refused.push((
                id,
                "outdated: its English changed since it was translated; check it against \
                 today's English, then name it or add --include-outdated"
                    .into(),
            )),
            _ => {
                let translation = translation.unwrap_or_default();
                record.insert(id.clone(), status::Recorded::of(&english.text, translation));
                result.marked.push(id);
            }
        }
    }
    status::write_record(&dir, Some(lang), &record)?;
    Ok(result)
}

/// Marks statement `slug`'s version in `lang` as translated from today's English, in the
/// statement's folder (`translated-from.toml`, one line per language).
pub fn mark_statement(content_dir: &Path, lang: &str, slug: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        lang != DEFAULT_LANG,
        "{DEFAULT_LANG} is the reference: only translations are marked"
    );
    let folder = content_dir.join(crate::content::STATEMENTS).join(slug);
    let read = |lang: &str| {
        let path = folder.join(format!("{lang}.md"));
        crate::files::read_text(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    };
    let english = read(DEFAULT_LANG)?;
    let translation = read(lang)?;
    let mut record = status::read_record(&folder)?;
    record.insert(
        lang.to_string(),
        status::Recorded::of(&english, &translation),
    );
    status::write_record(&folder, None, &record)?;
    Ok(())
}
