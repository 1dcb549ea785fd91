//! Every layer, each in its own file, stacked in one place and in order ([`apply`]).

mod access;
mod around;
mod cross_site;
mod fast_path;
mod head;
mod localize_errors;
mod onion;
mod security;
mod uri_bound;
mod watch_reload;

use std::{convert::Infallible, sync::Arc};

use axum::{
    extract::Request,
    middleware::{from_fn, from_fn_with_state},
    response::Response,
    Router,
};
use tower::{Service, ServiceBuilder};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, DefaultPredicate,
    },
    limit::RequestBodyLimitLayer,
};

use crate::{form, state::AppState};
use around::AroundLayer;

/// Wraps the routes in every layer. A request meets them in this order:
///
/// 1. the access log or the request counts (they see every response, the fast path's too);
/// 2. the security headers, on every response, and `Onion-Location` on pages (with
///    `--onion-url`);
/// 3. HEAD, answered as GET without the body;
/// 4. in watch mode, a reload if files changed; then the fast path: pages and static files
///    from memory;
/// 5. then, for what goes the full way: compression of responses made now, localized error
///    pages, the request-target bound, the cross-site check, panic catching, body limits;
/// 6. the router, which notes the matched route for the log.
///
/// Layers are stacked with `ServiceBuilder` and applied once: each `Router::layer` call boxes
/// the service again, and every box is cloned on every request.
pub(crate) fn apply(
    routes: Router<AppState>,
    state: AppState,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send>
       + Clone
       + Send
       + Sync
       + 'static {
    let full = routes
        .route_layer(from_fn(access::record_route))
        .layer(
            ServiceBuilder::new()
                // Responses made per request (the form's error state, error pages, the
                // sitemap); cached pages and assets come already compressed, and fonts and
                // images never are.
                .layer(CompressionLayer::new().compress_when(
                    DefaultPredicate::new().and(NotForContentType::const_new("font/")),
                ))
                // Outside the rest, so that the error responses of the layers below are localized.
                .layer(from_fn_with_state(
                    state.clone(),
                    localize_errors::localize_errors,
                ))
                .layer(from_fn(uri_bound::bound_uri))
                .layer(from_fn_with_state(
                    state.clone(),
                    cross_site::reject_cross_site,
                ))
                .layer(CatchPanicLayer::new())
                // Form bodies are small; anything larger is refused with a localized 413,
                // whether announced by Content-Length or streamed (the body is then cut off
                // at the limit, which axum's extractors answer with 413 too).
                .layer(RequestBodyLimitLayer::new(form::MAX_BODY_BYTES)),
        )
        .with_state(state.clone());
    // The front is returned as it is, not as a `Router` fallback: a router would box it, and
    // clone the box (an allocation and a deep clone) for every request.
    ServiceBuilder::new()
        .layer(AroundLayer(access::AccessLog(state.traffic.clone())))
        .layer(security::layer(
            (state.config.https).then_some(state.config.hsts_max_age_secs),
        ))
        .option_layer(
            state
                .config
                .onion_url
                .as_ref()
                .map(|onion| AroundLayer(onion::OnionLocation(Arc::from(onion.as_str())))),
        )
        .layer(AroundLayer(head::HeadAsGet))
        .option_layer(
            state
                .config
                .watch
                .then(|| from_fn_with_state(state.clone(), watch_reload::reload_before_request)),
        )
        .layer(AroundLayer(fast_path::FastPath(state)))
        .service(full)
}
