//! How organisers are told that a message arrived: by email (SMTP), by webhook, or both.
//! Every address is checked at startup; secrets come from the environment or files, never
//! from the command line (which `ps` shows) and never into a log.

use std::{fmt, net::IpAddr, path::PathBuf, str::FromStr, time::Duration};

use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct NotifyConfig {
    /// Email each message to this address (repeat the flag, or separate with commas).
    #[arg(
        long = "notify-email",
        env = "SCDI_NOTIFY_EMAIL",
        value_delimiter = ',',
        requires_all = ["smtp_url", "from"]
    )]
    pub emails: Vec<lettre::Address>,
    /// The sender of those emails, e.g. `website@example.org`.
    #[arg(long = "notify-from", env = "SCDI_NOTIFY_FROM")]
    pub from: Option<lettre::Address>,
    /// The mail server: `smtps://host:465` (TLS), `smtp://host:587?tls=required`
    /// (STARTTLS), or a plain `smtp://127.0.0.1:25` to a relay on this machine only.
    #[arg(long = "smtp-url", env = "SCDI_SMTP_URL", requires = "emails")]
    pub smtp_url: Option<SmtpUrl>,
    /// The user to log in to the mail server as (the password: `SCDI_SMTP_PASSWORD` or
    /// `--smtp-password-file`).
    #[arg(long = "smtp-user", env = "SCDI_SMTP_USER")]
    pub smtp_user: Option<String>,
    /// A file holding the mail server's password (first line).
    #[arg(long = "smtp-password-file", env = "SCDI_SMTP_PASSWORD_FILE")]
    pub smtp_password_file: Option<PathBuf>,
    /// POST each message as signed JSON to this URL (https, or http to this machine).
    #[arg(long = "notify-webhook", env = "SCDI_NOTIFY_WEBHOOK")]
    pub webhook: Option<WebhookUrl>,
    /// A file holding the webhook's signing secret (first line); without it, the systemd
    /// credential `webhook-secret`. A webhook without a secret is refused at startup.
    #[arg(
        long = "notify-webhook-secret-file",
        env = "SCDI_NOTIFY_WEBHOOK_SECRET_FILE"
    )]
    pub webhook_secret_file: Option<PathBuf>,
    /// What a notification holds: the whole message, or only that one arrived (its text
    /// then never passes through a mail provider or a webhook receiver).
    #[arg(long = "notify-content", env = "SCDI_NOTIFY_CONTENT", value_enum, default_value_t = Content::Full)]
    pub content: Content,
    /// Seconds before the first retry of a failed notification; each retry waits twice as
    /// long as the one before (at most an hour), give or take a random part.
    #[arg(long = "notify-retry-secs", env = "SCDI_NOTIFY_RETRY_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub retry_secs: u64,
    /// Hours of retrying before a notification is given up as failed.
    #[arg(long = "notify-give-up-hours", env = "SCDI_NOTIFY_GIVE_UP_HOURS", default_value_t = 72,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub give_up_hours: u64,
    /// Seconds one attempt to send may take. An instance holds a notification for twice
    /// that; if it dies meanwhile, another sends it then.
    #[arg(long = "notify-timeout-secs", env = "SCDI_NOTIFY_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_secs: u64,
}

impl NotifyConfig {
    /// One attempt's limit.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// The webhook's signing secret, from `--notify-webhook-secret-file` (its first line),
    /// `SCDI_NOTIFY_WEBHOOK_SECRET` or the systemd credential `webhook-secret`, if given.
    pub fn webhook_secret(&self) -> std::io::Result<Option<String>> {
        super::secret(
            self.webhook_secret_file.as_deref(),
            "SCDI_NOTIFY_WEBHOOK_SECRET",
            "webhook-secret",
        )
    }

    /// The mail server's password, from `--smtp-password-file` (its first line),
    /// `SCDI_SMTP_PASSWORD` or the systemd credential `smtp-password`, if given.
    pub fn smtp_password(&self) -> std::io::Result<Option<String>> {
        super::secret(
            self.smtp_password_file.as_deref(),
            "SCDI_SMTP_PASSWORD",
            "smtp-password",
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Content {
    /// Name, address, language, time and the message.
    Full,
    /// Only that a message arrived, its number and how to read it.
    None,
}

/// Whether `host` is this machine (an IP literal on loopback, or `localhost`).
pub(super) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A mail server URL in lettre's form, checked: encrypted, or plain to this machine only.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl FromStr for SmtpUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
        let host = url.host_str().unwrap_or("");
        if host.is_empty() {
            return Err("the mail server's host is missing: smtps://mail.example.org".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "no user or password in the URL (the command line is visible to \
                        every user): use --smtp-user and SCDI_SMTP_PASSWORD or \
                        --smtp-password-file"
                    .into(),
            );
        }
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        match (url.scheme(), tls.as_deref()) {
            ("smtps", _) | ("smtp", Some("required")) => {}
            ("smtp", _) if is_loopback(host) => {}
            ("smtp", _) => {
                return Err(format!(
                    "mail to {host} would cross the network unencrypted: use \
                     smtps://{host}:465 or smtp://{host}:587?tls=required"
                ))
            }
            (scheme, _) => return Err(format!("`{scheme}`: the scheme is smtps or smtp")),
        }
        Ok(Self(s.to_string()))
    }
}

impl SmtpUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A webhook URL, checked: https, or http to this machine only.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl FromStr for WebhookUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
        let host = url.host_str().unwrap_or("");
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "no user or password in the URL (the command line is visible to \
                        every user): put a token in the path, and keep the URL in \
                        SCDI_NOTIFY_WEBHOOK"
                    .into(),
            );
        }
        match url.scheme() {
            "https" if !host.is_empty() => Ok(Self(url)),
            "http" if is_loopback(host) => Ok(Self(url)),
            "http" => Err(format!(
                "messages to {host} would cross the network unencrypted: use https://"
            )),
            _ => Err("the webhook's URL is https:// (or http:// to this machine)".into()),
        }
    }
}

impl WebhookUrl {
    pub fn url(&self) -> &url::Url {
        &self.0
    }
}

/// Only the scheme, host and port: the path and query may hold a token, which never goes
/// into a log, an error or `notify test`'s output.
impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.origin().ascii_serialization())
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::{SmtpUrl, WebhookUrl};

    #[test]
    fn mail_and_webhooks_never_cross_the_network_unencrypted() {
        for ok in [
            "smtps://mail.example.org:465",
            "smtp://mail.example.org:587?tls=required",
            "smtp://127.0.0.1:25",
            "smtp://localhost:2525",
            "smtp://[::1]:25",
        ] {
            assert!(ok.parse::<SmtpUrl>().is_ok(), "{ok}");
        }
        for refused in [
            "smtp://mail.example.org:25",
            "smtp://mail.example.org:587?tls=opportunistic",
            "smtps://user:pw@mail.example.org",
            "http://mail.example.org",
        ] {
            assert!(refused.parse::<SmtpUrl>().is_err(), "{refused}");
        }
        assert!("https://hooks.example.org/x".parse::<WebhookUrl>().is_ok());
        assert!("http://127.0.0.1:9000/x".parse::<WebhookUrl>().is_ok());
        assert!("http://hooks.example.org/x".parse::<WebhookUrl>().is_err());
        assert!("ftp://127.0.0.1/x".parse::<WebhookUrl>().is_err());
        assert!("https://u:p@hooks.example.org/x"
            .parse::<WebhookUrl>()
            .is_err());
        let hook: WebhookUrl = "https://hooks.example.org:8443/t/s3cret?key=s3cret"
            .parse()
            .unwrap();
        assert_eq!(hook.to_string(), "https://hooks.example.org:8443");
        assert!(!format!("{hook:?}").contains("s3cret"));
    }
}
