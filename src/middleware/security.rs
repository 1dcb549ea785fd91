//! Response headers that protect readers, set on every response: a strict
//! Content-Security-Policy (nothing but this site, no scripts), no referrer (visits must not
//! leak to other sites), no sniffing, no framing, no powerful features, and HSTS under HTTPS.

use axum::{
    http::{header, HeaderName, HeaderValue},
    response::Response,
};
use tower::util::MapResponseLayer;

pub(crate) const CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; \
    style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";
pub(crate) const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), \
    display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), \
    magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), \
    publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(), usb=(), \
    xr-spatial-tracking=(), browsing-topics=(), interest-cohort=()";
pub(crate) const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Set on every response, overriding anything a handler set. (Built when compiling, so the names and
/// values are checked when compiling, not per response.)
static HEADERS: [(HeaderName, HeaderValue); 7] = [
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    ),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
    (
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    ),
];

/// One layer for all of them: a single pass over each response, no allocation (the values
/// are static).
pub(crate) fn layer(https: bool) -> MapResponseLayer<impl Fn(Response) -> Response + Clone> {
    MapResponseLayer::new(move |mut res: Response| {
        let map = res.headers_mut();
        for (name, value) in &HEADERS {
            map.insert(name.clone(), value.clone());
        }
        if https {
            map.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            );
        }
        res
    })
}
