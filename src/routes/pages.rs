//! The pages: rendered once per language when the site is loaded and served from memory
//! (usually by the fast path, before routing). Rendered per request only for the contact
//! form's error states and, in watch mode, to carry the banner of a failed reload.

use axum::{
    extract::{MatchedPath, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use minijinja::{context, Value};

use super::{page_at, Localized};
use crate::{error::AppError, render::Page, state::AppState};

/// GET for every page of the table: the page its matched route names.
pub(super) async fn show_page(
    State(state): State<AppState>,
    localized: Localized,
    route: MatchedPath,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let page = page_at(route.as_str()).ok_or(AppError::NotFound)?;
    serve_page(&state, &localized, &headers, page)
}

/// The page from memory, or rendered now when the watch-mode banner must show on it.
fn serve_page(
    state: &AppState,
    localized: &Localized,
    headers: &HeaderMap,
    page: &Page,
) -> Result<Response, AppError> {
    let rendered = localized.site.page(&localized.locale().code, page.slug());
    match (rendered, state.watch_problems()) {
        (Some(rendered), None) => Ok(rendered.respond(headers)),
        _ => render_page(state, localized, page, Value::UNDEFINED, StatusCode::OK),
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
    let mut res = (status, Html(html)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&locale.code) {
        res.headers_mut().insert(header::CONTENT_LANGUAGE, v);
    }
    Ok(res)
}
