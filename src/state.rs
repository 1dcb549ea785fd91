use std::{ops::Deref, sync::Arc};

use anyhow::Context;

use crate::{config::Config, i18n::Locales, render::Renderer, store::Store};

/// The application state: cheap to clone (one `Arc`), shared by every handler.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub locales: Arc<Locales>,
    pub renderer: Renderer,
    pub store: Store,
}

impl AppState {
    /// Loads locales and templates (failing fast on any error) and opens the database.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        let locales =
            Arc::new(Locales::load(&config.locales_dir).with_context(|| {
                format!("loading locales from {}", config.locales_dir.display())
            })?);
        let renderer =
            Renderer::new(&config.templates_dir, locales.clone()).with_context(|| {
                format!("loading templates from {}", config.templates_dir.display())
            })?;
        let store = Store::open(&config.db)
            .await
            .with_context(|| format!("opening database {}", config.db.display()))?;
        Ok(Self(Arc::new(Inner {
            config,
            locales,
            renderer,
            store,
        })))
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
