//! A webhook: each message POSTed as JSON, signed with HMAC-SHA256 over the exact body
//! (`X-Scdi-Signature: sha256=<hex>`), so that a bridge to Matrix, Signal or Slack can
//! check it came from the site. `X-Scdi-Delivery` is the same for every retry of one
//! notification and never the same for two (it is made from the message's random id): a
//! receiver that saw it already can ignore it.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::{error_chain, Failure, SetupError};
use crate::{
    config::{read_secret, Content, NotifyConfig, WebhookUrl},
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
        let (Some(url), Some(file)) = (&config.webhook, &config.webhook_secret_file) else {
            return Ok(None);
        };
        let secret = read_secret(file).map_err(|source| SetupError::Secret {
            what: "--notify-webhook-secret-file",
            source,
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
        format!("webhook {}", self.url.url())
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
        let response = self
            .client
            .post(self.url.url().clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Scdi-Signature", signature(&self.secret, &body))
            .header("X-Scdi-Delivery", format!("{}.{}", due.uid, CHANNEL))
            .body(body)
            .send()
            .await
            .map_err(|e| Failure {
                permanent: false,
                text: error_chain(&e),
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

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
pub(super) fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    /// RFC 4231, test case 2.
    #[test]
    fn the_signature_is_hmac_sha256_in_hex() {
        assert_eq!(
            super::signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
