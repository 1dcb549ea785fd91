//! The URL space: `/{lang}/...` pages, bare paths that redirect to the negotiated language,
//! `/lang/{code}/...` (the switcher, which remembers the choice), and request logging.

pub mod contact;
pub mod pages;
pub mod sitemap;

use axum::{
    extract::{FromRequestParts, MatchedPath, Path, RawPathParams, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Uri},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use cookie::{Cookie, SameSite};
use tracing::Span;

use std::sync::Arc;

use crate::{
    error::AppError,
    i18n::{negotiate::negotiate, Locale, Locales},
    state::{AppState, Site},
};

/// Cookie holding the reader's explicit language choice.
pub const LANG_COOKIE: &str = "lang";
/// Paths of the pages below `/{lang}/`; only these are redirect or switch targets.
pub const PAGE_SLUGS: &[&str] = &["", "platform", "people", "contact", "contact/thanks"];

pub fn router() -> Router<AppState> {
    let mut router = Router::new()
        .route("/{lang}", get(add_trailing_slash))
        .route("/{lang}/", get(pages::home))
        .route("/{lang}/platform", get(pages::platform))
        .route("/{lang}/people", get(pages::people))
        .route("/{lang}/contact", get(contact::show).post(contact::submit))
        .route("/{lang}/contact/thanks", get(pages::thanks))
        .route("/sitemap.xml", get(sitemap::sitemap))
        .route("/robots.txt", get(sitemap::robots))
        .route("/favicon.ico", get(favicon))
        .route("/lang/{code}", get(switch_language))
        .route("/lang/{code}/{*page}", get(switch_language));
    for slug in PAGE_SLUGS {
        router = router.route(&format!("/{slug}"), get(redirect_to_negotiated));
    }
    router
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

fn remembered_choice(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
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
        .and_then(|p| PAGE_SLUGS.iter().find(|s| **s == p))
        .unwrap_or(&"");
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

/// The span for one request: method and matched route (not the raw path: readers' privacy).
pub fn request_span(req: &Request) -> Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    tracing::info_span!("request", method = %req.method(), route)
}
