//! Every error response (ours, axum's rejections, a caught panic) becomes a localized page:
//! in the URL's language or, when the path has none, the negotiated one.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    error::{ErrorPage, ForMachines},
    i18n::{msg, negotiate::request_locale},
    render,
    state::AppState,
};

pub(crate) async fn localize_errors(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    // Keep what choosing the language needs; it is only worked out for an error.
    let uri = req.uri().clone();
    let mut language_headers = HeaderMap::new();
    for name in [header::ACCEPT_LANGUAGE, header::COOKIE] {
        for value in req.headers().get_all(&name) {
            language_headers.append(name.clone(), value.clone());
        }
    }
    let res = next.run(req).await;
    let status = res.status();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if res.extensions().get::<ForMachines>().is_some() {
        return res;
    }
    let marked = res.extensions().get::<ErrorPage>().is_some();
    if !(marked || (status.as_u16() >= 400 && !is_html)) {
        return res;
    }
    let site = state.site();
    let locale = request_locale(&site.locales, &uri, &language_headers);
    let (title_id, body_id) = error_messages(status);
    let ctx = minijinja::context! {
        status => status.as_u16(),
        title_id,
        body_id,
        watch_problems => state.watch_problems(),
        ..render::page_context(&site.locales, locale, None, &site.links)
    };
    let (mut parts, _) = res.into_parts();
    let html = match site.renderer.render("error.html", ctx) {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "cannot render the error page");
            let mut res =
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            return res;
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&locale.code) {
        parts.headers.insert(header::CONTENT_LANGUAGE, v);
    }
    Response::from_parts(parts, Body::from(html))
}

/// The heading and explanation of the error page for `status`.
fn error_messages(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (msg!("error-400-title"), msg!("error-400-body")),
        403 => (msg!("error-403-title"), msg!("error-403-body")),
        404 => (msg!("error-404-title"), msg!("error-404-body")),
        405 => (msg!("error-405-title"), msg!("error-405-body")),
        408 => (msg!("error-408-title"), msg!("error-408-body")),
        413 => (msg!("error-413-title"), msg!("error-413-body")),
        414 => (msg!("error-414-title"), msg!("error-414-body")),
        415 => (msg!("error-415-title"), msg!("error-415-body")),
        429 => (msg!("error-429-title"), msg!("error-429-body")),
        500.. => (msg!("error-500-title"), msg!("error-500-body")),
        _ => (msg!("error-other-title"), msg!("error-other-body")),
    }
}
