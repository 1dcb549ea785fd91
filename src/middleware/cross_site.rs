//! Cross-site request forgery protection without tokens, as Go's `CrossOriginProtection` and
//! Rails/Django's Fetch-Metadata checks do: an unsafe request is refused when the browser says
//! it came from another site (`Sec-Fetch-Site`), or, for browsers that do not send that, when
//! its `Origin` does not match `Host`. Requests with neither header (curl, old browsers
//! without cookies in play) are not cross-site browser requests and pass.
//! Pages stay free of per-request tokens, so they can be cached. The one exception: forms
//! posted from the site's mirrors, whose origins `--allowed-form-origins` lists.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::Response,
};

use crate::{error::AppError, state::AppState};

pub(crate) async fn reject_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    if !is_safe(req.method())
        && is_cross_site(req.headers())
        && !from_a_mirror(req.headers(), &state)
    {
        return Err(AppError::CrossSite);
    }
    Ok(next.run(req).await)
}

/// Whether the request's `Origin` is one of the mirrors allowed to post forms here.
fn from_a_mirror(headers: &HeaderMap, state: &AppState) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    state
        .config
        .allowed_form_origins
        .iter()
        .any(|allowed| allowed.as_str().as_bytes() == origin.as_bytes())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request is known to come from another origin.
fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        // `none` is a user-initiated navigation (typed URL, bookmark).
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let host = headers.get(header::HOST).map(|h| h.as_bytes());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.as_bytes());
    // `Origin: null` and malformed origins count as cross-site.
    origin_host.is_none() || origin_host != host
}
