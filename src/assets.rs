//! Static files, read into memory at startup. Each is served at its plain path and at a
//! content-hashed one (`/static/site.3f2a1c9d0e.css`), which can be cached for a year; text
//! is compressed ahead of time. CSS references to other assets are rewritten to their hashed
//! paths, relative to the stylesheet. A request path is only ever looked up in this map: it never reaches the disk.

use std::{collections::HashMap, fs, io, path::Path};

use axum::{http::HeaderMap, response::Response};

pub use crate::precompressed::Effort;
use crate::precompressed::Precompressed;

pub(crate) struct Asset {
    pub(crate) body: Precompressed,
    /// Served at its content-hashed path: never changes.
    pub(crate) immutable: bool,
}

impl Asset {
    pub(crate) fn respond(&self, headers: &HeaderMap) -> Response {
        let cache = if self.immutable {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=3600"
        };
        self.body.respond(headers, cache)
    }
}

#[derive(Default)]
pub struct Assets {
    /// Keyed by the path below `/static/` (`site.css`, `site.3f2a1c9d0e.css`).
    by_path: HashMap<String, Asset>,
    /// Plain path -> hashed URL (`site.css` -> `/static/site.3f2a1c9d0e.css`).
    urls: HashMap<String, String>,
}

/// Content type, and whether compression helps (text does).
pub(crate) fn kind(path: &str) -> (&'static str, bool) {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => ("text/html; charset=utf-8", true),
        "css" => ("text/css; charset=utf-8", true),
        "svg" => ("image/svg+xml", true),
        "txt" => ("text/plain; charset=utf-8", true),
        "xml" => ("application/xml; charset=utf-8", true),
        "json" => ("application/json", true),
        "woff2" => ("font/woff2", false),
        "png" => ("image/png", false),
        "jpg" | "jpeg" => ("image/jpeg", false),
        "webp" => ("image/webp", false),
        "gif" => ("image/gif", false),
        "avif" => ("image/avif", false),
        "ico" => ("image/x-icon", true),
        _ => ("application/octet-stream", false),
    }
}

/// Hidden files and folders (`.gitkeep`, Emacs's `.#lock`) and editors' leftovers
/// (`site.css~`, Vim's `.swp`, Emacs's `#autosave#`): never served, never exported.
fn is_not_for_readers(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || (name.starts_with('#') && name.ends_with('#'))
}

fn hashed_name(path: &str, hash: &str) -> String {
    let short = &hash[..10];
    match path.rsplit_once('.') {
        Some((stem, ext)) if !stem.ends_with('/') => format!("{stem}.{short}.{ext}"),
        _ => format!("{path}.{short}"),
    }
}

impl Assets {
    pub fn load(dir: &Path, effort: Effort) -> io::Result<Self> {
        let mut files = vec![];
        for (rel, path) in crate::files::below(dir)? {
            if rel.split('/').any(is_not_for_readers) {
                continue;
            }
            files.push((rel, fs::read(&path)?));
        }
        // Everything but CSS first, so that CSS can refer to the others' hashed paths.
        files.sort_by_key(|(path, _)| (path.ends_with(".css"), path.clone()));
        let mut assets = Assets::default();
        for (path, mut bytes) in files {
            if path.ends_with(".css") {
                // Relative to the stylesheet, so that it works wherever the site is served
                // from: under `/static/` here, or a static mirror under any path prefix.
                let up = "../".repeat(path.matches('/').count());
                let mut css = String::from_utf8(bytes).map_err(io::Error::other)?;
                for (plain, url) in &assets.urls {
                    let below_static = url.trim_start_matches("/static/");
                    css = css.replace(
                        &format!("\"/static/{plain}\""),
                        &format!("\"{up}{below_static}\""),
                    );
                }
                bytes = css.into_bytes();
            }
            assets.insert(path, bytes, effort);
        }
        Ok(assets)
    }

    /// Adds the file at `path` (below `/static/`) with its content, at its plain and its
    /// content-hashed path; returns the hashed URL.
    pub(crate) fn insert(&mut self, path: String, bytes: Vec<u8>, effort: Effort) -> String {
        let (content_type, compress) = kind(&path);
        let body = Precompressed::new(bytes, content_type, compress, effort);
        let url = format!("/static/{}", hashed_name(&path, &body.hash));
        self.urls.insert(path.clone(), url.clone());
        self.by_path.insert(
            url["/static/".len()..].to_string(),
            Asset {
                body: body.clone(),
                immutable: true,
            },
        );
        self.by_path.insert(
            path,
            Asset {
                body,
                immutable: false,
            },
        );
        url
    }

    /// The same files compressed again with `effort`, from the bytes in memory.
    pub(crate) fn recompressed(&self, effort: Effort) -> Self {
        // Each file is held at its plain and at its hashed path with the one body:
        // compressed once for both.
        let mut by_path = HashMap::new();
        for (plain, url) in &self.urls {
            let hashed = url.trim_start_matches("/static/");
            let body = self.by_path[plain.as_str()].body.recompressed(effort);
            for (path, immutable) in [(plain.as_str(), false), (hashed, true)] {
                let body = body.clone();
                by_path.insert(path.to_string(), Asset { body, immutable });
            }
        }
        Self {
            by_path,
            urls: self.urls.clone(),
        }
    }

    /// The asset at `path` below `/static/`.
    pub(crate) fn get(&self, path: &str) -> Option<&Asset> {
        self.by_path.get(path)
    }

    /// Plain path -> hashed URL, for the templates' `asset()` function.
    pub fn urls(&self) -> HashMap<String, String> {
        self.urls.clone()
    }

    /// Every file, by path below `/static/` (plain and hashed), with its bytes, in path
    /// order (for a static copy of the site).
    pub(crate) fn files(&self) -> Vec<(&str, axum::body::Bytes)> {
        let mut files: Vec<_> = self
            .by_path
            .iter()
            .map(|(path, asset)| (path.as_str(), asset.body.identity()))
            .collect();
        files.sort();
        files
    }
}

#[cfg(test)]
mod tests {
    use super::{hashed_name, is_not_for_readers};

    #[test]
    fn editor_leftovers_are_not_served() {
        for leftover in [
            ".gitkeep",
            ".#site.css",
            "site.css~",
            ".site.css.swp",
            "x.swo",
            "#site.css#",
        ] {
            assert!(is_not_for_readers(leftover), "{leftover}");
        }
        for file in ["site.css", "fonts", "share.png", "a#b.css"] {
            assert!(!is_not_for_readers(file), "{file}");
        }
    }

    #[test]
    fn hashed_names_keep_the_extension() {
        assert_eq!(
            hashed_name("site.css", "0123456789abcdef"),
            "site.0123456789.css"
        );
        assert_eq!(
            hashed_name("fonts/a.b.woff2", "0123456789abcdef"),
            "fonts/a.b.0123456789.woff2"
        );
        assert_eq!(
            hashed_name("LICENSE", "0123456789abcdef"),
            "LICENSE.0123456789"
        );
    }
}
