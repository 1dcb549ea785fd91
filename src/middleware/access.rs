//! The access log: by default each request is counted (per method, route and status, see
//! `traffic`); with `--access-log`, one line per request with method, matched route, status
//! and latency. Never the raw path or the client's address: readers' privacy. One event and
//! no span per request, since on cached pages the log line is most of the work.

use std::{borrow::Cow, ops::ControlFlow, sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request},
    middleware::Next,
    response::Response,
};

use super::around::Around;
use crate::{
    error::ForMachines,
    routes::Route,
    traffic::{method_name, Traffic},
};

/// Middleware for the router's routes: notes the matched route for the log.
pub(crate) async fn record_route(req: Request, next: Next) -> Response {
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

/// `None`: a line per request; otherwise the counts requests are added to.
#[derive(Clone)]
pub(crate) struct AccessLog(pub(crate) Option<Arc<Traffic>>);

impl Around for AccessLog {
    type State = (&'static str, Instant, Option<Arc<Traffic>>);

    fn on_request(&self, req: &mut Request) -> ControlFlow<Response, Self::State> {
        let method = method_name(req.method());
        ControlFlow::Continue((method, Instant::now(), self.0.clone()))
    }

    fn on_response((method, start, traffic): Self::State, res: &mut Response) {
        // Health checks come every few seconds from machines: not logged.
        if res.extensions().get::<ForMachines>().is_some() {
            return;
        }
        let route = res.extensions_mut().remove::<Route>();
        let route = route.map_or(Cow::Borrowed("-"), |r| r.0);
        let status = res.status().as_u16();
        match traffic {
            Some(traffic) => traffic.record(method, route, status, start.elapsed()),
            None => tracing::info!(
                method = %method,
                route = %route,
                status,
                latency_us = start.elapsed().as_micros() as u64,
            ),
        }
    }
}
