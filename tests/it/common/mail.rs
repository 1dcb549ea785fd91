//! Real receivers for notifications: Debian's aiosmtpd as the mail server (with the handler
//! in `tests/smtp/scdi_smtp.py`), and a small HTTP server as the webhook's receiver.

use std::{
    collections::VecDeque,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post};

use super::{repo_root, server::free_port};

/// One mail the server kept, as Python's email package decoded it.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Mail {
    pub(crate) rcpt_tos: Vec<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
    /// The bytes received, undecoded.
    #[serde(skip)]
    pub(crate) raw: String,
}

impl Mail {
    /// Every value of header `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// aiosmtpd on a loopback port, keeping mail in a folder of its own.
pub(crate) struct SmtpServer {
    child: Child,
    pub(crate) port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// `mode`: `accept`, `reject` or `slow-first` (see the handler).
    pub(crate) fn start(mode: &str) -> Self {
        Self::start_on(free_port(), mode)
    }

    pub(crate) fn start_on(port: u16, mode: &str) -> Self {
        super::services::require();
        let dir = tempfile::tempdir().unwrap();
        // Debian's Python, where python3-aiosmtpd is installed (scripts/test installs it).
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "scdi_smtp.Save"])
            .arg(dir.path())
            .arg(mode)
            .env("PYTHONPATH", repo_root().join("tests/smtp"))
            .stdout(Stdio::null())
            .spawn()
            .expect("/usr/bin/python3 with Debian's python3-aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd listens (is python3-aiosmtpd installed?)"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, dir }
    }

    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The mail kept so far, oldest first.
    pub(crate) fn mail(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                let mut mail: Mail =
                    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
                mail.raw =
                    String::from_utf8_lossy(&std::fs::read(p.with_extension("eml")).unwrap())
                        .into_owned();
                mail
            })
            .collect()
    }

    /// Waits until at least `n` mails were kept (at most 30 s); returns them all.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mail = self.mail();
            if mail.len() >= n {
                return mail;
            }
            assert!(
                Instant::now() < deadline,
                "{n} mail(s) arrive; {} did",
                mail.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A webhook receiver: answers with the given statuses in turn (then 200), and keeps every
/// request's headers and body.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

type Answers = Arc<Mutex<VecDeque<StatusCode>>>;

impl Receiver {
    pub(crate) async fn start(answers: &[u16]) -> Self {
        let received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
        let answers: Answers = Arc::new(Mutex::new(
            answers
                .iter()
                .map(|s| StatusCode::from_u16(*s).unwrap())
                .collect(),
        ));
        let kept = received.clone();
        let app = axum::Router::new()
            .route(
                "/hook",
                post(
                    |State(answers): State<Answers>, headers: HeaderMap, body: Bytes| async move {
                        kept.lock().unwrap().push((headers, body));
                        answers
                            .lock()
                            .unwrap()
                            .pop_front()
                            .unwrap_or(StatusCode::OK)
                    },
                ),
            )
            .with_state(answers);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, received }
    }

    pub(crate) fn received(&self) -> Vec<(HeaderMap, Bytes)> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests came (at most 30 s).
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<(HeaderMap, Bytes)> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(Instant::now() < deadline, "{n} request(s) arrive");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
