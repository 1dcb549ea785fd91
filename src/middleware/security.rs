//! The security headers of `policy`, set on every response (HSTS too under HTTPS).

use std::sync::LazyLock;

use axum::{
    http::{header, HeaderName, HeaderValue},
    response::Response,
};
use tower::util::MapResponseLayer;

use crate::policy;

/// Built once, checked then (names and values), cloned per response without allocating.
static HEADERS: LazyLock<Vec<(HeaderName, HeaderValue)>> = LazyLock::new(|| {
    policy::headers("'self'", policy::LIVE_REFERRER)
        .into_iter()
        .map(|(name, value)| {
            (
                HeaderName::from_static(name),
                HeaderValue::from_str(&value).expect("the policy is a valid header value"),
            )
        })
        .collect()
});

/// One layer for all of them: a single pass over each response, overriding anything a
/// handler set.
pub(crate) fn layer(https: bool) -> MapResponseLayer<impl Fn(Response) -> Response + Clone> {
    let headers: &'static [(HeaderName, HeaderValue)] = &HEADERS;
    MapResponseLayer::new(move |mut res: Response| {
        let map = res.headers_mut();
        for (name, value) in headers {
            map.insert(name.clone(), value.clone());
        }
        if https {
            map.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(policy::HSTS),
            );
        }
        res
    })
}
