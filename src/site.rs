//! The site as readers get it: locales, templates and static files read once ([`Material`]),
//! and every page rendered from them in every language, held in memory with its compressed
//! forms ([`Site`]). A running server swaps whole sites (watch mode) and compresses its first
//! one again, better, from the bytes it already holds.

use std::{collections::HashMap, sync::Arc};

use axum::{http::HeaderMap, response::Response};
use minijinja::Value;

use crate::{
    assets::Assets,
    config::SiteSources,
    i18n::{LoadError, Locales},
    page::{Page, PAGES},
    precompressed::{Effort, Precompressed},
    render::{Links, Renderer, TemplateError},
};

/// Pages may be kept by browsers and shared caches for a short while.
const PAGE_CACHE_CONTROL: &str = "public, max-age=300";

/// Locales, templates and static files, read and checked: what pages are rendered from.
pub(crate) struct Material {
    pub(crate) locales: Arc<Locales>,
    pub(crate) renderer: Arc<Renderer>,
    pub(crate) assets: Assets,
}

/// Everything built from the sources: one consistent snapshot per request, with every page
/// already rendered and compressed.
pub(crate) struct Site {
    pub(crate) locales: Arc<Locales>,
    pub(crate) renderer: Arc<Renderer>,
    pub(crate) assets: Assets,
    /// Where the live site's links point (also for pages rendered per request).
    pub(crate) links: Links,
    /// language -> page slug -> the page, rendered and compressed.
    pages: HashMap<String, HashMap<&'static str, Prerendered>>,
}

/// A page rendered once for everyone, held with its compressed forms.
pub(crate) struct Prerendered {
    pub(crate) page: &'static Page,
    body: Precompressed,
}

impl Prerendered {
    /// The page for a request with `headers` (a 304 when the reader's copy is current).
    pub(crate) fn respond(&self, headers: &HeaderMap) -> Response {
        self.body.respond(headers, PAGE_CACHE_CONTROL)
    }
}

/// Why locales or templates could not be (re)loaded.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SiteError {
    #[error(transparent)]
    Locales(#[from] LoadError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    LocaleProblems(Vec<LoadError>),
    #[error(transparent)]
    Templates(#[from] TemplateError),
    #[error("rendering the pages: {0:#}")]
    Render(#[from] minijinja::Error),
    #[error("reading the static files: {0}")]
    Assets(#[from] std::io::Error),
}

impl Material {
    /// Reads locales, templates and static files. With `strict`, a syntax error anywhere is
    /// an error (a reload keeps the last good site); otherwise it is logged and the entries
    /// that parsed are served, missing ones falling back to English: a typo never takes the
    /// site down. `effort`: how hard to compress the static files ahead of time.
    pub(crate) fn load(
        sources: &SiteSources,
        strict: bool,
        effort: Effort,
    ) -> Result<Self, SiteError> {
        let (locales, problems) =
            Locales::load(&sources.locales_dir, sources.min_completeness / 100.0)?;
        if strict && !problems.is_empty() {
            return Err(SiteError::LocaleProblems(problems));
        }
        for problem in &problems {
            tracing::error!("{problem}");
        }
        let locales = Arc::new(locales);
        let assets = Assets::load(&sources.static_dir, effort)?;
        let renderer = Renderer::new(&sources.templates_dir, locales.clone(), assets.urls())?;
        Ok(Self {
            locales,
            renderer: Arc::new(renderer),
            assets,
        })
    }
}

impl Site {
    /// Loads the sources ([`Material::load`]) and renders every page in every language,
    /// linked as `links` says, compressed with `effort`.
    pub(crate) fn load(
        sources: &SiteSources,
        links: Links,
        strict: bool,
        effort: Effort,
    ) -> Result<Self, SiteError> {
        let Material {
            locales,
            renderer,
            assets,
        } = Material::load(sources, strict, effort)?;
        let mut pages = HashMap::new();
        for locale in locales.iter() {
            let of_locale: &mut HashMap<_, _> = pages.entry(locale.code.clone()).or_default();
            for page in PAGES {
                let html =
                    renderer.render_page(&locales, locale, page, &links, Value::UNDEFINED)?;
                let body = Precompressed::new(html, "text/html; charset=utf-8", true, effort)
                    .with_language(&locale.code);
                of_locale.insert(page.slug(), Prerendered { page, body });
            }
        }
        Ok(Self {
            locales,
            renderer,
            assets,
            links,
            pages,
        })
    }

    /// The same site with every page and file compressed again with `effort`, from the
    /// bytes in memory: the content and ETags stay the same, so nothing a reader has cached
    /// goes stale, and nothing is read from disk again.
    pub(crate) fn recompressed(&self, effort: Effort) -> Self {
        let pages = self
            .pages
            .iter()
            .map(|(lang, of_locale)| {
                let of_locale = of_locale
                    .iter()
                    .map(|(slug, p)| {
                        let body = p.body.recompressed(effort);
                        (*slug, Prerendered { page: p.page, body })
                    })
                    .collect();
                (lang.clone(), of_locale)
            })
            .collect();
        Self {
            locales: self.locales.clone(),
            renderer: self.renderer.clone(),
            assets: self.assets.recompressed(effort),
            links: self.links.clone(),
            pages,
        }
    }

    /// The page at `slug` in language `lang`, as rendered when the site was loaded.
    pub(crate) fn page(&self, lang: &str, slug: &str) -> Option<&Prerendered> {
        self.pages.get(lang)?.get(slug)
    }
}
