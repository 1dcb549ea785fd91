//! The fast path, in front of routing and the per-request layers: a GET (or HEAD) for a page
//! or static file held in memory is answered at once ([`routes::from_memory`], the same
//! function the handlers answer with), with no allocation beyond the response itself.
//! Everything else (other methods, over-long targets, anything the site does not hold) goes
//! the full way; so does every page while the watch-mode banner must show on it.

use std::ops::ControlFlow;

use axum::{extract::Request, http::Method, response::Response};

use super::{around::Around, uri_bound::uri_too_long};
use crate::{routes, state::AppState};

#[derive(Clone)]
pub(crate) struct FastPath(pub(crate) AppState);

impl Around for FastPath {
    type State = ();

    fn on_request(&self, req: &mut Request) -> ControlFlow<Response> {
        // HEAD arrives here as GET. Over-long targets go the full way, to their localized 414.
        if req.method() == Method::GET
            && !uri_too_long(req.uri())
            && self.0.watch_problems().is_none()
        {
            if let Some(res) = routes::from_memory(&self.0.site_now(), req.uri(), req.headers()) {
                return ControlFlow::Break(res);
            }
        }
        ControlFlow::Continue(())
    }

    fn on_response((): (), _: &mut Response) {}
}
