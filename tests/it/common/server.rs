//! The real binary, started on a free loopback port with its own database, and a minimal
//! HTTP/1.1 client over raw TCP (so tests can also send what a browser would not).

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{mpsc, Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// A loopback port nothing listens on (yet).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct Server {
    pub child: Child,
    pub addr: String,
    pub db: PathBuf,
    /// Everything the server has logged so far.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `scdi-site serve` from the repository root with `db` and extra arguments, and
    /// waits until it logs the address it serves on.
    pub(crate) fn start(db: impl AsRef<Path>, extra: &[&str]) -> Server {
        Self::try_start(db, extra, &[]).expect("the server reports its address")
    }

    /// As [`Server::start`], with the binary run through `wrapper` (e.g. `prlimit
    /// --fsize=...`); `Err` with the log when the process exits before serving.
    /// `db`: a SQLite file or a PostgreSQL URL, as `--db` takes it.
    pub(crate) fn try_start(
        db: impl AsRef<Path>,
        extra: &[&str],
        wrapper: &[&str],
    ) -> Result<Server, String> {
        let db = db.as_ref();
        let bin = env!("CARGO_BIN_EXE_scdi-site");
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(bin);
                c
            }
            None => Command::new(bin),
        };
        let mut child = command
            .current_dir(super::repo_root())
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(extra)
            .env("RUST_LOG", "info")
            .env_remove("SCDI_ADDR")
            .env_remove("SCDI_DB")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the binary");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let log = Arc::new(Mutex::new(vec![]));
        let lines = log.clone();
        // Startup errors (anyhow) go to stderr: keep them with the log.
        let err_lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
                err_lines.lock().unwrap().push(line);
            }
        });
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line.clone());
                if let Some(i) = line.find("serving addr=") {
                    let addr = line[i + "serving addr=".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .to_string();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(addr);
                    }
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => Ok(Server {
                child,
                addr,
                db: db.to_path_buf(),
                log,
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                // Let the stderr reader finish.
                std::thread::sleep(Duration::from_millis(100));
                Err(log.lock().unwrap().join("\n"))
            }
        }
    }

    /// Everything logged so far, one line each.
    pub(crate) fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Sends SIGHUP and waits until the server says it reloaded the site (once more than it
    /// had said before).
    pub(crate) async fn reload(&self) {
        const RELOADED: &str = "site reloaded (SIGHUP)";
        let before = self.log_text().matches(RELOADED).count();
        self.signal("-HUP");
        let started = std::time::Instant::now();
        while self.log_text().matches(RELOADED).count() == before {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Peak resident memory (VmHWM) in KiB.
    pub(crate) fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

/// Sends `request` (raw bytes, which should say `Connection: close`) and reads the response
/// to the end.
pub(crate) async fn raw(addr: &str, request: &[u8]) -> std::io::Result<RawResponse> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request).await?;
    read_response(&mut stream).await
}

pub(crate) async fn read_response(stream: &mut TcpStream) -> std::io::Result<RawResponse> {
    let mut buf = vec![];
    stream.read_to_end(&mut buf).await?;
    parse(&buf)
}

pub(crate) fn parse(buf: &[u8]) -> std::io::Result<RawResponse> {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "no complete response head",
            )
        })?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
    Ok(RawResponse {
        status,
        head,
        body: buf[split + 4..].to_vec(),
    })
}

/// A same-origin form POST of `body` to `path`.
pub(crate) fn form_post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub(crate) fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").into_bytes()
}
