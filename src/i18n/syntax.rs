//! Fluent syntax errors explained to translators: in plain words, naming the message, on the
//! line of the broken entry (never past the end of the file), and with which message a stray
//! continuation line has cut short, so that message falls back whole to English rather than
//! being shown in part.

use fluent_syntax::{
    ast,
    parser::{ErrorKind, ParserError},
};

/// One syntax error, explained.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Byte offset to show it at.
    pub offset: usize,
    /// The message or term concerned (terms with their `-`), when known.
    pub id: Option<String>,
    pub message: String,
    /// A message this error cut short: the line after it did not continue it (a tab, no
    /// indentation). Its id and the byte range of what parsed of it.
    pub cut: Option<(String, std::ops::Range<usize>)>,
}

/// Explains each of `errors` from parsing `source` into `body`.
pub fn explain(source: &str, body: &[ast::Entry<&str>], errors: &[ParserError]) -> Vec<Problem> {
    errors
        .iter()
        .map(|e| explain_one(source, body, e))
        .collect()
}

fn explain_one(source: &str, body: &[ast::Entry<&str>], e: &ParserError) -> Problem {
    let slice = e.slice.clone().unwrap_or(e.pos.clone());
    let junk = &source[slice.start.min(source.len())..slice.end.min(source.len())];
    let own_id = entry_id(junk);
    // The entry just before the broken text: the one a stray line would have continued.
    let previous = body
        .iter()
        .filter_map(|entry| entry_start(source, entry))
        .filter(|(_, start)| *start < slice.start)
        .max_by_key(|(_, start)| *start);
    let continuation = own_id.is_none() && !junk.trim_start().starts_with('#');
    let cut = continuation
        .then(|| previous.clone().map(|(id, start)| (id, start..slice.start)))
        .flatten();
    let id = own_id.or_else(|| cut.as_ref().map(|(id, _)| id.clone()));
    let starts_with_tab = junk.starts_with('\t');
    let at = e.pos.start.min(source.len());
    let (offset, message) = match &e.kind {
        _ if continuation => (
            slice.start,
            if starts_with_tab {
                "this line starts with a tab: continuation lines must start with spaces (not a tab)"
                    .to_string()
            } else {
                "this line belongs to no message: continuation lines must start with spaces, and a \
                 new message with its id and `=`"
                    .to_string()
            },
        ),
        ErrorKind::ExpectedCharRange { .. } if source[..at].ends_with('$') => (
            at - 1,
            "variable names stay as in English (Latin letters, as in `{ $max }`)".to_string(),
        ),
        ErrorKind::ExpectedToken('}') => (
            unclosed_brace(source, slice.start, at).unwrap_or(slice.start),
            "this `{` is never closed: add the `}` that ends it".to_string(),
        ),
        ErrorKind::MissingDefaultVariant => (
            at,
            "mark one variant as the default with `*`, as in `*[other]`".to_string(),
        ),
        ErrorKind::MultipleDefaultVariants => (
            at,
            "only one variant can be the default: keep one `*`".to_string(),
        ),
        ErrorKind::UnbalancedClosingBrace => (
            at,
            "this `}` closes nothing: to show a brace as text, write {\"}\"}".to_string(),
        ),
        ErrorKind::UnterminatedStringLiteral => (
            slice
                .start
                .max(source[..at].rfind('"').unwrap_or(slice.start)),
            "this quoted text is never closed with `\"`".to_string(),
        ),
        ErrorKind::ExpectedMessageField { .. } | ErrorKind::ExpectedTermField { .. } => {
            (slice.start, "there is no text after `=`".to_string())
        }
        ErrorKind::ExpectedInlineExpression => (
            at,
            "inside `{ }` write a variable (`{ $name }`), a term (`{ -name }`), a message id or \
             quoted text"
                .to_string(),
        ),
        ErrorKind::UnknownEscapeSequence(_) | ErrorKind::InvalidUnicodeEscapeSequence(_) => (
            at,
            "inside quotes, a backslash starts \\\" \\\\ \\uXXXX or \\UXXXXXX only".to_string(),
        ),
        kind => (at, format!("Fluent syntax: {kind}")),
    };
    // Never past the broken entry's last line (an error found at the end of a file).
    let last = slice.start + junk.trim_end().len().max(1) - 1;
    Problem {
        offset: offset.min(last.max(slice.start)),
        id,
        message,
        cut,
    }
}

/// The `id =` (or `-id =`) an entry's text starts with.
pub fn entry_id(text: &str) -> Option<String> {
    let (head, _) = text.split_once('=')?;
    let id = head.trim_end();
    let name = id.strip_prefix('-').unwrap_or(id);
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (valid && !text.starts_with(char::is_whitespace)).then(|| id.to_string())
}

/// A message or term's id and where it starts in `source`.
fn entry_start(source: &str, entry: &ast::Entry<&str>) -> Option<(String, usize)> {
    let (id, name) = match entry {
        ast::Entry::Message(m) => (m.id.name.to_string(), m.id.name),
        ast::Entry::Term(t) => (format!("-{}", t.id.name), t.id.name),
        _ => return None,
    };
    let at = (name.as_ptr() as usize).checked_sub(source.as_ptr() as usize)?;
    let start = if id.starts_with('-') { at - 1 } else { at };
    Some((id, start))
}

/// The last `{` between `from` and `to` that no `}` closes.
fn unclosed_brace(source: &str, from: usize, to: usize) -> Option<usize> {
    let mut open = vec![];
    for (i, c) in source[from..to.min(source.len())].char_indices() {
        match c {
            '{' => open.push(from + i),
            '}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(source: &str) -> Vec<Problem> {
        let (resource, errors) = fluent_syntax::parser::parse(source).unwrap_err();
        explain(source, &resource.body, &errors)
    }

    fn line_of(source: &str, offset: usize) -> usize {
        source[..offset].matches('\n').count() + 1
    }

    #[test]
    fn each_common_mistake_in_plain_words() {
        let tab = "msg = first\n\tsecond\n";
        let p = &problems(tab)[0];
        assert!(p.message.contains("not a tab"), "{p:?}");
        assert_eq!(p.id.as_deref(), Some("msg"));
        assert_eq!(p.cut, Some(("msg".to_string(), 0..12)));

        let unindented = "a = x\nmsg = first\nsecond line\n";
        let p = &problems(unindented)[0];
        assert!(p.message.contains("must start with spaces"), "{p:?}");
        assert_eq!(
            (p.id.as_deref(), line_of(unindented, p.offset)),
            (Some("msg"), 3)
        );

        let p = &problems("msg = Up to { $بیشینه } chars\n")[0];
        assert!(
            p.message.contains("variable names stay as in English"),
            "{p:?}"
        );
        assert_eq!(
            (p.id.as_deref(), p.offset, p.cut.clone()),
            (Some("msg"), 14, None)
        );

        let p = &problems("msg = { $n ->\n    [one] one\n    [other] many\n}\n")[0];
        assert!(p.message.contains("with `*`"), "{p:?}");

        // On the last line of the file: the `{` itself, not a line after the end.
        let source = "a = x\nb = y\nmsg = never { closed\n";
        let p = &problems(source)[0];
        assert!(p.message.contains("never closed"), "{p:?}");
        assert_eq!((p.offset, line_of(source, p.offset)), (24, 3));
        assert_eq!(p.id.as_deref(), Some("msg"));
    }
}
