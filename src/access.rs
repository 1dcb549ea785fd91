//! The access log: one line per request with method, matched route, status and latency
//! (never the raw path or the client's address: readers' privacy). One event and no span
//! per request, since on cached pages the log line is most of the work.

use std::{
    borrow::Cow,
    convert::Infallible,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

use axum::{
    extract::{MatchedPath, Request},
    http::Method,
    middleware::Next,
    response::Response,
};
use tower::{Layer, Service};

/// The route that handled a request, put in the response's extensions by whoever matched
/// it: the router ([`record_route`]) or the fast path.
#[derive(Clone, Debug)]
pub struct Route(pub Cow<'static, str>);

/// Middleware for the router's routes: notes the matched route for the log.
pub async fn record_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| Route(Cow::Owned(p.as_str().to_owned())));
    let mut res = next.run(req).await;
    if let Some(route) = route {
        res.extensions_mut().insert(route);
    }
    res
}

#[derive(Clone, Copy, Default)]
pub struct AccessLogLayer;

impl<S> Layer<S> for AccessLogLayer {
    type Service = AccessLog<S>;
    fn layer(&self, inner: S) -> AccessLog<S> {
        AccessLog { inner }
    }
}

#[derive(Clone)]
pub struct AccessLog<S> {
    inner: S,
}

impl<S> Service<Request> for AccessLog<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Logged<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        Logged {
            method: req.method().clone(),
            start: Instant::now(),
            inner: self.inner.call(req),
        }
    }
}

pin_project_lite::pin_project! {
    pub struct Logged<F> {
        method: Method,
        start: Instant,
        #[pin]
        inner: F,
    }
}

impl<F: Future<Output = Result<Response, Infallible>>> Future for Logged<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Poll::Ready(Ok(res)) = this.inner.poll(cx) else {
            return Poll::Pending;
        };
        let route = res.extensions().get::<Route>().map_or("-", |r| &r.0);
        tracing::info!(
            method = %this.method,
            route = %route,
            status = res.status().as_u16(),
            latency_us = this.start.elapsed().as_micros() as u64,
        );
        Poll::Ready(Ok(res))
    }
}
