//! Organisers are told when a message arrives. The contact form writes a notification row
//! per channel in the message's own transaction (see `store`); the worker here sends due
//! rows in the background, so a reader never waits for a mail server, and marks them sent,
//! due again later (exponential backoff with jitter) or, after `--notify-give-up-hours` or a
//! permanent refusal, failed (logged at ERROR).
//!
//! Each channel has its own worker, so a slow or broken channel never holds up another, and
//! an instance claims only the channels it is configured for: rows of a channel it does not
//! have wait for an instance that has it. A worker claims one row at a time, when its send
//! starts, for twice the send timeout by the database's clock, and records the outcome only
//! while it still holds that claim. So no two instances send the same notification; an
//! instance that dies after sending and before recording leaves it to be sent once more,
//! with the same `Message-ID`: sent once, at most twice, never lost.

mod email;
mod webhook;

use std::{sync::Arc, time::Duration};

use tokio::sync::watch;

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
    /// As outbox rows name them: `email:<address>` per recipient, `webhook`.
    names: Vec<String>,
}

impl Channels {
    /// The channels `config` asks for, checked; `site` is the host that names messages
    /// (`Message-ID`).
    pub fn new(config: &NotifyConfig, site: &str) -> Result<Self, SetupError> {
        let email = email::Email::new(config, site)?;
        let webhook = webhook::Webhook::new(config)?;
        let mut names: Vec<String> = email.iter().flat_map(email::Email::channels).collect();
        names.extend(webhook.as_ref().map(|_| webhook::CHANNEL.to_string()));
        Ok(Self {
            email,
            webhook,
            content: config.content,
            names,
        })
    }

    /// The channels' names, as outbox rows name them: a row per recipient and channel is
    /// queued with each message.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The channels this instance's workers claim: its names, and with email the rows
    /// queued as `email` before notifications were per recipient (sent to every recipient).
    fn claimed(&self) -> Vec<String> {
        let mut claimed = self.names.clone();
        if self.email.is_some() {
            claimed.push(email::CHANNEL.to_string());
        }
        claimed
    }

    /// Sends one notification on its channel (one of [`Channels::names`]: workers claim
    /// no other).
    pub async fn send(&self, due: &Due) -> Result<(), Failure> {
        let missing = |name: &str| Failure {
            permanent: false,
            text: format!("the {name} channel is not configured on this instance"),
        };
        match (due.channel.as_str(), &self.email, &self.webhook) {
            (webhook::CHANNEL, _, Some(webhook)) => webhook.send(due, self.content).await,
            (channel, Some(email), _) if channel.split(':').next() == Some(email::CHANNEL) => {
                email.send(due, self.content).await
            }
            (other, _, _) => Err(missing(other)),
        }
    }

    /// A test notification on every channel: each channel's name and what came of it.
    pub async fn test(&self) -> Vec<(String, Result<(), Failure>)> {
        let due = Due {
            id: 0,
            claim: 0,
            channel: String::new(),
            attempts: 0,
            age: 0.0,
            message_id: 0,
            // A fresh id: a test never looks like a message already notified.
            uid: crate::store::new_uid(),
            name: "Test".into(),
            email: "test@example.org".into(),
            body: "A test notification from scdi-site (notify test). \
                   Nobody wrote this message."
                .into(),
            locale: "en".into(),
            created_at: crate::store::utc_now(),
        };
        let mut results = vec![];
        for channel in &self.names {
            let due = Due {
                channel: channel.clone(),
                ..due.clone()
            };
            let described = match (&self.email, &self.webhook) {
                (_, Some(webhook)) if channel == webhook::CHANNEL => webhook.describe(),
                (Some(email), _) => email.describe(channel),
                _ => channel.clone(),
            };
            results.push((described, self.send(&due).await));
        }
        results
    }
}

/// An error with its causes, as the other side said it ("Connection refused", a server's
/// "550 mailbox unavailable"), each said once: some errors (lettre's) already end with
/// their cause's text.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let cause = s.to_string();
        if !text.ends_with(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = s.source();
    }
    text
}

/// Warns at startup of notifications that wait on a channel this instance does not send
/// on: they stay pending for an instance that does. (Which channels it sends on is in the
/// startup summary, `AppState::say_what_runs`.)
pub async fn warn_of_others_pending(store: &Store, channels: &Channels) {
    let claimed = channels.claimed();
    match store.pending().await {
        Ok(pending) => {
            for (channel, count) in pending.iter().filter(|(c, _)| !claimed.contains(c)) {
                tracing::warn!(channel, count, "notifications wait on a channel this instance does not send on: they stay pending for an instance that does");
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the outbox"),
    }
}

/// Wakes the workers when a message was stored, so that they need not wait for their next
/// look. Each worker sees every ring since its last look, even one rung while it was busy.
#[derive(Clone)]
pub struct Doorbell(Arc<watch::Sender<()>>);

impl Default for Doorbell {
    fn default() -> Self {
        Self(Arc::new(watch::Sender::new(())))
    }
}

impl Doorbell {
    pub fn ring(&self) {
        self.0.send_replace(());
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
/// Sends due notifications, a worker per channel this instance has, until `stop` turns
/// true; then returns after the attempts in hand.
pub async fn run(
    store: Store,
    channels: Arc<Channels>,
    pace: Pace,
    doorbell: Doorbell,
    stop: watch::Receiver<bool>,
) {
    let pace = Arc::new(pace);
    let workers: Vec<_> = channels
        .claimed()
        .into_iter()
        .map(|channel| {
            let worker = Worker {
                channel,
                store: store.clone(),
                channels: channels.clone(),
                pace: pace.clone(),
            };
            tokio::spawn(worker.run(doorbell.0.subscribe(), stop.clone()))
        })
        .collect();
    for worker in workers {
        if let Err(e) = worker.await {
            tracing::error!(error = %e, "a notification worker stopped");
        }
    }
}

/// Sends the notifications of one channel.
struct Worker {
    channel: String,
    store: Store,
    channels: Arc<Channels>,
    pace: Arc<Pace>,
}

impl Worker {
    async fn run(self, mut doorbell: watch::Receiver<()>, mut stop: watch::Receiver<bool>) {
        let look_every = LOOK_EVERY.min(self.pace.first_retry);
        let lease = self.pace.timeout * 2;
        while !*stop.borrow() {
            match self.store.claim_next(&self.channel, lease).await {
                Ok(Some(due)) => {
                    self.send(&due).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, channel = %self.channel, "cannot read the outbox; trying again shortly");
                }
            }
            tokio::select! {
                _ = doorbell.changed() => {}
                _ = tokio::time::sleep(look_every) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// One attempt at `due`, and its outcome recorded while the claim holds.
    async fn send(&self, due: &Due) {
        let sent = attempt(&self.channels, due, &self.pace).await;
        let (id, channel) = (due.id, self.channel.as_str());
        match self.store.mark(due, &sent).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                notification = id,
                message_id = due.message_id,
                channel,
                "a notification's claim ended before its outcome was recorded: another \
                 instance may send it again (is the database's clock steady?)"
            ),
            Err(e) => {
                tracing::warn!(error = %e, notification = id, message_id = due.message_id, channel, "cannot record a notification's outcome; it will be sent again")
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
            tracing::info!(
                notification = id,
                message_id = message,
                channel,
                "notification sent"
            );
            return Sent::Yes;
        }
        Err(failure) => failure,
    };
    let attempts = due.attempts + 1;
    let delay = retry_delay(pace.first_retry, attempts);
    let queued_for = Duration::from_secs_f64(due.age.max(0.0));
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
        tracing::error!(notification = id, message_id = message, channel, error = %why, "notification failed for good; the message is in the database (messages list)");
        Sent::Failed(why)
    } else {
        tracing::warn!(notification = id, message_id = message, channel, attempts, retry_in_s = delay.as_secs(), error = %failure.text, "notification not sent yet");
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

    /// An error that writes its cause into its own text, as lettre's do.
    #[derive(Debug, thiserror::Error)]
    #[error("Connection error: {0}")]
    struct SaysItsCause(#[source] std::io::Error);

    #[test]
    fn a_cause_is_said_once() {
        let e = SaysItsCause(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        assert_eq!(error_chain(&e), "Connection error: Connection refused");
        let io = std::io::Error::other(SaysItsCause(std::io::Error::other("reset")));
        assert_eq!(error_chain(&io), "Connection error: reset");
    }

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
