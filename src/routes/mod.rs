//! The URL space: the page table and its `/{lang}/...` pages, bare paths that redirect to the
//! negotiated language, `/lang/{code}/...` (the switcher, which remembers the choice), static
//! files, the sitemap.

mod contact;
mod health;
mod pages;
mod sitemap;
mod statements;

use std::{borrow::Cow, sync::Arc, time::Duration};

use axum::{
    extract::{FromRequestParts, Path, RawPathParams, State},
    handler::Handler,
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode, Uri},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use cookie::{Cookie, SameSite};
use tower_http::timeout::TimeoutLayer;

use crate::{
    config::Config,
    error::AppError,
    i18n::{
        negotiate::{request_locale, LANG_COOKIE},
        Locale,
    },
    page::{Form, PAGES},
    site::Site,
    state::AppState,
};

/// Static files, below `/static/`.
const STATIC_ROUTE: &str = "/static/{*path}";

/// The route that handled a request, put in the response's extensions for the log by
/// whoever matched it: the router (`middleware::access::record_route`) or [`from_memory`].
#[derive(Clone, Debug)]
pub(crate) struct Route(pub(crate) Cow<'static, str>);

/// A page or static file as the site holds it in memory, for a GET to `uri`: what the fast
/// path answers before routing and what the handlers answer after it, so both serve alike.
/// `None` for anything else. A static file's path is percent-decoded, as the router's path
/// parameters are; a page's is matched as it is.
pub(crate) fn from_memory(site: &Site, uri: &Uri, headers: &HeaderMap) -> Option<Response> {
    let path = uri.path();
    let (mut res, route) = if let Some(file) = path.strip_prefix("/static/") {
        // Decoded only when encoded: the plain path is the common case, and free.
        let asset = if file.contains('%') {
            let file = percent_encoding::percent_decode_str(file)
                .decode_utf8()
                .ok()?;
            site.assets.get(&file)?
        } else {
            site.assets.get(file)?
        };
        (asset.respond(headers), STATIC_ROUTE)
    } else {
        let (lang, slug) = path.strip_prefix('/')?.split_once('/')?;
        let page = site.page(lang, slug)?;
        (page.respond(headers), page.route)
    };
    res.extensions_mut().insert(Route(Cow::Borrowed(route)));
    Some(res)
}

pub(crate) fn router(config: &Config) -> Router<AppState> {
    // Requests with a body (the form) have a deadline, body upload included; GETs are
    // answered from memory and slow headers are cut off by the server.
    let deadline = TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(config.request_timeout_secs),
    );
    let mut router = Router::new()
        .route("/{lang}", get(add_trailing_slash))
        .route(STATIC_ROUTE, get(static_file))
        .route("/sitemap.xml", get(sitemap::sitemap))
        .route("/robots.txt", get(sitemap::robots))
        .route("/favicon.ico", get(favicon))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/lang/{code}", get(switch_language))
        .route("/lang/{code}/{*page}", get(switch_language))
        .route("/{lang}/statements", get(statements::show_statement))
        .route("/{lang}/statements/", get(statements::show_statement))
        .route(
            "/{lang}/statements/{*rest}",
            get(statements::show_statement),
        )
        .route("/statements", get(statements::redirect_bare))
        .route("/statements/", get(statements::redirect_bare))
        .route("/statements/{*rest}", get(statements::redirect_bare));
    for page in PAGES {
        let methods = match page.form {
            Some(Form::Contact) => get(pages::show_page).post(contact::submit.layer(deadline)),
            None => get(pages::show_page),
        };
        router = router
            .route(page.route, methods)
            .route(page.bare_path(), get(redirect_to_negotiated));
    }
    router.fallback(not_found)
}

/// Fallback for unknown paths.
async fn not_found() -> AppError {
    AppError::NotFound
}

/// Static files, from memory: content-hashed paths are immutable, plain ones short-lived.
async fn static_file(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    from_memory(&state.site(), &uri, &headers).ok_or(AppError::NotFound)
}

/// The request's snapshot of the site, in the language its `{lang}` path segment names (any
/// loaded locale, so that one not yet offered can be previewed); any other value is a 404.
pub(crate) struct Localized {
    pub(crate) site: Arc<Site>,
    /// The locale's place in `site.locales`, found when the request was extracted.
    index: usize,
}

impl Localized {
    pub(crate) fn locale(&self) -> &Locale {
        self.site.locales.at(self.index)
    }
}

impl FromRequestParts<AppState> for Localized {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let site = state.site();
        let index = params
            .iter()
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| site.locales.position(v))
            .ok_or(AppError::NotFound)?;
        Ok(Localized { site, index })
    }
}

/// `/`, `/platform`, ...: the same page in the negotiated language.
async fn redirect_to_negotiated(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let site = state.site();
    let locale = request_locale(&site.locales, &uri, &headers);
    // The path is one of the registered page paths, so the target is always local.
    let target = format!("/{}{}", locale.code, uri.path());
    varying(Redirect::temporary(&target))
}

/// A redirect that depends on the reader's languages and choice.
fn varying(redirect: Redirect) -> Response {
    let mut res = redirect.into_response();
    res.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    res
}

async fn add_trailing_slash(localized: Localized) -> Redirect {
    Redirect::permanent(&format!("/{}/", localized.locale().code))
}

/// The language switcher: remembers the choice in a cookie and goes to the same page in that
/// language. The target is rebuilt from the known page list, never taken from the request.
async fn switch_language(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let site = state.site();
    // Only offered languages can be chosen; one in preview is reached by its URL alone.
    let locale = param("code")
        .and_then(|c| site.locales.get(c))
        .filter(|l| l.offered)
        .ok_or(AppError::NotFound)?;
    // A page the site holds in that language (a statement in it, or else the listing);
    // anything else, its home page.
    let slug = param("page")
        .map(|p| {
            if site.page(&locale.code, p).is_some() {
                p
            } else if p.starts_with("statements/")
                && site.page(&locale.code, "statements/").is_some()
            {
                "statements/"
            } else {
                ""
            }
        })
        .unwrap_or("");
    let cookie = Cookie::build((LANG_COOKIE, locale.code.clone()))
        .path("/")
        .max_age(time::Duration::days(365))
        .http_only(true)
        .secure(state.config.https)
        .same_site(SameSite::Lax)
        .build();
    let mut res = Redirect::to(&format!("/{}/{slug}", locale.code)).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Browsers ask for `/favicon.ico` whatever the page says; the icon lives in `static/`.
async fn favicon() -> Redirect {
    Redirect::permanent("/static/favicon.svg")
}
