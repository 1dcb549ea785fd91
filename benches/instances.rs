//! What several instances on PostgreSQL cost and give, measured on the real binary:
//!
//! - stored messages per second: 16 concurrent writers post the contact form (each a
//!   connection per message, as browsers do) to one instance on SQLite (`synchronous=FULL`,
//!   as the site runs it) and to one on PostgreSQL; only 303s (a committed message) count;
//! - page throughput (`/fa/`, brotli) through nginx with the files in `deploy/nginx`, in
//!   front of one instance and of two, beside the instance served directly.
//!
//! `cargo bench --bench instances` (needs `wrk`, `taskset`, `nginx`, `psql`, and a PostgreSQL
//! server: `SCDI_BENCH_DATABASE_URL`, else the one on 127.0.0.1:5432; a database is made for
//! the run and dropped). The site (and nginx) run on core 0, the load on core 1; PostgreSQL
//! is not pinned. Runs are interleaved over rounds and medians reported.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

mod support;
use support::*;

#[path = "../tests/it/common/nginx.rs"]
mod nginx;

const WRITERS: usize = 16;
const CONNECTIONS: usize = 50;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--writers") {
        return writers(args[2].parse().unwrap(), args[3].parse().unwrap());
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    if !have(&["wrk", "taskset", "nginx", "psql"], "instances") {
        return;
    }
    // This process on the server core, so that what it starts (nginx, the instances) is
    // there too; the load is sent from the other core.
    if std::env::var_os("SCDI_BENCH_PINNED").is_none() {
        let status = Command::new("taskset")
            .args(["-c", SERVER_CORE])
            .arg(std::env::current_exe().unwrap())
            .args(&args[1..])
            .env("SCDI_BENCH_PINNED", "1")
            .status()
            .unwrap();
        std::process::exit(status.code().unwrap_or(1));
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let server = std::env::var("SCDI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("scdi_bench_{}", std::process::id());
    psql(&server, &format!("CREATE DATABASE {name}"));
    let pg = format!("{}/{name}", &server[..server.rfind('/').unwrap()]);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("bench.sqlite3");

    // Writers: no contact limit (every message is a reader of its own here).
    let no_limit = ["--contact-per-hour", "0"];
    let stores: [(&str, String); 2] = [
        ("SQLite (synchronous=FULL)", sqlite.to_str().unwrap().into()),
        ("PostgreSQL 127.0.0.1", pg.clone()),
    ];
    let sites: Vec<_> = stores
        .iter()
        .map(|(_, db)| {
            let port = free_port();
            let child = start_site(root, db, port, &no_limit);
            wait_ready(port, "/en/");
            (child, port)
        })
        .collect();
    let mut stored: [Vec<f64>; 2] = Default::default();
    for round in 0..rounds() {
        for s in (0..2).map(|i| (i + round) % 2) {
            stored[s].push(messages_per_second(sites[s].1));
        }
    }
    for (mut child, _) in sites {
        stop(&mut child);
    }

    // Pages: directly, and through nginx to one and to two instances (on PostgreSQL, with
    // the client address from nginx, as deployed).
    let proxied = ["--client-ip-header", "X-Real-IP"];
    let mut instances: Vec<_> = (0..2)
        .map(|_| {
            let port = free_port();
            let child = start_site(root, &pg, port, &proxied);
            wait_ready(port, "/fa/");
            (child, port)
        })
        .collect();
    let addr = |i: usize| format!("127.0.0.1:{}", instances[i].1);
    let (a, b) = (addr(0), addr(1));
    let one = nginx::Nginx::in_front_of(Path::new(root), &[&a]);
    let two = nginx::Nginx::in_front_of(Path::new(root), &[&a, &b]);
    let paths = [
        ("one instance, direct", instances[0].1),
        ("nginx → one instance", one.port),
        ("nginx → two instances", two.port),
    ];
    for (_, port) in &paths {
        wait_ready(*port, "/fa/");
    }
    let mut pages: [Vec<WrkResult>; 3] = Default::default();
    for round in 0..rounds() {
        for p in (0..3).map(|i| (i + round) % 3) {
            pages[p].push(wrk(paths[p].1, "/fa/", CONNECTIONS));
        }
    }
    drop((one, two));
    for (child, _) in &mut instances {
        stop(child);
    }
    psql(&server, &format!("DROP DATABASE {name} WITH (FORCE)"));

    println!("\n| store | messages stored per second (16 writers) |");
    println!("|---|---|");
    for ((label, _), runs) in stores.iter().zip(&stored) {
        println!("| {label} | {:.0} |", median(runs.iter().copied()));
    }
    println!("\n| `/fa/` | req/s | p50 | p99 | req/s ÷ direct |");
    println!("|---|---|---|---|---|");
    for ((label, _), runs) in paths.iter().zip(&pages) {
        let m = median_of(runs);
        let ratio = median(runs.iter().zip(&pages[0]).map(|(r, d)| r.rps / d.rps));
        println!(
            "| {label} | {:.0} | {} | {} | {ratio:.2} |",
            m.rps,
            ms(m.p50),
            ms(m.p99)
        );
    }
    println!(
        "\n{WRITERS} writers, a connection per message; wrk: 1 thread, {CONNECTIONS} connections, `Accept-Encoding: {ACCEPT_ENCODING}`; {} s per run, medians of {} rounds; site and nginx on core {SERVER_CORE}, load on core {LOAD_CORE}, PostgreSQL not pinned.",
        seconds(),
        rounds()
    );
}

fn psql(url: &str, sql: &str) {
    let ok = Command::new("psql")
        .args([url, "-qc", sql])
        .status()
        .unwrap()
        .success();
    assert!(ok, "psql: {sql}");
}

/// One run of the writers (on the load core), in messages per second.
fn messages_per_second(port: u16) -> f64 {
    let out = Command::new("taskset")
        .args(["-c", LOAD_CORE])
        .arg(std::env::current_exe().unwrap())
        .args(["--writers", &port.to_string(), &seconds()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// `WRITERS` threads posting the form for `secs` seconds; prints the 303s per second.
fn writers(port: u16, secs: u64) {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            std::thread::spawn(move || {
                let mut stored = 0u64;
                let mut n = 0u64;
                while Instant::now() < deadline {
                    n += 1;
                    let body = format!(
                        "name=Writer+{w}&email=w%40example.org&message=%D9%87%D9%85%D8%A8%D8%B3%D8%AA%DA%AF%DB%8C+{n}"
                    );
                    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                    write!(
                        s,
                        "POST /fa/contact HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .unwrap();
                    let mut status = [0u8; 12];
                    s.read_exact(&mut status).unwrap();
                    assert_eq!(&status, b"HTTP/1.1 303", "every message is stored");
                    stored += 1;
                }
                stored
            })
        })
        .collect();
    let stored: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    println!("{}", stored as f64 / started.elapsed().as_secs_f64());
}
