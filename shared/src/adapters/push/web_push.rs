//! Web Push (RFC 8030): the payload encrypted for the browser's keys (RFC 8291, aes128gcm)
//! and the request signed with the stack's VAPID key (RFC 8292), POSTed to the
//! subscription's endpoint — the browser vendor's push service.

use anyhow::anyhow;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::excerpt;
use crate::config::Config;
use crate::domain::WebPushSubscription;
use crate::ports::{DevicePush, PushServiceError, Urgency};
use crate::vapid::VapidKey;

pub struct WebPush {
    http: reqwest::Client,
    vapid: VapidKey,
    subject: String,
    origin_override: Option<String>,
}

impl WebPush {
    pub fn new(http: reqwest::Client, config: &Config) -> Self {
        Self {
            http,
            vapid: config.push.vapid.clone(),
            subject: config.vapid_subject(),
            origin_override: config.push.webpush_origin.clone(),
        }
    }

    pub async fn send(&self, subscription: &WebPushSubscription, push: &DevicePush) -> Result<(), PushServiceError> {
        let endpoint = &subscription.endpoint;
        let body = encrypt(subscription, push)?;
        let authorization =
            self.vapid.authorization(endpoint, &self.subject, chrono::Utc::now()).map_err(|e| rejected(&e))?;
        let url = super::at_origin(endpoint, self.origin_override.as_deref());
        let mut request = self
            .http
            .post(url)
            .header("TTL", push.ttl_secs)
            .header("Urgency", if push.urgency == Urgency::High { "high" } else { "normal" })
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", authorization)
            .body(body);
        if let Some(topic) = &push.topic {
            request = request.header("Topic", topic);
        }
        let answer = request.send().await.map_err(|e| PushServiceError::Failed(anyhow!(e).context("web push")))?;
        let status = answer.status().as_u16();
        match status {
            200..=299 => Ok(()),
            404 | 410 => Err(PushServiceError::Gone),
            429 | 500..=599 => Err(PushServiceError::Failed(anyhow!("the push service answered {status}"))),
            _ => {
                let why = excerpt(&answer.text().await.unwrap_or_default());
                Err(PushServiceError::Rejected(format!("the push service answered {status}: {why}")))
            }
        }
    }
}

fn rejected(why: &str) -> PushServiceError {
    PushServiceError::Rejected(why.to_string())
}

/// The payload as the browser's keys alone can read it.
fn encrypt(subscription: &WebPushSubscription, push: &DevicePush) -> Result<Vec<u8>, PushServiceError> {
    let keys = &subscription.keys;
    // Both were checked as the device was registered; a stored record that fails is refused.
    let p256dh = URL_SAFE_NO_PAD.decode(keys.p256dh.trim_end_matches('=')).map_err(|_| rejected("p256dh"))?;
    let auth = URL_SAFE_NO_PAD.decode(keys.auth.trim_end_matches('=')).map_err(|_| rejected("auth"))?;
    let public = web_push_native::p256::PublicKey::from_sec1_bytes(&p256dh).map_err(|_| rejected("p256dh"))?;
    let auth: [u8; 16] = auth.try_into().map_err(|_| rejected("auth"))?;
    let auth = web_push_native::Auth::from(auth);
    let plain = serde_json::to_vec(&push.payload).map_err(|e| PushServiceError::Failed(e.into()))?;
    web_push_native::encrypt(plain, &public, &auth).map_err(|e| rejected(&format!("encrypting the payload: {e}")))
}
