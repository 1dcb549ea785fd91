//! `Onion-Location` on every page, as Tor Browser expects: the same path on the site's onion
//! service, so that Tor readers are offered the onion address (only with `--onion-url`).

use std::{ops::ControlFlow, sync::Arc};

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    response::Response,
};

use super::around::Around;

#[derive(Clone)]
pub(crate) struct OnionLocation(pub(crate) Arc<str>);

impl Around for OnionLocation {
    /// The same page on the onion service, if it can be a header value.
    type State = Option<HeaderValue>;

    fn on_request(&self, req: &mut Request) -> ControlFlow<Response, Self::State> {
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        ControlFlow::Continue(HeaderValue::from_str(&format!("{}{path}", self.0)).ok())
    }

    fn on_response(location: Self::State, res: &mut Response) {
        let is_page = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
        if let (true, Some(location)) = (is_page, location) {
            res.headers_mut()
                .insert(header::HeaderName::from_static("onion-location"), location);
        }
    }
}
