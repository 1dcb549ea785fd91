//! PostgreSQL for the tests: a database of its own for each test, on the server that
//! `SCDI_TEST_DATABASE_URL` names (`scripts/test` provides one; by default the local
//! `postgres://postgres@127.0.0.1:5432/postgres`), dropped when the test ends. No server is a
//! failure that says how to get one, never a silent skip.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, PgConnection};

/// Where the tests may create databases.
pub(crate) fn server_url() -> String {
    std::env::var("SCDI_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The URL of database `name` on the same server as `url`.
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let mut url = url::Url::parse(url).expect("SCDI_TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A database for one test; dropped (with its connections) when this is.
pub(crate) struct TestDatabase {
    pub(crate) url: String,
    name: String,
}

impl TestDatabase {
    pub(crate) async fn new() -> Self {
        super::services::require();
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let server = server_url();
        let mut admin = PgConnection::connect(&server).await.unwrap_or_else(|e| {
            panic!(
                "the PostgreSQL tests need a server: none answers at {server} ({e}). Run \
                 scripts/test, which provides one, or set SCDI_TEST_DATABASE_URL"
            )
        });
        let name = format!(
            "scdi_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        Self {
            url: with_database(&server, &name),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (server, name) = (server_url(), self.name.clone());
        // Drop runs outside async: a runtime of its own, on a thread of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&server)
                    .await
                    .map_err(std::io::Error::other)?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map_err(std::io::Error::other)?;
                Ok::<_, std::io::Error>(())
            })
        })
        .join();
    }
}

/// A PostgreSQL server of the test's own, to stop and start at will (the shared one must
/// stay up for the other tests): `initdb` into a temporary folder, on a free port, trust
/// authentication. Run as the `postgres` user when the tests run as root (PostgreSQL
/// refuses root). Stopped on drop.
pub(crate) struct TestCluster {
    pub(crate) port: u16,
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
}

impl TestCluster {
    pub(crate) fn start() -> Self {
        super::services::require();
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions
                    .filter_map(|v| v.ok().map(|v| v.path().join("bin")))
                    .filter(|b| b.join("initdb").exists())
                    .max()
            })
            .expect("PostgreSQL's server programs (Debian's postgresql package; scripts/test installs it)");
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Self { port, dir, bin };
        if cluster.as_root() {
            let status = std::process::Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(cluster.dir.path())
                .status()
                .unwrap();
            assert!(status.success());
        }
        let data = cluster.dir.path().join("data");
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        cluster.up();
        cluster
    }

    fn as_root(&self) -> bool {
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .unwrap()
            .stdout
            == b"0\n"
    }

    /// A command running one of PostgreSQL's programs, as `postgres` when we are root.
    fn command(&self, program: &str) -> std::process::Command {
        let program = self.bin.join(program);
        if self.as_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            std::process::Command::new(program)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server and waits until it accepts connections.
    pub(crate) fn up(&self) {
        let data = self.dir.path().join("data");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server (fast shutdown: open connections are cut).
    pub(crate) fn down(&self) {
        let data = self.dir.path().join("data");
        self.run(
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", "fast", "-w", "stop"],
        );
    }

    pub(crate) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .command("pg_ctl")
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .output();
    }
}
