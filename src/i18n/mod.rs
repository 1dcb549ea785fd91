//! Languages are data: every sub-folder of `locales/` named by a language tag is a locale,
//! described in `locales/languages.toml` (its name in its own script). Its `.ftl` files are
//! parsed once into one thread-safe Fluent bundle. Direction comes from the tag; a locale
//! whose completeness is below the threshold is served at its prefix but not offered.

pub mod dates;
pub mod negotiate;
pub mod numbers;
pub mod status;
pub mod syntax;

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    fmt, fs,
    path::{Path, PathBuf},
    sync::Mutex,
};

use fluent_bundle::{concurrent::FluentBundle, FluentArgs, FluentResource};
use unic_langid::{CharacterDirection, LanguageIdentifier};

use crate::files;

/// The reference language: every message exists here, and missing translations fall back to it.
pub const DEFAULT_LANG: &str = "en";
/// The metadata file inside the locales folder.
pub const LANGUAGES_FILE: &str = "languages.toml";

/// Marks a Fluent message id chosen in Rust code, so that `scdi-site l10n check` finds it.
macro_rules! msg {
    ($id:literal) => {
        $id
    };
}
pub(crate) use msg;

/// Text direction of a locale, derived from its language tag (never written per page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn of(id: &LanguageIdentifier) -> Self {
        match id.character_direction() {
            CharacterDirection::RTL => Direction::Rtl,
            _ => Direction::Ltr,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// What `languages.toml` says about one language.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageMeta {
    /// The language's name in its own script, e.g. `فارسی`.
    pub name: String,
    /// Open Graph locale (`fa_IR`); by default derived from the tag.
    pub og_locale: Option<String>,
}

/// One language: its tag, direction, own name, completeness and Fluent bundle.
pub struct Locale {
    pub id: LanguageIdentifier,
    /// The tag as used in URLs and `lang` attributes, e.g. `fa`.
    pub code: String,
    pub dir: Direction,
    /// The language's name in its own script, for the switcher.
    pub name: String,
    /// Open Graph locale, e.g. `fa_IR`.
    pub og_locale: String,
    /// The script it is written in (ISO 15924, e.g. `Arab`, `Latn`), from the tag or, when
    /// the tag has none, its likely script (`fa` -> `Arab`). Arabic-script languages are set
    /// in the site's Persian font.
    pub script: String,
    /// Share of the reference locale's messages this locale has, 0.0 to 1.0.
    pub completeness: f64,
    /// Long dates in the calendar of the locale's region (`og_locale`'s: `fa_IR`, `en_GB`).
    dates: Option<dates::DateFormat>,
    /// Offered by negotiation and the switcher (complete enough); otherwise preview only.
    pub offered: bool,
    /// Each message and term as Fluent source, by id ([`status::canonical`]).
    texts: HashMap<String, String>,
    /// What each entry is in English, for the reference locale; empty for the others.
    reference: HashMap<String, status::English>,
    /// The English each translation was made from ([`status::RECORD_FILE`]).
    record: BTreeMap<String, status::Recorded>,
    bundle: FluentBundle<FluentResource>,
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locale").field("code", &self.code).finish()
    }
}

impl Locale {
    /// `day` as the locale writes it (`۲۵ شهریور ۱۴۰۱`, `16 September 2022`); ISO 8601
    /// when ICU4X has no data for the locale.
    pub fn long_date(&self, day: time::Date) -> String {
        self.dates
            .as_ref()
            .map_or_else(|| day.to_string(), |d| d.format(day))
    }

    /// Formats message `id` (or `id.attribute`); `None` when this locale lacks it, or when
    /// its text has a mistake formatting finds (a misspelt term or variable, which would
    /// show raw as `{-site-nmae}`): a translation then falls back whole to English, as a
    /// missing one does. English, with nothing to fall back to, is shown as it formats.
    pub fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        let pattern = self.pattern(id)?;
        let mut errors = vec![];
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(locale = %self.code, id, ?errors, "message formatted with errors");
            if self.code != DEFAULT_LANG {
                return None;
            }
        }
        Some(text.into_owned())
    }

    /// The pattern of message `id` (or `id.attribute`), if this locale has it.
    fn pattern(&self, id: &str) -> Option<&fluent_syntax::ast::Pattern<&str>> {
        let (msg_id, attr) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let msg = self.bundle.get_message(msg_id)?;
        match attr {
            Some(a) => Some(msg.get_attribute(a)?.value()),
            None => msg.value(),
        }
    }

    /// Whether this locale has message `id` (or `id.attribute`).
    pub fn has(&self, id: &str) -> bool {
        self.pattern(id).is_some()
    }
}

/// A problem loading `locales/`. Syntax errors and bundle errors (a duplicate message) are
/// reported while the rest of the locale is still served ([`Locales::load`]); the others
/// stop loading.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{col}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Bundle { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Metadata { path: PathBuf, message: String },
    #[error("locale folder {0} is not a valid language tag")]
    BadTag(PathBuf),
    #[error("no `{DEFAULT_LANG}` locale found")]
    NoDefault,
}

/// All locales, the default (`en`) first.
#[derive(Debug)]
pub struct Locales {
    all: Vec<Locale>,
    /// (locale, id) pairs whose fallback was already logged: log each once.
    fallbacks_logged: Mutex<HashSet<(String, String)>>,
}

impl Locales {
    /// Loads every locale under `dir`. Returns the locales with the non-fatal problems found
    /// (the entries that parsed are served; missing ones fall back to English).
    pub fn load(dir: &Path, min_completeness: f64) -> Result<(Self, Vec<LoadError>), LoadError> {
        let meta = read_languages(dir)?;
        let mut problems = vec![];
        let mut all = vec![];
        let folders = files::folders(dir).map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        for path in folders {
            all.push(load_locale(&path, &meta, &mut problems)?);
        }
        // Default first, then by tag, so iteration order (switcher, hreflang) is stable.
        all.sort_by_key(|l| (l.code != DEFAULT_LANG, l.code.clone()));
        if all.first().map(|l| l.code.as_str()) != Some(DEFAULT_LANG) {
            return Err(LoadError::NoDefault);
        }
        let reference = std::mem::take(&mut all[0].reference);
        let messages = reference.keys().filter(|id| !id.starts_with('-')).count();
        for locale in &mut all {
            // Counted as `l10n check` counts ([`status::translated`]).
            let translated = if locale.code == DEFAULT_LANG {
                messages
            } else {
                status::translated(
                    &reference,
                    |id| locale.texts.get(id).map(String::as_str),
                    &locale.record,
                    locale.script == "Latn",
                )
            };
            locale.completeness = if messages == 0 {
                1.0
            } else {
                translated as f64 / messages as f64
            };
            locale.offered = locale.code == DEFAULT_LANG || locale.completeness >= min_completeness;
        }
        Ok((
            Self {
                all,
                fallbacks_logged: Mutex::default(),
            },
            problems,
        ))
    }

    /// Any loaded locale, offered or preview-only.
    pub fn get(&self, code: &str) -> Option<&Locale> {
        self.all.iter().find(|l| l.code == code)
    }

    /// Where the locale `code` is among these, for [`Locales::at`].
    pub(crate) fn position(&self, code: &str) -> Option<usize> {
        self.all.iter().position(|l| l.code == code)
    }

    /// The locale at a position [`Locales::position`] gave.
    pub(crate) fn at(&self, index: usize) -> &Locale {
        &self.all[index]
    }

    pub fn default_locale(&self) -> &Locale {
        &self.all[0]
    }

    /// Every loaded locale.
    pub fn iter(&self) -> impl Iterator<Item = &Locale> {
        self.all.iter()
    }

    /// The locales readers are offered (negotiation, switcher, hreflang).
    pub fn offered(&self) -> impl Iterator<Item = &Locale> {
        self.all.iter().filter(|l| l.offered)
    }

    /// Formats `id` in `locale`, falling back to the default locale. The flag says whether the
    /// text is a fallback (and so in another language than the page).
    pub fn format(
        &self,
        locale: &Locale,
        id: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Option<(String, bool)> {
        if let Some(text) = locale.format(id, args) {
            return Some((text, false));
        }
        let text = self.default_locale().format(id, args)?;
        let first_time = self
            .fallbacks_logged
            .lock()
            .map(|mut seen| seen.insert((locale.code.clone(), id.to_string())))
            .unwrap_or(true);
        if first_time {
            tracing::warn!(locale = %locale.code, id, "missing translation, using English");
        }
        Some((text, true))
    }
}

/// What `languages.toml` in the locales folder `dir` says of each language.
pub fn read_languages(dir: &Path) -> Result<BTreeMap<String, LanguageMeta>, LoadError> {
    let path = dir.join(LANGUAGES_FILE);
    let text = fs::read_to_string(&path).map_err(|source| LoadError::Io {
        path: path.clone(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| LoadError::Metadata {
        path,
        message: e.to_string(),
    })
}

fn load_locale(
    dir: &Path,
    meta: &BTreeMap<String, LanguageMeta>,
    problems: &mut Vec<LoadError>,
) -> Result<Locale, LoadError> {
    let bad_tag = || LoadError::BadTag(dir.to_path_buf());
    let code = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(bad_tag)?;
    let id: LanguageIdentifier = code.parse().map_err(|_| bad_tag())?;
    let meta = meta.get(code).ok_or_else(|| LoadError::Metadata {
        path: dir.join("..").join(LANGUAGES_FILE),
        message: format!("no entry for the locale folder `{code}`"),
    })?;
    let og_locale = meta.og_locale.clone().unwrap_or_else(|| match &id.region {
        Some(region) => format!("{}_{region}", id.language),
        None => id.language.to_string(),
    });

    let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
    // Unicode isolation marks (U+2068/U+2069) would end up inside attributes and URLs; templates
    // isolate interpolated values in markup (`<bdi>`, `dir="auto"`) instead.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(numbers::format_value));
    // NUMBER() and DATETIME() for translators' messages.
    bundle.add_builtins().map_err(|e| LoadError::Bundle {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut texts = HashMap::new();
    let mut reference = HashMap::new();
    let record = status::read_record(dir).unwrap_or_else(|e| {
        problems.push(LoadError::Metadata {
            path: dir.join(status::RECORD_FILE),
            message: e.to_string(),
        });
        BTreeMap::new()
    });
    for path in ftl_files(dir)? {
        let source = read_ftl(&path)?;
        let resource = FluentResource::try_new(source.clone()).unwrap_or_else(|(res, errors)| {
            // The resource holds its own copy of the text, which its entries point into.
            let entries: Vec<_> = res.entries().cloned().collect();
            let explained = syntax::explain(res.source(), &entries, &errors);
            let mut kept = source.clone();
            for problem in &explained {
                let (line, col) = line_col(&source, problem.offset);
                let id = problem
                    .id
                    .as_deref()
                    .map_or(String::new(), |id| format!("`{id}`: "));
                problems.push(LoadError::Syntax {
                    path: path.clone(),
                    line,
                    col,
                    message: format!("{id}{}", problem.message),
                });
                // What parsed of a message a stray line cut short is not served: the whole
                // message falls back to English (marked as English), never half of it.
                if let Some((_, range)) = &problem.cut {
                    blank(&mut kept, range.clone());
                }
            }
            if kept == source {
                return res;
            }
            FluentResource::try_new(kept).unwrap_or_else(|(res, _)| res)
        });
        for entry in resource.entries() {
            if let Some((id, text)) = status::canonical(entry) {
                texts.insert(id, text);
            }
        }
        if code == DEFAULT_LANG {
            // The bundle's parser skips comments, and the reference needs them (`Same in
            // translation:`): the English files are parsed once more, in full.
            let full = fluent_syntax::parser::parse(source.as_str()).unwrap_or_else(|(r, _)| r);
            reference.extend(full.body.iter().filter_map(status::english));
        }
        if let Err(errors) = bundle.add_resource(resource) {
            problems.extend(errors.into_iter().map(|e| LoadError::Bundle {
                path: path.clone(),
                message: e.to_string(),
            }));
        }
    }
    let script = likely_script(&id);
    let dates = dates::DateFormat::new(&og_locale.replace('_', "-"));
    Ok(Locale {
        dates,
        code: id.to_string(),
        dir: Direction::of(&id),
        script,
        id,
        name: meta.name.clone(),
        og_locale,
        completeness: 1.0,
        offered: true,
        texts,
        reference,
        record,
        bundle,
    })
}

/// The script a language is written in (ISO 15924: `Arab`, `Latn`), from its tag's likely
/// subtags; `Zyyy` when unknown.
pub fn likely_script(id: &LanguageIdentifier) -> String {
    let mut likely = id.clone();
    likely.maximize();
    likely
        .script
        .map_or_else(|| "Zyyy".to_string(), |s| s.to_string())
}

/// Replaces the text in `range` by spaces, keeping its line breaks (and so the line numbers
/// of everything after it).
fn blank(text: &mut String, range: std::ops::Range<usize>) {
    let blanked: String = text[range.clone()]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    text.replace_range(range, &blanked);
}

/// The `.ftl` files of one locale folder, sorted, side files left alone
/// ([`files::sources`]).
pub fn ftl_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    files::sources(dir, &["ftl"]).map_err(|source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// A `.ftl` file's text ([`files::read_text`]); an error names the file.
pub fn read_ftl(path: &Path) -> Result<String, LoadError> {
    files::read_text(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let before = &source[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
