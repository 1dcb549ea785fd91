//! Choosing one supported locale for a request: the path's language when it has one, else the
//! reader's remembered choice (the `lang` cookie), then `Accept-Language` weighted by
//! q-values (RFC 9110 §12.5.4), then English.
//!
//! `fluent-langneg` matches tags well (`fa-IR` -> `fa`) but its `parse_accepted_languages`
//! ignores q-values (and so `q=0`, a refusal), so ranges are weighed, filtered and ordered
//! here (hand-written on purpose) before matching.

use axum::http::{header, HeaderMap, Uri};
use cookie::Cookie;
use fluent_langneg::{negotiate_languages, NegotiationStrategy};
use unic_langid::LanguageIdentifier;

use super::{Locale, Locales};

/// Cookie holding the reader's explicit language choice.
pub(crate) const LANG_COOKIE: &str = "lang";

/// The locale a response to this request should be in: the path's language when it has one,
/// otherwise the remembered choice, then `Accept-Language`.
pub(crate) fn request_locale<'a>(
    locales: &'a Locales,
    uri: &Uri,
    headers: &HeaderMap,
) -> &'a Locale {
    let first = uri.path().trim_start_matches('/').split('/').next();
    if let Some(locale) = first.and_then(|seg| locales.get(seg)) {
        return locale;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    negotiate(locales, remembered_choice(headers).as_deref(), accept)
}

/// The locale for a request for something only some languages (`codes`, offered ones among
/// them) have: the reader's choice or `Accept-Language` among those, else the first of them.
pub(crate) fn request_locale_among<'a>(
    locales: &'a Locales,
    codes: &[&str],
    headers: &HeaderMap,
) -> Option<&'a Locale> {
    let among: Vec<&Locale> = locales
        .offered()
        .filter(|l| codes.contains(&l.code.as_str()))
        .collect();
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    negotiate_among(&among, remembered_choice(headers).as_deref(), accept)
        .or_else(|| among.first().copied())
}

/// The `lang` cookie. Cookie pairs are parsed one by one, so that a cookie with bytes that
/// are not ASCII (set by something else on the domain) does not hide this one.
fn remembered_choice(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == LANG_COOKIE)
        .map(|c| c.value().to_string())
}

/// Only this many bytes of an `Accept-Language` header are read: real headers are short, and
/// a huge one must not cost more than a small one.
pub const MAX_HEADER_BYTES: usize = 1024;
/// Only this many language ranges are considered.
pub const MAX_RANGES: usize = 32;

/// One language range from `Accept-Language`.
#[derive(Debug, Clone, PartialEq)]
pub enum Range {
    Tag(LanguageIdentifier),
    /// `*`: any language.
    Any,
}

/// Parses `Accept-Language` into ranges ordered by descending q (stable for equal q), plus the
/// ranges explicitly refused with `q=0`. Malformed entries are skipped.
pub fn parse_accept_language(header: &str) -> (Vec<Range>, Vec<Range>) {
    let mut end = header.len().min(MAX_HEADER_BYTES);
    while !header.is_char_boundary(end) {
        end -= 1;
    }
    let mut weighted: Vec<(Range, u16)> = vec![];
    let mut refused = vec![];
    for (tag, q) in crate::accept::weighted(&header[..end]).take(MAX_RANGES) {
        let Some(range) = parse_range(tag) else {
            continue;
        };
        if q == 0 {
            refused.push(range);
        } else {
            weighted.push((range, q));
        }
    }
    // `sort_by` is stable: equal weights keep the reader's order.
    weighted.sort_by_key(|w| std::cmp::Reverse(w.1));
    (weighted.into_iter().map(|(r, _)| r).collect(), refused)
}

fn parse_range(tag: &str) -> Option<Range> {
    if tag == "*" {
        return Some(Range::Any);
    }
    if tag.is_empty()
        || tag.len() > 35
        || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return None;
    }
    let mut id: LanguageIdentifier = tag.parse().ok()?;
    // ISO 639-3 codes for Iranian Persian and Dari are Persian to us.
    if matches!(id.language.as_str(), "pes" | "prs") {
        id.language = "fa".parse().ok()?;
    }
    Some(Range::Tag(id))
}

/// Picks the locale for a request. `choice` is the remembered choice (cookie), honoured when it
/// names an offered locale; otherwise `Accept-Language` decides; otherwise the default.
pub fn negotiate<'a>(
    locales: &'a Locales,
    choice: Option<&str>,
    accept_language: Option<&str>,
) -> &'a Locale {
    // Locales below the completeness threshold can be previewed but are never negotiated.
    let offered: Vec<&Locale> = locales.offered().collect();
    negotiate_among(&offered, choice, accept_language).unwrap_or_else(|| locales.default_locale())
}

/// The remembered choice when it is one of `offered`, else the first of them
/// `Accept-Language` accepts.
fn negotiate_among<'a>(
    offered: &[&'a Locale],
    choice: Option<&str>,
    accept_language: Option<&str>,
) -> Option<&'a Locale> {
    if let Some(locale) = choice.and_then(|c| offered.iter().find(|l| l.code == c)) {
        return Some(locale);
    }
    let ids: Vec<&LanguageIdentifier> = offered.iter().map(|l| &l.id).collect();
    let (ranges, refused) = parse_accept_language(accept_language.unwrap_or(""));
    let is_refused = |id: &LanguageIdentifier| {
        refused.iter().any(|r| match r {
            Range::Any => false,
            // A refused range excludes the tags it covers (RFC 4647 basic filtering).
            Range::Tag(t) => t.matches(id, true, false),
        })
    };
    for range in &ranges {
        let found = match range {
            Range::Any => ids.iter().position(|id| !is_refused(id)),
            Range::Tag(tag) => {
                negotiate_languages(&[tag], &ids, None, NegotiationStrategy::Filtering)
                    .into_iter()
                    .find(|id| !is_refused(id))
                    .and_then(|id| ids.iter().position(|i| i == id))
            }
        };
        if let Some(i) = found {
            return Some(offered[i]);
        }
    }
    None
}
