//! What the benches share: the site and load generator pinned to cores of their own, `wrk`
//! runs and their medians, and a minimal HTTP/1.1 client.

// Each bench includes this file and uses a part of it.
#![allow(dead_code)]

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// What the load generator accepts, as the limit's bytes were fetched with.
pub(crate) const ACCEPT_ENCODING: &str = "br, gzip";
/// Seconds per run (`SCDI_BENCH_SECS` to change).
pub(crate) fn seconds() -> String {
    std::env::var("SCDI_BENCH_SECS").unwrap_or_else(|_| "5".into())
}
/// Rounds over all servers and URLs; medians are reported (`SCDI_BENCH_ROUNDS`). A shared
/// machine drifts by 10% and more between runs, so one run per server says little.
pub(crate) fn rounds() -> usize {
    std::env::var("SCDI_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
}
pub(crate) const SERVER_CORE: &str = "0";
pub(crate) const LOAD_CORE: &str = "1";

/// Requests per second and latencies in microseconds.
pub(crate) struct WrkResult {
    pub(crate) rps: f64,
    pub(crate) p50: f64,
    pub(crate) p99: f64,
}

pub(crate) fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub(crate) fn median_of(runs: &[WrkResult]) -> WrkResult {
    WrkResult {
        rps: median(runs.iter().map(|r| r.rps)),
        p50: median(runs.iter().map(|r| r.p50)),
        p99: median(runs.iter().map(|r| r.p99)),
    }
}

pub(crate) fn ms(us: f64) -> String {
    format!("{:.2} ms", us / 1000.0)
}

/// wrk's latency (`612.00us`, `4.30ms`, `1.02s`) in microseconds.
pub(crate) fn micros(text: &str) -> f64 {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let value: f64 = text[..split].parse().unwrap_or(f64::NAN);
    match &text[split..] {
        "us" => value,
        "ms" => value * 1e3,
        "s" => value * 1e6,
        _ => f64::NAN,
    }
}

/// `wrk` on the load core: one thread, `connections` connections, to a loopback port.
pub(crate) fn wrk(port: u16, url: &str, connections: usize) -> WrkResult {
    let out = Command::new("taskset")
        .args([
            "-c",
            LOAD_CORE,
            "wrk",
            "-t1",
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{}s", seconds()),
            "--latency",
        ])
        .args(["-H", &format!("Accept-Encoding: {ACCEPT_ENCODING}")])
        .arg(format!("http://127.0.0.1:{port}{url}"))
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Non-2xx"), "errors during the run:\n{text}");
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_string()
    };
    WrkResult {
        rps: field("Requests/sec:").parse().unwrap_or(0.0),
        p50: micros(&field("50%")),
        p99: micros(&field("99%")),
    }
}

/// The site with `extra` arguments, logging as it does by default.
pub(crate) fn start_site(
    root: &str,
    db: impl AsRef<std::ffi::OsStr>,
    port: u16,
    extra: &[&str],
) -> Child {
    Command::new("taskset")
        .args([
            "-c",
            SERVER_CORE,
            env!("CARGO_BIN_EXE_scdi-site"),
            "serve",
            "--addr",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--db")
        .arg(db)
        .args(extra)
        .current_dir(root)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .spawn()
        .expect("start scdi-site")
}

pub(crate) fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn wait_ready(port: u16, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = write!(
                s,
                "GET {url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            );
            let mut buf = [0u8; 12];
            if s.read_exact(&mut buf).is_ok() && &buf == b"HTTP/1.1 200" {
                return;
            }
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    panic!("server on {port} not ready");
}

/// (response head, body) of a GET with `extra` request headers (each ending in `\r\n`).
pub(crate) fn fetch(port: u16, url: &str, extra: &str) -> (String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {url} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = vec![];
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    (
        String::from_utf8_lossy(&buf[..split]).into_owned(),
        buf[split + 4..].to_vec(),
    )
}

/// Whether every program is installed; says which is missing otherwise.
pub(crate) fn have(tools: &[&str], bench: &str) -> bool {
    for tool in tools {
        if Command::new("which")
            .arg(tool)
            .output()
            .map_or(true, |o| !o.status.success())
        {
            eprintln!("{bench} bench: `{tool}` is missing (Debian: apt-get install wrk util-linux nginx postgresql-client); skipped");
            return false;
        }
    }
    true
}
