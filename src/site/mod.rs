//! The site as readers get it: locales, templates and static files read once ([`Material`]),
//! and every page rendered from them in every language, held in memory with its compressed
//! forms ([`Site`]), statements among them ([`statements`]). A running server swaps whole
//! sites (watch mode) and compresses its first
//! one again, better, from the bytes it already holds.

mod statements;

use std::{collections::HashMap, sync::Arc};

use rayon::prelude::*;

use axum::{http::HeaderMap, response::Response};
use minijinja::Value;

use crate::{
    assets::Assets,
    config::{Privacy, SiteSources},
    i18n::{LoadError, Locale, Locales},
    page::PAGES,
    precompressed::{Effort, Precompressed},
    render::{Links, Renderer, TemplateError},
};

pub(crate) use statements::{Rendered, Statements};

/// Pages may be kept by browsers and shared caches for a short while.
const PAGE_CACHE_CONTROL: &str = "public, max-age=300";

/// Locales, templates, static files and statements, read and checked: what pages are
/// rendered from.
pub(crate) struct Material {
    pub(crate) locales: Arc<Locales>,
    pub(crate) renderer: Arc<Renderer>,
    pub(crate) assets: Assets,
    pub(crate) statements: Statements,
}

/// Everything built from the sources: one consistent snapshot per request, with every page
/// already rendered and compressed.
pub(crate) struct Site {
    pub(crate) locales: Arc<Locales>,
    pub(crate) renderer: Arc<Renderer>,
    pub(crate) assets: Assets,
    /// Where the live site's links point (also for pages rendered per request).
    pub(crate) links: Links,
    pub(crate) statements: Arc<Statements>,
    /// language -> path below `/{lang}/` -> the page, rendered and compressed.
    pages: HashMap<String, HashMap<String, Prerendered>>,
}

/// A page rendered once for everyone, held with its compressed forms.
pub(crate) struct Prerendered {
    /// Its route, for the log.
    pub(crate) route: &'static str,
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
    /// site down. `privacy`: what the privacy page and the safety note state. `effort`: how
    /// hard to compress the static files ahead of time.
    pub(crate) fn load(
        sources: &SiteSources,
        privacy: &Privacy,
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
        let mut assets = Assets::load(&sources.static_dir, effort)?;
        let statements = Statements::load(&sources.content_dir, &locales, &mut assets, effort)?;
        let mut renderer = Renderer::new(&sources.templates_dir, locales.clone(), assets.urls())?;
        renderer.add_global("statements", statements.globals(&locales));
        renderer.add_global("privacy", Value::from_serialize(privacy));
        Ok(Self {
            locales,
            renderer: Arc::new(renderer),
            assets,
            statements,
        })
    }
}

impl Material {
    /// Every page in `locale`, linked as `links` says (each from its own folder on a
    /// mirror): the table's, then the statements' (with their feed). For the live site
    /// and the mirror export alike.
    pub(crate) fn render_language(
        &self,
        locale: &Locale,
        links: &Links,
    ) -> Result<(Vec<Rendered>, Vec<Rendered>), minijinja::Error> {
        let mut table = vec![];
        for page in PAGES {
            let links = links.of_page(&locale.code, page.slug());
            table.push(Rendered {
                slug: page.slug().to_string(),
                route: page.route,
                body: self.renderer.render_page(
                    &self.locales,
                    locale,
                    page,
                    &links,
                    Value::UNDEFINED,
                )?,
                content_type: "text/html; charset=utf-8",
            });
        }
        let statements = self
            .statements
            .render(&self.renderer, &self.locales, locale, links)?;
        Ok((table, statements))
    }
}

impl Site {
    /// Loads the sources ([`Material::load`]) and renders every page in every language,
    /// linked as `links` says, compressed with `effort`.
    pub(crate) fn load(
        sources: &SiteSources,
        links: Links,
        privacy: &Privacy,
        strict: bool,
        effort: Effort,
    ) -> Result<Self, SiteError> {
        let material = Material::load(sources, privacy, strict, effort)?;
        // On every core: rendering and compressing a thousand statements is most of a
        // start's work, and it divides.
        let languages: Vec<&Locale> = material.locales.iter().collect();
        let pages = languages
            .into_par_iter()
            .map(|locale| {
                let (table, statements) = material.render_language(locale, &links)?;
                Ok::<_, SiteError>((locale.code.clone(), held(locale, table, statements, effort)))
            })
            .collect::<Result<HashMap<_, _>, _>>()?;
        let Material {
            locales,
            renderer,
            assets,
            mut statements,
        } = material;
        statements.forget_markdown();
        Ok(Self {
            locales,
            renderer,
            assets,
            links,
            statements: Arc::new(statements),
            pages,
        })
    }

    /// The same site with every page and file compressed again with `effort`, from the
    /// bytes in memory: the content and ETags stay the same, so nothing a reader has cached
    /// goes stale, and nothing is read from disk again. On every core, in threads of its
    /// own: a reload, rendering in rayon's shared threads meanwhile, must not wait for seconds
    /// of compression to finish.
    pub(crate) fn recompressed(&self, effort: Effort) -> Self {
        match rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("compress-{i}"))
            .build()
        {
            Ok(pool) => pool.install(|| self.recompressed_here(effort)),
            Err(_) => self.recompressed_here(effort),
        }
    }

    fn recompressed_here(&self, effort: Effort) -> Self {
        let pages = self
            .pages
            .par_iter()
            .map(|(lang, of_locale)| {
                let of_locale = of_locale
                    .par_iter()
                    .map(|(slug, p)| {
                        let body = p.body.recompressed(effort);
                        (
                            slug.clone(),
                            Prerendered {
                                route: p.route,
                                body,
                            },
                        )
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
            statements: self.statements.clone(),
            pages,
        }
    }

    /// Whether some page is held uncompressed (statements, right after a start or reload).
    pub(crate) fn has_uncompressed(&self) -> bool {
        self.pages
            .values()
            .flat_map(HashMap::values)
            .any(|p| p.body.uncompressed())
    }

    /// The sitemap's context: every page and statement in every offered language.
    pub(crate) fn sitemap(&self) -> Value {
        self.links
            .sitemap(&self.locales, &self.statements.sitemap(&self.locales))
    }

    /// The page at `slug` in language `lang`, as rendered when the site was loaded.
    pub(crate) fn page(&self, lang: &str, slug: &str) -> Option<&Prerendered> {
        self.pages.get(lang)?.get(slug)
    }
}

/// The pages of `locale` as the site holds them, compressed with `effort`. The statement
/// pages start uncompressed when the site is to serve at once (`Effort::Quick`):
/// compressing a thousand of them would hold the start (or a reload) up for a second; the
/// full compression that follows makes their compressed forms.
fn held(
    locale: &Locale,
    table: Vec<Rendered>,
    statements: Vec<Rendered>,
    effort: Effort,
) -> HashMap<String, Prerendered> {
    let later = match effort {
        Effort::Quick => Effort::None,
        other => other,
    };
    let pages: Vec<(Rendered, Effort)> = table
        .into_iter()
        .map(|page| (page, effort))
        .chain(statements.into_iter().map(|page| (page, later)))
        .collect();
    pages
        .into_par_iter()
        .map(|(page, effort)| {
            let body = Precompressed::new(page.body, page.content_type, true, effort)
                .with_language(&locale.code);
            let held = Prerendered {
                route: page.route,
                body,
            };
            (page.slug, held)
        })
        .collect()
}
