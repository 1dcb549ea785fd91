//! HEAD is answered exactly as GET would be, without the body: same status and headers, and
//! `Content-Length` only when it is the length GET would send (RFC 9110 §9.3.2). Handlers
//! and layers below only ever see GET.

use std::ops::ControlFlow;

use axum::{
    body::{Body, HttpBody},
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    response::Response,
};

use super::around::Around;

#[derive(Clone, Copy)]
pub(crate) struct HeadAsGet;

impl Around for HeadAsGet {
    /// Whether the request was a HEAD.
    type State = bool;

    fn on_request(&self, req: &mut Request) -> ControlFlow<Response, bool> {
        let head = req.method() == Method::HEAD;
        if head {
            *req.method_mut() = Method::GET;
        }
        ControlFlow::Continue(head)
    }

    fn on_response(head: bool, res: &mut Response) {
        if !head {
            return;
        }
        // A 304 or 204 has no content to measure; a streamed (compressed-as-sent) body has
        // a length only known by sending it.
        let len = res.body().size_hint().exact();
        let status = res.status();
        let headers = res.headers_mut();
        match len {
            _ if status == StatusCode::NOT_MODIFIED || status == StatusCode::NO_CONTENT => {
                headers.remove(header::CONTENT_LENGTH)
            }
            Some(len) => headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len)),
            None => headers.remove(header::CONTENT_LENGTH),
        };
        *res.body_mut() = Body::empty();
    }
}
