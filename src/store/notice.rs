//! The day the settings the privacy page states last changed, kept with the messages so
//! that every instance, and every restart, tells the same day.

use sqlx::Connection;

use super::{Backend, Error, Store};

/// Records `fingerprint` (of the stated settings) as the current one from `today` unless
/// it already is, and gives the day it became current. One row: settings changed and
/// changed back are a change.
const SETTINGS_SINCE: &str = "INSERT INTO privacy_settings (id, fingerprint, since) \
     VALUES (1, $1, $2) \
     ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, since = excluded.since \
     WHERE privacy_settings.fingerprint <> excluded.fingerprint \
     RETURNING since";

/// The record: the fingerprint and the day.
pub(super) const SETTINGS: &str = "SELECT fingerprint, since FROM privacy_settings WHERE id = 1";

/// The record a copy carries into a database: one that records other settings keeps them
/// (its instances run with those); one that records the same ones takes the earlier day.
pub(super) const COPY_SETTINGS: &str = "INSERT INTO privacy_settings (id, fingerprint, since) \
     VALUES (1, $1, $2) \
     ON CONFLICT (id) DO UPDATE SET since = excluded.since \
     WHERE privacy_settings.fingerprint = excluded.fingerprint \
     AND excluded.since < privacy_settings.since";

impl Store {
    /// The day (`YYYY-MM-DD`) the settings with `fingerprint` became the ones the site runs
    /// with: `today` when they differ from the last recorded.
    pub async fn settings_since(&self, fingerprint: &str, today: &str) -> Result<String, Error> {
        each_backend!(self, |backend| {
            // A write read with `fetch_*` commits in a transaction of its own, whose
            // failure is then reported (see the SQLite store).
            let mut conn = backend.pool.acquire().await?;
            let mut tx = conn.begin().await?;
            let changed: Option<String> = sqlx::query_scalar(SETTINGS_SINCE)
                .bind(fingerprint)
                .bind(today)
                .fetch_optional(&mut *tx)
                .await?;
            let since = match changed {
                Some(since) => since,
                None => {
                    let (_, since): (String, String) =
                        sqlx::query_as(SETTINGS).fetch_one(&mut *tx).await?;
                    since
                }
            };
            tx.commit().await?;
            Ok(since)
        })
    }
}
