//! The site's other addresses: mirrors (static copies on other hosts, under any path), the
//! onion service, and the origins whose forms the live site accepts.

use std::{fmt, str::FromStr};

use super::{notify::is_loopback, BaseUrl};

/// The live site a mirror's contact form posts to: https, or http only to this machine or
/// an onion service (which encrypts on its own). A form posted in the clear would show what
/// readers write to anyone on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormAction(BaseUrl);

impl FromStr for FormAction {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let base: BaseUrl = s.parse()?;
        let host = base.host();
        if base.as_str().starts_with("https://") || is_loopback(&host) || host.ends_with(".onion") {
            Ok(Self(base))
        } else {
            Err(format!(
                "readers' messages would cross the network unencrypted: use https://{host}"
            ))
        }
    }
}

impl FormAction {
    /// The live site, without a trailing slash: `https://example.org`.
    pub fn base_url(&self) -> &BaseUrl {
        &self.0
    }
}

/// Where a copy of the site is served: http(s), a host, and a path if the copy is under one
/// (`https://user.github.io/scdi`). Without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MirrorUrl(String);

impl FromStr for MirrorUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let example = "give the address readers use, like https://user.github.io/scdi";
        let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e}): {example}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!("the scheme must be http or https: {example}"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("no user or password belongs in it".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("no query or fragment belongs in it".into());
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_string()))
    }
}

impl MirrorUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MirrorUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The site's onion service: `http://<56 characters>.onion`, at the root of its host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnionUrl(String);

impl FromStr for OnionUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
        let host = url.host_str().unwrap_or("");
        // A v3 onion service: 56 base32 characters (v2's 16 were retired in 2021).
        let name = host.strip_suffix(".onion").unwrap_or("");
        let v3 = name.len() == 56 && name.bytes().all(|b| matches!(b, b'a'..=b'z' | b'2'..=b'7'));
        if !matches!(url.scheme(), "http" | "https") || !v3 {
            return Err(
                "give the onion service's v3 address: http://, 56 letters and digits (2-7), \
                 .onion"
                    .into(),
            );
        }
        if url.path() != "/" || url.query().is_some() {
            return Err("the onion address is a host alone: no path belongs in it".into());
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_string()))
    }
}

impl OnionUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An origin (`https://mirror.example.org`, no path) whose pages may post the contact form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormOrigin(String);

impl FromStr for FormOrigin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err("an origin is http(s)://host[:port], like https://user.github.io".into());
        }
        if url.path() != "/" {
            return Err(format!(
                "an origin has no path: give {} (a browser's Origin header never has one)",
                url.origin().ascii_serialization()
            ));
        }
        Ok(Self(url.origin().ascii_serialization()))
    }
}

impl FormOrigin {
    /// As browsers send it in `Origin`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mirrors_form_posts_encrypted() {
        for ok in [
            "https://example.org",
            "http://127.0.0.1:3000",
            "http://localhost:8080",
            "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion",
        ] {
            assert!(ok.parse::<FormAction>().is_ok(), "{ok}");
        }
        let err = "http://example.org".parse::<FormAction>().unwrap_err();
        assert!(err.contains("https://example.org"), "{err}");
        assert!("https://example.org/path".parse::<FormAction>().is_err());
    }

    #[test]
    fn addresses_are_checked_and_normalised() {
        assert_eq!(
            "https://user.github.io/scdi/"
                .parse::<MirrorUrl>()
                .unwrap()
                .as_str(),
            "https://user.github.io/scdi"
        );
        assert!("ftp://example.org".parse::<MirrorUrl>().is_err());
        assert!("http://example.org".parse::<OnionUrl>().is_err());
        assert!("http://abc.onion/x".parse::<OnionUrl>().is_err());
        assert_eq!(
            "HTTPS://Mirror.Example.org:443"
                .parse::<FormOrigin>()
                .unwrap()
                .as_str(),
            "https://mirror.example.org"
        );
        assert!("https://user.github.io/scdi".parse::<FormOrigin>().is_err());
    }
}
