//! Statements at scale: 1,000 generated statements in English and Persian (each a few
//! hundred words), served by the release binary. Measures, over rounds (medians):
//!
//! - start to the first served request (`/fa/statements/`), every page rendered;
//! - resident memory then, and once the background compression is done;
//! - SIGHUP reload of the running site (compressed): from the signal to a changed statement
//!   being served; and the peak resident memory of the whole run (`VmHWM`).
//!
//! `cargo bench --bench statements` (`SCDI_BENCH_ROUNDS`, default 5). The site runs on core 0.

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

mod support;
use support::*;

const STATEMENTS: usize = 1000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    if !have(&["taskset"], "statements") {
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    generate(&content);
    let content_arg = content.to_str().unwrap();
    let (mut starts, mut rss, mut peaks, mut reloads) = (vec![], vec![], vec![], vec![]);
    let mut settled = vec![];
    for round in 0..rounds() {
        let db = dir.path().join(format!("bench-{round}.sqlite3"));
        let port = free_port();
        let started = Instant::now();
        let mut site = start_site(root, &db, port, &["--content-dir", content_arg]);
        wait_ready(port, "/fa/statements/");
        starts.push(started.elapsed().as_secs_f64() * 1e3);
        rss.push(memory(site.id(), "VmRSS"));
        wait_fully_compressed(port);
        settled.push(memory(site.id(), "VmRSS"));

        // A changed title, then SIGHUP: timed until the new title is served.
        let file = content.join("statements/statement-0999/en.md");
        let text = std::fs::read_to_string(&file).unwrap();
        let title = format!("Reloaded {round}");
        std::fs::write(&file, text.replacen("Statement 999", &title, 1)).unwrap();
        let signalled = Instant::now();
        Command::new("kill")
            .args(["-HUP", &site.id().to_string()])
            .status()
            .unwrap();
        loop {
            let (_, body) = fetch(port, "/en/statements/statement-0999", "");
            if String::from_utf8_lossy(&body).contains(&title) {
                break;
            }
            assert!(signalled.elapsed() < Duration::from_secs(30), "no reload");
            std::thread::sleep(Duration::from_millis(1));
        }
        reloads.push(signalled.elapsed().as_secs_f64() * 1e3);
        std::fs::write(&file, text).unwrap();
        wait_fully_compressed(port);
        peaks.push(memory(site.id(), "VmHWM"));
        stop(&mut site);
    }
    let med = |v: &[f64]| median(v.iter().copied());
    println!(
        "{STATEMENTS} statements in 2 languages ({} rounds, medians):\n\n\
         | start to first served request | RSS then | RSS once compressed | SIGHUP reload | peak RSS |\n\
         |---|---|---|---|---|\n\
         | {:.0} ms | {:.1} MiB | {:.1} MiB | {:.0} ms | {:.1} MiB |",
        starts.len(),
        med(&starts),
        med(&rss),
        med(&settled),
        med(&reloads),
        med(&peaks),
    );
}

/// Waits until a statement page is served at its best compression: the quick form first
/// (smaller than the page), then a smaller one.
fn wait_fully_compressed(port: u16) {
    let size = || {
        fetch(
            port,
            "/fa/statements/statement-0001",
            "Accept-Encoding: br\r\n",
        )
        .1
        .len()
    };
    let plain = fetch(port, "/fa/statements/statement-0001", "").1.len();
    let started = Instant::now();
    let mut quick = size();
    while quick >= plain {
        std::thread::sleep(Duration::from_millis(10));
        quick = size();
    }
    while size() >= quick {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "never fully compressed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A line of `/proc/<pid>/status` (`VmRSS`, `VmHWM`) in MiB.
fn memory(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024.0
}

/// `STATEMENTS` statements, one a day back from 2026-11-30, each in English and Persian.
fn generate(content: &Path) {
    let en_paragraph = "The campaign stands with the workers, women and students of Iran in \
        their struggle for democracy, human rights and social justice, and calls on the \
        labour movement in Britain to give its solidarity in word and in deed. ";
    let fa_paragraph = "کارزار در کنار کارگران، زنان و دانشجویان ایران در مبارزه‌شان برای \
        دموکراسی، حقوق بشر و عدالت اجتماعی ایستاده است و از جنبش کارگری بریتانیا \
        می‌خواهد که در گفتار و کردار همبستگی نشان دهد. ";
    let last = time::macros::date!(2026 - 11 - 30);
    for i in 0..STATEMENTS {
        let folder = content.join(format!("statements/statement-{i:04}"));
        std::fs::create_dir_all(&folder).unwrap();
        let date = last - time::Duration::days((STATEMENTS - 1 - i) as i64);
        for (lang, title, paragraph) in [
            ("en", format!("Statement {i}"), en_paragraph),
            ("fa", format!("بیانیهٔ {i}"), fa_paragraph),
        ] {
            let body = (0..8)
                .map(|_| paragraph.repeat(2))
                .collect::<Vec<_>>()
                .join("\n\n");
            std::fs::write(
                folder.join(format!("{lang}.md")),
                format!("+++\ntitle = \"{title}\"\ndate = {date}\n+++\n{body}\n"),
            )
            .unwrap();
        }
    }
}
