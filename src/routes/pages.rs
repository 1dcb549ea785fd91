//! The pages: rendered once per language when the site is loaded and served from memory
//! (usually by the fast path, before routing). Rendered per request only for the contact
//! form's error states and, in watch mode, to carry the banner of a failed reload.

use axum::{
    extract::{MatchedPath, State},
    http::{header, HeaderMap, HeaderValue, StatusCode, Uri},
    response::{Html, IntoResponse, Response},
};
use minijinja::{context, Value};

use super::{from_memory, Localized};
use crate::{error::AppError, i18n::Locale, page::Page, state::AppState};

/// GET for every page of the table: the page from memory, or rendered now when the
/// watch-mode banner must show on it.
pub(super) async fn show_page(
    State(state): State<AppState>,
    localized: Localized,
    route: MatchedPath,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let page = Page::at_route(route.as_str()).ok_or(AppError::NotFound)?;
    let held = match state.watch_problems() {
        None => from_memory(&localized.site, &uri, &headers),
        Some(_) => None,
    };
    match held {
        Some(res) => Ok(res),
        None => render_page(&state, &localized, page, Value::UNDEFINED, StatusCode::OK),
    }
}

/// Renders `page` now, with `extra` context (the contact form's error states), never cached.
pub(super) fn render_page(
    state: &AppState,
    localized: &Localized,
    page: &Page,
    extra: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let locale = localized.locale();
    let extra = context! { watch_problems => state.watch_problems(), ..extra };
    let html = localized.site.renderer.render_page(
        &localized.site.locales,
        locale,
        page,
        &localized.site.links,
        extra,
    )?;
    let mut res = uncached(html, locale);
    *res.status_mut() = status;
    Ok(res)
}

/// A page rendered for this request only: never stored by caches.
pub(super) fn uncached(html: String, locale: &Locale) -> Response {
    let mut res = Html(html).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&locale.code) {
        res.headers_mut().insert(header::CONTENT_LANGUAGE, v);
    }
    res
}
