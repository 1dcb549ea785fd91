//! Responses computed once and served from memory: a body with its gzip and brotli forms,
//! made ahead of time, and a validator (`ETag`) for conditional requests. Used for the
//! rendered pages and the static assets.

use std::io::Write;

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::Response,
};
use sha2::{Digest, Sha256};

/// Brotli's largest window, 4 MiB (2^22).
const BROTLI_WINDOW: u32 = 22;

/// How hard to compress ahead of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effort {
    /// Not at all: for bytes that are only written out (a mirror compresses its own copy).
    None,
    /// Brotli quality 5: a tenth of the time of `Best`, about 12% larger; to start serving
    /// at once.
    Quick,
    /// Brotli quality 10: what readers get once the site is up. 10 rather than 11: within 2%
    /// of 11's size on these pages at half its time.
    Best,
}

impl Effort {
    fn brotli_quality(self) -> Option<u32> {
        match self {
            Effort::None => None,
            Effort::Quick => Some(5),
            Effort::Best => Some(BEST_QUALITY),
        }
    }
}

/// A body in every encoding worth sending.
#[derive(Clone)]
pub(crate) struct Precompressed {
    /// The body as it is; `None` once the gzip form holds it, which is made into it again
    /// for the rare client that takes neither coding: held twice, a thousand statements
    /// would cost a third more memory.
    identity: Option<Bytes>,
    gzip: Option<Bytes>,
    br: Option<Bytes>,
    /// Whether the type compresses at all (text yes; woff2, PNG no).
    compress: bool,
    /// How hard its compressed forms were made.
    effort: Effort,
    content_type: HeaderValue,
    /// Weak, so that it holds across the encodings of the same content.
    etag: HeaderValue,
    /// The first hex digits of the content's SHA-256.
    pub(crate) hash: String,
    content_language: Option<HeaderValue>,
}

/// Which content coding to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coding {
    Br,
    Gzip,
    Identity,
}

impl Precompressed {
    /// `compress`: whether the type compresses at all (text yes; woff2, PNG no).
    pub(crate) fn new(
        body: impl Into<Bytes>,
        content_type: &'static str,
        compress: bool,
        effort: Effort,
    ) -> Self {
        let identity: Bytes = body.into();
        // The first 8 bytes of the SHA-256, in hex (the digest's own `LowerHex`).
        let hash = format!("{:x}", Sha256::digest(&identity))[..16].to_string();
        Self {
            etag: HeaderValue::from_str(&format!("W/\"{hash}\"")).expect("hex is a valid header"),
            content_type: HeaderValue::from_static(content_type),
            gzip: None,
            br: None,
            compress,
            effort,
            identity: Some(identity),
            hash,
            content_language: None,
        }
        .compressed(effort)
    }

    /// The same content compressed again with `effort` (the ETag stays the same).
    pub(crate) fn recompressed(&self, effort: Effort) -> Self {
        self.clone().compressed(effort)
    }

    fn compressed(mut self, effort: Effort) -> Self {
        let identity = self.identity();
        let smaller = |b: Bytes| (b.len() < identity.len()).then_some(b);
        let quality = effort.brotli_quality().filter(|_| self.compress);
        // gzip is made at its best whatever the effort: kept when already made.
        self.gzip = quality.and_then(|_| self.gzip.take().or_else(|| smaller(gzip(&identity))));
        self.br = quality.and_then(|q| smaller(brotli(&identity, q)));
        self.identity = self.gzip.is_none().then_some(identity);
        self.effort = effort;
        self
    }

    /// Whether the body would compress but is held without its compressed forms.
    pub(crate) fn uncompressed(&self) -> bool {
        self.compress && self.effort == Effort::None
    }

    /// The body as it is, uncompressed.
    pub(crate) fn identity(&self) -> Bytes {
        match (&self.identity, &self.gzip) {
            (Some(identity), _) => identity.clone(),
            (None, Some(gzip)) => gunzip(gzip),
            (None, None) => unreachable!("the body is held as it is or as gzip"),
        }
    }

    /// Marks the body as being in language `code` (`Content-Language`).
    pub(crate) fn with_language(mut self, code: &str) -> Self {
        self.content_language = HeaderValue::from_str(code).ok();
        self
    }

    /// The response to a request with `headers`: 304 when the client's copy is current,
    /// otherwise the body in the best encoding the client accepts.
    pub(crate) fn respond(&self, headers: &HeaderMap, cache_control: &'static str) -> Response {
        let fresh = not_modified(headers, &self.etag);
        let accepted = Accepted::new(headers);
        let (coding, body) = match (accepted.preferred(), &self.br, &self.gzip) {
            _ if fresh => (None, Bytes::new()),
            (Coding::Br, Some(br), _) => (Some("br"), br.clone()),
            (Coding::Br | Coding::Gzip, _, Some(gzip)) if accepted.gzip > 0 => {
                (Some("gzip"), gzip.clone())
            }
            _ => (None, self.identity()),
        };
        let mut res = Response::new(Body::from(body));
        let map = res.headers_mut();
        // Room for these and the security headers added on the way out, so the map is
        // allocated once.
        map.reserve(16);
        map.insert(header::ETAG, self.etag.clone());
        map.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        );
        if self.gzip.is_some() || self.br.is_some() {
            map.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        }
        if let Some(lang) = &self.content_language {
            map.insert(header::CONTENT_LANGUAGE, lang.clone());
        }
        if fresh {
            *res.status_mut() = StatusCode::NOT_MODIFIED;
            return res;
        }
        if let Some(coding) = coding {
            map.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        map.insert(header::CONTENT_TYPE, self.content_type.clone());
        res
    }
}

/// `data` compressed as `.gz` and `.br` files are (gzip at its best, brotli at quality 10),
/// the same bytes every time (no timestamp in the gzip header).
pub(crate) fn gzip_and_brotli(data: &[u8]) -> (Bytes, Bytes) {
    (gzip(data), brotli(data, BEST_QUALITY))
}

/// What [`gzip`] made, as it was.
fn gunzip(data: &[u8]) -> Bytes {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(data), &mut out)
        .expect("gzip made here reads back");
    out.into()
}

fn gzip(data: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).expect("writing to memory");
    enc.finish().expect("writing to memory").into()
}

/// Brotli's quality at [`Effort::Best`].
const BEST_QUALITY: u32 = 10;

fn brotli(data: &[u8], quality: u32) -> Bytes {
    let mut out = Vec::new();
    {
        // At quality 10, a window no larger than the body: the same output in the same time,
        // where the largest window's match finder takes 32 MiB (for a 10 KB page), which
        // glibc then keeps. Below 10 the largest window is the fast one (14 times faster
        // than a small one at quality 5), and small in memory.
        let fits = usize::BITS - data.len().max(1).leading_zeros();
        let window = if quality >= BEST_QUALITY {
            fits.clamp(10, BROTLI_WINDOW)
        } else {
            BROTLI_WINDOW
        };
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, quality, window);
        w.write_all(data).expect("writing to memory");
    }
    out.into()
}

/// `If-None-Match` names this representation (weak comparison, RFC 9110 §13.1.2).
fn not_modified(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.to_str().unwrap_or("").trim_start_matches("W/");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == ours)
}

/// The weights, in thousandths, a request's `Accept-Encoding` gives the codings made ahead of
/// time (0: absent or refused), read in one pass.
pub(crate) struct Accepted {
    br: u16,
    gzip: u16,
}

impl Accepted {
    pub(crate) fn new(headers: &HeaderMap) -> Self {
        let (mut br, mut gzip, mut any) = (None, None, None);
        let values = headers.get_all(header::ACCEPT_ENCODING).iter();
        for value in values.filter_map(|v| v.to_str().ok()) {
            for (name, q) in crate::accept::weighted(value) {
                let slot = if name.eq_ignore_ascii_case("br") {
                    &mut br
                } else if name.eq_ignore_ascii_case("gzip") {
                    &mut gzip
                } else if name == "*" {
                    &mut any
                } else {
                    continue;
                };
                // The first mention of a coding counts.
                slot.get_or_insert(q);
            }
        }
        Self {
            br: br.or(any).unwrap_or(0),
            gzip: gzip.or(any).unwrap_or(0),
        }
    }

    /// Brotli when the client takes it at least as gladly as gzip, else gzip, else identity.
    pub(crate) fn preferred(&self) -> Coding {
        if self.br > 0 && self.br >= self.gzip {
            Coding::Br
        } else if self.gzip > 0 {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    fn preferred_coding(headers: &HeaderMap) -> Coding {
        Accepted::new(headers).preferred()
    }

    #[test]
    fn picks_the_coding_the_client_prefers() {
        assert_eq!(
            preferred_coding(&headers(&[("accept-encoding", "gzip, deflate, br, zstd")])),
            Coding::Br
        );
        assert_eq!(
            preferred_coding(&headers(&[("accept-encoding", "gzip")])),
            Coding::Gzip
        );
        assert_eq!(
            preferred_coding(&headers(&[("accept-encoding", "br;q=0.5, gzip")])),
            Coding::Gzip
        );
        assert_eq!(
            preferred_coding(&headers(&[("accept-encoding", "br;q=0, gzip;q=0")])),
            Coding::Identity
        );
        assert_eq!(preferred_coding(&headers(&[])), Coding::Identity);
        assert_eq!(
            preferred_coding(&headers(&[("accept-encoding", "*")])),
            Coding::Br
        );
        // A malformed weight drops its item, as in Accept-Language (one parser for both).
        assert_eq!(
            preferred_coding(&headers(&[("accept-encoding", "br;q=abc, gzip")])),
            Coding::Gzip
        );
        assert_eq!(
            preferred_coding(&headers(&[("accept-encoding", "br;q=1.5")])),
            Coding::Identity
        );
        assert_eq!(
            preferred_coding(&headers(&[("accept-encoding", "BR;Q=0.9, gzip;q=0.8")])),
            Coding::Br
        );
    }

    #[test]
    fn responds_compressed_and_revalidates() {
        let html = "<p>سلام</p>".repeat(200);
        let html_bytes = Bytes::from(html.clone());
        let page = Precompressed::new(html.clone(), "text/html; charset=utf-8", true, Effort::Best);
        let quick = Precompressed::new(html, "text/html; charset=utf-8", true, Effort::Quick);
        assert_eq!(
            page.etag, quick.etag,
            "the same content, whatever the effort"
        );
        let (br, gzip) = (page.br.as_ref().unwrap(), page.gzip.as_ref().unwrap());
        assert!(br.len() < gzip.len() && gzip.len() < page.identity().len());
        assert!(page.identity.is_none(), "held once, as gzip");
        let res = page.respond(&headers(&[("accept-encoding", "gzip, br")]), "no-cache");
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(res.headers()[header::VARY], "Accept-Encoding");
        let etag = res.headers()[header::ETAG].to_str().unwrap().to_string();
        assert!(etag.starts_with("W/\""));
        let mut conditional = HeaderMap::new();
        conditional.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", {etag}")).unwrap(),
        );
        assert_eq!(
            page.respond(&conditional, "no-cache").status(),
            StatusCode::NOT_MODIFIED
        );
        let plain = page.respond(&HeaderMap::new(), "no-cache");
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(
            page.identity(),
            html_bytes,
            "made back from gzip, byte for byte"
        );
    }
}
