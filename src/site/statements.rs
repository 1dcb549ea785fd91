//! The statement pages, rendered with the site's other pages and held in memory like them:
//! in each language, the listing (newest first, [`PER_PAGE`] a page, statements not in the
//! reader's language included and marked), each statement in each of its languages, and an
//! Atom feed of the statements in that language.

use std::{collections::HashMap, io};

use minijinja::{context, Value};

use crate::{
    assets::{Assets, Effort},
    content::{self, Image, Statement, Version},
    i18n::{Locale, Locales},
    render::{page_href, switcher, Links, Renderer},
};

/// Statements on a listing page, and entries in a feed.
pub(crate) const PER_PAGE: usize = 20;

/// Statements on the home page.
const ON_HOME: usize = 3;

/// The images a statement may show (raster: their size is read from the file).
const IMAGE_TYPES: [&str; 5] = ["png", "jpg", "jpeg", "webp", "gif"];

/// Where the listing is, below `/{lang}/`.
const LISTING: &str = "statements/";

/// The statements read from the content folder, with their images' URLs and sizes.
#[derive(Default)]
pub(crate) struct Statements {
    /// Newest first, each with its versions in loaded languages only.
    list: Vec<Statement>,
    /// `<slug>/<file>` -> the image as pages show it.
    images: HashMap<String, (String, u32, u32)>,
}

/// What a statement page is.
#[derive(Clone, Copy)]
enum Kind<'a> {
    /// Listing page `n` (from 1).
    Listing(usize),
    Statement(&'a Statement, &'a Version),
    Feed,
}

/// A page (or the feed) of statements, rendered for one language.
pub(crate) struct Rendered {
    /// Its path below `/{lang}/`.
    pub(crate) slug: String,
    /// Its route, for the log.
    pub(crate) route: &'static str,
    pub(crate) body: String,
    pub(crate) content_type: &'static str,
}

impl Statements {
    /// Reads the statements below `content_dir` (what is wrong in them is logged: `l10n
    /// check` says it in full) and adds their images to `assets`, compressed with `effort`.
    /// Versions in a language the site does not have are left out.
    pub(crate) fn load(
        content_dir: &std::path::Path,
        locales: &Locales,
        assets: &mut Assets,
        effort: Effort,
    ) -> io::Result<Self> {
        let (mut list, problems) = content::load(content_dir)?;
        for p in &problems {
            tracing::warn!(file = %p.path.display(), kind = p.kind, "statement: {}", p.message);
        }
        let mut images = HashMap::new();
        for statement in &mut list {
            statement
                .versions
                .retain(|lang, _| locales.get(lang).is_some());
            // The word runs are for the check's typography rules, not for pages.
            for version in statement.versions.values_mut() {
                version.texts = Vec::new();
            }
            for path in crate::files::sources(&statement.folder, &IMAGE_TYPES)? {
                let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                let bytes = std::fs::read(&path)?;
                let Ok(size) = imagesize::blob_size(&bytes) else {
                    tracing::warn!(file = %path.display(), "statement: not an image it can read");
                    continue;
                };
                let url = assets.insert(
                    format!("statements/{}/{name}", statement.slug),
                    bytes,
                    effort,
                );
                let (w, h) = (size.width as u32, size.height as u32);
                images.insert(format!("{}/{name}", statement.slug), (url, w, h));
            }
        }
        list.retain(|s| !s.versions.is_empty());
        Ok(Self { list, images })
    }

    /// Lets go of the statements' Markdown once their pages are rendered: held for a
    /// thousand statements, it would be a sixth of the site's memory. A page rendered again
    /// (the watch-mode banner) reads its file.
    pub(crate) fn forget_markdown(&mut self) {
        for version in self.list.iter_mut().flat_map(|s| s.versions.values_mut()) {
            version.body = None;
        }
    }

    /// The languages statement `slug` is in.
    pub(crate) fn languages(&self, slug: &str) -> Option<Vec<&str>> {
        let s = self.list.iter().find(|s| s.slug == slug)?;
        Some(s.versions.keys().map(String::as_str).collect())
    }

    /// What every page needs to know, for the templates (`statements`): whether there are
    /// any (the navigation's item), and per language the newest few in it (the home page)
    /// and so whether it has a feed.
    pub(crate) fn globals(&self, locales: &Locales) -> Value {
        let latest: HashMap<&str, Vec<Value>> = locales
            .iter()
            .map(|locale| {
                let items = self
                    .in_language(&locale.code)
                    .take(ON_HOME)
                    .map(|(s, v)| {
                        context! {
                            slug => format!("statements/{}", s.slug),
                            title => v.title,
                            summary => v.summary,
                            date => v.date.to_string(),
                            date_text => locale.long_date(v.date),
                        }
                    })
                    .collect();
                (locale.code.as_str(), items)
            })
            .collect();
        context! { any => !self.list.is_empty(), latest }
    }

    /// The sitemap's entries: the listing pages in every offered language, each statement
    /// in its offered languages.
    pub(crate) fn sitemap(&self, locales: &Locales) -> Vec<(String, Vec<String>)> {
        let offered: Vec<String> = locales.offered().map(|l| l.code.clone()).collect();
        let mut entries: Vec<(String, Vec<String>)> = (1..=self.page_count())
            .map(|n| (listing_slug(n), offered.clone()))
            .collect();
        for s in &self.list {
            let langs: Vec<String> = s
                .versions
                .keys()
                .filter(|l| offered.contains(l))
                .cloned()
                .collect();
            if !langs.is_empty() {
                entries.push((format!("statements/{}", s.slug), langs));
            }
        }
        entries
    }

    fn page_count(&self) -> usize {
        self.list.len().div_ceil(PER_PAGE)
    }

    /// The statements written in `lang`, newest first.
    fn in_language<'a>(
        &'a self,
        lang: &'a str,
    ) -> impl Iterator<Item = (&'a Statement, &'a Version)> {
        self.list
            .iter()
            .filter_map(move |s| s.versions.get(lang).map(|v| (s, v)))
    }

    /// Every statement page in `locale`, linked as `links` says: the listing pages, the
    /// statements written in it, and its feed (when it has any).
    pub(crate) fn render(
        &self,
        renderer: &Renderer,
        locales: &Locales,
        locale: &Locale,
        links: &Links,
    ) -> Result<Vec<Rendered>, minijinja::Error> {
        self.pages(&locale.code)
            .into_iter()
            .map(|(slug, page)| {
                self.render_page(
                    page,
                    slug,
                    renderer,
                    locales,
                    locale,
                    links,
                    Value::UNDEFINED,
                )
            })
            .collect()
    }

    /// The page at `slug` in `locale` alone, with `extra` context (the watch-mode banner);
    /// `None` when there is no such page.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn render_one(
        &self,
        slug: &str,
        renderer: &Renderer,
        locales: &Locales,
        locale: &Locale,
        links: &Links,
        extra: Value,
    ) -> Option<Result<Rendered, minijinja::Error>> {
        let (slug, page) = self
            .pages(&locale.code)
            .into_iter()
            .find(|(s, _)| s == slug)?;
        Some(self.render_page(page, slug, renderer, locales, locale, links, extra))
    }

    /// The statement pages in `lang`, by path: what [`Self::render`] renders.
    fn pages<'a>(&'a self, lang: &'a str) -> Vec<(String, Kind<'a>)> {
        let mut pages: Vec<(String, Kind<'_>)> = (1..=self.page_count())
            .map(|n| (listing_slug(n), Kind::Listing(n)))
            .collect();
        for (s, v) in self.in_language(lang) {
            pages.push((format!("statements/{}", s.slug), Kind::Statement(s, v)));
        }
        if self.in_language(lang).next().is_some() {
            pages.push(("statements/feed.xml".into(), Kind::Feed));
        }
        pages
    }

    #[allow(clippy::too_many_arguments)]
    fn render_page(
        &self,
        page: Kind<'_>,
        slug: String,
        renderer: &Renderer,
        locales: &Locales,
        locale: &Locale,
        links: &Links,
        extra: Value,
    ) -> Result<Rendered, minijinja::Error> {
        let links = &*links.of_page(&locale.code, &slug);
        let (template, route, context) = match page {
            Kind::Listing(n) => {
                let route = if n == 1 {
                    "/{lang}/statements/"
                } else {
                    "/{lang}/statements/page/{n}/"
                };
                (
                    "statements.html",
                    route,
                    self.listing(n, locale, locales, links),
                )
            }
            Kind::Statement(s, v) => (
                "statement.html",
                "/{lang}/statements/{slug}",
                self.statement(s, v, locale, locales, links),
            ),
            Kind::Feed => {
                return Ok(Rendered {
                    slug,
                    route: "/{lang}/statements/feed.xml",
                    body: renderer.render("feed.xml", self.feed(locale, links))?,
                    content_type: "application/atom+xml; charset=utf-8",
                })
            }
        };
        let context = context! { ..extra, ..context };
        Ok(Rendered {
            body: renderer.render_at(template, locales, locale, &slug, links, context)?,
            slug,
            route,
            content_type: "text/html; charset=utf-8",
        })
    }

    /// Listing page `n`: its statements and the links to the pages beside it.
    fn listing(&self, n: usize, locale: &Locale, locales: &Locales, links: &Links) -> Value {
        let pages = self.page_count();
        let items: Vec<Value> = self
            .list
            .chunks(PER_PAGE)
            .nth(n - 1)
            .unwrap_or_default()
            .iter()
            .map(|s| self.item(s, locale, locales, links))
            .collect();
        let href = |n: usize| page_href(links.root.as_deref(), &locale.code, &listing_slug(n));
        context! {
            items,
            page => n,
            pages,
            previous => (n > 1).then(|| href(n - 1)),
            next => (n < pages).then(|| href(n + 1)),
        }
    }

    /// A statement on a listing page: in the reader's language, else in English, else in
    /// the first language it has, its title and summary marked as that language.
    fn item(&self, s: &Statement, locale: &Locale, locales: &Locales, links: &Links) -> Value {
        let english = &locales.default_locale().code;
        let (lang, v) = s
            .versions
            .get_key_value(&locale.code)
            .or_else(|| s.versions.get_key_value(english))
            .or_else(|| s.versions.iter().next())
            .expect("a statement has a version");
        let dir = locales.get(lang).map_or("auto", |l| l.dir.as_str());
        context! {
            href => page_href(links.root.as_deref(), lang, &format!("statements/{}", s.slug)),
            title => v.title,
            summary => v.summary,
            date => v.date.to_string(),
            date_text => locale.long_date(v.date),
            lang,
            dir,
            elsewhere => *lang != locale.code,
        }
    }

    /// A statement's own page: its text, dates, and links to its translations only.
    fn statement(
        &self,
        s: &Statement,
        v: &Version,
        locale: &Locale,
        locales: &Locales,
        links: &Links,
    ) -> Value {
        let slug = format!("statements/{}", s.slug);
        let translations: Vec<&Locale> = locales
            .offered()
            .filter(|l| s.versions.contains_key(&l.code))
            .collect();
        let image = |name: &str| self.image(&s.slug, name, links.root.as_deref());
        context! {
            heading => v.title,
            description => v.summary,
            date => v.date.to_string(),
            date_text => locale.long_date(v.date),
            updated => v.updated.map(|d| d.to_string()),
            updated_text => v.updated.map(|d| locale.long_date(d)),
            html => Value::from_safe_string(content::html(&v.markdown(), &image)),
            article => true,
            alternates => translations
                .iter()
                .map(|l| context! { hreflang => l.code, href => links.page_url(&l.code, &slug) })
                .collect::<Vec<_>>(),
            og_alternates => translations
                .iter()
                .filter(|l| l.code != locale.code)
                .map(|l| l.og_locale.as_str())
                .collect::<Vec<_>>(),
            switcher => switcher(locales, locale, links, &|code| {
                if s.versions.contains_key(code) { slug.clone() } else { LISTING.to_string() }
            }),
        }
    }

    /// The Atom feed of the statements in `locale`'s language, newest first, with absolute
    /// links to this copy and ids that stay the same on every copy (the primary site's URL).
    fn feed(&self, locale: &Locale, links: &Links) -> Value {
        let code = &locale.code;
        let entries: Vec<Value> = self
            .in_language(code)
            .take(PER_PAGE)
            .map(|(s, v)| {
                let slug = format!("statements/{}", s.slug);
                let image = |name: &str| {
                    self.image(&s.slug, name, None).map(|i| Image {
                        url: format!("{}{}", links.here, i.url),
                        ..i
                    })
                };
                context! {
                    title => v.title,
                    href => links.page_url(code, &slug),
                    id => format!("{}/{code}/{slug}", links.primary),
                    published => rfc3339(v.date),
                    updated => rfc3339(v.updated.unwrap_or(v.date)),
                    summary => v.summary,
                    html => content::html(&v.markdown(), &image),
                }
            })
            .collect();
        let updated = self
            .in_language(code)
            .map(|(_, v)| v.updated.unwrap_or(v.date))
            .max()
            .map(rfc3339);
        context! {
            lang => code,
            id => format!("{}/{code}/{LISTING}", links.primary),
            self_href => links.page_url(code, "statements/feed.xml"),
            listing_href => links.page_url(code, LISTING),
            updated,
            entries,
        }
    }

    /// Image `name` of statement `slug`, its URL relative to the copy's `root` on a mirror.
    fn image(&self, slug: &str, name: &str, root: Option<&str>) -> Option<Image> {
        let (url, width, height) = self.images.get(&format!("{slug}/{name}"))?;
        let url = match root {
            Some(root) => format!("{root}{}", url.trim_start_matches('/')),
            None => url.clone(),
        };
        Some(Image {
            url,
            width: *width,
            height: *height,
        })
    }
}

/// Listing page `n`'s path below `/{lang}/`: `statements/`, `statements/page/2/`, ...
fn listing_slug(n: usize) -> String {
    if n == 1 {
        LISTING.to_string()
    } else {
        format!("{LISTING}page/{n}/")
    }
}

/// A day as an RFC 3339 time: its start, in UTC.
fn rfc3339(day: time::Date) -> String {
    format!("{day}T00:00:00Z")
}
