//! Throughput and latency of the real server against two limits for this stack, each
//! returning from memory the exact bytes the site sends (status, every header, brotli body):
//! a minimal axum server, and hyper's HTTP/1.1 server with a bare service. `cargo bench
//! --bench serve` (needs `wrk` and `taskset`; Debian: `apt-get install wrk util-linux`). On
//! loopback only: every server runs on core 0, the load generator (`wrk`, one thread, 64
//! connections) on core 1; all servers stay up and runs are interleaved, medians reported.
//!
//! Prints a Markdown table for the README: requests/s, p50 and p99 latency per URL for the
//! site (as configured by default, and with a log line per request) and the two limits, with
//! the ratios; resident memory after the run; and startup to first served request over 10
//! cold starts.

use std::{
    collections::HashMap,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const CONNECTIONS: usize = 64;

mod support;
use support::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--limit-server") {
        return match args[2].as_str() {
            "axum" => axum_limit(&args[3], &args[4]),
            _ => hyper_limit(&args[3], &args[4]),
        };
    }
    if args.iter().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and the like: nothing to list
    }
    if !have(&["wrk", "taskset"], "serve") {
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let db_dir = std::env::temp_dir().join(format!("scdi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&db_dir).unwrap();
    let db = db_dir.join("bench.sqlite3");

    // Startup to first served request: 10 cold starts (the first on a new database).
    let mut startups = vec![];
    for _ in 0..10 {
        let port = free_port();
        let started = Instant::now();
        let mut child = start_site(root, &db, port, &[]);
        wait_ready(port, "/en/");
        startups.push(started.elapsed());
        stop(&mut child);
    }
    startups.sort();

    let port = free_port();
    // With the test's example statements, so that a statement page is measured too.
    let statements = ["--content-dir", "tests/fixtures/content"];
    let mut site = start_site(root, &db, port, &statements);
    wait_ready(port, "/en/");
    let css = css_path(port);
    let urls = [
        "/en/",
        "/fa/",
        "/fa/statements/stop-the-executions",
        css.as_str(),
    ];

    // The limit sends exactly the bytes the site sends for these URLs: the same headers
    // (the security headers are a good part of a response) and the same brotli body.
    let fixtures = db_dir.join("fixtures");
    std::fs::create_dir_all(&fixtures).unwrap();
    for (i, url) in urls.iter().enumerate() {
        let (head, body) = fetch(
            port,
            url,
            &format!("Accept-Encoding: {ACCEPT_ENCODING}\r\n"),
        );
        let headers: Vec<&str> = head
            .lines()
            .skip(1)
            .filter(|l| {
                let name = l.split(':').next().unwrap_or("").to_ascii_lowercase();
                !["date", "content-length", "connection", "transfer-encoding"]
                    .contains(&name.as_str())
            })
            .collect();
        std::fs::write(fixtures.join(format!("{i}.body")), body).unwrap();
        std::fs::write(
            fixtures.join(format!("{i}.meta")),
            format!("{url}\n{}\n", headers.join("\n")),
        )
        .unwrap();
    }
    // Two limits, each replaying exactly these bytes: a minimal axum server (a router and
    // one handler), and hyper's HTTP/1.1 server with a bare service (no router, no layers).
    let start_limit = |kind: &str| {
        let port = free_port();
        let child = Command::new("taskset")
            .args(["-c", SERVER_CORE])
            .arg(std::env::current_exe().unwrap())
            .args([
                "--limit-server",
                kind,
                fixtures.to_str().unwrap(),
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        wait_ready(port, "/en/");
        (child, port)
    };
    let (mut axum_limit, axum_port) = start_limit("axum");
    let (mut hyper_limit, hyper_port) = start_limit("hyper");

    // The site twice: as configured by default (requests counted, the counts logged every
    // minute) and with a log line per request (`--access-log`). All four servers stay up
    // and runs are interleaved per URL, so that they meet the same machine.
    let lines_port = free_port();
    let mut lines = start_site(
        root,
        &db,
        lines_port,
        &["--access-log", statements[0], statements[1]],
    );
    wait_ready(lines_port, "/en/");
    const SERVERS: [&str; 4] = [
        "scdi-site, default (counts)",
        "scdi-site, `--access-log`",
        "limit: minimal axum",
        "limit: bare hyper",
    ];
    let ports = [port, lines_port, axum_port, hyper_port];
    // runs[url][server]: one result per round.
    let mut runs: Vec<[Vec<WrkResult>; 4]> = urls.iter().map(|_| Default::default()).collect();
    // Each round takes about a minute, as does some of this machine's own periodic work:
    // the order of URLs and servers turns every round, so that such noise does not land on
    // the same pair every time.
    for round in 0..rounds() {
        for u in (0..urls.len()).map(|i| (i + round) % urls.len()) {
            for c in (0..ports.len()).map(|i| (i + round) % ports.len()) {
                runs[u][c].push(wrk(ports[c], urls[u], CONNECTIONS));
            }
        }
    }
    let rss_mib = rss_kib(site.id()) as f64 / 1024.0;
    for child in [&mut site, &mut lines, &mut axum_limit, &mut hyper_limit] {
        stop(child);
    }
    let _ = std::fs::remove_dir_all(&db_dir);

    // Ratios are medians of per-round ratios: each round's runs met the same machine.
    let ratio = |a: &[WrkResult], b: &[WrkResult], f: fn(&WrkResult) -> f64| {
        median(a.iter().zip(b).map(|(a, b)| f(a) / f(b)))
    };
    println!("\n| URL | server | req/s | p50 | p99 | req/s ÷ axum limit | p99 ÷ axum limit | req/s ÷ hyper limit | p99 ÷ hyper limit |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (url, runs) in urls.iter().zip(&runs) {
        let url = if url.starts_with("/static/") {
            "/static/site.<hash>.css"
        } else {
            url
        };
        for (c, name) in SERVERS.iter().enumerate() {
            let m = median_of(&runs[c]);
            let vs = |limit: usize| {
                if c == limit {
                    "-".to_string()
                } else {
                    format!(
                        "{:.2} | {:.2}",
                        ratio(&runs[c], &runs[limit], |r| r.rps),
                        ratio(&runs[c], &runs[limit], |r| r.p99)
                    )
                }
            };
            let (to_axum, to_hyper) = (vs(2), vs(3));
            let to_axum = if to_axum == "-" {
                "- | -".into()
            } else {
                to_axum
            };
            let to_hyper = if to_hyper == "-" {
                "- | -".into()
            } else {
                to_hyper
            };
            println!(
                "| `{url}` | {name} | {:.0} | {} | {} | {to_axum} | {to_hyper} |",
                m.rps,
                ms(m.p50),
                ms(m.p99),
            );
        }
    }
    println!(
        "\nwrk: 1 thread, {CONNECTIONS} connections, {} s per run, `Accept-Encoding: {ACCEPT_ENCODING}`; server on core {SERVER_CORE}, wrk on core {LOAD_CORE}; medians of {} rounds.",
        seconds(),
        rounds()
    );
    println!("Resident memory of scdi-site after the default runs: {rss_mib:.1} MiB.");
    let ms_of = |d: &Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
    println!(
        "Startup to first served request, 10 cold starts: median {} ms, slowest {} ms (all: {}).",
        ms_of(&startups[5]),
        ms_of(&startups[9]),
        startups.iter().map(ms_of).collect::<Vec<_>>().join(", ")
    );
}

fn css_path(port: u16) -> String {
    let (_, body) = fetch(port, "/en/", "");
    let html = String::from_utf8_lossy(&body);
    let start = html.find("/static/site.").unwrap();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

type Recorded = std::sync::Arc<HashMap<String, (axum::http::HeaderMap, axum::body::Bytes)>>;

/// What the site sent for each URL (`{i}.meta`: the URL, then its headers; `{i}.body`).
fn recorded(dir: &str) -> Recorded {
    use axum::http::{HeaderName, HeaderValue};
    let mut routes = HashMap::new();
    for i in 0.. {
        let Ok(meta) = std::fs::read_to_string(format!("{dir}/{i}.meta")) else {
            break;
        };
        let mut lines = meta.lines();
        let url = lines.next().unwrap().to_string();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| {
                (
                    HeaderName::from_bytes(k.trim().as_bytes()).unwrap(),
                    HeaderValue::from_str(v.trim()).unwrap(),
                )
            })
            .collect();
        let body = std::fs::read(format!("{dir}/{i}.body")).unwrap();
        routes.insert(url, (headers, body.into()));
    }
    std::sync::Arc::new(routes)
}

/// The recorded response for `path`, or a 404.
fn replay(routes: &Recorded, path: &str) -> axum::response::Response {
    use axum::{body::Body, http::StatusCode, response::Response};
    match routes.get(path) {
        Some((headers, body)) => {
            let mut res = Response::new(Body::from(body.clone()));
            *res.headers_mut() = headers.clone();
            res
        }
        None => {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::NOT_FOUND;
            res
        }
    }
}

/// A limit: a minimal axum server, one router and one handler replaying the bytes.
fn axum_limit(dir: &str, port: &str) {
    use axum::{extract::State, http::Uri, response::Response};
    async fn handler(State(routes): State<Recorded>, uri: Uri) -> Response {
        replay(&routes, uri.path())
    }
    let routes = recorded(dir);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let app = axum::Router::new().fallback(handler).with_state(routes);
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
            .await
            .unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}

/// A limit: the same HTTP stack as the site (hyper's HTTP/1.1 server, tokio) answering with
/// the recorded bytes and nothing else: no router, no layers, no logging.
fn hyper_limit(dir: &str, port: &str) {
    use axum::http::Request;
    use hyper_util::{rt::TokioIo, service::TowerToHyperService};
    let routes = recorded(dir);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
            .await
            .unwrap();
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let routes = routes.clone();
            let service = tower::service_fn(move |req: Request<hyper::body::Incoming>| {
                let res = replay(&routes, req.uri().path());
                std::future::ready(Ok::<_, std::convert::Infallible>(res))
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), TowerToHyperService::new(service))
                    .await;
            });
        }
    });
}
