//! How the site handles what readers send, and the facts the privacy page states from it:
//! the page is written from the settings the site runs with, so that it cannot drift from
//! what the software does. `serve` and `export` take the same flags (a mirror's page states
//! the live site's handling: export with the live site's settings).

use std::time::Duration;

use clap::Args;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Content, NotifyConfig, OnionUrl};

/// When the privacy page's English wording last changed (its Fluent messages), shown on the
/// page. A unit test holds the messages' digest beside it, so that a change to the wording
/// cannot leave the date behind.
const PRIVACY_WORDING_CHANGED: &str = "2026-12-01";

#[derive(Args, Clone, Debug)]
pub struct Handling {
    /// Delete messages (with their notifications) this many days after they arrive,
    /// checked at start and daily; by default they are kept until deleted by hand.
    #[arg(long, env = "SCDI_RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub retention_days: Option<u32>,
    /// The email address readers write to about their data (to see, correct or delete
    /// it), given on the privacy page; without it, the page sends them to the contact form.
    #[arg(long, env = "SCDI_PRIVACY_CONTACT")]
    pub privacy_contact: Option<lettre::Address>,
    /// Contact form: accepted messages per client per hour (0: no limit).
    #[arg(long, env = "SCDI_CONTACT_PER_HOUR", default_value_t = 20)]
    pub contact_per_hour: u32,
    /// Contact form: how many messages a client may send in a quick burst.
    #[arg(long, env = "SCDI_CONTACT_BURST", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub contact_burst: u32,
}

/// How often the contact limit forgets the clients whose allowance is whole again.
pub const FORGET_CLIENTS_EVERY: Duration = Duration::from_secs(60);

impl Handling {
    /// How long a client's allowance takes to fill from empty (`contact_burst` messages at
    /// `contact_per_hour`), the one formula of it: the contact limit forgets a client whose
    /// allowance is whole again. `None` without a limit.
    pub fn refill_time(&self) -> Option<Duration> {
        (self.contact_per_hour > 0).then(|| {
            Duration::from_secs_f64(
                f64::from(self.contact_burst) * 3600.0 / f64::from(self.contact_per_hour),
            )
        })
    }

    /// How long after a client's last message its count is kept, at most: until its
    /// allowance is whole again, and the next time the limit forgets. `None` without a
    /// limit.
    pub fn limit_memory(&self) -> Option<Duration> {
        self.refill_time().map(|full| full + FORGET_CLIENTS_EVERY)
    }
}

/// What the privacy page and the contact page's safety note state: the facts, each read
/// from the settings ([`Privacy::of`]), and the day the page last changed. Templates see
/// it as `privacy`.
#[derive(Clone, Debug, Serialize)]
pub struct Privacy {
    #[serde(flatten)]
    pub facts: Facts,
    /// The day the page last changed (`YYYY-MM-DD`): its wording, or the settings it states
    /// ([`Privacy::settings_since`]).
    pub changed: String,
}

/// The settings the privacy page states.
#[derive(Clone, Debug, Serialize)]
pub struct Facts {
    /// Days a message is kept; `None`: until the organisers delete it.
    pub retention_days: Option<u32>,
    /// Organisers are emailed about each message.
    pub email: bool,
    /// The host of the organisers' webhook receiver (never its path, which may hold a
    /// token).
    pub webhook_host: Option<String>,
    /// Notifications hold the whole message (`false`: only that one arrived).
    pub full_content: bool,
    /// Where readers write about their data.
    pub contact: Option<String>,
    /// The minutes (rounded up) an address is held after its last message, to limit how
    /// many it sends; `None` without a limit.
    pub limit_minutes: Option<u64>,
    /// The site's onion service.
    pub onion: Option<String>,
}

impl Privacy {
    /// The facts of a site run with `handling`, notifying as `notify` says, with the onion
    /// service `onion`; changed when its wording last did.
    pub fn of(handling: &Handling, notify: &NotifyConfig, onion: Option<&OnionUrl>) -> Self {
        let facts = Facts {
            retention_days: handling.retention_days,
            email: !notify.emails.is_empty(),
            webhook_host: notify
                .webhook
                .as_ref()
                .and_then(|w| w.url().host_str().map(str::to_string)),
            full_content: notify.content == Content::Full,
            contact: handling.privacy_contact.as_ref().map(ToString::to_string),
            limit_minutes: handling
                .limit_memory()
                .map(|held| held.as_secs().div_ceil(60)),
            onion: onion.map(|o| o.as_str().to_string()),
        };
        Self {
            facts,
            changed: PRIVACY_WORDING_CHANGED.to_string(),
        }
    }

    /// The facts' fingerprint (SHA-256, hex): what the site records to tell when they
    /// change.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_vec(&self.facts).unwrap_or_default();
        format!("{:x}", Sha256::digest(json))
    }

    /// The same, changed on `day` (`YYYY-MM-DD`) if that is later: the day the facts became
    /// the site's settings.
    pub fn settings_since(mut self, day: String) -> Self {
        if day > self.changed {
            self.changed = day;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-256 of `locales/en/privacy.ftl` when [`PRIVACY_WORDING_CHANGED`] was set.
    const WORDING_DIGEST: &str = "3316106f578d0322800be7b1414099b634e49a3008a179ad10be9cc3bf084096";

    #[test]
    fn the_wording_date_moves_with_the_english_wording() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en/privacy.ftl");
        let text = std::fs::read(path).expect("the English privacy messages");
        let digest = format!("{:x}", Sha256::digest(text));
        assert_eq!(
            digest, WORDING_DIGEST,
            "locales/en/privacy.ftl changed: set PRIVACY_WORDING_CHANGED (src/config/handling.rs) \
             to the day of the change and WORDING_DIGEST to {digest}"
        );
    }

    #[test]
    fn an_address_is_held_until_its_allowance_is_whole_again() {
        let handling = |per_hour, burst| Handling {
            retention_days: None,
            privacy_contact: None,
            contact_per_hour: per_hour,
            contact_burst: burst,
        };
        assert_eq!(
            handling(20, 5).limit_memory(),
            Some(Duration::from_secs(960))
        );
        assert_eq!(handling(0, 5).limit_memory(), None);
    }
}
