//! Languages are data: every sub-folder of `locales/` named by a language tag is a locale,
//! its `.ftl` files are parsed once at startup into one thread-safe Fluent bundle.

pub mod negotiate;

use std::{
    fmt, fs,
    path::{Path, PathBuf},
};

use fluent_bundle::{concurrent::FluentBundle, FluentArgs, FluentResource};
use unic_langid::{CharacterDirection, LanguageIdentifier};

/// The reference language: every message exists here, and missing translations fall back to it.
pub const DEFAULT_LANG: &str = "en";

/// Text direction of a locale, derived from its language tag (never written per page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// One language: its tag, direction, own name and Fluent bundle.
pub struct Locale {
    pub id: LanguageIdentifier,
    /// The tag as used in URLs and `lang` attributes, e.g. `fa`.
    pub code: String,
    pub dir: Direction,
    /// The language's name in its own script (message `language-name`), for the switcher.
    pub name: String,
    bundle: FluentBundle<FluentResource>,
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locale").field("code", &self.code).finish()
    }
}

impl Locale {
    /// Formats message `id` (or `id.attribute`); `None` when this locale lacks it.
    pub fn format(&self, id: &str, args: Option<&FluentArgs>) -> Option<String> {
        let (msg_id, attr) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let msg = self.bundle.get_message(msg_id)?;
        let pattern = match attr {
            Some(a) => msg.get_attribute(a)?.value(),
            None => msg.value()?,
        };
        let mut errors = vec![];
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(locale = %self.code, id, ?errors, "message formatted with errors");
        }
        Some(text.into_owned())
    }

    pub fn has(&self, id: &str) -> bool {
        self.format(id, None).is_some()
    }
}

/// A failure to load `locales/`: the site refuses to start rather than serve broken text.
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
    #[error("locale folder {0} is not a valid language tag")]
    BadTag(PathBuf),
    #[error("no `{DEFAULT_LANG}` locale found")]
    NoDefault,
}

/// All locales, the default (`en`) first.
#[derive(Debug)]
pub struct Locales {
    all: Vec<Locale>,
}

impl Locales {
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LoadError::Io { path, source }
        };
        let mut all = vec![];
        for entry in fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            if path.is_dir() {
                all.push(load_locale(&path)?);
            }
        }
        // Default first, then by tag, so iteration order (switcher, hreflang) is stable.
        all.sort_by_key(|l| (l.code != DEFAULT_LANG, l.code.clone()));
        if all.first().map(|l| l.code.as_str()) != Some(DEFAULT_LANG) {
            return Err(LoadError::NoDefault);
        }
        Ok(Self { all })
    }

    pub fn get(&self, code: &str) -> Option<&Locale> {
        self.all.iter().find(|l| l.code == code)
    }

    pub fn default_locale(&self) -> &Locale {
        &self.all[0]
    }

    pub fn iter(&self) -> impl Iterator<Item = &Locale> {
        self.all.iter()
    }

    /// Formats `id` in `locale`, falling back to the default locale. The flag says whether the
    /// text is a fallback (and so in another language than the page).
    pub fn format(
        &self,
        locale: &Locale,
        id: &str,
        args: Option<&FluentArgs>,
    ) -> Option<(String, bool)> {
        if let Some(text) = locale.format(id, args) {
            return Some((text, false));
        }
        let text = self.default_locale().format(id, args)?;
        tracing::warn!(locale = %locale.code, id, "missing translation, using English");
        Some((text, true))
    }
}

fn load_locale(dir: &Path) -> Result<Locale, LoadError> {
    let code = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| LoadError::BadTag(dir.to_path_buf()))?;
    let id: LanguageIdentifier = code
        .parse()
        .map_err(|_| LoadError::BadTag(dir.to_path_buf()))?;
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
        .collect();
    files.sort();

    let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
    // Unicode isolation marks (U+2068/U+2069) would end up inside attributes and URLs; templates
    // isolate interpolated values in markup (`<bdi>`, `dir="auto"`) instead.
    bundle.set_use_isolating(false);
    for path in files {
        let source = fs::read_to_string(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        let resource = FluentResource::try_new(source.clone()).map_err(|(_, errors)| {
            let first = &errors[0];
            let (line, col) = line_col(&source, first.pos.start);
            LoadError::Syntax {
                path: path.clone(),
                line,
                col,
                message: first.kind.to_string(),
            }
        })?;
        bundle
            .add_resource(resource)
            .map_err(|errors| LoadError::Bundle {
                path: path.clone(),
                message: errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            })?;
    }
    let dir_ = match id.character_direction() {
        CharacterDirection::RTL => Direction::Rtl,
        _ => Direction::Ltr,
    };
    let mut locale = Locale {
        code: id.to_string(),
        id,
        dir: dir_,
        name: String::new(),
        bundle,
    };
    locale.name = locale
        .format("language-name", None)
        .unwrap_or_else(|| locale.code.clone());
    Ok(locale)
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
