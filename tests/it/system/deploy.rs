//! The files in `deploy/`, tested rather than just written: the systemd unit (verified by
//! systemd, and its settings given to the binary as the unit gives them), and nginx with the
//! site's upstream and proxy snippet in front of two instances on one PostgreSQL, one of
//! them killed in the middle of 400 concurrent submissions.

use std::{
    collections::BTreeMap,
    process::{Command, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use scdi_site::config::Database;
use tokio::{io::AsyncWriteExt, net::TcpSocket};

use crate::common::{
    form_body, names_stored_in,
    nginx::Nginx,
    postgres::TestDatabase,
    repo_root,
    server::{free_port, get, raw, read_response, RawResponse, Server},
};

/// The unit's `Environment=` settings and its `ExecStart`, with `%i` as `port`.
fn unit_settings(port: u16) -> (Vec<(String, String)>, String, String) {
    let unit = std::fs::read_to_string(repo_root().join("deploy/scdi-site@.service")).unwrap();
    let mut env = vec![];
    let (mut exec, mut dir) = (String::new(), String::new());
    for line in unit.lines() {
        let line = line.replace("%i", &port.to_string());
        if let Some(setting) = line.strip_prefix("Environment=") {
            let (k, v) = setting.split_once('=').unwrap();
            env.push((k.to_string(), v.to_string()));
        } else if let Some(command) = line.strip_prefix("ExecStart=") {
            exec = command.to_string();
        } else if let Some(d) = line.strip_prefix("WorkingDirectory=") {
            dir = d.to_string();
        }
    }
    (env, exec, dir)
}

#[test]
fn the_systemd_unit_is_hardened_and_verifies() {
    let unit = std::fs::read_to_string(repo_root().join("deploy/scdi-site@.service")).unwrap();
    for directive in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/scdi-site",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
        // Every secret handed to the service alone; SIGHUP reloads rather than stops.
        "LoadCredential=db-password:/etc/scdi-site/db-password",
        "LoadCredential=smtp-password:/etc/scdi-site/smtp-password",
        "LoadCredential=webhook-secret:/etc/scdi-site/webhook-secret",
        "ExecReload=/bin/kill -HUP $MAINPID",
    ] {
        assert!(unit.lines().any(|l| l == directive), "{directive}");
    }
    // systemd's own check, with the binary where the unit expects it.
    crate::common::services::require();
    let dir = tempfile::tempdir().unwrap();
    let unit_path = dir.path().join("scdi-site@3001.service");
    std::fs::write(
        &unit_path,
        unit.replace("/usr/local/bin/scdi-site", env!("CARGO_BIN_EXE_scdi-site")),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit_path)
        .output()
        .expect("systemd-analyze (Debian's systemd package)");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}

/// The binary started as the unit starts it (its environment, its command), with the unit's
/// paths in a temporary folder: it serves, and keeps its database where the unit allows it
/// to write.
#[tokio::test]
async fn the_binary_runs_with_the_units_settings() {
    let state = tempfile::tempdir().unwrap();
    let port = free_port();
    let (env, exec, workdir) = unit_settings(port);
    assert_eq!(workdir, "/usr/local/share/scdi-site");
    let mut args = exec.split_whitespace();
    assert_eq!(args.next(), Some("/usr/local/bin/scdi-site"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_scdi-site"));
    command
        .args(args)
        .current_dir(repo_root())
        .stdout(Stdio::null());
    for (k, v) in &env {
        let v = v.replace("/var/lib/scdi-site", state.path().to_str().unwrap());
        command.env(k, v);
    }
    command.env_remove("SCDI_DB_PASSWORD_FILE");
    let mut child = command.spawn().unwrap();
    let addr = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let ready = loop {
        if let Ok(res) = raw(&addr, &get("/readyz")).await {
            break res;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "it serves");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(ready.status, 200);
    assert!(state.path().join("scdi.sqlite3").exists());
}

/// A request to nginx from the loopback address `from` (each reader an address of its
/// own, as on the internet: nginx caps connections per address).
async fn request_from(from: std::net::Ipv4Addr, port: u16, request: &[u8]) -> std::io::Result<u16> {
    Ok(response_from(from, port, request).await?.status)
}

/// As [`request_from`], the whole response.
async fn response_from(
    from: std::net::Ipv4Addr,
    port: u16,
    request: &[u8],
) -> std::io::Result<RawResponse> {
    let socket = TcpSocket::new_v4()?;
    socket.bind((from, 0).into())?;
    let mut stream = socket.connect(([127, 0, 0, 1], port).into()).await?;
    stream.write_all(request).await?;
    read_response(&mut stream).await
}

/// Reader `i`'s own address.
fn address_of(i: u32) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::new(127, 1, (i / 250) as u8, (i % 250 + 1) as u8)
}

/// Reader `name`'s message.
fn reader_body(name: &str) -> String {
    form_body(&[
        ("name", name),
        ("email", "reader@example.org"),
        ("message", "همبستگی"),
    ])
}

fn post(body: &str) -> Vec<u8> {
    format!(
        "POST /fa/contact HTTP/1.1\r\nHost: example.org\r\nContent-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_fails_over_and_no_acknowledged_message_is_lost_or_doubled() {
    let db = TestDatabase::new().await;
    let args = ["--contact-per-hour", "0", "--client-ip-header", "X-Real-IP"];
    let mut a = Server::start(&db.url, &args);
    let b = Server::start(&db.url, &args);
    let nginx = Nginx::in_front_of(repo_root(), &[&a.addr, &b.addr]);
    let port = nginx.port;

    // Readers keep reading while it happens.
    let stop = Arc::new(AtomicBool::new(false));
    let (pages_ok, pages_failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let reader = {
        let (stop, ok, failed) = (stop.clone(), pages_ok.clone(), pages_failed.clone());
        tokio::spawn(async move {
            let request = b"GET /en/ HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n";
            while !stop.load(Ordering::Relaxed) {
                match request_from([127, 0, 2, 1].into(), port, request).await {
                    Ok(200) => ok.fetch_add(1, Ordering::Relaxed),
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    // 400 readers, each from an address of its own, all at once.
    let started = Instant::now();
    let answered = Arc::new(tokio::sync::watch::Sender::new(0u32));
    let submissions: Vec<_> = (0..400u32)
        .map(|i| {
            let answered = answered.clone();
            tokio::spawn(async move {
                let name = format!("Reader {i}");
                let status = request_from(address_of(i), port, &post(&reader_body(&name))).await;
                answered.send_modify(|n| *n += 1);
                (i, name, status)
            })
        })
        .collect();
    // One instance dies in the middle: once a quarter of the readers have their answer.
    answered.subscribe().wait_for(|&n| n >= 100).await.unwrap();
    a.signal("-KILL");
    a.child.wait().unwrap();
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    let (mut acknowledged, mut unanswered) = (vec![], vec![]);
    for s in submissions {
        let (i, name, status) = s.await.unwrap();
        let status = status.map_or("no answer".to_string(), |s| s.to_string());
        if status == "303" {
            acknowledged.push(name);
        } else {
            unanswered.push((i, name));
        }
        *statuses.entry(status).or_default() += 1;
    }
    let took = started.elapsed();
    // Readers who got nginx's 502 (their instance killed mid-request: stored or not, nobody
    // knows) send again, as they would: thanked now, and each message stored once.
    for (i, name) in &unanswered {
        let status = request_from(address_of(*i), port, &post(&reader_body(name))).await;
        assert_eq!(status.ok(), Some(303), "{name} sent again");
    }
    // After the kill, pages still come (from the other instance): 20 more are awaited.
    let after_kill = pages_ok.load(Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(10);
    while pages_ok.load(Ordering::Relaxed) < after_kill + 20 {
        assert!(Instant::now() < deadline, "no pages after the kill");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    reader.await.unwrap();
    let pages_after = pages_ok.load(Ordering::Relaxed) - after_kill;

    let stored = names_stored_in(&Database::Postgres(db.url.clone())).await;
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for name in &stored {
        *counts.entry(name.as_str()).or_default() += 1;
    }
    println!(
        "nginx, 2 instances, one SIGKILLed: 400 submissions in {:.2} s: {statuses:?}; \
         {} stored; pages read: {} ok, {} failed",
        took.as_secs_f64(),
        stored.len(),
        pages_ok.load(Ordering::Relaxed),
        pages_failed.load(Ordering::Relaxed)
    );
    assert!(acknowledged.len() > 100, "load went through: {statuses:?}");
    for name in acknowledged
        .iter()
        .chain(unanswered.iter().map(|(_, name)| name))
    {
        assert_eq!(
            counts.get(name.as_str()),
            Some(&1),
            "{name}: answered 303 (at once, or when sent again), stored once"
        );
    }
    assert!(counts.values().all(|&n| n == 1), "nothing stored twice");
    assert_eq!(
        pages_failed.load(Ordering::Relaxed),
        0,
        "nginx fails over for readers"
    );
    assert!(pages_after > 10, "pages after the kill: {pages_after}");
    // The survivor still serves through nginx.
    let res = raw(&format!("127.0.0.1:{port}"), &get("/fa/"))
        .await
        .unwrap();
    assert_eq!(res.status, 200);
    drop(b);
}

/// The one-server file, as a volunteer installs it: a reader's address is in no nginx log
/// (neither a page, nor a message, nor the error of an instance that is down), nginx does
/// not say its version, and the form works on a port other than 443 from a browser that
/// sends no `Sec-Fetch-Site` (the Host passed on keeps its port).
#[tokio::test]
async fn through_the_one_server_config_no_reader_address_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--client-ip-header", "X-Real-IP"];
    let mut site = Server::start(dir.path().join("db.sqlite3"), &args);
    let nginx = Nginx::of("single.conf", repo_root(), &[&site.addr]);
    let port = nginx.port;
    let reader = std::net::Ipv4Addr::new(127, 83, 47, 1);
    let page = response_from(reader, port, &get("/en/")).await.unwrap();
    assert_eq!(page.status, 200);
    let server = page
        .head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("server:"))
        .unwrap();
    assert_eq!(server.trim_end(), "Server: nginx", "no version said");
    let body = reader_body("Through nginx");
    let form = format!(
        "POST /en/contact HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let sent = request_from(reader, port, form.as_bytes()).await.unwrap();
    assert_eq!(
        sent, 303,
        "the Host keeps its port: the origin check passes"
    );
    site.signal("-KILL");
    site.child.wait().unwrap();
    let down = request_from(reader, port, &get("/fa/")).await.unwrap();
    assert_eq!(
        down, 502,
        "the instance is down: nginx says so, and would log it"
    );
    // nginx's own folder (the error log), and Debian's default logs, which nginx would
    // write to were the shipped file not to turn them off.
    let address = reader.to_string();
    let mut logs: Vec<std::path::PathBuf> = std::fs::read_dir(&nginx.logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    logs.push("/var/log/nginx/access.log".into());
    logs.push("/var/log/nginx/error.log".into());
    for log in &logs {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        assert!(!text.contains(&address), "{}: {text}", log.display());
    }
}
