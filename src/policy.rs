//! The security headers, in one list for the live server (`middleware/security.rs`) and for
//! the static mirrors (`<meta>` tags, `_headers`, an nginx snippet): a strict
//! Content-Security-Policy (nothing but the site itself, no scripts), no referrer (visits
//! must not leak to other sites), no sniffing, no framing, no powerful features.

/// The policy, directive by directive. `form-action` is filled in: `'self'` on the live
/// site, the live site's contact endpoints on a mirror.
const CSP: [(&str, &str); 9] = [
    ("default-src", "'self'"),
    ("script-src", "'none'"),
    ("object-src", "'none'"),
    ("style-src", "'self'"),
    ("img-src", "'self'"),
    ("font-src", "'self'"),
    ("form-action", ""),
    ("frame-ancestors", "'none'"),
    ("base-uri", "'none'"),
];

/// Directives a `<meta>` policy cannot carry (browsers ignore them there).
const NOT_IN_META: [&str; 1] = ["frame-ancestors"];

const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), \
    display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), \
    magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), \
    publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(), usb=(), \
    xr-spatial-tracking=(), browsing-topics=(), interest-cohort=()";

/// What a page tells other sites about itself when a link or form leaves it. The live site:
/// nothing (`no-referrer`). A mirror: its origin alone (`strict-origin`), never the page,
/// because its contact form posts to the live site, which accepts it by the `Origin` header,
/// and browsers send `Origin: null` from a `no-referrer` page.
pub(crate) const LIVE_REFERRER: &str = "no-referrer";
pub(crate) const MIRROR_REFERRER: &str = "strict-origin";

/// Strict-Transport-Security for `max_age` seconds (under HTTPS only).
pub(crate) fn hsts(max_age: u64) -> String {
    format!("max-age={max_age}; includeSubDomains")
}

/// The Content-Security-Policy with `form_action` as its `form-action` sources;
/// `for_meta` leaves out what a `<meta>` tag cannot carry.
pub(crate) fn csp(form_action: &str, for_meta: bool) -> String {
    CSP.iter()
        .filter(|(name, _)| !(for_meta && NOT_IN_META.contains(name)))
        .map(|(name, value)| {
            let value = if *name == "form-action" {
                form_action
            } else {
                value
            };
            format!("{name} {value}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every security header (HSTS aside), names in lower case, with `form_action` in the
/// policy and `referrer` as the referrer policy.
pub(crate) fn headers(form_action: &str, referrer: &str) -> Vec<(&'static str, String)> {
    vec![
        ("content-security-policy", csp(form_action, false)),
        ("x-content-type-options", "nosniff".into()),
        ("referrer-policy", referrer.into()),
        ("x-frame-options", "DENY".into()),
        ("permissions-policy", PERMISSIONS_POLICY.into()),
        ("cross-origin-opener-policy", "same-origin".into()),
        ("cross-origin-resource-policy", "same-origin".into()),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_meta_policy_is_the_live_one_less_what_meta_cannot_carry() {
        let live = super::csp("'self'", false);
        assert!(live.contains("form-action 'self'") && live.contains("frame-ancestors 'none'"));
        let meta = super::csp("https://example.org/fa/contact", true);
        assert!(meta.contains("form-action https://example.org/fa/contact"));
        assert!(!meta.contains("frame-ancestors"));
        let full = super::csp("https://example.org/fa/contact", false);
        assert_eq!(meta, full.replace("; frame-ancestors 'none'", ""));
    }
}
