//! The URL space: `/{lang}/...` pages, bare paths that redirect to the negotiated language,
//! `/lang/{code}/...` (the switcher, which remembers the choice), and request logging.

pub mod contact;
pub mod head;
pub mod pages;
pub mod sitemap;

use axum::{
    extract::{FromRequestParts, Path, RawPathParams, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode, Uri},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use cookie::{Cookie, SameSite};

use std::{sync::Arc, time::Duration};

use axum::handler::Handler;
use tower_http::timeout::TimeoutLayer;

use crate::{
    config::Config,
    error::AppError,
    i18n::{negotiate::negotiate, Locale, Locales},
    render::PAGES,
    state::{AppState, Site},
};

/// Cookie holding the reader's explicit language choice.
pub const LANG_COOKIE: &str = "lang";
pub fn router(config: &Config) -> Router<AppState> {
    // Requests with a body (the form) have a deadline, body upload included; GETs are
    // answered from memory and slow headers are cut off by the server.
    let deadline = TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(config.request_timeout_secs),
    );
    let mut router = Router::new()
        .route("/{lang}", get(add_trailing_slash))
        .route("/static/{*path}", get(static_file))
        .route("/sitemap.xml", get(sitemap::sitemap))
        .route("/robots.txt", get(sitemap::robots))
        .route("/favicon.ico", get(favicon))
        .route("/lang/{code}", get(switch_language))
        .route("/lang/{code}/{*page}", get(switch_language));
    for page in PAGES {
        let slug = page.slug;
        let show = get(
            move |State(state): State<AppState>, lang: Lang, headers: HeaderMap| async move {
                pages::cached(&state, &lang, &headers, slug)
            },
        );
        let methods = match slug {
            "contact" => show.post(contact::submit.layer(deadline)),
            _ => show,
        };
        router = router
            .route(&format!("/{{lang}}/{slug}"), methods)
            // The same page without a language: redirect to the negotiated one.
            .route(&format!("/{slug}"), get(redirect_to_negotiated));
    }
    router
}

/// Static files, from memory: content-hashed paths are immutable, plain ones short-lived.
async fn static_file(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let site = state.site();
    let asset = site.assets.get(&path).ok_or(AppError::NotFound)?;
    Ok(asset.respond(&headers))
}

/// The locale named by the `{lang}` path segment (any loaded locale, so that one not yet
/// offered can be previewed); any other value is a 404. Holds the request's site snapshot.
pub struct Lang {
    pub site: Arc<Site>,
    code: String,
}

impl Lang {
    pub fn locale(&self) -> &Locale {
        let locales = &self.site.locales;
        locales
            .get(&self.code)
            .unwrap_or_else(|| locales.default_locale())
    }
}

impl FromRequestParts<AppState> for Lang {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let site = state.site();
        let code = params
            .iter()
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| site.locales.get(v))
            .map(|l| l.code.clone())
            .ok_or(AppError::NotFound)?;
        Ok(Lang { site, code })
    }
}

/// The locale a response to this request should be in: the path's language when it has one,
/// otherwise the remembered choice, then `Accept-Language`.
pub fn request_locale<'a>(locales: &'a Locales, uri: &Uri, headers: &HeaderMap) -> &'a Locale {
    let first = uri.path().trim_start_matches('/').split('/').next();
    if let Some(locale) = first.and_then(|seg| locales.get(seg)) {
        return locale;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    negotiate(locales, remembered_choice(headers).as_deref(), accept)
}

/// The `lang` cookie. Cookie pairs are parsed one by one, so that a cookie with bytes that
/// are not ASCII (set by something else on the domain) does not hide this one.
fn remembered_choice(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == LANG_COOKIE)
        .map(|c| c.value().to_string())
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
    let mut res = Redirect::temporary(&target).into_response();
    res.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    res
}

async fn add_trailing_slash(lang: Lang) -> Redirect {
    Redirect::permanent(&format!("/{}/", lang.locale().code))
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
    let slug = param("page")
        .and_then(|p| PAGES.iter().find(|page| page.slug == p))
        .map_or("", |page| page.slug);
    let cookie = Cookie::build((LANG_COOKIE, locale.code.clone()))
        .path("/")
        .max_age(cookie::time::Duration::days(365))
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
