//! The pages: rendered once per language when the site is loaded, served from memory (with
//! `ETag`, precompressed). Only in watch mode with a failed reload are they rendered per
//! request, to carry the error banner.

use std::{
    borrow::Cow,
    convert::Infallible,
    future::{ready, Ready},
    task::{Context, Poll},
};

use axum::{
    extract::Request,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{Html, IntoResponse, Response},
};
use futures_util::future::Either;
use minijinja::{context, Value};
use tower::{Layer, Service};

use super::Lang;
use crate::{access::Route, error::AppError, render::PAGES, state::AppState};

/// Pages may be kept by browsers and shared caches for a short while.
pub const PAGE_CACHE: &str = "public, max-age=300";

/// The page at `slug` in the path's language.
pub fn cached(
    state: &AppState,
    lang: &Lang,
    headers: &HeaderMap,
    slug: &str,
) -> Result<Response, AppError> {
    let locale = lang.locale();
    let cached = lang.site.pages.get(&locale.code).and_then(|p| p.get(slug));
    match (cached, state.reload_error()) {
        (Some(page), None) => Ok(page.respond(headers, PAGE_CACHE)),
        _ => render_page(state, lang, slug, Value::UNDEFINED, StatusCode::OK),
    }
}

/// The fast path for pages and static files, in front of routing and the per-request
/// layers: a GET (or HEAD) for something held in memory is answered at once, with no
/// allocation beyond the response itself. Everything else (other methods, percent-encoded
/// or over-long targets, anything unexpected) goes the full way through `inner`.
#[derive(Clone)]
pub struct FromMemoryLayer(pub AppState);

impl<S> Layer<S> for FromMemoryLayer {
    type Service = FromMemory<S>;
    fn layer(&self, inner: S) -> FromMemory<S> {
        FromMemory {
            state: self.0.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct FromMemory<S> {
    state: AppState,
    inner: S,
}

impl<S> Service<Request> for FromMemory<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // HEAD arrives here as GET (see `head`). Over-long targets go the full way, to
        // their localized 414.
        if req.method() == Method::GET && !crate::limit::uri_too_long(req.uri()) {
            if let Some(res) = from_memory(&self.state, req.uri().path(), req.headers()) {
                return Either::Left(ready(Ok(res)));
            }
        }
        Either::Right(self.inner.call(req))
    }
}

fn from_memory(state: &AppState, path: &str, headers: &HeaderMap) -> Option<Response> {
    let site = state.site();
    if let Some(file) = path.strip_prefix("/static/") {
        let asset = site.assets.get(file)?;
        let mut res = asset.respond(headers);
        res.extensions_mut()
            .insert(Route(Cow::Borrowed("/static/{*path}")));
        return Some(res);
    }
    let (lang, slug) = path.strip_prefix('/')?.split_once('/')?;
    let page = PAGES.iter().find(|p| p.slug == slug)?;
    let body = site.pages.get(lang)?.get(page.slug)?;
    let mut res = body.respond(headers, PAGE_CACHE);
    res.extensions_mut()
        .insert(Route(Cow::Borrowed(page.route)));
    Some(res)
}

/// Renders the page at `slug` now, with `extra` context (the contact form's error state).
pub fn render_page(
    state: &AppState,
    lang: &Lang,
    slug: &str,
    extra: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = PAGES
        .iter()
        .find(|p| p.slug == slug)
        .ok_or(AppError::NotFound)?;
    let locale = lang.locale();
    let extra = context! { reload_error => state.reload_error(), ..extra };
    let html = lang.site.renderer.render_page(
        &lang.site.locales,
        locale,
        page,
        state.config.base_url.as_str(),
        extra,
    )?;
    let mut res = (status, Html(html)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    content_language(&mut res, &locale.code);
    Ok(res)
}

fn content_language(res: &mut Response, code: &str) {
    if let Ok(v) = HeaderValue::from_str(code) {
        res.headers_mut().insert(header::CONTENT_LANGUAGE, v);
    }
}
