//! Email over SMTP (lettre): plain-text UTF-8, the subject encoded per RFC 2047 by lettre,
//! `Reply-To` the sender's address, and a `Message-ID` made from the message's random id
//! (never reused, unlike its number), so that a notification sent twice (after a crash) is
//! one message to mail clients, and two messages are never one.

use lettre::{
    message::{header::ContentType, Mailbox},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use super::{error_chain, Failure, SetupError};
use crate::{
    config::{Content, NotifyConfig},
    store::Due,
};

pub(super) const CHANNEL: &str = "email";

pub(super) struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    server: String,
    /// The site's host, for `Message-ID`s.
    site: String,
}

impl Email {
    pub(super) fn new(config: &NotifyConfig, site: &str) -> Result<Option<Self>, SetupError> {
        let (Some(url), Some(from)) = (&config.smtp_url, &config.from) else {
            return Ok(None);
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
            .map_err(|e| SetupError::Config(format!("--smtp-url: {e}")))?
            .timeout(Some(config.timeout()));
        let password = config
            .smtp_password()
            .map_err(|source| SetupError::Secret {
                what: "--smtp-password-file",
                source,
            })?;
        match (&config.smtp_user, password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password));
            }
            (Some(_), None) => {
                return Err(SetupError::Config(
                    "--smtp-user needs a password: SCDI_SMTP_PASSWORD or --smtp-password-file"
                        .into(),
                ))
            }
            (None, Some(_)) => {
                return Err(SetupError::Config(
                    "an SMTP password is set but no --smtp-user".into(),
                ))
            }
            (None, None) => {}
        }
        let server = url::Url::parse(url.as_str())
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        Ok(Some(Self {
            transport: builder.build(),
            from: Mailbox::new(None, from.clone()),
            to: config
                .emails
                .iter()
                .map(|a| Mailbox::new(None, a.clone()))
                .collect(),
            server,
            site: site.to_string(),
        }))
    }

    /// The outbox channel of each recipient: `email:a@example.org`. A notification per
    /// recipient, each with its own state and retries: one address a server refuses never
    /// stops the others'.
    pub(super) fn channels(&self) -> impl Iterator<Item = String> + '_ {
        self.to.iter().map(|m| format!("{CHANNEL}:{}", m.email))
    }

    /// "email to a@example.org via mail.example.org", for the recipient of `channel`.
    pub(super) fn describe(&self, channel: &str) -> String {
        let to = channel.strip_prefix("email:").unwrap_or("everyone");
        format!("email to {to} via {}", self.server)
    }

    /// Sends `due` to the recipient its channel names (`email:a@example.org`), or, for a
    /// row queued as `email` before notifications were per recipient, to every one.
    pub(super) async fn send(&self, due: &Due, content: Content) -> Result<(), Failure> {
        let to: Vec<&Mailbox> = match due.channel.strip_prefix("email:") {
            Some(address) => self
                .to
                .iter()
                .filter(|m| m.email.to_string() == address)
                .collect(),
            None => self.to.iter().collect(),
        };
        if to.is_empty() {
            return Err(Failure {
                permanent: false,
                text: format!("{} is not an address this instance sends to", due.channel),
            });
        }
        let mail = self.mail(due, content, &to).map_err(|e| Failure {
            permanent: true,
            text: format!("the email could not be made: {e}"),
        })?;
        match self.transport.send(mail).await {
            Ok(_) => Ok(()),
            Err(e) => Err(Failure {
                permanent: e.is_permanent(),
                text: error_chain(&e),
            }),
        }
    }

    fn mail(
        &self,
        due: &Due,
        content: Content,
        to: &[&Mailbox],
    ) -> Result<Message, lettre::error::Error> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .message_id(Some(format!("<{}.scdi-site@{}>", due.uid, self.site)));
        for to in to {
            builder = builder.to((*to).clone());
        }
        let (subject, body) = match content {
            Content::Full => {
                // The sender's address is checked when the form is sent; one that cannot
                // be written in a header as plain ASCII is left out of Reply-To (it is in
                // the body), never sent raw.
                if let Some(address) = reply_to(&due.email) {
                    builder = builder.reply_to(Mailbox::new(None, address));
                }
                (
                    format!("Message from {} ({})", one_line(&due.name), due.locale),
                    format!(
                        "A message was sent through the website's contact form.\n\n\
                         Name:     {}\nEmail:    {}\nLanguage: {}\nTime:     {} (UTC)\nNumber:   {}\n\n\
                         {}\n\n-- \nReplying to this email writes to the sender.\n",
                        due.name, due.email, due.locale, due.created_at, due.message_id, due.body
                    ),
                )
            }
            Content::None => (
                format!("A message arrived (number {})", due.message_id),
                format!(
                    "A message was sent through the website's contact form at {} (UTC), in \
                     language `{}`.\n\nIts text is not in this email: read it on the server \
                     with\n\n    scdi-site messages list --since {}\n",
                    due.created_at,
                    due.locale,
                    due.created_at.get(..10).unwrap_or(&due.created_at),
                ),
            ),
        };
        builder
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
    }
}

/// Text for a header: control characters (CR and LF among them) become spaces, so nothing
/// a sender types can start a header of its own; long names are cut.
fn one_line(text: &str) -> String {
    let line: String = text
        .chars()
        .filter(|c| !is_bidi_override(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(80)
        .collect();
    // `=?...?=` would be decoded by mail clients as an encoded word of the sender's making.
    let line = line.replace("=?", "= ?").replace("?=", "? =");
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which would reorder
/// what organisers read in a subject; the marks (LRM, RLM, ALM) and ZWNJ stay.
fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The sender's address as a header may carry it without SMTPUTF8: an internationalised
/// domain in its ASCII form (punycode); `None` for a local part that is not ASCII, which
/// only a server offering SMTPUTF8 could take.
fn reply_to(email: &str) -> Option<lettre::Address> {
    let (local, domain) = email.rsplit_once('@')?;
    if !local.is_ascii() {
        return None;
    }
    let domain = idna::domain_to_ascii(domain).ok()?;
    lettre::Address::new(local, domain).ok()
}

#[cfg(test)]
mod tests {
    use super::{one_line, reply_to};

    #[test]
    fn nothing_a_sender_types_can_start_a_header() {
        assert_eq!(
            one_line("Eve\r\nBcc: x@example.org"),
            "Eve Bcc: x@example.org"
        );
        assert_eq!(one_line("مریم\u{200c}ها"), "مریم\u{200c}ها");
    }

    #[test]
    fn nothing_a_sender_types_is_decoded_or_reordered_by_a_mail_client() {
        assert_eq!(
            one_line("=?utf-8?q?Bcc=3A_x=40y.z?="),
            "= ?utf-8?q?Bcc=3A_x=40y.z? ="
        );
        assert_eq!(one_line("Eve\u{202E}gnp.exe"), "Evegnp.exe");
        assert_eq!(one_line("\u{2067}مریم\u{2069}"), "مریم");
    }

    #[test]
    fn an_internationalised_address_is_written_as_ascii_or_left_out() {
        assert_eq!(
            reply_to("reader@exämple.org").unwrap().to_string(),
            "reader@xn--exmple-cua.org"
        );
        assert_eq!(reply_to("مریم@example.org"), None);
        assert_eq!(
            reply_to("reader@example.org").unwrap().to_string(),
            "reader@example.org"
        );
    }
}
