//! The default access log: requests counted per method, route and status, with latency
//! percentiles, reported as one line per kind and then forgotten. No line per request: a
//! log of when each page was read would be a record of readers (many of them in Iran)
//! that a seized or compromised server could give away; counts per minute say what
//! operators need (traffic, errors, latency) and nothing about any one visit. It is also
//! the cheaper log: a counter bump instead of a formatted, written line.
//!
//! A client chooses the method (any HTTP token, up to the header limit) and the status
//! follows from what it sends: neither may grow the counts. Methods the site does not serve
//! count as one `other`; routes are the router's own (a path no route matches counts as
//! `-`); and past [`MAX_KINDS`] kinds in one period, the rest count together.

use std::{borrow::Cow, collections::HashMap, sync::Mutex, time::Duration};

use axum::http::Method;

/// Latency buckets: bucket `i` holds latencies below 2^i µs (the last, everything longer).
const BUCKETS: usize = 25;

/// Kinds counted in one period before the rest are counted as one: a bound on memory and
/// on the report's length, whatever clients send.
const MAX_KINDS: usize = 256;

/// How a request's method is counted and logged: its name when the site serves it (or is
/// a standard method), otherwise `other`, so that a client cannot fill the counts or the
/// log with names of its own.
pub(crate) fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[derive(Default)]
pub(crate) struct Traffic {
    tallies: Mutex<HashMap<Kind, Tally>>,
}

/// What requests are counted by.
#[derive(PartialEq, Eq, Hash)]
struct Kind {
    method: &'static str,
    route: Cow<'static, str>,
    status: u16,
}

impl Kind {
    /// Where requests go once [`MAX_KINDS`] kinds are counted.
    const OVERFLOW: Kind = Kind {
        method: "other",
        route: Cow::Borrowed("(other)"),
        status: 0,
    };
}

struct Tally {
    count: u64,
    latencies: [u64; BUCKETS],
    max_us: u64,
}

impl Traffic {
    /// Counts one request.
    /// `method`: as [`method_name`] gives it.
    pub(crate) fn record(
        &self,
        method: &'static str,
        route: Cow<'static, str>,
        status: u16,
        latency: Duration,
    ) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let bucket = (u64::BITS - us.leading_zeros()) as usize;
        let mut tallies = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
        let mut kind = Kind {
            method,
            route,
            status,
        };
        if tallies.len() >= MAX_KINDS && !tallies.contains_key(&kind) {
            kind = Kind::OVERFLOW;
        }
        let tally = tallies.entry(kind).or_insert(Tally {
            count: 0,
            latencies: [0; BUCKETS],
            max_us: 0,
        });
        tally.count += 1;
        tally.latencies[bucket.min(BUCKETS - 1)] += 1;
        tally.max_us = tally.max_us.max(us);
    }

    /// Logs one line per method, route and status seen since the last report, with the
    /// count and latency percentiles (as the upper bound of a power-of-two bucket), and
    /// starts counting afresh.
    pub(crate) fn report(&self) {
        let tallies = std::mem::take(&mut *self.tallies.lock().unwrap_or_else(|e| e.into_inner()));
        let mut kinds: Vec<_> = tallies.into_iter().collect();
        kinds.sort_by(|(a, _), (b, _)| {
            (&a.route, a.status, a.method).cmp(&(&b.route, b.status, b.method))
        });
        for (kind, tally) in kinds {
            tracing::info!(
                method = %kind.method,
                route = %kind.route,
                status = kind.status,
                count = tally.count,
                p50_us = tally.percentile(0.50),
                p99_us = tally.percentile(0.99),
                max_us = tally.max_us,
                "requests"
            );
        }
    }
}

impl Tally {
    fn percentile(&self, p: f64) -> u64 {
        let wanted = (self.count as f64 * p).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.latencies.iter().enumerate() {
            seen += n;
            if seen >= wanted {
                return (1u64 << i).min(self.max_us.max(1));
            }
        }
        self.max_us
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_kind_with_bucketed_percentiles() {
        let traffic = Traffic::default();
        for us in [10, 12, 15, 20, 900] {
            traffic.record(
                "GET",
                Cow::Borrowed("/{lang}/"),
                200,
                Duration::from_micros(us),
            );
        }
        traffic.record(
            "POST",
            Cow::Borrowed("/{lang}/contact"),
            303,
            Duration::ZERO,
        );
        let tallies = traffic.tallies.lock().unwrap();
        let home = &tallies[&Kind {
            method: "GET",
            route: Cow::Borrowed("/{lang}/"),
            status: 200,
        }];
        assert_eq!(home.count, 5);
        assert_eq!(home.percentile(0.5), 16, "15 µs is in the bucket below 16");
        assert_eq!(home.percentile(0.99), 900, "capped by the longest seen");
        assert_eq!(tallies.len(), 2);
    }

    #[test]
    fn methods_of_a_clients_choosing_and_too_many_kinds_count_as_one() {
        let traffic = Traffic::default();
        for i in 0..20_000 {
            let method = Method::from_bytes(format!("M{i}").as_bytes()).unwrap();
            traffic.record(
                method_name(&method),
                Cow::Borrowed("-"),
                405,
                Duration::ZERO,
            );
        }
        assert_eq!(traffic.tallies.lock().unwrap().len(), 1, "all `other`");
        for status in 0..1000 {
            traffic.record("GET", Cow::Borrowed("-"), status, Duration::ZERO);
        }
        let tallies = traffic.tallies.lock().unwrap();
        assert_eq!(
            tallies.len(),
            MAX_KINDS + 1,
            "bounded, with the rest counted together"
        );
        assert_eq!(
            tallies[&Kind::OVERFLOW].count,
            1000 - (MAX_KINDS as u64 - 1)
        );
    }
}
