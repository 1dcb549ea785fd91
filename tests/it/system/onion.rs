//! `--onion-listen`: readers through the onion service arrive from Tor on 127.0.0.1, each
//! connection led by Tor's PROXY protocol line naming its circuit
//! (`HiddenServiceExportCircuitID haproxy`); the message limit counts circuits, not the one
//! address they share.

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::common::{
    form_body,
    server::{form_post, free_port, get, parse, raw, RawResponse, Server},
};

/// Tor's line for circuit `id` (as tor writes it: the id in the low 32 bits of an address
/// in fc00:dead:beef:4dad::/64).
fn proxy_line(id: u32) -> String {
    format!(
        "PROXY TCP6 fc00:dead:beef:4dad::{:x}:{:x} ::1 {} 80\r\n",
        id >> 16,
        id & 0xffff,
        id & 0xffff
    )
}

/// `request` to `addr`, after `before`; the response, or what the server did instead.
async fn send(addr: &str, before: &str, request: &[u8]) -> std::io::Result<RawResponse> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(before.as_bytes()).await?;
    stream.write_all(request).await?;
    let mut buf = vec![];
    stream.read_to_end(&mut buf).await?;
    parse(&buf)
}

fn message(name: &str) -> Vec<u8> {
    let body = form_body(&[
        ("name", name),
        ("email", "reader@example.org"),
        ("message", "از طریق تور"),
    ]);
    form_post("/fa/contact", &body)
}

#[tokio::test]
async fn the_onion_listener_limits_messages_per_tor_circuit() {
    let dir = tempfile::tempdir().unwrap();
    let onion = format!("127.0.0.1:{}", free_port());
    let server = Server::start(
        dir.path().join("db.sqlite3"),
        &["--contact-burst", "1", "--onion-listen", &onion],
    );
    assert!(
        server.log_text().contains(&format!("onion_listen={onion}")),
        "the startup line says it: {}",
        server.log_text()
    );
    // Pages, and a message per circuit: the second of one circuit waits, another circuit's
    // goes through though every connection comes from 127.0.0.1.
    let page = send(&onion, &proxy_line(7), &get("/en/")).await.unwrap();
    assert_eq!(page.status, 200);
    let first = send(&onion, &proxy_line(7), &message("first"))
        .await
        .unwrap();
    assert_eq!(first.status, 303);
    let again = send(&onion, &proxy_line(7), &message("again"))
        .await
        .unwrap();
    assert_eq!(again.status, 429, "the same circuit is limited");
    let other = send(&onion, &proxy_line(0x0001_0008), &message("other"))
        .await
        .unwrap();
    assert_eq!(other.status, 303, "another circuit is another reader");
    // Without the line, the onion listener answers nothing; the normal listener never
    // takes one (a client there cannot choose its circuit).
    let bare = send(&onion, "", &message("no line")).await;
    assert!(bare.is_err(), "{bare:?}");
    let forged = send(&server.addr, &proxy_line(9), &message("forged"))
        .await
        .unwrap();
    assert_eq!(forged.status, 400);
    let listing = std::process::Command::new(env!("CARGO_BIN_EXE_scdi-site"))
        .args(["messages", "list", "--db"])
        .arg(dir.path().join("db.sqlite3"))
        .output()
        .unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    assert!(
        listing.contains("first") && listing.contains("other"),
        "{listing}"
    );
    assert!(
        !listing.contains("again") && !listing.contains("forged"),
        "{listing}"
    );
    assert!(!listing.contains("no line"), "{listing}");
    // The normal listener is unaffected.
    assert_eq!(raw(&server.addr, &get("/en/")).await.unwrap().status, 200);
}
