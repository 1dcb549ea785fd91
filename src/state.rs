use std::{
    ops::Deref,
    sync::{atomic::AtomicU64, Arc},
    time::Duration,
};

use anyhow::Context;
use arc_swap::ArcSwap;

use crate::{
    config::{Config, Database, Privacy},
    l10n,
    limit::ContactLimit,
    outbox::{self, Channels, Doorbell, Pace},
    precompressed::Effort,
    render::Links,
    site::Site,
    store::{self, Store},
    traffic::Traffic,
    watch::{Problems, Watch},
};

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
    pub(crate) contact_limit: ContactLimit,
    /// Submissions dropped because a bot filled the honeypot (logged, never stored).
    pub(crate) honeypot_drops: AtomicU64,
    /// Request counts, unless every request is logged (`--access-log`).
    pub(crate) traffic: Option<Arc<Traffic>>,
    /// What the privacy page states, with the day it last changed (fixed at startup).
    privacy: Privacy,
    /// The current site; replaced whole on reload (watch mode) and once fully compressed.
    site: ArcSwap<Site>,
    watch: Option<Watch>,
}

impl AppState {
    /// Loads the site (locales, templates, static files, and every page rendered in every
    /// language) and opens the database.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        let channels = Channels::new(&config.notify, &config.base_url.host())
            .context("setting up notifications")?;
        let store = open_store(&config).await?;
        let privacy = config.privacy();
        let since = store
            .settings_since(&privacy.fingerprint(), &today())
            .await
            .context("recording the settings the privacy page states")?;
        let privacy = privacy.settings_since(since);
        // Compressed quickly, so that the site serves at once; `compress_fully` follows. In
        // watch mode (a translator's or organiser's own machine) nothing follows: the first
        // load is compressed fully, reloads quickly.
        let effort = if config.watch {
            Effort::Best
        } else {
            Effort::Quick
        };
        let site = Site::load(
            &config.sources,
            Links::live(&config),
            &privacy,
            false,
            effort,
        )
        .context("loading the site")?;
        // What rendering used and let go.
        release_freed_memory();
        for l in site.locales.iter() {
            tracing::info!(
                locale = %l.code,
                completeness = format!("{:.0}%", l.completeness * 100.0),
                offered = l.offered,
                "locale loaded"
            );
        }
        outbox::warn_of_others_pending(&store, &channels).await;
        let watch = config.watch.then(|| {
            let sources = &config.sources;
            let watch = Watch::new(vec![
                sources.locales_dir.clone(),
                sources.templates_dir.clone(),
                sources.static_dir.clone(),
                sources.content_dir.clone(),
            ]);
            watch.set(watch_problems(&config, None));
            watch
        });
        let contact_limit = ContactLimit::new(&config.handling, &store);
        let traffic = (!config.access_log).then(Arc::default);
        Ok(Self(Arc::new(Inner {
            config,
            store,
            channels: Arc::new(channels),
            doorbell: Doorbell::default(),
            contact_limit,
            honeypot_drops: AtomicU64::new(0),
            traffic,
            privacy,
            site: ArcSwap::from_pointee(site),
            watch,
        })))
    }

    /// The current site snapshot.
    pub(crate) fn site(&self) -> Arc<Site> {
        self.site.load_full()
    }

    /// With `--retention-days`, deletes the messages past it now and then daily, for as
    /// long as the site runs.
    pub(crate) async fn apply_retention(&self) {
        let Some(days) = self.config.handling.retention_days else {
            return;
        };
        let mut daily = tokio::time::interval(Duration::from_secs(24 * 3600));
        loop {
            daily.tick().await;
            match self.store.purge_older_than(days).await {
                Ok(0) => {}
                Ok(deleted) => {
                    tracing::info!(deleted, days, "messages past --retention-days deleted")
                }
                Err(e) => {
                    tracing::error!(error = %e, "messages past --retention-days not deleted; trying again tomorrow")
                }
            }
        }
    }

    /// The one line an operator reads at startup, saying what this instance runs with, and
    /// a WARN for each setting that leaves something undone or open.
    pub fn say_what_runs(&self, addr: std::net::SocketAddr, onion: Option<std::net::SocketAddr>) {
        let c = &self.config;
        let or_none = |list: Vec<String>| match list.join(",") {
            s if s.is_empty() => "none".to_string(),
            s => s,
        };
        let mirrors = or_none(c.mirrors.iter().map(ToString::to_string).collect());
        tracing::info!(
            addr = %addr,
            base_url = %c.base_url,
            db = %c.db,
            client_ip_header = %c.client_ip_header.as_deref().unwrap_or("none"),
            notifications = %or_none(self.channels.names().to_vec()),
            mirrors = %mirrors,
            onion = %c.onion_url.as_ref().map_or("none", |o| o.as_str()),
            onion_listen = %onion.map_or("none".to_string(), |a| a.to_string()),
            retention_days = %c.handling.retention_days.map_or("none".to_string(), |d| d.to_string()),
            privacy_contact = %c.handling.privacy_contact.as_ref().map_or("none".to_string(), ToString::to_string),
            "serving"
        );
        if self.channels.names().is_empty() {
            tracing::warn!("no notification channel: messages are stored but nobody is told (--notify-email, --notify-webhook)");
        }
        if !addr.ip().is_loopback() {
            if !c.https {
                tracing::warn!(%addr, "listening beyond this machine without --https: readers' messages would cross the network in the clear unless a TLS proxy is in front (then set --https)");
            }
            if c.base_url_is_default() {
                tracing::warn!(%addr, "listening beyond this machine with the default --base-url: canonical links, the sitemap and link previews point at 127.0.0.1");
            }
        }
    }

    /// The current site for the length of one response made at once (the fast path):
    /// no reference count taken.
    pub(crate) fn site_now(&self) -> arc_swap::Guard<Arc<Site>> {
        self.site.load()
    }

    /// Replaces the quickly compressed site of startup with the same site compressed as well
    /// as it can be (about 12% smaller, ten times the work), from the bytes in memory, off
    /// the async workers. The content and ETags are the same, so nothing a reader has cached
    /// goes stale. Run after startup, after each SIGHUP reload, and by tests that measure
    /// sizes.
    pub async fn compress_fully(&self) {
        if self.config.watch {
            return;
        }
        let state = self.clone();
        let compressed = tokio::task::spawn_blocking(move || {
            let mut made_from = state.site();
            // Pages held uncompressed to start at once (a thousand statements) get their
            // quick forms first: seconds sooner than the full ones.
            if made_from.has_uncompressed() {
                let quick = Arc::new(made_from.recompressed(Effort::Quick));
                let before = state.site.compare_and_swap(&made_from, quick.clone());
                if !Arc::ptr_eq(&before, &made_from) {
                    return;
                }
                drop(before);
                made_from = quick;
                release_freed_memory();
            }
            let full = Arc::new(made_from.recompressed(Effort::Best));
            // Only in place of the site it was made from: a reload (SIGHUP) meanwhile put
            // newer files in place, which must not be undone (its own full compression
            // follows it).
            drop(state.site.compare_and_swap(&made_from, full));
            drop(made_from);
            release_freed_memory();
        })
        .await;
        if let Err(e) = compressed {
            tracing::error!(error = %e, "compressing the site fully failed");
        }
    }

    /// Reloads locales, templates, static files and statements (SIGHUP), as `--watch` does
    /// on a change: requests in flight finish with the site they began with, the next ones
    /// get the new one; a broken file is logged and the last good site goes on serving.
    /// Like a start, the new site serves compressed quickly, then fully.
    pub async fn reload(&self) {
        let state = self.clone();
        let reloaded = tokio::task::spawn_blocking(move || {
            state.load_again("site reloaded (SIGHUP): locales, templates, static files, statements")
        })
        .await;
        match reloaded {
            Ok(None) => self.compress_fully().await,
            Ok(Some(_)) => {}
            Err(e) => tracing::error!(error = %e, "reload task failed"),
        }
    }

    /// In watch mode: reloads the site if a file changed; what is wrong with the files is
    /// shown on every page ([`AppState::watch_problems`]). Reading folders and
    /// rendering every page take milliseconds, so this runs off the async workers.
    pub(crate) async fn reload_if_changed(&self) {
        if self.watch.is_none() {
            return;
        }
        let state = self.clone();
        let reloaded = tokio::task::spawn_blocking(move || {
            let Some(watch) = &state.watch else { return };
            watch.reload_if_changed(|| {
                let failed = state.load_again("site files reloaded");
                watch_problems(&state.config, failed)
            });
        })
        .await;
        if let Err(e) = reloaded {
            tracing::error!(error = %e, "reload task failed");
        }
    }

    /// Loads the site's files again as a fresh start loads them (message by message, a
    /// broken one in English) and serves them, saying `reloaded`; a site that does not load
    /// (a template) leaves the last good one serving. Why it did not, if it did not.
    /// Blocking: it reads folders and renders every page.
    fn load_again(&self, reloaded: &str) -> Option<String> {
        let config = &self.config;
        // Quickly compressed, as at startup: a thousand statements would otherwise keep
        // the new text waiting for seconds (SIGHUP's `reload` compresses it fully then).
        match Site::load(
            &config.sources,
            Links::live(config),
            &self.privacy,
            false,
            Effort::Quick,
        ) {
            Ok(site) => {
                self.site.store(Arc::new(site));
                tracing::info!("{reloaded}");
                None
            }
            Err(e) => {
                tracing::error!("reload failed, still serving the last good version:\n{e}");
                Some(e.to_string())
            }
        }
    }

    /// Sends organisers' notifications from the outbox until `stop` turns true.
    pub(crate) async fn send_notifications(&self, stop: tokio::sync::watch::Receiver<bool>) {
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

    /// Logs the request counts every `period`, for as long as it runs (nothing without
    /// counts: with `--access-log` every request has its line).
    pub(crate) async fn report_traffic_every(&self, period: Duration) {
        let Some(traffic) = &self.traffic else { return };
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            ticks.tick().await;
            traffic.report();
        }
    }

    /// Logs the request counts gathered since the last report (at shutdown).
    pub(crate) fn report_traffic(&self) {
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

/// Gives the memory freed by a site swapped out back to the system. glibc keeps freed memory
/// in its heaps for reuse: after the start's or a reload's compression (two sites alive at
/// once), that is tens of MiB with a thousand statements, held for nothing.
#[allow(unsafe_code)]
fn release_freed_memory() {
    // SAFETY: `malloc_trim` takes no pointer and frees nothing in use: it returns the pages
    // of free chunks to the kernel.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::malloc_trim(0);
    }
}

/// What the watch-mode banner says: why a reload failed, if it did (a template), and what
/// the locale check finds in the files, each once: errors (a message with one is shown in
/// English) and warnings (typography, outdated), the to-do of missing and unmarked
/// messages aside (`l10n todo` lists it).
fn watch_problems(config: &Config, reload_failed: Option<String>) -> Option<Problems> {
    let checked = l10n::check(&l10n::CheckOptions {
        locales_dir: config.sources.locales_dir.clone(),
        templates_dir: config.sources.templates_dir.clone(),
        // The sources, when run from the repository (as translators and developers do).
        src_dir: "src".into(),
        min_completeness: config.sources.min_completeness,
        content_dir: config.sources.content_dir.clone(),
    });
    let errors = match checked {
        Ok(report) => report.banner_text(),
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

/// Opens the database `config` names (making the default's folder, the site's user's
/// only), with writes giving up well inside the request's deadline: the reader is then
/// shown their text and told it may not have been sent, not timed out.
async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let password = config
        .db_password()
        .context("reading the database password")?;
    let deadline = (Duration::from_secs(config.request_timeout_secs) / 2)
        .clamp(Duration::from_secs(1), store::WRITE_DEADLINE);
    if let (true, Database::File(path)) = (config.db_is_default(), &config.db) {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(folder)
                .with_context(|| format!("creating {}", folder.display()))?;
        }
    }
    Store::open_within(&config.db, password.as_deref(), deadline)
        .await
        .with_context(|| format!("opening the database {} (--db)", config.db))
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}
