//! Templates: one minijinja environment, loaded once at startup from `templates/`, with a
//! `t(id, **args)` function that formats Fluent messages in the page's locale (`lang`).
//! `t()` returns plain text, so minijinja's auto-escaping of `*.html` templates applies to
//! every translated word and every Fluent argument.

use std::{borrow::Cow, collections::HashMap, path::Path, sync::Arc};

use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::{
    context, escape_formatter, value::Kwargs, AutoEscape, Environment, Error, Output, State, Value,
};

use crate::{
    config::Config,
    form,
    i18n::{Locale, Locales},
    page::{Page, CONTACT, PAGES},
};

pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// Loads every template under `dir` (`*.html`, `*.xml`, `*.txt`; names relative to it,
    /// e.g. `partials/header.html`). HTML and XML are auto-escaped.
    /// `assets` maps static files to their content-hashed URLs (the `asset()` function).
    pub fn new(
        dir: &Path,
        locales: Arc<Locales>,
        assets: HashMap<String, String>,
    ) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        for (name, source) in crate::files::templates(dir)? {
            env.add_template_owned(name.clone(), source)
                .map_err(|e| TemplateError::Syntax {
                    path: dir.join(&name).display().to_string(),
                    line: e.line().unwrap_or(0),
                    message: e.detail().unwrap_or_default().to_string(),
                })?;
        }
        env.set_formatter(html_formatter);
        // `asset("site.css")` -> `/static/site.3f2a1c9d0e.css` (on a mirror, relative:
        // `../static/...`); an unknown file is an error, caught when the pages are rendered
        // at startup.
        env.add_function("asset", move |state: &State<'_, '_>, name: &str| {
            let url = assets.get(name).ok_or_else(|| {
                Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("no static file {name}"),
                )
            })?;
            Ok(match link_root(state) {
                Some(root) => format!("{root}{}", url.trim_start_matches('/')),
                None => url.clone(),
            })
        });
        // `page_href("platform")`: the page in the current language; on a mirror, the
        // file it is in, relative.
        env.add_function("page_href", |state: &State<'_, '_>, slug: &str| {
            let lang = state
                .lookup("lang")
                .map(|l| l.to_string())
                .unwrap_or_default();
            page_href(link_root(state).as_deref(), &lang, slug)
        });
        // `long_date("2026-12-01")`: the day as the page's language writes it, in its
        // calendar (Solar Hijri on Persian pages).
        let date_locales = locales.clone();
        env.add_function("long_date", move |state: &State<'_, '_>, day: &str| {
            let parsed = time::Date::parse(
                day,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|e| {
                Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("not a date (YYYY-MM-DD): {day}: {e}"),
                )
            })?;
            Ok(page_locale(&date_locales, state).long_date(parsed))
        });
        env.add_global(
            "limits",
            context! {
                name => form::NAME_MAX_CHARS,
                email => form::EMAIL_MAX_CHARS,
                message => form::MESSAGE_MAX_CHARS,
            },
        );
        let content_locales = locales.clone();
        // `t()`: for element content; an English fallback is marked with its language.
        env.add_function(
            "t",
            move |state: &State<'_, '_>, id: &str, kwargs: Kwargs| {
                translate(&content_locales, state, id, kwargs, true)
            },
        );
        // `t_attr()`: plain text, for attributes, `<title>` and arguments to other messages.
        env.add_function(
            "t_attr",
            move |state: &State<'_, '_>, id: &str, kwargs: Kwargs| {
                translate(&locales, state, id, kwargs, false)
            },
        );
        Ok(Self { env })
    }

    /// Makes `value` known to every template as `name`.
    pub(crate) fn add_global(&mut self, name: &'static str, value: Value) {
        self.env.add_global(name, value);
    }

    pub fn render(&self, template: &str, ctx: Value) -> Result<String, Error> {
        self.env.get_template(template)?.render(ctx)
    }

    /// Renders a page: `template` at `slug` in `locale`, with the shared page context
    /// ([`page_context`]) plus `extra`.
    pub fn render_page(
        &self,
        locales: &Locales,
        locale: &Locale,
        page: &Page,
        links: &Links,
        extra: Value,
    ) -> Result<String, Error> {
        self.render_at(page.template, locales, locale, page.slug(), links, extra)
    }

    /// Renders `template` as the page at `slug` (below `/{lang}/`) in `locale`, with the
    /// shared page context plus `extra` (whose keys win).
    pub(crate) fn render_at(
        &self,
        template: &str,
        locales: &Locales,
        locale: &Locale,
        slug: &str,
        links: &Links,
        extra: Value,
    ) -> Result<String, Error> {
        let base = page_context(locales, locale, Some(slug), links);
        self.render(template, context! { ..extra, ..base })
    }
}

/// A template that cannot be read or compiled.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read templates: {0}")]
    Io(#[from] std::io::Error),
    #[error("{path}:{line}: {message}")]
    Syntax {
        path: String,
        line: usize,
        message: String,
    },
}

/// On a mirror, the way from the page being rendered back to the root of the copy
/// (`../../`); `None` on the live site.
fn link_root(state: &State<'_, '_>) -> Option<String> {
    state
        .lookup("link_root")
        .filter(|r| !r.is_none() && !r.is_undefined())
        .map(|r| r.to_string())
}

/// A page's link: `/fa/platform` on the live site; on a mirror, the file, relative
/// (`../../fa/platform/index.html`; a folder's page, `statements/`, is its `index.html`; a
/// file, `statements/feed.xml`, itself).
pub(crate) fn page_href(root: Option<&str>, lang: &str, slug: &str) -> String {
    match root {
        None => format!("/{lang}/{slug}"),
        Some(root) if slug.is_empty() || slug.ends_with('/') => {
            format!("{root}{lang}/{slug}index.html")
        }
        Some(root) if is_file(slug) => format!("{root}{lang}/{slug}"),
        Some(root) => format!("{root}{lang}/{slug}/index.html"),
    }
}

/// A path that names a file (`statements/feed.xml`) rather than a page.
fn is_file(slug: &str) -> bool {
    slug.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// Where a page's links point: the live site, or a static mirror of it.
#[derive(Clone, Debug)]
pub struct Links {
    /// This copy's address (hreflang alternates, the share image, the sitemap).
    pub here: String,
    /// The primary site's address (`canonical`).
    pub primary: String,
    /// On a mirror: from the page's folder back to the root of the copy (`../../`); every
    /// internal link is then relative and names a file.
    pub root: Option<String>,
    /// On a mirror: the live site the contact form posts to.
    pub form_action: Option<String>,
    /// On a mirror: the onion service (`<meta http-equiv="onion-location">`).
    pub onion: Option<String>,
    /// The site's other addresses, for the footer.
    pub others: Vec<String>,
    /// On a mirror: the Content-Security-Policy as a `<meta>` tag carries it.
    pub csp: Option<String>,
    /// On a mirror: the referrer policy as a `<meta>` tag carries it.
    pub referrer: Option<&'static str>,
}

impl Links {
    /// The live site's links.
    pub fn live(config: &Config) -> Self {
        let here = config.base_url.as_str().to_string();
        Self {
            others: config.other_addresses(&here),
            primary: here.clone(),
            here,
            root: None,
            form_action: None,
            onion: None,
            csp: None,
            referrer: None,
        }
    }

    /// A page's address on this copy: `https://example.org/fa/platform` live;
    /// `https://user.github.io/scdi/fa/platform/` on a mirror (a folder, which every static
    /// host serves).
    pub fn page_url(&self, lang: &str, slug: &str) -> String {
        if self.root.is_none() || slug.is_empty() || slug.ends_with('/') || is_file(slug) {
            format!("{}/{lang}/{slug}", self.here)
        } else {
            format!("{}/{lang}/{slug}/", self.here)
        }
    }

    /// The links of the page at `slug` in `lang`: on a mirror, relative from the folder of
    /// that page's file (`../../` for `fa/platform/index.html`); live, these.
    pub(crate) fn of_page(&self, lang: &str, slug: &str) -> Cow<'_, Self> {
        if self.root.is_none() {
            return Cow::Borrowed(self);
        }
        let file = page_href(Some(""), lang, slug);
        Cow::Owned(Self {
            root: Some("../".repeat(file.matches('/').count())),
            ..self.clone()
        })
    }

    /// Where a reader with no language goes: the negotiating redirect live, the page to
    /// choose a language on a mirror.
    pub fn x_default(&self, slug: &str) -> String {
        match &self.root {
            None => format!("{}/{slug}", self.here),
            Some(_) => format!("{}/", self.here),
        }
    }

    /// The sitemap's context: every page in every offered language, then each of `more`
    /// (a path below `/{lang}/` and the languages it is in), with their alternates.
    pub(crate) fn sitemap(&self, locales: &Locales, more: &[(String, Vec<String>)]) -> Value {
        let every: Vec<String> = locales.offered().map(|l| l.code.clone()).collect();
        let pages: Vec<Value> = PAGES
            .iter()
            .map(|page| (page.slug(), every.as_slice()))
            .chain(
                more.iter()
                    .map(|(slug, langs)| (slug.as_str(), langs.as_slice())),
            )
            .map(|(slug, langs)| {
                let mut alternates: Vec<_> = langs
                    .iter()
                    .map(|l| context! { hreflang => l, href => self.page_url(l, slug) })
                    .collect();
                alternates.push(context! { hreflang => "x-default", href => self.x_default(slug) });
                context! {
                    urls => langs.iter().map(|l| self.page_url(l, slug)).collect::<Vec<_>>(),
                    alternates,
                }
            })
            .collect();
        context! { pages }
    }
}

/// minijinja's default HTML escaping also escapes `/` (as `&#x2f;`), which bloats every URL;
/// escaping `& < > " '` is what HTML needs in text and quoted attributes.
fn html_formatter(out: &mut Output<'_>, state: &State<'_, '_>, value: &Value) -> Result<(), Error> {
    match (state.auto_escape(), value.as_str()) {
        (AutoEscape::Html, Some(s)) if !value.is_safe() => Ok(out.write_str(&escape_html(s))?),
        _ => escape_formatter(out, state, value),
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The locale of the page being rendered (`lang`), English when it has none.
fn page_locale<'a>(locales: &'a Locales, state: &State<'_, '_>) -> &'a Locale {
    state
        .lookup("lang")
        .as_ref()
        .and_then(|l| l.as_str())
        .and_then(|l| locales.get(l))
        .unwrap_or_else(|| locales.default_locale())
}

fn translate(
    locales: &Locales,
    state: &State<'_, '_>,
    id: &str,
    kwargs: Kwargs,
    content: bool,
) -> Result<Value, Error> {
    let locale = page_locale(locales, state);
    let mut args = FluentArgs::new();
    for key in kwargs.args() {
        let value: Value = kwargs.get(key)?;
        let fluent = match i64::try_from(value.clone()) {
            Ok(n) => FluentValue::from(n),
            Err(_) => FluentValue::from(value.to_string()),
        };
        args.set(key.to_string(), fluent);
    }
    kwargs.assert_all_used()?;
    let args = args.iter().next().is_some().then_some(&args);
    match locales.format(locale, id, args) {
        Some((text, true)) if content => {
            // English inside a page of another language: say so, for screen readers (voice)
            // and for the bidi algorithm (direction).
            let en = locales.default_locale();
            Ok(Value::from_safe_string(format!(
                "<span lang=\"{}\" dir=\"{}\">{}</span>",
                en.code,
                en.dir.as_str(),
                escape_html(&text)
            )))
        }
        Some((text, _)) => Ok(Value::from(text)),
        None => {
            // A template naming an unknown message is a bug `l10n check` and the tests catch;
            // never take the page down for it.
            tracing::error!(id, "unknown message id in template");
            Ok(Value::from(id))
        }
    }
}

/// The language switcher's entries: each other offered language, going to the page
/// `slug_in(code)` in it. Live, the switcher remembers the choice (a cookie); a mirror has
/// nothing to set one.
pub(crate) fn switcher(
    locales: &Locales,
    locale: &Locale,
    links: &Links,
    slug_in: &dyn Fn(&str) -> String,
) -> Vec<Value> {
    locales
        .offered()
        .filter(|l| l.code != locale.code)
        .map(|l| {
            let slug = slug_in(&l.code);
            let href = match &links.root {
                Some(root) => page_href(Some(root), &l.code, &slug),
                None if slug.is_empty() => format!("/lang/{}", l.code),
                None => format!("/lang/{}/{slug}", l.code),
            };
            context! { code => l.code, name => l.name, dir => l.dir.as_str(), href }
        })
        .collect()
}

/// The image link previews show (Open Graph / Twitter cards), and its size in pixels.
pub const SHARE_IMAGE_PATH: &str = "/static/share.png";
pub const SHARE_IMAGE_SIZE: (u32, u32) = (1200, 630);

/// The context every page shares: language, direction, canonical and alternate links, the
/// switcher's targets, the form's target and the site's other addresses. `slug` is the page
/// path without the language (`""` for home, `"platform"`, ...); `None` for error pages,
/// which are not indexed.
pub fn page_context(
    locales: &Locales,
    locale: &Locale,
    slug: Option<&str>,
    links: &Links,
) -> Value {
    let switcher = switcher(locales, locale, links, &|_| slug.unwrap_or("").to_string());
    let (canonical, alternates, x_default) = match slug {
        Some(s) => (
            Some(format!("{}/{}/{s}", links.primary, locale.code)),
            locales
                .offered()
                .map(|l| context! { hreflang => l.code, href => links.page_url(&l.code, s) })
                .collect(),
            Some(links.x_default(s)),
        ),
        None => (None, vec![], None),
    };
    let og_alternates: Vec<&str> = locales
        .offered()
        .filter(|l| l.code != locale.code)
        .map(|l| l.og_locale.as_str())
        .collect();
    // A language not yet offered says so on every page, with how much is translated.
    let preview = (!locale.offered).then(|| (locale.completeness * 100.0).floor() as i64);
    let form_action = format!(
        "{}{}",
        links.form_action.as_deref().unwrap_or(""),
        CONTACT.path(&locale.code)
    );
    let onion_location = links
        .onion
        .as_ref()
        .map(|onion| format!("{onion}/{}/{}", locale.code, slug.unwrap_or("")));
    context! {
        lang => locale.code,
        dir => locale.dir.as_str(),
        script => locale.script,
        preview,
        og_locale => locale.og_locale,
        og_alternates,
        share_image => context! {
            url => format!("{}{SHARE_IMAGE_PATH}", links.here),
            width => SHARE_IMAGE_SIZE.0,
            height => SHARE_IMAGE_SIZE.1,
        },
        slug,
        canonical,
        alternates,
        x_default,
        switcher,
        link_root => links.root,
        mirror => links.root.is_some(),
        form_action,
        other_addresses => links.others,
        csp_meta => links.csp,
        referrer => links.referrer,
        onion_location,
    }
}
