//! The integration tests: one binary, one module per concern, shared helpers in `common`.
//! In-process tests drive the app through `tower::ServiceExt::oneshot`, as axum's testing
//! example does; others start the real binary on loopback.

mod common;

mod architecture;
mod caching;
mod contact;
mod deploy;
mod durability;
mod findable;
mod hardening;
mod health;
mod l10n_check;
mod languages;
mod locales;
mod messages_cli;
mod mirrors;
mod negotiation;
mod nothing_lost;
mod notifications;
mod page_weight;
mod pages;
mod postgres;
mod properties;
