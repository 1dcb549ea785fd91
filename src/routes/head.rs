//! HEAD is answered exactly as GET would be, without the body: same status and headers, and
//! `Content-Length` only when it is the length GET would send (RFC 9110 §9.3.2). Handlers
//! and layers below only ever see GET.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use axum::{
    body::{Body, HttpBody},
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    response::Response,
};
use futures_util::future::Either;
use tower::{Layer, Service};

#[derive(Clone, Copy, Default)]
pub struct HeadLayer;

impl<S> Layer<S> for HeadLayer {
    type Service = Head<S>;
    fn layer(&self, inner: S) -> Head<S> {
        Head { inner }
    }
}

#[derive(Clone)]
pub struct Head<S> {
    inner: S,
}

impl<S> Service<Request> for Head<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, WithoutBody<S::Future>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        if req.method() != Method::HEAD {
            return Either::Left(self.inner.call(req));
        }
        *req.method_mut() = Method::GET;
        Either::Right(WithoutBody {
            inner: self.inner.call(req),
        })
    }
}

pin_project_lite::pin_project! {
    pub struct WithoutBody<F> {
        #[pin]
        inner: F,
    }
}

impl<F: Future<Output = Result<Response, Infallible>>> Future for WithoutBody<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Poll::Ready(Ok(mut res)) = self.project().inner.poll(cx) else {
            return Poll::Pending;
        };
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
        Poll::Ready(Ok(res))
    }
}
