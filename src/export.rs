//! Organisers read the messages: `scdi-site messages list` (for people) and
//! `messages export --format csv|json` (for spreadsheets and tools). Persian stays intact:
//! CSV is UTF-8 with a byte-order mark, which spreadsheet programs need to detect UTF-8.

use std::{
    borrow::Cow,
    io::{self, Write},
};

use crate::store::{Message, Notification};

/// Checks a `--since` value: a calendar date (`2026-11-01`) or a UTC date-time
/// (`2026-11-01T08:30:00Z`). Returned as the prefix stored timestamps are compared with.
pub fn parse_since(s: &str) -> Result<String, String> {
    use time::{macros::format_description, Date, PrimitiveDateTime};
    let err = || format!("`{s}` is not a date like 2026-11-01 or 2026-11-01T08:30:00Z");
    if let Ok(date) = Date::parse(s, format_description!("[year]-[month]-[day]")) {
        return Ok(date.to_string());
    }
    let utc = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let time = PrimitiveDateTime::parse(s, utc).map_err(|_| err())?;
    let stored = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time.format(stored).map_err(|_| err())
}

/// One block per message, for reading in a terminal. Nothing a sender typed reaches the
/// terminal raw: control characters (ESC sequences, C1 controls, a bare CR), bidi overrides
/// and isolates, and line and paragraph separators are shown escaped (`\u{202e}`), so a
/// message cannot clear the screen, retitle the window, plant a link or reorder what is
/// shown. Message lines are indented, so no text can pass for a message's header line.
/// Under the header, a line per notification (`notifications`, by message): sent, pending
/// or failed, with the last error.
pub fn write_list(
    mut out: impl Write,
    messages: &[Message],
    notifications: &[Notification],
) -> io::Result<()> {
    for m in messages {
        writeln!(
            out,
            "#{} {} [{}] {} <{}>",
            m.id,
            m.created_at,
            for_terminal(&m.locale),
            for_terminal(&m.name),
            for_terminal(&m.email)
        )?;
        for n in notifications.iter().filter(|n| n.message_id == m.id) {
            // `email:a@example.org` reads "email to a@example.org".
            let channel = n.channel.replacen(':', " to ", 1);
            write!(
                out,
                "  notification by {}: {}",
                for_terminal(&channel),
                n.state
            )?;
            match &n.last_error {
                Some(error) => writeln!(
                    out,
                    " ({} attempt(s); last: {})",
                    n.attempts,
                    for_terminal(error)
                )?,
                None => writeln!(out)?,
            }
        }
        for line in m.body.split('\n') {
            writeln!(out, "    {}", for_terminal(line))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{} message(s)", messages.len())?;
    out.flush()
}

/// Characters that change what a terminal shows beyond themselves.
fn unsafe_in_terminal(c: char) -> bool {
    c.is_control() && c != '\t'
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// `text` with every character [`unsafe_in_terminal`] written as a Rust-style escape.
fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_in_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_in_terminal(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// CSV for spreadsheets. A cell a sender wrote that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return gets a leading `'`, so a spreadsheet shows it as text instead of
/// running it as a formula (OWASP, "CSV Injection").
pub fn write_csv(mut out: impl Write, messages: &[Message]) -> io::Result<()> {
    out.write_all("\u{FEFF}".as_bytes())?;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["id", "created_at", "locale", "name", "email", "message"])
        .map_err(csv_io)?;
    for m in messages {
        csv.write_record([
            m.id.to_string().as_str(),
            &m.created_at,
            &m.locale,
            &as_text_cell(&m.name),
            &as_text_cell(&m.email),
            &as_text_cell(&m.body),
        ])
        .map_err(csv_io)?;
    }
    csv.flush()
}

fn as_text_cell(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The I/O error inside a CSV error, so that a closed pipe is still recognised as one.
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// JSON, exactly as stored.
pub fn write_json(mut out: impl Write, messages: &[Message]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, messages)?;
    writeln!(out)?;
    out.flush()
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
            "2026-02-31",
            "2026-11-01T24:30:00Z",
            "' OR 1=1 --",
        ] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }
}
