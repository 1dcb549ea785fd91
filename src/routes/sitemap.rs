//! For search engines: `/sitemap.xml` lists every page in every offered language with its
//! hreflang alternates; `/robots.txt` points at it. URLs use the configured base URL.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use minijinja::context;

use crate::{error::AppError, state::AppState};

pub(super) async fn sitemap(State(state): State<AppState>) -> Result<Response, AppError> {
    let site = state.site();
    let pages = site.sitemap();
    let xml = site.renderer.render("sitemap.xml", pages)?;
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

pub(super) async fn robots(State(state): State<AppState>) -> Result<Response, AppError> {
    let text = state.site().renderer.render(
        "robots.txt",
        context! { base_url => state.config.base_url.as_str() },
    )?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}
