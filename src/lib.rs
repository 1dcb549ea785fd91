//! scdi-site: the bilingual (English/Persian) website of the Socialist Campaign for Democracy
//! in Iran. Start with [`app`]: the routes, then the middleware around them.
//!
//! Modules are listed floor by floor, top first: a module uses only modules on floors below
//! its own (`tests/it/in_process/architecture.rs` checks it).

// Floor 1: the application.
/// Every layer (access log, security headers, HEAD, fast path, error pages...), stacked in order.
mod middleware;

// Floor 2: what answers requests, and the site's other output.
/// The work besides requests (compression, request counts, retention, notifications).
pub mod background;
/// `scdi-site export`: the site as static files for mirrors, checked before it is done.
pub mod mirror;
/// The URL space: handlers, redirects, the language switcher, the sitemap, and the pages and
/// files served from memory.
mod routes;

// Floor 3: the state the application works with, and the binary's other parts.
/// `messages list|export`: the stored messages for organisers (text, CSV, JSON).
pub mod export;
/// The HTTP/1.1 server: bounded headers, header timeout, connection caps, graceful shutdown.
pub mod server;
/// Shared application state: one cheap `Clone` handle, with the current site snapshot.
mod state;

// Floor 4.
/// The site in memory: sources read once, every page rendered and compressed.
mod site;

// Floor 5: pages, files and the translators' tools.
/// Static files in memory: content-hashed URLs, precompressed.
pub mod assets;
/// `scdi-site l10n ...`: the translators' check, to-do, records and new languages.
pub mod l10n;
/// The minijinja environment, the `t()` function bound to the page's locale, the page context.
pub mod render;

// Floor 6.
/// Statements: Markdown files with front matter under `content/statements/`, read, checked
/// and made HTML.
mod content;
/// Contact form: strict `application/x-www-form-urlencoded` decoding and field validation.
pub mod form;
/// The contact form's per-client rate limit, in memory or shared through the database.
pub mod limit;
/// Notifications to organisers (email, webhook), sent from the outbox in the background.
pub mod outbox;

// Floor 7: the foundations.
/// `AppError`: every failure a visitor can meet, as a status; made a page by middleware.
mod error;
/// Locales discovered in `locales/`, their Fluent bundles, direction and negotiation.
pub mod i18n;
/// The onion listener's PROXY protocol line: each Tor reader's circuit.
mod onion;
/// The table of pages: each page's route, template and form.
pub mod page;
/// The security headers, one list for the live server and the static mirrors.
mod policy;
/// Responses computed once and served from memory: brotli and gzip forms, ETag, 304.
mod precompressed;
/// Contact messages and their notifications, in SQLite or PostgreSQL (sqlx).
pub mod store;
/// Request counts per method, route and status: the default, privacy-first access log.
mod traffic;
/// `serve --watch`: tells whether locale, template or static files changed.
mod watch;

// Floor 8: what everything may use.
/// The weighted lists of `Accept-Language` and `Accept-Encoding`: one parser for both.
mod accept;
/// Command-line and environment configuration (clap), validated at startup.
pub mod config;
/// Reading the site's folders: the walk shared by the loaders (static files, templates,
/// l10n scan), folders, source files and their text.
mod files;

use std::convert::Infallible;

use axum::{extract::Request, response::Response};
use tower::Service;

pub use config::Config;
pub use state::AppState;

/// Builds the whole application: the routes, wrapped in every layer. Tests call it
/// in-process (`tower::ServiceExt::oneshot`); `main` serves it.
pub fn app(
    state: AppState,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send>
       + Clone
       + Send
       + Sync
       + 'static {
    middleware::apply(routes::router(&state.config), state)
}
