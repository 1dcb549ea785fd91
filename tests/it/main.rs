//! The integration tests: one binary, one module per concern, shared helpers in `common`.

mod common;

/// The app in this process, driven through `tower::ServiceExt::oneshot` as axum's testing
/// example does, and the library's parts called directly. Store tests run on both stores,
/// so some of these need PostgreSQL too.
mod in_process {
    mod architecture;
    mod caching;
    mod contact;
    mod findable;
    mod hardening;
    mod health;
    mod languages;
    mod locales;
    mod mirrors;
    mod negotiation;
    mod page_weight;
    mod pages;
    mod privacy;
    mod properties;
    mod statements;
}

/// The real binary on loopback, and the real services it works with: PostgreSQL, nginx, an
/// SMTP server (aiosmtpd). `scripts/test` provides them; without them the run stops at the
/// first test that needs one, with one line that says so.
mod system {
    mod deploy;
    mod durability;
    mod l10n_check;
    mod lifecycle;
    mod messages_cli;
    mod nothing_lost;
    mod notifications;
    mod onion;
    mod postgres;
    mod startup;
}
