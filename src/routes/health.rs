//! For load balancers and process managers: `/healthz` (the process serves) and `/readyz`
//! (a message could be stored now: the store takes the lock a write takes, within a short
//! time). Plain text for machines: never cached,
//! localized or logged.

use std::time::Duration;

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};

use crate::{error::ForMachines, state::AppState};

/// How long `/readyz` waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub(super) async fn healthz() -> Response {
    plain(StatusCode::OK, "ok\n")
}

pub(super) async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(READY_TIMEOUT, state.store.writable()).await {
        Ok(Ok(())) => plain(StatusCode::OK, "ready\n"),
        Ok(Err(e)) if e.is_slow() => {
            tracing::debug!(error = %e, "not ready");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the database holds writes up (a lock, a slow disk)\n",
            )
        }
        Ok(Err(e)) => {
            // Asked every few seconds while it lasts: the cause at debug level only (failed
            // messages are logged at ERROR).
            tracing::debug!(error = %e, "not ready");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: the database does not answer\n",
            )
        }
        Err(_) => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the database answers too slowly\n",
        ),
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut res = (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response();
    res.extensions_mut().insert(ForMachines);
    res
}
