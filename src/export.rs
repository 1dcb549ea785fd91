//! Organisers read the messages: `scdi-site messages list` (for people) and
//! `messages export --format csv|json` (for spreadsheets and tools). Persian stays intact:
//! CSV is UTF-8 with a byte-order mark, which spreadsheet programs need to detect UTF-8.

use std::io::{self, Write};

use crate::store::Message;

/// Checks a `--since` value: a date (`2026-11-01`) or a UTC date-time
/// (`2026-11-01T08:30:00Z`). Returned as the prefix stored timestamps are compared with.
pub fn parse_since(s: &str) -> Result<String, String> {
    let err = || format!("`{s}` is not a date like 2026-11-01 or 2026-11-01T08:30:00Z");
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let date_ok = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10);
    if !date_ok {
        return Err(err());
    }
    let (month, day): (u32, u32) = (
        s[5..7].parse().map_err(|_| err())?,
        s[8..10].parse().map_err(|_| err())?,
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(err());
    }
    match s.len() {
        10 => Ok(s.to_string()),
        20 if b[10] == b'T'
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19)
            && b[19] == b'Z' =>
        {
            Ok(s[..19].to_string())
        }
        _ => Err(err()),
    }
}

/// One block per message, for reading in a terminal.
pub fn write_list(mut out: impl Write, messages: &[Message]) -> io::Result<()> {
    for m in messages {
        writeln!(
            out,
            "#{} {} [{}] {} <{}>",
            m.id, m.created_at, m.locale, m.name, m.email
        )?;
        for line in m.body.lines() {
            writeln!(out, "    {line}")?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{} message(s)", messages.len())
}

pub fn write_csv(mut out: impl Write, messages: &[Message]) -> io::Result<()> {
    out.write_all("\u{FEFF}".as_bytes())?;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["id", "created_at", "locale", "name", "email", "message"])?;
    for m in messages {
        csv.write_record([
            &m.id.to_string(),
            &m.created_at,
            &m.locale,
            &m.name,
            &m.email,
            &m.body,
        ])?;
    }
    csv.flush()
}

pub fn write_json(mut out: impl Write, messages: &[Message]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, messages)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::parse_since;

    #[test]
    fn since_accepts_dates_and_utc_times_only() {
        assert_eq!(parse_since("2026-11-01").unwrap(), "2026-11-01");
        assert_eq!(
            parse_since("2026-11-01T08:30:00Z").unwrap(),
            "2026-11-01T08:30:00"
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-1-01",
            "2026-11-01 08:30",
            "2026-11-01T08:30:00+01:00",
            "' OR 1=1 --",
        ] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }
}
