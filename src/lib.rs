//! scdi-site: the bilingual (English/Persian) website of the Socialist Campaign for Democracy
//! in Iran. Start with [`app`], which assembles every route and layer; then follow one request
//! through `routes` (handlers) -> `render` (templates + Fluent) -> `i18n` (locales).

/// The access log: one line per request (method, route, status, latency).
pub mod access;
/// Static files in memory: content-hashed URLs, precompressed.
pub mod assets;
/// Precompressed responses with ETags, for pages and assets served from memory.
pub mod cache;
/// Command-line and environment configuration (clap).
pub mod config;
/// Cross-site POST protection (Fetch Metadata, falling back to Origin).
pub mod csrf;
/// `AppError`: every failure a visitor can meet, rendered as a localized error page.
pub mod error;
/// `messages list|export`: the stored messages for organisers (text, CSV, JSON).
pub mod export;
/// The directory walk shared by the loaders (static files, templates, l10n scan).
pub mod files;
/// Contact form: decoding `application/x-www-form-urlencoded` bodies and validating fields.
pub mod form;
/// Locales discovered in `locales/`, their Fluent bundles, direction and negotiation.
pub mod i18n;
/// `scdi-site l10n check`: the translators' report on `locales/`.
pub mod l10n;
/// Abuse limits: the contact form's per-client rate limit, the request-target bound.
pub mod limit;
/// The minijinja environment and the `t()` function bound to the page's locale.
pub mod render;
/// HTTP handlers: pages, language redirects and the contact form.
pub mod routes;
/// Security headers on every response (CSP, no referrer, HSTS under HTTPS...).
pub mod security;
/// The HTTP/1.1 server: bounded headers, header read timeout, graceful shutdown.
pub mod server;
/// Shared application state: one cheap `Clone` handle, with the current locales and templates.
pub mod state;
/// SQLite storage for contact messages (sqlx).
pub mod store;
/// `serve --watch`: reload locales and templates when their files change.
pub mod watch;

use axum::{extract::DefaultBodyLimit, middleware, Router};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, DefaultPredicate,
    },
    limit::RequestBodyLimitLayer,
};

pub use config::Config;
pub use state::AppState;

/// Builds the whole application: routes, static files, fallback and layers. Tests call this
/// in-process; `main` serves it.
pub fn app(state: AppState) -> Router {
    // Layers are stacked with `ServiceBuilder` and applied once: each `Router::layer` call
    // boxes the service again, and every box is cloned on every request.
    let full = routes::router(&state.config)
        .route_layer(middleware::from_fn(access::record_route))
        .fallback(error::not_found)
        .layer(
            ServiceBuilder::new()
                // Responses made per request (the form's error state, error pages, the
                // sitemap); cached pages and assets come already compressed, and fonts and
                // images never are.
                .layer(CompressionLayer::new().compress_when(
                    DefaultPredicate::new().and(NotForContentType::const_new("font/")),
                ))
                // Outside the rest, so that the error responses of the layers below are localized.
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    error::localize_errors,
                ))
                .layer(middleware::from_fn(limit::bound_uri))
                .layer(middleware::from_fn(csrf::reject_cross_site))
                .layer(CatchPanicLayer::new())
                // Form bodies are small; anything larger is refused with a localized 413,
                // whether announced by Content-Length or streamed.
                .layer(RequestBodyLimitLayer::new(form::MAX_BODY_BYTES))
                .layer(DefaultBodyLimit::max(form::MAX_BODY_BYTES)),
        )
        .with_state(state.clone());
    let watch = state.config.watch;
    let front =
        ServiceBuilder::new()
            // One log line per request: method, matched route, status, latency.
            .layer(access::AccessLogLayer)
            .layer(security::layer(state.config.https))
            .layer(routes::head::HeadLayer)
            // In watch mode everything goes the full way, after a reload if files changed;
            // otherwise pages and static files are answered from memory before routing.
            .option_layer(watch.then(|| {
                middleware::from_fn_with_state(state.clone(), watch::reload_before_request)
            }))
            .option_layer((!watch).then(|| routes::pages::FromMemoryLayer(state.clone())));
    Router::new().fallback_service(front.service(full))
}
