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
    /// (zones, cache, the upstream, one line per address of `instances`) and a server that
    /// includes `scdi-site-proxy.conf`, both as they are but for the instances' ports and
    /// the cache's path. Only the TLS lines of the real server blocks are left out: there is
    /// no certificate to test with.
    pub(crate) fn in_front_of(root: &Path, instances: &[&str]) -> Nginx {
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
        let site = std::fs::read_to_string(root.join("deploy/nginx/scdi-site.conf")).unwrap();
        let upstream_part = &site[..site.find("\nserver {").unwrap()];
        let mut upstream_part = upstream_part.replace(
            "/var/cache/nginx/scdi-site",
            prefix.join("cache").to_str().unwrap(),
        );
        // The file names two instances; the first line stands for every further one.
        let first = "    server 127.0.0.1:3001 max_fails=1 fail_timeout=10s;\n";
        let lines: String = instances
            .iter()
            .map(|addr| first.replace("127.0.0.1:3001", addr))
            .collect();
        upstream_part = upstream_part.replace(first, &lines).replace(
            "    server 127.0.0.1:3002 max_fails=1 fail_timeout=10s;\n",
            "",
        );
        assert!(
            !upstream_part.contains("127.0.0.1:300"),
            "an instance per upstream line"
        );
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
             access_log off;\n\
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
            _dir: dir,
        }
    }
}
