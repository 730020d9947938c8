//! Apple Push Notification service over HTTP/2, token-based: a provider token (ES256, signed
//! with the tenant's APNs key, kept 50 minutes — Apple refuses one older than an hour and
//! throttles new ones more often than every 20 minutes), then one request per device.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use serde::Serialize;
use serde_json::json;

use super::{at_origin, excerpt};
use crate::domain::{ApnsEnvironment, ApnsKey};
use crate::ports::{DevicePush, PushServiceError, Urgency};

/// How long a provider token is used.
const TOKEN_LIFETIME: Duration = Duration::from_secs(50 * 60);

pub struct Apns {
    /// HTTP/2 only: APNs speaks nothing else.
    http: reqwest::Client,
    origin_override: Option<String>,
    /// Provider tokens by (team, key), with when they were made.
    tokens: Mutex<HashMap<(String, String), (String, Instant)>>,
}

#[derive(Serialize)]
struct ProviderClaims<'a> {
    iss: &'a str,
    iat: i64,
}

impl Apns {
    pub fn new(timeout: Duration, origin_override: Option<String>) -> Result<Self, anyhow::Error> {
        let http = reqwest::Client::builder().timeout(timeout).http2_prior_knowledge().build()?;
        Ok(Self { http, origin_override, tokens: Mutex::new(HashMap::new()) })
    }

    pub async fn send(&self, key: &ApnsKey, device_token: &str, push: &DevicePush) -> Result<(), PushServiceError> {
        let origin = match key.environment {
            ApnsEnvironment::Production => "https://api.push.apple.com",
            ApnsEnvironment::Sandbox => "https://api.sandbox.push.apple.com",
        };
        let url = at_origin(&format!("{origin}/3/device/{device_token}"), self.origin_override.as_deref());
        let mut aps = json!({
            "alert": { "title": push.title, "body": push.body },
            "badge": push.badge,
            "sound": "default",
        });
        if push.urgency == Urgency::High {
            // Shown at once even in a Focus mode (a critical alert needs Apple's entitlement).
            aps["interruption-level"] = json!("time-sensitive");
        }
        if let Some(topic) = &push.topic {
            aps["thread-id"] = json!(topic);
        }
        let expiration = chrono::Utc::now().timestamp() + push.ttl_secs as i64;
        let mut request = self
            .http
            .post(url)
            .header("authorization", format!("bearer {}", self.provider_token(key)?))
            .header("apns-topic", &key.bundle_id)
            .header("apns-push-type", "alert")
            // 10: delivered at once (an alert the user sees; 5 would wait for the device's power).
            .header("apns-priority", "10")
            .header("apns-expiration", expiration.to_string())
            .json(&json!({ "aps": aps, "missive": push.payload }));
        if let Some(topic) = &push.topic {
            request = request.header("apns-collapse-id", topic);
        }
        let answer = request.send().await.map_err(|e| PushServiceError::Failed(anyhow!(e).context("APNs")))?;
        let status = answer.status().as_u16();
        if status == 200 {
            return Ok(());
        }
        let reason = answer.json::<serde_json::Value>().await.ok().and_then(|b| b["reason"].as_str().map(String::from));
        let reason = reason.unwrap_or_default();
        match (status, reason.as_str()) {
            (410, _) | (400, "BadDeviceToken" | "DeviceTokenNotForTopic") => Err(PushServiceError::Gone),
            (403, "ExpiredProviderToken") => {
                self.tokens
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&(key.team_id.clone(), key.key_id.clone()));
                Err(PushServiceError::Failed(anyhow!("APNs: the provider token expired")))
            }
            (429 | 500..=599, _) => Err(PushServiceError::Failed(anyhow!("APNs answered {status} {reason}"))),
            _ => Err(PushServiceError::Rejected(format!("APNs answered {status}: {}", excerpt(&reason)))),
        }
    }

    /// The key's provider token: the one kept while it is young enough, or a new one.
    fn provider_token(&self, key: &ApnsKey) -> Result<String, PushServiceError> {
        let id = (key.team_id.clone(), key.key_id.clone());
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((token, made)) = tokens.get(&id) {
            if made.elapsed() < TOKEN_LIFETIME {
                return Ok(token.clone());
            }
        }
        let signing = jsonwebtoken::EncodingKey::from_ec_pem(key.private_key.as_bytes())
            .map_err(|e| PushServiceError::Rejected(format!("the APNs key: {e}")))?;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(key.key_id.clone());
        let claims = ProviderClaims { iss: &key.team_id, iat: chrono::Utc::now().timestamp() };
        let token = jsonwebtoken::encode(&header, &claims, &signing)
            .map_err(|e| PushServiceError::Rejected(format!("signing with the APNs key: {e}")))?;
        tokens.insert(id, (token.clone(), Instant::now()));
        Ok(token)
    }
}
