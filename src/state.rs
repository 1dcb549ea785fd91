use std::{
    collections::HashMap,
    net::IpAddr,
    ops::Deref,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use anyhow::Context;
use arc_swap::ArcSwap;
use minijinja::Value;

use axum::{http::HeaderMap, response::Response};

use crate::{
    assets::Assets,
    config::Config,
    i18n::{LoadError, Locales},
    l10n,
    limit::{per_slash_64, ContactLimiter},
    outbox::{self, Channels, Doorbell, Pace},
    precompressed::{Effort, Precompressed},
    render::{Links, Page, Renderer, TemplateError},
    store::Store,
    traffic::Traffic,
    watch::{Problems, Watch},
};

/// Pages may be kept by browsers and shared caches for a short while.
const PAGE_CACHE_CONTROL: &str = "public, max-age=300";

/// The application state: cheap to clone (one `Arc`), shared by every handler.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Store,
    /// The channels organisers are notified on (none unless configured).
    pub(crate) channels: Arc<Channels>,
    /// Rung when a message with notifications was stored.
    pub(crate) doorbell: Doorbell,
    pub(crate) contact_limiter: ContactLimiter,
    /// Submissions dropped because a bot filled the honeypot (logged, never stored).
    pub(crate) honeypot_drops: AtomicU64,
    /// Rate-limit checks made (with PostgreSQL: to forget full buckets now and then).
    limit_checks: AtomicU64,
    /// Request counts, unless every request is logged (`--access-log`).
    pub(crate) traffic: Option<Arc<Traffic>>,
    /// The pages of the site, rendered at every load.
    pages: &'static [Page],
    /// The current locales and templates; replaced whole on reload (watch mode).
    site: ArcSwap<Site>,
    watch: Option<Watch>,
}

/// Everything built from `locales/`, `templates/` and `static/`: one consistent snapshot per
/// request, with every page already rendered and compressed.
pub(crate) struct Site {
    pub(crate) locales: Arc<Locales>,
    pub(crate) renderer: Renderer,
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

impl Site {
    /// Loads locales and templates. With `strict`, a syntax error anywhere is an error (a
    /// reload keeps the last good site); otherwise it is logged and the entries that parsed
    /// are served, missing ones falling back to English: a typo never takes the site down.
    ///
    /// `effort`: how hard to compress the pages and static files ahead of time.
    pub(crate) fn load(
        config: &Config,
        pages: &'static [Page],
        strict: bool,
        effort: Effort,
    ) -> Result<Self, SiteError> {
        let (locales, problems) =
            Locales::load(&config.locales_dir, config.min_completeness / 100.0)?;
        if strict && !problems.is_empty() {
            return Err(SiteError::LocaleProblems(problems));
        }
        for problem in &problems {
            tracing::error!("{problem}");
        }
        let locales = Arc::new(locales);
        let assets = Assets::load(&config.static_dir, effort)?;
        let renderer = Renderer::new(&config.templates_dir, locales.clone(), assets.urls())?;
        let links = Links::live(config);
        let mut rendered = HashMap::new();
        for locale in locales.iter() {
            let of_locale: &mut HashMap<_, _> = rendered.entry(locale.code.clone()).or_default();
            for page in pages {
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
            pages: rendered,
        })
    }

    /// The page at `slug` in language `lang`, as rendered when the site was loaded.
    pub(crate) fn page(&self, lang: &str, slug: &str) -> Option<&Prerendered> {
        self.pages.get(lang)?.get(slug)
    }
}

impl AppState {
    /// Loads the site (locales, templates, static files, and `pages` rendered in every
    /// language) and opens the database.
    pub async fn new(config: Config, pages: &'static [Page]) -> anyhow::Result<Self> {
        // Compressed quickly, so that the site serves at once; `compress_fully` follows. In
        // watch mode there is nothing to follow: reloads compress fully.
        let effort = if config.watch {
            Effort::Best
        } else {
            Effort::Quick
        };
        let site = Site::load(&config, pages, false, effort).context("loading the site")?;
        for l in site.locales.iter() {
            tracing::info!(
                locale = %l.code,
                completeness = format!("{:.0}%", l.completeness * 100.0),
                offered = l.offered,
                "locale loaded"
            );
        }
        let channels = Channels::new(&config.notify, &config.base_url.host())
            .context("setting up notifications")?;
        let password = config
            .db_password()
            .context("reading the database password")?;
        let store = Store::open(&config.db, password.as_deref())
            .await
            .with_context(|| format!("opening database {}", config.db))?;
        let watch = config.watch.then(|| {
            let watch = Watch::new(vec![
                config.locales_dir.clone(),
                config.templates_dir.clone(),
                config.static_dir.clone(),
            ]);
            watch.set(watch_problems(&config, None));
            watch
        });
        let contact_limiter = ContactLimiter::new(
            config.contact_per_hour,
            config.contact_burst,
            config.client_ip_header.clone(),
        );
        let traffic = (!config.access_log).then(Arc::default);
        Ok(Self(Arc::new(Inner {
            config,
            store,
            channels: Arc::new(channels),
            doorbell: Doorbell::default(),
            contact_limiter,
            honeypot_drops: AtomicU64::new(0),
            limit_checks: AtomicU64::new(0),
            traffic,
            pages,
            site: ArcSwap::from_pointee(site),
            watch,
        })))
    }

    /// The current site snapshot.
    pub(crate) fn site(&self) -> Arc<Site> {
        self.site.load_full()
    }

    /// Replaces the quickly compressed site of startup with one compressed as well as it
    /// can be (about 12% smaller, ten times the work), off the async workers. The content
    /// and ETags are the same, so nothing a reader has cached goes stale. Run once, by
    /// `main` after startup and by tests.
    pub async fn compress_fully(&self) {
        if self.config.watch {
            return;
        }
        let state = self.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            match Site::load(&state.config, state.pages, false, Effort::Best) {
                Ok(site) => state.site.store(Arc::new(site)),
                Err(e) => {
                    tracing::error!("compressing the site fully failed; serving it as it is:\n{e}")
                }
            }
        })
        .await;
        if let Err(e) = loaded {
            tracing::error!(error = %e, "compressing the site fully failed");
        }
    }

    /// In watch mode: reloads the site if a file changed. A broken edit leaves the last good
    /// site serving and is reported by [`AppState::reload_error`]. Reading folders and
    /// rendering every page take milliseconds, so this runs off the async workers.
    pub(crate) async fn reload_if_changed(&self) {
        if self.watch.is_none() {
            return;
        }
        let state = self.clone();
        let reloaded = tokio::task::spawn_blocking(move || {
            let Some(watch) = &state.watch else { return };
            let reload = || Site::load(&state.config, state.pages, true, Effort::Best);
            watch.reload_if_changed(|| {
                let failed = match reload() {
                    Ok(site) => {
                        state.site.store(Arc::new(site));
                        tracing::info!("locales and templates reloaded");
                        None
                    }
                    Err(e) => {
                        tracing::error!("reload failed, still serving the last good version:\n{e}");
                        Some(e.to_string())
                    }
                };
                watch_problems(&state.config, failed)
            });
        })
        .await;
        if let Err(e) = reloaded {
            tracing::error!(error = %e, "reload task failed");
        }
    }

    /// Whether this client may send a message now; otherwise how long to wait. With
    /// PostgreSQL the limit is kept in the database, shared by every instance and kept over
    /// restarts; with SQLite (one instance) in memory. Should the database not answer, the
    /// message is let through to the store, whose failure the reader is then told of.
    /// Sends organisers' notifications from the outbox until `stop` turns true.
    pub async fn send_notifications(&self, stop: tokio::sync::watch::Receiver<bool>) {
        let pace = Pace::from(&self.config.notify);
        outbox::run(
            self.store.clone(),
            self.channels.clone(),
            pace,
            self.doorbell.clone(),
            stop,
        )
        .await;
    }

    pub(crate) async fn check_contact_limit(&self, client: Option<IpAddr>) -> Result<(), Duration> {
        let (per_hour, burst) = (self.config.contact_per_hour, self.config.contact_burst);
        if per_hour == 0 {
            return Ok(());
        }
        if !self.store.shares_limits() {
            return self.contact_limiter.check(client);
        }
        let key = client.map_or_else(|| "-".to_string(), |ip| per_slash_64(ip).to_string());
        let per_second = f64::from(per_hour) / 3600.0;
        let burst = f64::from(burst.max(1));
        // Now and then, forget the clients whose bucket is full again.
        if self
            .limit_checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(256)
        {
            let store = self.store.clone();
            let full_after = Duration::from_secs_f64(burst / per_second);
            tokio::spawn(async move {
                if let Err(e) = store.forget_full_buckets(full_after).await {
                    tracing::warn!(error = %e, "could not forget full rate-limit buckets");
                }
            });
        }
        match self.store.take_token(&key, per_second, burst).await {
            Ok(None) => Ok(()),
            Ok(Some(wait)) => Err(wait),
            Err(e) => {
                tracing::warn!(error = %e, "rate limit not checked: the database did not answer");
                Ok(())
            }
        }
    }

    /// Logs the request counts every `period`, for as long as it runs (nothing without
    /// counts: with `--access-log` every request has its line).
    pub async fn report_traffic_every(&self, period: Duration) {
        let Some(traffic) = &self.traffic else { return };
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            ticks.tick().await;
            traffic.report();
        }
    }

    /// Logs the request counts gathered since the last report (at shutdown).
    pub fn report_traffic(&self) {
        if let Some(traffic) = &self.traffic {
            traffic.report();
        }
    }

    /// In watch mode, what is wrong with the files (a failed reload, the locale check's
    /// errors), shown on every page.
    pub(crate) fn watch_problems(&self) -> Option<Problems> {
        self.watch.as_ref().and_then(Watch::problems)
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// What the watch-mode banner says: why a reload failed, if it did, and every error the
/// locale check finds in the files (a misspelt variable or term is served as it is, so
/// without this nobody would be told).
fn watch_problems(config: &Config, reload_failed: Option<String>) -> Option<Problems> {
    let checked = l10n::check(&l10n::CheckOptions {
        locales_dir: config.locales_dir.clone(),
        templates_dir: config.templates_dir.clone(),
        // The sources, when run from the repository (as translators and developers do).
        src_dir: "src".into(),
        min_completeness: config.min_completeness,
    });
    let errors = match checked {
        Ok(report) => report.errors_text(),
        Err(e) => format!("the locale check could not run: {e:#}\n"),
    };
    let failed = reload_failed.is_some();
    let text = [reload_failed.unwrap_or_default(), errors]
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    (!text.is_empty()).then_some(Problems {
        reload_failed: failed,
        text,
    })
}
