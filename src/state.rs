use std::{
    collections::HashMap,
    ops::Deref,
    sync::{atomic::AtomicU64, Arc},
};

use anyhow::Context;
use arc_swap::ArcSwap;
use minijinja::Value;

use crate::{
    assets::Assets,
    cache::Encoded,
    config::Config,
    i18n::{LoadError, Locales},
    limit::ContactLimiter,
    render::{Renderer, TemplateError, PAGES},
    store::Store,
    watch::Watch,
};

/// The application state: cheap to clone (one `Arc`), shared by every handler.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub contact_limiter: ContactLimiter,
    /// Submissions dropped because a bot filled the honeypot (logged, never stored).
    pub honeypot_drops: AtomicU64,
    /// The current locales and templates; replaced whole on reload (watch mode).
    site: ArcSwap<Site>,
    watch: Option<Watch>,
}

/// Everything built from `locales/`, `templates/` and `static/`: one consistent snapshot per
/// request, with every page already rendered and compressed.
pub struct Site {
    pub locales: Arc<Locales>,
    pub renderer: Renderer,
    pub assets: Assets,
    /// language -> page slug -> the rendered page.
    pub pages: HashMap<String, HashMap<&'static str, Encoded>>,
}

/// Why locales or templates could not be (re)loaded.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error(transparent)]
    Locales(#[from] LoadError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    LocaleProblems(Vec<LoadError>),
    #[error(transparent)]
    Templates(#[from] TemplateError),
    #[error("{0}")]
    Render(#[from] minijinja::Error),
    #[error("reading static files: {0}")]
    Assets(#[from] std::io::Error),
}

impl Site {
    /// Loads locales and templates. With `strict`, a syntax error anywhere is an error (a
    /// reload keeps the last good site); otherwise it is logged and the entries that parsed
    /// are served, missing ones falling back to English: a typo never takes the site down.
    pub fn load(config: &Config, strict: bool) -> Result<Self, SiteError> {
        let (locales, problems) =
            Locales::load(&config.locales_dir, config.min_completeness / 100.0)?;
        if strict && !problems.is_empty() {
            return Err(SiteError::LocaleProblems(problems));
        }
        for problem in &problems {
            tracing::error!("{problem}");
        }
        for l in locales.iter() {
            tracing::info!(
                locale = %l.code,
                completeness = format!("{:.0}%", l.completeness * 100.0),
                offered = l.offered,
                "locale loaded"
            );
        }
        let locales = Arc::new(locales);
        let assets = Assets::load(&config.static_dir)?;
        let renderer = Renderer::new(&config.templates_dir, locales.clone(), assets.urls())?;
        let mut pages = HashMap::new();
        for locale in locales.iter() {
            for page in PAGES {
                let html = renderer.render_page(
                    &locales,
                    locale,
                    page,
                    config.base_url.as_str(),
                    Value::UNDEFINED,
                )?;
                let encoded = Encoded::new(html, "text/html; charset=utf-8", true)
                    .with_language(&locale.code);
                pages
                    .entry(locale.code.clone())
                    .or_insert_with(HashMap::new)
                    .insert(page.slug, encoded);
            }
        }
        Ok(Self {
            locales,
            renderer,
            assets,
            pages,
        })
    }
}

impl AppState {
    /// Loads locales and templates and opens the database.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        let site = Site::load(&config, false).with_context(|| {
            format!(
                "loading {} and {}",
                config.locales_dir.display(),
                config.templates_dir.display()
            )
        })?;
        let store = Store::open(&config.db)
            .await
            .with_context(|| format!("opening database {}", config.db.display()))?;
        let watch = config.watch.then(|| Watch::new(&config));
        let contact_limiter = ContactLimiter::new(
            config.contact_per_hour,
            config.contact_burst,
            config.client_ip_header.clone(),
        );
        Ok(Self(Arc::new(Inner {
            config,
            store,
            contact_limiter,
            honeypot_drops: AtomicU64::new(0),
            site: ArcSwap::from_pointee(site),
            watch,
        })))
    }

    /// The current site snapshot.
    pub fn site(&self) -> Arc<Site> {
        self.site.load_full()
    }

    /// In watch mode: reloads locales and templates if a file changed. A broken edit leaves
    /// the last good site serving and is reported by [`AppState::reload_error`].
    pub fn reload_if_changed(&self) {
        let Some(watch) = &self.watch else { return };
        if !watch.changed() {
            return;
        }
        match Site::load(&self.config, true) {
            Ok(site) => {
                self.site.store(Arc::new(site));
                watch.set_error(None);
                tracing::info!("locales and templates reloaded");
            }
            Err(e) => {
                tracing::error!("reload failed, still serving the last good version:\n{e}");
                watch.set_error(Some(e.to_string()));
            }
        }
    }

    /// In watch mode, the error of the last failed reload, shown on every page.
    pub fn reload_error(&self) -> Option<String> {
        self.watch.as_ref().and_then(Watch::error)
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
