//! `serve --watch` only: before a request is handled, locales, templates and static files
//! are reloaded if any of them changed, so an edit shows on the next page load.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

use crate::state::AppState;

pub(crate) async fn reload_before_request(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    state.reload_if_changed().await;
    next.run(req).await
}
