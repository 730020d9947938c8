//! The devices a user's notifications are pushed to: a browser's Web Push subscription, or a
//! phone's FCM or APNs token. Each is checked as it is registered, so that a push never goes to
//! something that could not be one.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{TenantId, UserId};
use crate::error::AppError;

/// The most devices one user keeps: registering one more drops the oldest.
pub const MAX_DEVICES: usize = 20;

/// Where a device's pushes go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PushTarget {
    /// A browser's push subscription (`PushSubscription.toJSON()`).
    #[serde(rename_all = "camelCase")]
    Webpush { subscription: WebPushSubscription },
    /// An Android (or web) app's Firebase Cloud Messaging registration token.
    Fcm { token: String },
    /// An iOS app's APNs device token, in hexadecimal.
    Apns { token: String },
}

/// What a browser's `PushSubscription` holds: its push service's URL and the keys its payloads
/// are encrypted for (RFC 8291).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebPushSubscription {
    pub endpoint: String,
    pub keys: WebPushKeys,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebPushKeys {
    /// The browser's P-256 public key, an uncompressed point (65 bytes), base64url.
    pub p256dh: String,
    /// The browser's authentication secret (16 bytes), base64url.
    pub auth: String,
}

impl PushTarget {
    /// Checks a target as a push service would take it; a 400 names the field otherwise.
    pub fn check(self) -> Result<Self, AppError> {
        match &self {
            PushTarget::Webpush { subscription } => {
                check_endpoint(&subscription.endpoint)?;
                let key = decode("subscription.keys.p256dh", &subscription.keys.p256dh)?;
                if key.len() != 65 || p256::PublicKey::from_sec1_bytes(&key).is_err() {
                    return Err(AppError::invalid(
                        "subscription.keys.p256dh: expected an uncompressed P-256 public key (65 bytes)",
                    ));
                }
                if decode("subscription.keys.auth", &subscription.keys.auth)?.len() != 16 {
                    return Err(AppError::invalid("subscription.keys.auth: expected 16 bytes"));
                }
            }
            PushTarget::Fcm { token } => {
                let plausible = (100..=4096).contains(&token.len())
                    && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-:".contains(&b));
                if !plausible {
                    return Err(AppError::invalid("token: expected an FCM registration token"));
                }
            }
            PushTarget::Apns { token } => {
                if !(64..=200).contains(&token.len()) || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(AppError::invalid("token: expected an APNs device token (hexadecimal)"));
                }
            }
        }
        Ok(self)
    }

    /// The same device always has the same id: a second registration replaces the first.
    pub fn device_id(&self) -> String {
        let mut hash = Sha256::new();
        match self {
            PushTarget::Webpush { subscription } => hash.update(format!("webpush\n{}", subscription.endpoint)),
            PushTarget::Fcm { token } => hash.update(format!("fcm\n{token}")),
            PushTarget::Apns { token } => hash.update(format!("apns\n{}", token.to_ascii_lowercase())),
        }
        hash.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn kind(&self) -> &'static str {
        match self {
            PushTarget::Webpush { .. } => "webpush",
            PushTarget::Fcm { .. } => "fcm",
            PushTarget::Apns { .. } => "apns",
        }
    }

    /// What a list shows of it, without its keys: the push service's address, or the token's
    /// last characters.
    pub fn label(&self) -> String {
        match self {
            PushTarget::Webpush { subscription } => {
                let after_scheme = subscription.endpoint.trim_start_matches("https://");
                format!("https://{}", after_scheme.split('/').next().unwrap_or_default())
            }
            PushTarget::Fcm { token } | PushTarget::Apns { token } => {
                format!("…{}", &token[token.len().saturating_sub(6)..])
            }
        }
    }
}

fn check_endpoint(endpoint: &str) -> Result<(), AppError> {
    let invalid = || AppError::invalid("subscription.endpoint: expected the push service's https URL");
    let rest = endpoint.strip_prefix("https://").ok_or_else(invalid)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if endpoint.len() > 2048 || host.is_empty() || endpoint.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    Ok(())
}

/// Base64url, with or without padding (browsers give it without).
fn decode(field: &str, value: &str) -> Result<Vec<u8>, AppError> {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    engine.decode(value.trim_end_matches('=')).map_err(|_| AppError::invalid(format!("{field}: expected base64url")))
}

/// A device of a user's, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub id: String,
    pub target: PushTarget,
    pub created_at: DateTime<Utc>,
}

/// What the user sees of a device: never its keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    pub id: String,
    /// `webpush`, `fcm` or `apns`.
    pub kind: String,
    /// The push service's address (Web Push), or the token's last characters.
    pub label: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Device> for DeviceView {
    fn from(device: &Device) -> Self {
        Self {
            id: device.id.clone(),
            kind: device.target.kind().to_string(),
            label: device.target.label(),
            created_at: device.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webpush(endpoint: &str, p256dh: &str, auth: &str) -> PushTarget {
        let keys = WebPushKeys { p256dh: p256dh.into(), auth: auth.into() };
        PushTarget::Webpush { subscription: WebPushSubscription { endpoint: endpoint.into(), keys } }
    }

    /// A browser's key as Chrome gives it (RFC 8291's example key).
    const P256DH: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    #[test]
    fn a_web_push_subscription_is_checked_field_by_field() {
        assert!(webpush("https://fcm.googleapis.com/fcm/send/abc", P256DH, AUTH).check().is_ok());
        let refusal = |t: PushTarget| match t.check() {
            Err(AppError::InvalidInput(why)) => why,
            other => panic!("{other:?}"),
        };
        assert!(refusal(webpush("http://push.example/x", P256DH, AUTH)).starts_with("subscription.endpoint"));
        assert!(refusal(webpush("https:///x", P256DH, AUTH)).starts_with("subscription.endpoint"));
        assert!(refusal(webpush("https://p.example/x", "not base64!", AUTH)).starts_with("subscription.keys.p256dh"));
        let off_curve = format!("BA{}", "A".repeat(85));
        assert!(refusal(webpush("https://p.example/x", &off_curve, AUTH)).starts_with("subscription.keys.p256dh"));
        assert!(refusal(webpush("https://p.example/x", P256DH, "c2hvcnQ")).starts_with("subscription.keys.auth"));
    }

    #[test]
    fn tokens_have_the_shape_of_their_service() {
        let fcm = format!("dQw4w9WgXcQ:APA91b{}", "x".repeat(140));
        assert!(PushTarget::Fcm { token: fcm }.check().is_ok());
        assert!(PushTarget::Fcm { token: "short".into() }.check().is_err());
        assert!(PushTarget::Apns { token: "a1".repeat(32) }.check().is_ok());
        assert!(PushTarget::Apns { token: "zz".repeat(32) }.check().is_err());
        let apns = PushTarget::Apns { token: "A1".repeat(32) };
        assert_eq!(apns.device_id(), PushTarget::Apns { token: "a1".repeat(32) }.device_id(), "one device, one id");
        assert_eq!(apns.label(), "…A1A1A1");
        assert_eq!(webpush("https://web.push.apple.com/QGz/x", P256DH, AUTH).label(), "https://web.push.apple.com");
    }
}
