//! The content pages: each is a template rendered in the path's language.

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use minijinja::{context, Value};

use super::Lang;
use crate::{error::AppError, i18n::Locale, render, state::AppState};

pub async fn home(State(state): State<AppState>, lang: Lang) -> Result<Response, AppError> {
    render_page(
        &state,
        lang.locale(&state),
        "",
        "home.html",
        context! {},
        StatusCode::OK,
    )
}

pub async fn platform(State(state): State<AppState>, lang: Lang) -> Result<Response, AppError> {
    let locale = lang.locale(&state);
    render_page(
        &state,
        locale,
        "platform",
        "platform.html",
        context! {},
        StatusCode::OK,
    )
}

pub async fn people(State(state): State<AppState>, lang: Lang) -> Result<Response, AppError> {
    let locale = lang.locale(&state);
    render_page(
        &state,
        locale,
        "people",
        "people.html",
        context! {},
        StatusCode::OK,
    )
}

pub async fn thanks(State(state): State<AppState>, lang: Lang) -> Result<Response, AppError> {
    let locale = lang.locale(&state);
    render_page(
        &state,
        locale,
        "contact/thanks",
        "thanks.html",
        context! {},
        StatusCode::OK,
    )
}

/// Renders `template` for the page at `slug` with the shared page context plus `extra`.
pub fn render_page(
    state: &AppState,
    locale: &Locale,
    slug: &str,
    template: &str,
    extra: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let base = render::page_context(&state.locales, locale, Some(slug), &state.config.base_url);
    let html = state
        .renderer
        .render(template, context! { ..extra, ..base })?;
    let mut res = (status, Html(html)).into_response();
    if let Ok(v) = HeaderValue::from_str(&locale.code) {
        res.headers_mut().insert(header::CONTENT_LANGUAGE, v);
    }
    Ok(res)
}
