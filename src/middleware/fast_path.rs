//! The fast path, in front of routing and the per-request layers: a GET (or HEAD) for a page
//! or static file held in memory is answered at once, with no allocation beyond the response
//! itself. Everything else (other methods, percent-encoded or over-long targets, anything
//! unexpected) goes the full way. Not used in watch mode, where every request goes the full
//! way after a possible reload.

use std::{borrow::Cow, ops::ControlFlow};

use axum::{
    extract::Request,
    http::{HeaderMap, Method},
    response::Response,
};

use super::{access::Route, around::Around, uri_bound::uri_too_long};
use crate::state::AppState;

#[derive(Clone)]
pub(crate) struct FastPath(pub(crate) AppState);

impl Around for FastPath {
    type State = ();

    fn on_request(&self, req: &mut Request) -> ControlFlow<Response> {
        // HEAD arrives here as GET. Over-long targets go the full way, to their localized 414.
        if req.method() == Method::GET && !uri_too_long(req.uri()) {
            if let Some(res) = from_memory(&self.0, req.uri().path(), req.headers()) {
                return ControlFlow::Break(res);
            }
        }
        ControlFlow::Continue(())
    }

    fn on_response((): (), _: &mut Response) {}
}

fn from_memory(state: &AppState, path: &str, headers: &HeaderMap) -> Option<Response> {
    let site = state.site();
    if let Some(file) = path.strip_prefix("/static/") {
        let mut res = site.assets.get(file)?.respond(headers);
        res.extensions_mut()
            .insert(Route(Cow::Borrowed("/static/{*path}")));
        return Some(res);
    }
    let (lang, slug) = path.strip_prefix('/')?.split_once('/')?;
    let page = site.page(lang, slug)?;
    let mut res = page.respond(headers);
    res.extensions_mut()
        .insert(Route(Cow::Borrowed(page.page.route)));
    Some(res)
}
