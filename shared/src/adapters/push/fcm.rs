//! Firebase Cloud Messaging, HTTP v1: an OAuth2 access token for the tenant's service account
//! (a JWT it signs, RS256, exchanged at its token endpoint; kept until shortly before it
//! expires), then one `messages:send` per device.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Mutex;

use super::{at_origin, excerpt};
use crate::domain::FcmServiceAccount;
use crate::ports::{DevicePush, PushServiceError, Urgency};

const FCM_ORIGIN: &str = "https://fcm.googleapis.com";
const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// An access token is asked for again this long before it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(5 * 60);

pub struct Fcm {
    http: reqwest::Client,
    origin_override: Option<String>,
    /// Access tokens by service account (`client_email`), with when to stop using them. Held
    /// while a new one is asked for, so that pushes at once ask once.
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

#[derive(Deserialize)]
struct AccessToken {
    access_token: String,
    expires_in: u64,
}

impl Fcm {
    pub fn new(http: reqwest::Client, origin_override: Option<String>) -> Self {
        Self { http, origin_override, tokens: Mutex::new(HashMap::new()) }
    }

    pub async fn send(
        &self,
        account: &FcmServiceAccount,
        device_token: &str,
        push: &DevicePush,
    ) -> Result<(), PushServiceError> {
        let access = self.access_token(account).await?;
        let url = format!("{FCM_ORIGIN}/v1/projects/{}/messages:send", account.project_id);
        let mut android = json!({
            "priority": if push.urgency == Urgency::High { "HIGH" } else { "NORMAL" },
            "ttl": format!("{}s", push.ttl_secs),
            "notification": { "notification_count": push.badge },
        });
        if let Some(topic) = &push.topic {
            android["collapse_key"] = json!(topic);
            android["notification"]["tag"] = json!(topic);
        }
        let message = json!({ "message": {
            "token": device_token,
            "notification": { "title": push.title, "body": push.body },
            // Data values are strings: the app parses the payload as a service worker would.
            "data": { "payload": push.payload.to_string() },
            "android": android,
        } });
        let answer = self
            .http
            .post(at_origin(&url, self.origin_override.as_deref()))
            .bearer_auth(&access)
            .json(&message)
            .send()
            .await
            .map_err(|e| PushServiceError::Failed(anyhow!(e).context("FCM")))?;
        let status = answer.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        let error = answer.text().await.unwrap_or_default();
        match status {
            // FCM's `UNREGISTERED` (404), or a token it no longer knows (400 naming it).
            404 => Err(PushServiceError::Gone),
            400 if error.contains("UNREGISTERED") => Err(PushServiceError::Gone),
            401 => {
                // The token was revoked or expired early: the next attempt asks for another.
                self.tokens.lock().await.remove(&account.client_email);
                Err(PushServiceError::Failed(anyhow!("FCM refused the access token (401)")))
            }
            429 | 500..=599 => Err(PushServiceError::Failed(anyhow!("FCM answered {status}"))),
            _ => Err(PushServiceError::Rejected(format!("FCM answered {status}: {}", excerpt(&error)))),
        }
    }

    /// The service account's access token: the one kept, or a new one.
    async fn access_token(&self, account: &FcmServiceAccount) -> Result<String, PushServiceError> {
        let mut tokens = self.tokens.lock().await;
        if let Some((token, until)) = tokens.get(&account.client_email) {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let now = chrono::Utc::now().timestamp();
        let claims =
            Assertion { iss: &account.client_email, scope: SCOPE, aud: &account.token_uri, iat: now, exp: now + 3600 };
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(account.private_key.as_bytes())
            .map_err(|e| PushServiceError::Rejected(format!("the service account's key: {e}")))?;
        let assertion = jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &key)
            .map_err(|e| PushServiceError::Rejected(format!("signing with the service account's key: {e}")))?;
        let form = format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}");
        let answer = self
            .http
            .post(at_origin(&account.token_uri, self.origin_override.as_deref()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| PushServiceError::Failed(anyhow!(e).context("FCM's token endpoint")))?;
        let status = answer.status().as_u16();
        if !answer.status().is_success() {
            let error = answer.text().await.unwrap_or_default();
            let why = format!("the token endpoint answered {status}: {}", excerpt(&error));
            return Err(match status {
                429 | 500..=599 => PushServiceError::Failed(anyhow!(why)),
                // A key revoked or a service account deleted: the operator must set new credentials.
                _ => PushServiceError::Rejected(why),
            });
        }
        let token: AccessToken =
            answer.json().await.map_err(|e| PushServiceError::Failed(anyhow!(e).context("FCM's token answer")))?;
        let until = Instant::now() + Duration::from_secs(token.expires_in).saturating_sub(TOKEN_MARGIN);
        tokens.insert(account.client_email.clone(), (token.access_token.clone(), until));
        Ok(token.access_token)
    }
}
