//! What the system tests (and the store tests run on PostgreSQL) need beyond the
//! repository, checked once: a PostgreSQL server,
//! PostgreSQL's own programs (for the tests that start a cluster of their own), nginx,
//! systemd's unit checker and Python's aiosmtpd. `scripts/test` provides them all. When one
//! is missing, the run stops at the first test that needs it, with one line naming what is
//! missing and `scripts/test`, instead of each test failing with a connection error.

use std::{io::Write, net::ToSocketAddrs, process::Command, sync::Once, time::Duration};

/// Stops the test run unless every service the system tests use is here.
pub(crate) fn require() {
    static CHECKED: Once = Once::new();
    CHECKED.call_once(|| {
        let missing = missing();
        if !missing.is_empty() {
            // Past the harness's capture of `eprintln!`, which exiting would throw away.
            let _ = writeln!(
                std::io::stderr().lock(),
                "\nThese tests need {}: run scripts/test, which installs and starts them.",
                missing.join(", ")
            );
            std::process::exit(2);
        }
    });
}

fn missing() -> Vec<String> {
    let mut missing = vec![];
    let server = super::postgres::server_url();
    if !postgres_answers(&server) {
        missing.push(format!(
            "a PostgreSQL server at {server} (or SCDI_TEST_DATABASE_URL)"
        ));
    }
    let has_initdb = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .any(|v| v.path().join("bin/initdb").exists());
    if !has_initdb {
        missing.push("PostgreSQL's programs (Debian's postgresql)".into());
    }
    for (program, arg, package) in [
        ("nginx", "-v", "nginx"),
        ("systemd-analyze", "--version", "systemd"),
    ] {
        if !runs(Command::new(program).arg(arg)) {
            missing.push(format!("{program} (Debian's {package})"));
        }
    }
    if !runs(Command::new("/usr/bin/python3").args(["-c", "import aiosmtpd"])) {
        missing.push("aiosmtpd (Debian's python3-aiosmtpd)".into());
    }
    missing
}

fn runs(command: &mut Command) -> bool {
    command.output().is_ok_and(|out| out.status.success())
}

/// Whether something listens where `url` points (the tests then connect for real).
fn postgres_answers(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    let (host, port) = (
        url.host_str().unwrap_or("localhost"),
        url.port().unwrap_or(5432),
    );
    (host.trim_matches(['[', ']']), port)
        .to_socket_addrs()
        .into_iter()
        .flatten()
        .any(|addr| std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok())
}
