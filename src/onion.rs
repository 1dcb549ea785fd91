//! The onion listener's first line: Tor, asked to (`HiddenServiceExportCircuitID haproxy`),
//! opens every connection with a PROXY protocol v1 line whose source address carries the
//! reader's circuit. Every onion reader comes from Tor's 127.0.0.1; the circuit is what tells
//! them apart, for the message limit.

use std::{net::Ipv6Addr, time::Duration};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// The longest PROXY v1 line, `\r\n` included (the protocol's own bound).
const MAX_LINE: u64 = 107;

/// A reader's Tor circuit: a request extension on the onion listener's requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Circuit(pub(crate) u32);

/// Why a connection to the onion listener was closed before any request.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refused {
    #[error("no PROXY line within {} s", .0.as_secs())]
    Slow(Duration),
    #[error("reading the PROXY line: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a PROXY protocol v1 line from Tor")]
    NotTor,
}

/// Reads the PROXY line a connection starts with, within `deadline`, and the circuit it
/// names: nothing else is accepted on the onion listener. The request that follows stays
/// in `reader`'s buffer.
pub(crate) async fn read_circuit<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    deadline: Duration,
) -> Result<Circuit, Refused> {
    let mut line = Vec::with_capacity(MAX_LINE as usize);
    let mut bounded = (&mut *reader).take(MAX_LINE);
    let read = bounded.read_until(b'\n', &mut line);
    tokio::time::timeout(deadline, read)
        .await
        .map_err(|_| Refused::Slow(deadline))??;
    circuit_of(&line).ok_or(Refused::NotTor)
}

/// The circuit a PROXY v1 line names: Tor writes it in the low 32 bits of a source address
/// in `fc00:dead:beef:4dad::/64` (tor's `export_hs_client_circuit_id`).
fn circuit_of(line: &[u8]) -> Option<Circuit> {
    let header = ppp::v1::Header::try_from(line).ok()?;
    let ppp::v1::Addresses::Tcp6(addresses) = header.addresses else {
        return None;
    };
    let source: Ipv6Addr = addresses.source_address;
    let s = source.segments();
    (s[..6] == [0xfc00, 0xdead, 0xbeef, 0x4dad, 0, 0])
        .then(|| Circuit(u32::from(s[6]) << 16 | u32::from(s[7])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tors_lines_name_their_circuit_and_nothing_else_passes() {
        // As tor's own test writes them.
        assert_eq!(
            circuit_of(b"PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n"),
            Some(Circuit(666))
        );
        assert_eq!(
            circuit_of(b"PROXY TCP6 fc00:dead:beef:4dad::ffff:ffff ::1 65535 80\r\n"),
            Some(Circuit(u32::MAX))
        );
        for line in [
            &b"PROXY TCP4 192.0.2.1 127.0.0.1 1234 80\r\n"[..],
            b"PROXY TCP6 2001:db8::1 ::1 1234 80\r\n",
            b"PROXY TCP6 fc00:dead:beef:4dae::0:1 ::1 1 80\r\n",
            b"PROXY UNKNOWN\r\n",
            b"PROXY TCP6 fc00:dead:beef:4dad::0:1 ::1 1 80",
            b"GET / HTTP/1.1\r\n",
            b"",
        ] {
            assert_eq!(circuit_of(line), None, "{}", String::from_utf8_lossy(line));
        }
    }

    #[tokio::test]
    async fn the_request_after_the_line_stays_to_be_read() {
        let input = b"PROXY TCP6 fc00:dead:beef:4dad::1:2 ::1 2 80\r\nGET / HTTP/1.1\r\n\r\n";
        let mut reader = tokio::io::BufReader::new(&input[..]);
        let circuit = read_circuit(&mut reader, Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!(circuit, Circuit(0x1_0002));
        let mut rest = String::new();
        reader.read_to_string(&mut rest).await.unwrap();
        assert_eq!(rest, "GET / HTTP/1.1\r\n\r\n");
        let long = [b'P'; 500];
        let mut reader = tokio::io::BufReader::new(&long[..]);
        assert!(read_circuit(&mut reader, Duration::from_secs(1))
            .await
            .is_err());
    }
}
