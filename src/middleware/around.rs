//! The one shape of the hand-written layers in front of routing (access log, HEAD, the fast
//! path): [`Around::on_request`] sees each request on its way in and either answers it at
//! once or lets it through with some state, and [`Around::on_response`] gets that state with
//! the response on its way out. Generic, so nothing is boxed per request, unlike
//! `axum::middleware::from_fn`: on the fast path a whole request costs a few microseconds.

use std::{
    convert::Infallible,
    future::Future,
    ops::ControlFlow,
    pin::Pin,
    task::{Context, Poll},
};

use axum::{extract::Request, response::Response};
use tower::{Layer, Service};

pub(crate) trait Around: Clone {
    /// What the way in passes to the way out.
    type State;

    /// `Break(response)` answers the request at once: it never reaches the inner service.
    fn on_request(&self, req: &mut Request) -> ControlFlow<Response, Self::State>;

    fn on_response(state: Self::State, res: &mut Response);
}

#[derive(Clone)]
pub(crate) struct AroundLayer<A>(pub(crate) A);

impl<A: Around, S> Layer<S> for AroundLayer<A> {
    type Service = AroundService<A, S>;

    fn layer(&self, inner: S) -> Self::Service {
        AroundService {
            around: self.0.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub(crate) struct AroundService<A, S> {
    around: A,
    inner: S,
}

impl<A, S> Service<Request> for AroundService<A, S>
where
    A: Around,
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = AroundFuture<A::State, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        match self.around.on_request(&mut req) {
            ControlFlow::Continue(state) => AroundFuture::Inner {
                inner: self.inner.call(req),
                state: Some(state),
                on_response: A::on_response,
            },
            ControlFlow::Break(res) => AroundFuture::Answered { res: Some(res) },
        }
    }
}

pin_project_lite::pin_project! {
    #[project = Projected]
    pub(crate) enum AroundFuture<T, F> {
        Inner {
            #[pin]
            inner: F,
            state: Option<T>,
            on_response: fn(T, &mut Response),
        },
        Answered { res: Option<Response> },
    }
}

impl<T, F: Future<Output = Result<Response, Infallible>>> Future for AroundFuture<T, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            Projected::Inner {
                inner,
                state,
                on_response,
            } => {
                let Poll::Ready(Ok(mut res)) = inner.poll(cx) else {
                    return Poll::Pending;
                };
                if let Some(state) = state.take() {
                    on_response(state, &mut res);
                }
                Poll::Ready(Ok(res))
            }
            Projected::Answered { res } => {
                Poll::Ready(Ok(res.take().expect("polled after completion")))
            }
        }
    }
}
