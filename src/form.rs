//! The contact form: strict decoding of `application/x-www-form-urlencoded` bodies and
//! validation into localized field errors.
//!
//! Decoding is hand-written on purpose: axum's `Form` (serde_urlencoded, form_urlencoded)
//! replaces invalid UTF-8 with U+FFFD, which would store a reader's text altered without a
//! word; here invalid UTF-8 is a 400, and the reader can send again.

use percent_encoding::percent_decode;
use serde::Serialize;

use crate::i18n::msg;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Field limits, in characters (passed to the messages that state them).
pub const NAME_MAX_CHARS: usize = 200;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const MESSAGE_MAX_CHARS: usize = 5000;

/// Why a body could not be decoded at all (answered with 400).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecodeError {
    #[error("form field is not valid UTF-8 after percent-decoding")]
    InvalidUtf8,
}

/// The submitted values as they will be stored: exactly as sent, except that line breaks are
/// LF and surrounding whitespace is gone (see [`ContactForm::decode`]).
#[derive(Debug, Default, Clone, Serialize)]
pub struct ContactForm {
    pub name: String,
    pub email: String,
    pub message: String,
    /// Honeypot: hidden from people, filled in by naive bots.
    pub website: String,
}

/// One invalid field: `field` is the input's id, `message` a Fluent message id, `limit` the
/// field's length limit (the `$max` of the messages that state it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
    pub limit: usize,
}

impl ContactForm {
    /// Decodes a urlencoded body. Unknown fields are ignored; for repeated fields the first
    /// wins. Line breaks become LF (browsers send CRLF, odd clients a bare CR, which a
    /// terminal would obey) and surrounding whitespace is trimmed, so validation counts
    /// exactly what is stored.
    pub fn decode(body: &[u8]) -> Result<Self, DecodeError> {
        let (mut name, mut email, mut message, mut website) = (None, None, None, None);
        for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (key, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let field: &mut Option<String> = match decode_component(key)?.as_str() {
                "name" => &mut name,
                "email" => &mut email,
                "message" => &mut message,
                "website" => &mut website,
                _ => continue,
            };
            if field.is_none() {
                *field = Some(decode_component(value)?);
            }
        }
        let stored = |value: Option<String>| {
            let value = value.unwrap_or_default();
            value
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .trim()
                .to_string()
        };
        Ok(ContactForm {
            name: stored(name),
            email: stored(email),
            message: stored(message),
            website: website.unwrap_or_default(),
        })
    }

    /// A bot filled the honeypot: answer as if accepted, store nothing.
    pub fn is_spam(&self) -> bool {
        !self.website.trim().is_empty()
    }

    /// Field errors in form order; empty when the form is valid.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = vec![];
        let mut check = |field, message| {
            let limit = match field {
                "name" => NAME_MAX_CHARS,
                "email" => EMAIL_MAX_CHARS,
                _ => MESSAGE_MAX_CHARS,
            };
            errors.push(FieldError {
                field,
                message,
                limit,
            })
        };

        let name = &self.name;
        if name.is_empty() {
            check("name", msg!("contact-error-name-required"));
        } else if name.chars().count() > NAME_MAX_CHARS {
            check("name", msg!("contact-error-name-too-long"));
        } else if name.chars().any(char::is_control) {
            check("name", msg!("contact-error-name-invalid"));
        }

        let email = &self.email;
        if email.is_empty() {
            check("email", msg!("contact-error-email-required"));
        } else if email.chars().count() > EMAIL_MAX_CHARS || !is_valid_email(email) {
            check("email", msg!("contact-error-email-invalid"));
        }

        let message = &self.message;
        if message.is_empty() {
            check("message", msg!("contact-error-message-required"));
        } else if message.chars().count() > MESSAGE_MAX_CHARS {
            check("message", msg!("contact-error-message-too-long"));
        } else if message
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            check("message", msg!("contact-error-message-invalid"));
        }
        errors
    }
}

/// One bare RFC 5322 address (email_address): no display name (`Name <addr>`), no quoted
/// local part, no domain literal, and a dotted domain, since organisers must be able to
/// reply. Nothing in it may be invisible or change the direction of what is shown, since it
/// is shown to organisers as it is (and becomes a mail's `Reply-To`).
fn is_valid_email(s: &str) -> bool {
    let options = email_address::Options::default()
        .without_display_text()
        .without_domain_literal();
    !s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || is_invisible(c) || c == '"')
        && email_address::EmailAddress::parse_with_options(s, options).is_ok()
        && s.rsplit_once('@').is_some_and(|(_, domain)| {
            domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
}

/// Unicode format characters (category Cf) that show as nothing: zero-width characters, the
/// direction marks, embeddings, overrides and isolates, invisible operators, the BOM, tags.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

fn decode_component(raw: &[u8]) -> Result<String, DecodeError> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&plus_as_space)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| DecodeError::InvalidUtf8)
}
