//! Organisers are told when a message arrives. The contact form writes a notification row
//! per channel in the message's own transaction (see `store`); the worker here sends due
//! rows in the background, so a reader never waits for a mail server, and marks them sent,
//! due again later (exponential backoff with jitter) or, after `--notify-give-up-hours` or a
//! permanent refusal, failed (logged at ERROR). A row is claimed for twice the send timeout:
//! an instance that dies after sending and before marking leaves it to be sent once more,
//! with the same `Message-ID`, so a notification is sent once, at most twice, never lost.

mod email;
mod webhook;

use std::{sync::Arc, time::Duration};

use tokio::sync::{watch, Notify};

use crate::{
    config::{Content, NotifyConfig},
    store::{Due, Sent, Store},
};

/// Why a channel could not be set up at startup.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0}")]
    Config(String),
    #[error("reading {what}: {source}")]
    Secret {
        what: &'static str,
        source: std::io::Error,
    },
}

/// Why one attempt to send failed, as the server said it.
#[derive(Debug)]
pub struct Failure {
    /// The other side refused for good (an SMTP 5xx, an HTTP 4xx): no retry would help.
    pub permanent: bool,
    pub text: String,
}

/// The configured channels, ready to send.
pub struct Channels {
    email: Option<email::Email>,
    webhook: Option<webhook::Webhook>,
    content: Content,
}

impl Channels {
    /// The channels `config` asks for, checked; `site` is the host that names messages
    /// (`Message-ID`).
    pub fn new(config: &NotifyConfig, site: &str) -> Result<Self, SetupError> {
        Ok(Self {
            email: email::Email::new(config, site)?,
            webhook: webhook::Webhook::new(config)?,
            content: config.content,
        })
    }

    /// The channels' names, as outbox rows name them.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names = vec![];
        if self.email.is_some() {
            names.push(email::CHANNEL);
        }
        if self.webhook.is_some() {
            names.push(webhook::CHANNEL);
        }
        names
    }

    /// Sends one notification on its channel.
    pub async fn send(&self, due: &Due) -> Result<(), Failure> {
        let missing = |name: &str| Failure {
            permanent: true,
            text: format!("the {name} channel is no longer configured"),
        };
        match due.channel.as_str() {
            email::CHANNEL => match &self.email {
                Some(email) => email.send(due, self.content).await,
                None => Err(missing("email")),
            },
            webhook::CHANNEL => match &self.webhook {
                Some(webhook) => webhook.send(due, self.content).await,
                None => Err(missing("webhook")),
            },
            other => Err(missing(other)),
        }
    }

    /// A test notification on every channel: each channel's name and what came of it.
    pub async fn test(&self) -> Vec<(String, Result<(), Failure>)> {
        let due = Due {
            id: 0,
            channel: String::new(),
            attempts: 0,
            queued_at: 0.0,
            message_id: 0,
            name: "Test".into(),
            email: "test@example.org".into(),
            body: "A test notification from scdi-site (notify test). \
                   Nobody wrote this message."
                .into(),
            locale: "en".into(),
            created_at: crate::store::utc_now(),
        };
        let mut results = vec![];
        if let Some(email) = &self.email {
            results.push((email.describe(), email.send(&due, self.content).await));
        }
        if let Some(webhook) = &self.webhook {
            results.push((webhook.describe(), webhook.send(&due, self.content).await));
        }
        results
    }
}

/// An error with its causes, as the other side said it ("Connection refused", a server's
/// "550 mailbox unavailable").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Wakes the worker when a message was stored, so that it need not wait for its next look.
#[derive(Clone, Default)]
pub struct Doorbell(Arc<Notify>);

impl Doorbell {
    pub fn ring(&self) {
        self.0.notify_one();
    }
}

/// How the worker paces itself.
pub struct Pace {
    /// The first retry's delay; each next one doubles, up to `MAX_RETRY_DELAY`.
    pub first_retry: Duration,
    /// Retrying stops this long after the notification was queued.
    pub give_up: Duration,
    /// One attempt's limit; a claim lasts twice that.
    pub timeout: Duration,
}

impl From<&NotifyConfig> for Pace {
    fn from(c: &NotifyConfig) -> Self {
        Self {
            first_retry: Duration::from_secs(c.retry_secs),
            give_up: Duration::from_secs(c.give_up_hours * 3600),
            timeout: c.timeout(),
        }
    }
}

const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);
/// How often the worker looks for due rows when nothing woke it (rows queued by another
/// instance, retries coming due).
const LOOK_EVERY: Duration = Duration::from_secs(5);
/// Rows claimed at a time.
const BATCH: i64 = 16;

/// Sends due notifications until `stop` turns true; then returns after the attempt in hand.
pub async fn run(
    store: Store,
    channels: Arc<Channels>,
    pace: Pace,
    doorbell: Doorbell,
    mut stop: watch::Receiver<bool>,
) {
    let look_every = LOOK_EVERY.min(pace.first_retry);
    while !*stop.borrow() {
        let batch = match store.claim_due(BATCH, pace.timeout * 2).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the outbox; trying again shortly");
                vec![]
            }
        };
        for due in &batch {
            if *stop.borrow() {
                break; // left claimed: sent after the claim ends, by this or another instance
            }
            let sent = attempt(&channels, due, &pace).await;
            if let Err(e) = store.mark(due.id, &sent).await {
                tracing::warn!(error = %e, id = due.id, "cannot record a notification's outcome; it will be sent again");
            }
        }
        if batch.is_empty() {
            tokio::select! {
                _ = doorbell.0.notified() => {}
                _ = tokio::time::sleep(look_every) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// One attempt, within the timeout, and what to record of it.
async fn attempt(channels: &Channels, due: &Due, pace: &Pace) -> Sent {
    let result = match tokio::time::timeout(pace.timeout, channels.send(due)).await {
        Ok(result) => result,
        Err(_) => Err(Failure {
            permanent: false,
            text: format!("no answer within {} s", pace.timeout.as_secs()),
        }),
    };
    let (id, message, channel) = (due.id, due.message_id, due.channel.as_str());
    let failure = match result {
        Ok(()) => {
            tracing::info!(id, message, channel, "notification sent");
            return Sent::Yes;
        }
        Err(failure) => failure,
    };
    let attempts = due.attempts + 1;
    let delay = retry_delay(pace.first_retry, attempts);
    let queued_for = Duration::from_secs_f64((crate::store::now() - due.queued_at).max(0.0));
    if failure.permanent || queued_for + delay > pace.give_up {
        let why = if failure.permanent {
            failure.text
        } else {
            format!(
                "gave up after {attempts} attempts over {} h: {}",
                queued_for.as_secs() / 3600,
                failure.text
            )
        };
        tracing::error!(id, message, channel, error = %why, "notification failed for good; the message is in the database (messages list)");
        Sent::Failed(why)
    } else {
        tracing::warn!(id, message, channel, attempts, retry_in_s = delay.as_secs(), error = %failure.text, "notification not sent yet");
        Sent::Retry(delay, failure.text)
    }
}

/// The wait before retry number `attempts`: doubling from `first`, at most an hour, less a
/// random part of up to a half, so that many notifications failing together (a mail server
/// down) do not all come back at the same moment.
fn retry_delay(first: Duration, attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let full = first.saturating_mul(1 << exponent).min(MAX_RETRY_DELAY);
    full.mul_f64(rand::random_range(0.5..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_an_hour() {
        let first = Duration::from_secs(30);
        for (attempts, full) in [(1, 30), (2, 60), (3, 120), (8, 3600), (40, 3600)] {
            let delay = retry_delay(first, attempts);
            assert!(
                delay >= Duration::from_secs(full) / 2 && delay <= Duration::from_secs(full),
                "attempt {attempts}: {delay:?}"
            );
        }
    }
}
