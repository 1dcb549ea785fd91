//! A request target (path and query) longer than [`MAX_URI_BYTES`] gets a localized 414.

use axum::{extract::Request, http::Uri, middleware::Next, response::Response};

use crate::error::AppError;

/// Longest accepted request target (path and query), in bytes.
pub(crate) const MAX_URI_BYTES: usize = 2048;

pub(crate) async fn bound_uri(req: Request, next: Next) -> Result<Response, AppError> {
    if uri_too_long(req.uri()) {
        return Err(AppError::UriTooLong);
    }
    Ok(next.run(req).await)
}

/// Whether the request target (path and query) is longer than [`MAX_URI_BYTES`].
pub(crate) fn uri_too_long(uri: &Uri) -> bool {
    uri.path().len() + uri.query().map_or(0, |q| q.len() + 1) > MAX_URI_BYTES
}
