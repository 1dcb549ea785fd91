//! The day the settings the privacy page states last changed, kept with the messages so
//! that every instance, and every restart, tells the same day.

use super::{Backend, Error, Store};

/// Records `fingerprint` (of the stated settings) as the current one from `today` unless
/// it already is, and gives the day it became current. One row: settings changed and
/// changed back are a change.
const SETTINGS_SINCE: &str = "INSERT INTO privacy_settings (id, fingerprint, since) \
     VALUES (1, $1, $2) \
     ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, since = excluded.since \
     WHERE privacy_settings.fingerprint <> excluded.fingerprint \
     RETURNING since";

impl Store {
    /// The day (`YYYY-MM-DD`) the settings with `fingerprint` became the ones the site runs
    /// with: `today` when they differ from the last recorded.
    pub async fn settings_since(&self, fingerprint: &str, today: &str) -> Result<String, Error> {
        each_backend!(self, |backend| {
            let changed: Option<String> = sqlx::query_scalar(SETTINGS_SINCE)
                .bind(fingerprint)
                .bind(today)
                .fetch_optional(&backend.pool)
                .await?;
            match changed {
                Some(since) => Ok(since),
                None => Ok(
                    sqlx::query_scalar("SELECT since FROM privacy_settings WHERE id = 1")
                        .fetch_one(&backend.pool)
                        .await?,
                ),
            }
        })
    }
}
