//! A webhook: each message POSTed as JSON with `X-Scdi-Delivery` (the same for every retry
//! of one notification, never the same for two: it is made from the message's random id)
//! and `X-Scdi-Signature: t=<unix time>,v1=<hex>`, the HMAC-SHA256 under the shared secret
//! of `<t>.<delivery>.<exact body>` (Stripe's shape). A bridge to Matrix, Signal or Slack
//! checks it came from the site, that `t` is recent, and that it has not seen the delivery
//! before: a recorded request cannot be played again. The URL's path and query (which may
//! hold a token) are never logged or recorded: only its scheme, host and port.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::{error_chain, Failure, SetupError};
use crate::{
    config::{Content, NotifyConfig, WebhookUrl},
    store::Due,
};

pub(super) const CHANNEL: &str = "webhook";

pub(super) struct Webhook {
    client: reqwest::Client,
    url: WebhookUrl,
    secret: Vec<u8>,
}

#[derive(Serialize)]
struct Payload<'a> {
    id: i64,
    time: &'a str,
    locale: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

impl Webhook {
    pub(super) fn new(config: &NotifyConfig) -> Result<Option<Self>, SetupError> {
        let Some(url) = &config.webhook else {
            return Ok(None);
        };
        let secret = config
            .webhook_secret()
            .map_err(|source| SetupError::Secret {
                what: "the webhook's secret (--notify-webhook-secret-file)",
                source,
            })?
            .ok_or_else(|| {
                SetupError::Config(
                    "--notify-webhook needs its signing secret: --notify-webhook-secret-file, \
                     or the systemd credential webhook-secret"
                        .into(),
                )
            })?;
        if secret.len() < 16 {
            return Err(SetupError::Config(
                "the webhook secret is shorter than 16 characters: make a long random one, \
                 e.g. `openssl rand -hex 32`"
                    .into(),
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout())
            // A redirect would send the message somewhere nobody configured.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SetupError::Config(format!("the webhook client: {e}")))?;
        Ok(Some(Self {
            client,
            url: url.clone(),
            secret: secret.into_bytes(),
        }))
    }

    pub(super) fn describe(&self) -> String {
        format!("webhook {}", self.url)
    }

    pub(super) async fn send(&self, due: &Due, content: Content) -> Result<(), Failure> {
        let full = content == Content::Full;
        let body = serde_json::to_vec(&Payload {
            id: due.message_id,
            time: &due.created_at,
            locale: &due.locale,
            name: full.then_some(due.name.as_str()),
            email: full.then_some(due.email.as_str()),
            message: full.then_some(due.body.as_str()),
        })
        .map_err(|e| Failure {
            permanent: true,
            text: e.to_string(),
        })?;
        let delivery = format!("{}.{}", due.uid, CHANNEL);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let response = self
            .client
            .post(self.url.url().clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                "X-Scdi-Signature",
                signature(&self.secret, now, &delivery, &body),
            )
            .header("X-Scdi-Delivery", delivery)
            .body(body)
            .send()
            .await
            .map_err(|e| Failure {
                permanent: false,
                // The URL may hold a token: what failed, never where.
                text: error_chain(&e.without_url()),
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // 4xx: the receiver refuses this request, and would refuse it again; except "too
        // many" and "timed out", which pass.
        let permanent = status.is_client_error()
            && status != reqwest::StatusCode::TOO_MANY_REQUESTS
            && status != reqwest::StatusCode::REQUEST_TIMEOUT;
        Err(Failure {
            permanent,
            text: format!("the webhook answered {status}"),
        })
    }
}

/// `t=<time>,v1=<hex>`: the hex HMAC-SHA256 under `secret` of `<time>.<delivery>.<body>`.
pub(super) fn signature(secret: &[u8], time: u64, delivery: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{time}.{delivery}.").as_bytes());
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={time},v1={hex}")
}

#[cfg(test)]
mod tests {
    /// The value Python's `hmac.new(b"Jefe", b"1.what do.ya want for nothing?",
    /// hashlib.sha256).hexdigest()` gives: an implementation of its own.
    #[test]
    fn the_signature_is_hmac_sha256_of_time_delivery_and_body() {
        assert_eq!(
            super::signature(b"Jefe", 1, "what do", b"ya want for nothing?"),
            "t=1,v1=3a16fb1572ee1007df9ad84dbf42ab322b4b32ce7135c6cc52d588aaf2db22e1"
        );
    }
}
