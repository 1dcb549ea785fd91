//! The contact form's per-client rate limit (governor). The client is the socket's address,
//! or the address a trusted proxy puts in a configured header; IPv6 clients are counted per
//! /64, since one host usually holds a whole /64.
//!
//! governor is used directly rather than through a tower layer (tower_governor): the limit
//! counts only messages about to be stored, after validation, which a layer in front of the
//! handler cannot know; a reader correcting a mistake is never locked out.

use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    time::Duration,
};

use axum::http::HeaderMap;
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

pub(crate) struct ContactLimiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    client_ip_header: Option<String>,
}

/// Keys kept before forgetting clients whose allowance is full again.
const RETAIN_ABOVE: usize = 10_000;

impl ContactLimiter {
    pub(crate) fn new(per_hour: u32, burst: u32, client_ip_header: Option<String>) -> Self {
        let limiter = NonZeroU32::new(per_hour).and_then(|per_hour| {
            let period = Duration::from_secs(3600) / per_hour.get();
            let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
            Quota::with_period(period).map(|q| RateLimiter::keyed(q.allow_burst(burst)))
        });
        Self {
            limiter,
            client_ip_header,
        }
    }

    /// The client's address: from the trusted proxy header when configured, otherwise the
    /// socket. Of the header, only the last entry of its last line counts: the proxy appends
    /// there, and everything before it is what the client sent.
    pub(crate) fn client(&self, socket: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let from_header = self.client_ip_header.as_ref().and_then(|name| {
            let value = headers.get_all(name.as_str()).iter().next_back()?;
            let value = value.to_str().ok()?;
            value.rsplit(',').next()?.trim().parse().ok()
        });
        from_header.or(socket.map(|s| s.ip()))
    }

    /// `Ok` when this client may send a message now; otherwise how long to wait.
    pub(crate) fn check(&self, client: Option<IpAddr>) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if limiter.len() > RETAIN_ABOVE {
            limiter.retain_recent();
        }
        let key = client.map_or(IpAddr::from([0, 0, 0, 0]), per_slash_64);
        limiter.check_key(&key).map_err(|not_until| {
            not_until.wait_time_from(governor::clock::DefaultClock::default().now())
        })
    }
}

/// The key a client is counted under: its address, or for IPv6 its /64 (one host usually
/// holds a whole /64); IPv4-mapped IPv6 addresses count as the IPv4 address.
pub(crate) fn per_slash_64(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_limited_per_client() {
        let l = ContactLimiter::new(60, 2, None);
        let a = Some("10.0.0.1".parse().unwrap());
        let b = Some("10.0.0.2".parse().unwrap());
        assert!(l.check(a).is_ok() && l.check(a).is_ok());
        let wait = l.check(a).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        assert!(l.check(b).is_ok(), "other clients are not affected");
    }

    #[test]
    fn ipv6_counts_per_64_and_zero_disables() {
        let l = ContactLimiter::new(60, 1, None);
        assert!(l.check(Some("2001:db8::1".parse().unwrap())).is_ok());
        assert!(l.check(Some("2001:db8::2".parse().unwrap())).is_err());
        let off = ContactLimiter::new(0, 1, None);
        for _ in 0..100 {
            assert!(off.check(None).is_ok());
        }
    }

    #[test]
    fn proxy_header_only_when_configured() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 5.6.7.8".parse().unwrap());
        let socket = Some("127.0.0.1:9".parse().unwrap());
        let plain = ContactLimiter::new(1, 1, None);
        assert_eq!(
            plain.client(socket, &headers),
            Some("127.0.0.1".parse().unwrap())
        );
        let proxied = ContactLimiter::new(1, 1, Some("x-forwarded-for".into()));
        assert_eq!(
            proxied.client(socket, &headers),
            Some("5.6.7.8".parse().unwrap())
        );
    }
}
