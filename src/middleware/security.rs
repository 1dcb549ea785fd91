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
/// `hsts_max_age`: under HTTPS, how long browsers must keep to it.
pub(crate) fn layer(
    hsts_max_age: Option<u64>,
) -> MapResponseLayer<impl Fn(Response) -> Response + Clone> {
    let headers: &'static [(HeaderName, HeaderValue)] = &HEADERS;
    let hsts = hsts_max_age.map(|age| {
        HeaderValue::from_str(&policy::hsts(age)).expect("digits are a valid header value")
    });
    MapResponseLayer::new(move |mut res: Response| {
        let map = res.headers_mut();
        for (name, value) in headers {
            map.insert(name.clone(), value.clone());
        }
        if let Some(hsts) = &hsts {
            map.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
        res
    })
}
