//! Errors a visitor can meet. Handlers and layers return `AppError`; its response is only a
//! status and a marker ([`ErrorPage`]): the `localize_errors` middleware makes the localized
//! page. Knows nothing of routes, templates or state.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("cross-site request rejected")]
    CrossSite,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unsupported content type")]
    UnsupportedMediaType,
    #[error("request target too long")]
    UriTooLong,
    #[error("template: {0:#}")]
    Render(#[from] minijinja::Error),
}

impl AppError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::UriTooLong => StatusCode::URI_TOO_LONG,
            AppError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Marks a response for machines (health checks): sent as it is, never made a localized
/// page, never logged.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ForMachines;

/// Marks a response whose body is to be replaced by the localized error page.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ErrorPage;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        // The detail goes to the log only; the visitor sees the localized page.
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, "request refused");
        }
        let mut res = status.into_response();
        res.extensions_mut().insert(ErrorPage);
        res
    }
}
