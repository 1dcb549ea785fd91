//! Debian's nginx with the site's `deploy/nginx` files, run on a prefix of its own in front
//! of given instances. Standard library only: `benches/instances.rs` uses it too.

use std::{
    net::TcpStream,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub(crate) struct Nginx {
    child: Child,
    pub(crate) port: u16,
    /// The folder of its error log (the shipped files keep no access log).
    #[allow(
        dead_code,
        reason = "read by the deploy test; the benchmark shares this file"
    )]
    pub(crate) logs: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    /// A fast shutdown (SIGTERM), so that the master takes its workers with it.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Nginx {
    /// nginx with everything of `deploy/nginx/scdi-site.conf` above its first `server` block
    /// (logging, zones, cache, the upstream, one line per address of `instances`) and a
    /// server that includes `scdi-site-proxy.conf`, both as they are but for the instances'
    /// ports and the paths of the cache and the error log. Only the TLS lines of the real
    /// server blocks are left out: there is no certificate to test with.
    pub(crate) fn in_front_of(root: &Path, instances: &[&str]) -> Nginx {
        Self::of("scdi-site.conf", root, instances)
    }

    /// As [`Nginx::in_front_of`], with the shipped file `conf` of `deploy/nginx`.
    pub(crate) fn of(conf: &str, root: &Path, instances: &[&str]) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path();
        // Workers may run as another user (when started by root): let them write here.
        for sub in ["", "cache", "temp", "logs"] {
            std::fs::create_dir_all(prefix.join(sub)).unwrap();
            Command::new("chmod")
                .arg("0777")
                .arg(prefix.join(sub))
                .status()
                .unwrap();
        }
        let site = std::fs::read_to_string(root.join("deploy/nginx").join(conf)).unwrap();
        let upstream_part = &site[..site.find("\nserver {").unwrap()];
        let upstream_part = upstream_part
            .replace(
                "/var/cache/nginx/scdi-site",
                prefix.join("cache").to_str().unwrap(),
            )
            .replace(
                "/var/log/nginx/error.log",
                prefix.join("logs/error.log").to_str().unwrap(),
            );
        // The file names one or two instances; the first line stands for every one.
        let listed: Vec<&str> = upstream_part
            .lines()
            .filter(|l| l.starts_with("    server 127.0.0.1:"))
            .collect();
        let first = listed[0];
        let port_of_first = first["    server ".len()..]
            .split_whitespace()
            .next()
            .unwrap();
        let lines: Vec<String> = instances
            .iter()
            .map(|addr| first.replace(port_of_first, addr))
            .collect();
        let mut kept: Vec<String> = vec![];
        for line in upstream_part.lines() {
            if line == first {
                kept.extend(lines.iter().cloned());
            } else if !listed.contains(&line) {
                kept.push(line.to_string());
            }
        }
        let upstream_part = kept.join("\n");
        assert!(
            !upstream_part.contains("127.0.0.1:300"),
            "an instance per upstream line"
        );
        // Where nginx's default logs go, were the shipped file not to turn them off.
        let logs_dir = prefix.join("logs");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let snippet = root.join("deploy/nginx/scdi-site-proxy.conf");
        let temp = prefix.join("temp");
        let conf = format!(
            "daemon off;\n\
             worker_processes 1;\n\
             pid {pid};\n\
             error_log {logs}/error.log warn;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n\
             client_body_temp_path {temp}/body;\n\
             proxy_temp_path {temp}/proxy;\n\
             fastcgi_temp_path {temp}/fastcgi;\n\
             uwsgi_temp_path {temp}/uwsgi;\n\
             scgi_temp_path {temp}/scgi;\n\
             {upstream_part}\n\
             server {{\n\
                 listen 127.0.0.1:{port};\n\
                 include {snippet};\n\
             }}\n\
             }}\n",
            pid = prefix.join("nginx.pid").display(),
            logs = prefix.join("logs").display(),
            temp = temp.display(),
            snippet = snippet.display(),
        );
        let conf_path = prefix.join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let check = Command::new("nginx")
            .arg("-t")
            .arg("-p")
            .arg(prefix)
            .arg("-c")
            .arg(&conf_path)
            .output()
            .expect("nginx (Debian's nginx package; scripts/test installs it)");
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new("nginx")
            .arg("-p")
            .arg(prefix)
            .arg("-c")
            .arg(&conf_path)
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx listens");
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx {
            child,
            port,
            logs: logs_dir,
            _dir: dir,
        }
    }
}
