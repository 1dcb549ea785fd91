//! The content pages: each is a template rendered in the path's language.

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use minijinja::{context, Value};

use super::Lang;
use crate::{error::AppError, render, state::AppState};

pub async fn home(State(state): State<AppState>, lang: Lang) -> Result<Response, AppError> {
    render_page(&state, &lang, "", "home.html", context! {}, StatusCode::OK)
}

pub async fn platform(State(state): State<AppState>, lang: Lang) -> Result<Response, AppError> {
    render_page(
        &state,
        &lang,
        "platform",
        "platform.html",
        context! {},
        StatusCode::OK,
    )
}

pub async fn people(State(state): State<AppState>, lang: Lang) -> Result<Response, AppError> {
    render_page(
        &state,
        &lang,
        "people",
        "people.html",
        context! {},
        StatusCode::OK,
    )
}

pub async fn thanks(State(state): State<AppState>, lang: Lang) -> Result<Response, AppError> {
    render_page(
        &state,
        &lang,
        "contact/thanks",
        "thanks.html",
        context! {},
        StatusCode::OK,
    )
}

/// Renders `template` for the page at `slug` with the shared page context plus `extra`.
pub fn render_page(
    state: &AppState,
    lang: &Lang,
    slug: &str,
    template: &str,
    extra: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let locale = lang.locale();
    let base = render::page_context(
        &lang.site.locales,
        locale,
        Some(slug),
        &state.config.base_url,
    );
    let ctx = context! { reload_error => state.reload_error(), ..context! { ..extra, ..base } };
    let html = lang.site.renderer.render(template, ctx)?;
    let mut res = (status, Html(html)).into_response();
    if let Ok(v) = HeaderValue::from_str(&locale.code) {
        res.headers_mut().insert(header::CONTENT_LANGUAGE, v);
    }
    Ok(res)
}
