//! The contact form's per-client rate limit: a token bucket per client (`burst` messages at
//! once, refilled at `per_hour`), counting only messages about to be stored, after
//! validation, so a reader correcting a mistake is never locked out. One instance (SQLite)
//! keeps the buckets in memory; instances sharing PostgreSQL keep them in the database, so
//! that they share the limit and a restart does not reset it. Both use the same formula.
//! The database never holds an address: a bucket there is named by a [`shared_code`] that
//! 65,536 addresses share.
//!
//! The client is the socket's address, or the address a trusted proxy puts in a configured
//! header; IPv6 clients are counted per /64, since one host usually holds a whole /64.
//!
//! Hand-written rather than governor: the shared limit needs the formula in SQL anyway, and
//! the same few lines in memory keep one behaviour for both stores.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv6Addr, SocketAddr},
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::{
    config::Handling,
    onion::Circuit,
    store::{SharedBuckets, Store},
};

/// Who a message counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Client {
    /// An address (IPv6: its /64).
    Address(IpAddr),
    /// A reader through the onion service: their Tor circuit (`--onion-listen`).
    Circuit(u32),
}

/// How fast a client's allowance refills, how much it holds, and how long it takes to fill
/// from empty.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rate {
    per_second: f64,
    burst: f64,
    full_after: Duration,
}

impl Rate {
    /// The limit `handling` sets; `None` without one.
    fn of(handling: &Handling) -> Option<Self> {
        Some(Self {
            per_second: f64::from(handling.contact_per_hour) / 3600.0,
            burst: f64::from(handling.contact_burst),
            full_after: handling.refill_time()?,
        })
    }
}

/// One client's allowance, as of `at`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept in memory before forgetting the clients whose bucket is full again.
const RETAIN_ABOVE: usize = 10_000;

pub(crate) enum ContactLimit {
    /// `--contact-per-hour 0`.
    Off,
    /// One instance: buckets in this process.
    Memory {
        rate: Rate,
        buckets: Mutex<HashMap<IpAddr, Bucket>>,
    },
    /// Several instances: buckets in the database they share.
    Shared { rate: Rate, buckets: SharedBuckets },
}

impl ContactLimit {
    /// The limit `handling` sets (`--contact-per-hour`, `--contact-burst`); shared when
    /// the store is.
    pub(crate) fn new(handling: &Handling, store: &Store) -> Self {
        let Some(rate) = Rate::of(handling) else {
            return Self::Off;
        };
        match store.shared_buckets() {
            Some(buckets) => Self::Shared { rate, buckets },
            None => Self::Memory {
                rate,
                buckets: Mutex::default(),
            },
        }
    }

    /// `Ok` when this client may send a message now; otherwise how long to wait. Should the
    /// database not answer, the message is let through to the store, whose failure the
    /// reader is then told of.
    pub(crate) async fn check(&self, client: Option<Client>) -> Result<(), Duration> {
        let key = key(client);
        match self {
            Self::Off => Ok(()),
            Self::Memory { rate, buckets } => {
                let mut buckets = buckets.lock().unwrap_or_else(|e| e.into_inner());
                take_from(&mut buckets, *rate, key, Instant::now())
            }
            Self::Shared { rate, buckets } => {
                let taken = buckets
                    .take(&shared_code(key), rate.per_second, rate.burst)
                    .await;
                match taken {
                    Ok(None) => Ok(()),
                    Ok(Some(wait)) => Err(wait),
                    Err(e) => {
                        tracing::warn!(error = %e, "rate limit not checked: the database did not answer");
                        Ok(())
                    }
                }
            }
        }
    }

    /// Gives back the token a message took that could not be stored: the reader's attempt
    /// does not count, and sending again is not refused.
    pub(crate) async fn refund(&self, client: Option<Client>) {
        let key = key(client);
        match self {
            Self::Off => {}
            Self::Memory { rate, buckets } => {
                let mut buckets = buckets.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(bucket) = buckets.get_mut(&key) {
                    bucket.tokens = (bucket.tokens + 1.0).min(rate.burst);
                }
            }
            Self::Shared { rate, buckets } => {
                if let Err(e) = buckets.refund(&shared_code(key), rate.burst).await {
                    tracing::warn!(error = %e, "could not give back a rate-limit token");
                }
            }
        }
    }

    /// Forgets the clients whose allowance is whole again: an address is held no longer
    /// than it counts (the privacy page says so). Run every
    /// [`crate::config::FORGET_CLIENTS_EVERY`].
    pub(crate) async fn forget_full(&self) {
        match self {
            Self::Off => {}
            Self::Memory { rate, buckets } => {
                let mut buckets = buckets.lock().unwrap_or_else(|e| e.into_inner());
                forget_full(&mut buckets, *rate, Instant::now());
            }
            Self::Shared { rate, buckets } => {
                if let Err(e) = buckets.forget_full(rate.full_after).await {
                    tracing::warn!(error = %e, "could not forget full rate-limit buckets");
                }
            }
        }
    }
}

/// Forgets the clients in `buckets` whose bucket is full again at `now`.
fn forget_full(buckets: &mut HashMap<IpAddr, Bucket>, rate: Rate, now: Instant) {
    buckets.retain(|_, b| now.duration_since(b.at) < rate.full_after);
}

/// Takes a token from `key`'s bucket at `now`, first forgetting the clients whose bucket is
/// full again when there are many: the map a client's addresses fill stays bounded.
fn take_from(
    buckets: &mut HashMap<IpAddr, Bucket>,
    rate: Rate,
    key: IpAddr,
    now: Instant,
) -> Result<(), Duration> {
    if buckets.len() > RETAIN_ABOVE {
        forget_full(buckets, rate, now);
    }
    let bucket = buckets.entry(key).or_insert(Bucket {
        tokens: rate.burst,
        at: now,
    });
    take(bucket, rate, now)
}

/// Takes a token from `bucket`, refilled up to `now`: the formula the shared buckets use in
/// SQL (`store::SharedBuckets::take`).
fn take(bucket: &mut Bucket, rate: Rate, now: Instant) -> Result<(), Duration> {
    let elapsed = now.duration_since(bucket.at).as_secs_f64();
    let tokens = (bucket.tokens + elapsed * rate.per_second).min(rate.burst);
    if tokens >= 1.0 {
        *bucket = Bucket {
            tokens: tokens - 1.0,
            at: now,
        };
        Ok(())
    } else {
        Err(Duration::from_secs_f64((1.0 - tokens) / rate.per_second))
    }
}

/// The client's address: from the trusted proxy header `client_ip_header` when configured,
/// otherwise the socket. Of the header, only the last entry of its last line counts: the
/// proxy appends there, and everything before it is what the client sent.
pub(crate) fn client(
    client_ip_header: Option<&str>,
    socket: Option<SocketAddr>,
    headers: &HeaderMap,
    circuit: Option<Circuit>,
) -> Option<Client> {
    if let Some(Circuit(id)) = circuit {
        return Some(Client::Circuit(id));
    }
    let from_header = client_ip_header.and_then(|name| {
        let found = headers
            .get_all(name)
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next()?.trim().parse().ok());
        if found.is_none() {
            warn_of_missing_header(name);
        }
        found
    });
    from_header.or(socket.map(|s| s.ip())).map(Client::Address)
}

/// When a missing client-address header was last reported (seconds since 1970; 0: never).
static MISSING_HEADER_SAID: AtomicU64 = AtomicU64::new(0);
/// How often a missing client-address header is reported, at most.
const SAY_MISSING_HEADER_EVERY: u64 = 600;

/// Says, once and then at most every ten minutes, that the configured client-address header
/// was missing: every such reader counts as the proxy, and all share one limit.
fn warn_of_missing_header(name: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_secs());
    let last = MISSING_HEADER_SAID.load(Ordering::Relaxed);
    let due = last == 0 || now >= last + SAY_MISSING_HEADER_EVERY;
    if due
        && MISSING_HEADER_SAID
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        tracing::warn!(
            header = name,
            "a message came without a client address in the --client-ip-header: such \
             readers count as the proxy and share one limit; make the proxy set it \
             (nginx: proxy_set_header X-Real-IP $remote_addr) or unset the flag \
             (said at most every 10 minutes)"
        );
    }
}

/// The key `client` is counted under; clients whose address is unknown share one. A circuit
/// is keyed in Tor's own prefix with a low half no /64 key has, so no address counts with it.
fn key(client: Option<Client>) -> IpAddr {
    match client {
        None => IpAddr::from([0, 0, 0, 0]),
        Some(Client::Address(ip)) => per_slash_64(ip),
        Some(Client::Circuit(id)) => IpAddr::V6(Ipv6Addr::new(
            0xfc00,
            0xdead,
            0xbeef,
            0x4dad,
            0,
            1,
            (id >> 16) as u16,
            id as u16,
        )),
    }
}

/// The name of the shared bucket `key` (an address or /64, see [`per_slash_64`]) counts
/// in: 16 bits of its SHA-256, four hex digits. A reader's address is never written to the
/// database: whoever reads it (a backup, a seized server) finds a code that 65,536 IPv4
/// addresses share. Two readers sending within minutes of each other share an allowance only
/// when their codes meet, about one pair in 65,536.
pub fn shared_code(key: IpAddr) -> String {
    let bytes = match key {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    let digest = Sha256::new()
        .chain_update(b"scdi-site contact limit\0")
        .chain_update(bytes)
        .finalize();
    format!("{:02x}{:02x}", digest[0], digest[1])
}

/// The key a client is counted under: its address, or for IPv6 its /64 (one host usually
/// holds a whole /64); IPv4-mapped IPv6 addresses count as the IPv4 address.
pub fn per_slash_64(ip: IpAddr) -> IpAddr {
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

    fn rate(per_hour: u32, burst: u32) -> Rate {
        Rate::of(&Handling {
            retention_days: None,
            privacy_contact: None,
            contact_per_hour: per_hour,
            contact_burst: burst,
        })
        .expect("a limit")
    }

    fn in_memory(per_hour: u32, burst: u32) -> ContactLimit {
        ContactLimit::Memory {
            rate: rate(per_hour, burst),
            buckets: Mutex::default(),
        }
    }

    #[test]
    fn shared_buckets_are_named_by_codes_that_rarely_meet() {
        let code = shared_code("198.51.100.7".parse().unwrap());
        assert!(
            code.len() == 4 && code.bytes().all(|b| b.is_ascii_hexdigit()),
            "{code}"
        );
        assert_eq!(code, shared_code("198.51.100.7".parse().unwrap()));
        // A thousand readers at once: nearly every one has an allowance of its own.
        let codes: std::collections::HashSet<String> = (1..=1000u32)
            .map(|i| shared_code(IpAddr::from((0xC633_6400 + i).to_be_bytes())))
            .collect();
        assert!(
            codes.len() >= 980,
            "{} codes for 1000 addresses",
            codes.len()
        );
    }

    #[test]
    fn a_client_is_forgotten_once_its_allowance_is_whole_again_and_not_before() {
        let rate = rate(20, 5);
        let start = Instant::now();
        let mut buckets = HashMap::new();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        take_from(&mut buckets, rate, a, start).unwrap();
        forget_full(&mut buckets, rate, start + Duration::from_secs(899));
        assert_eq!(
            buckets.len(),
            1,
            "still counting after 14 minutes 59 seconds"
        );
        forget_full(&mut buckets, rate, start + Duration::from_secs(900));
        assert!(
            buckets.is_empty(),
            "forgotten once whole again (15 minutes)"
        );
    }

    #[tokio::test]
    async fn burst_then_limited_per_client() {
        let l = in_memory(60, 2);
        let a = Some(Client::Address("10.0.0.1".parse().unwrap()));
        let b = Some(Client::Address("10.0.0.2".parse().unwrap()));
        assert!(l.check(a).await.is_ok() && l.check(a).await.is_ok());
        let wait = l.check(a).await.unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        assert!(l.check(b).await.is_ok(), "other clients are not affected");
    }

    #[tokio::test]
    async fn a_refunded_token_can_be_taken_again_up_to_the_burst() {
        let l = in_memory(1, 1);
        let a = Some(Client::Address("10.0.0.1".parse().unwrap()));
        assert!(l.check(a).await.is_ok());
        assert!(l.check(a).await.is_err());
        l.refund(a).await;
        assert!(l.check(a).await.is_ok(), "the refunded token");
        l.refund(a).await;
        l.refund(a).await;
        assert!(l.check(a).await.is_ok());
        assert!(l.check(a).await.is_err(), "never beyond the burst");
    }

    #[tokio::test]
    async fn ipv6_counts_per_64_and_zero_disables() {
        let l = in_memory(60, 1);
        let v6 = |s: &str| Some(Client::Address(s.parse().unwrap()));
        assert!(l.check(v6("2001:db8::1")).await.is_ok());
        assert!(l.check(v6("2001:db8::2")).await.is_err());
        // Tor circuits are counted one by one, never as the /64 of Tor's prefix, and never
        // with an address.
        assert!(l.check(Some(Client::Circuit(1))).await.is_ok());
        assert!(l.check(Some(Client::Circuit(2))).await.is_ok());
        assert!(l.check(Some(Client::Circuit(1))).await.is_err());
        assert!(l.check(v6("fc00:dead:beef:4dad::1")).await.is_ok());
        let off = ContactLimit::Off;
        for _ in 0..100 {
            assert!(off.check(None).await.is_ok());
        }
    }

    #[test]
    fn a_bucket_refills_at_its_rate_up_to_its_burst() {
        let rate = rate(3600, 2);
        let start = Instant::now();
        let mut bucket = Bucket {
            tokens: 0.0,
            at: start,
        };
        let wait = take(&mut bucket, rate, start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        assert!(take(&mut bucket, rate, start + Duration::from_millis(1500)).is_ok());
        // Half a token was left; a long pause fills it to the burst, never beyond.
        let later = start + Duration::from_secs(3600);
        assert!(take(&mut bucket, rate, later).is_ok());
        assert!(take(&mut bucket, rate, later).is_ok());
        assert!(take(&mut bucket, rate, later).is_err());
    }

    #[test]
    fn memory_stays_bounded_by_forgetting_full_buckets() {
        let rate = rate(3600, 1);
        let (mut buckets, start) = (HashMap::new(), Instant::now());
        for i in 0..(RETAIN_ABOVE as u32 + 10) {
            assert!(take_from(&mut buckets, rate, IpAddr::from(i.to_be_bytes()), start).is_ok());
        }
        assert_eq!(buckets.len(), RETAIN_ABOVE + 10);
        let later = start + Duration::from_secs(2);
        assert!(take_from(&mut buckets, rate, "10.9.9.9".parse().unwrap(), later).is_ok());
        assert_eq!(buckets.len(), 1, "full buckets are forgotten");
    }

    #[test]
    fn proxy_header_only_when_configured() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 5.6.7.8".parse().unwrap());
        let socket = Some("127.0.0.1:9".parse().unwrap());
        let address = |s: &str| Some(Client::Address(s.parse().unwrap()));
        assert_eq!(client(None, socket, &headers, None), address("127.0.0.1"));
        assert_eq!(
            client(Some("x-forwarded-for"), socket, &headers, None),
            address("5.6.7.8")
        );
        // Through the onion listener, the circuit, whatever the headers say.
        assert_eq!(
            client(Some("x-forwarded-for"), socket, &headers, Some(Circuit(7))),
            Some(Client::Circuit(7))
        );
    }
}
