//! The push services devices are reached through, one adapter each, behind one
//! [`PushService`]: Web Push for browsers (the stack's VAPID key), FCM and APNs for phones
//! (the tenant's credentials, read from their [`PushCredentialStore`] and kept a few minutes).

mod apns;
mod fcm;
mod web_push;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;

pub use apns::Apns;
pub use fcm::Fcm;
pub use web_push::WebPush;

use crate::config::Config;
use crate::domain::{Device, PushCredentials, PushTarget, TenantId};
use crate::ports::{DevicePush, PushCredentialStore, PushService, PushServiceError};

/// How long one push service request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a tenant's credentials are kept in memory: a change reaches warm workers within it.
const CREDENTIALS_TTL: Duration = Duration::from_secs(5 * 60);

/// Every push service a process reaches.
pub struct PushServices {
    web: WebPush,
    fcm: Fcm,
    apns: Apns,
    credentials: Arc<dyn PushCredentialStore>,
    /// Tenants' credentials read recently. None set is not remembered: credentials set a
    /// moment ago are used at once.
    kept: Mutex<HashMap<TenantId, (Arc<PushCredentials>, Instant)>>,
}

impl PushServices {
    pub fn new(config: &Config, credentials: Arc<dyn PushCredentialStore>) -> Result<Self, anyhow::Error> {
        let http = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build()?;
        let settings = &config.push;
        Ok(Self {
            web: WebPush::new(http.clone(), config),
            fcm: Fcm::new(http, settings.fcm_origin.clone()),
            apns: Apns::new(REQUEST_TIMEOUT, settings.apns_origin.clone())?,
            credentials,
            kept: Mutex::new(HashMap::new()),
        })
    }

    async fn credentials_of(&self, tenant: &TenantId) -> Result<Option<Arc<PushCredentials>>, PushServiceError> {
        if let Some((credentials, read)) = self.kept.lock().unwrap_or_else(|e| e.into_inner()).get(tenant) {
            if read.elapsed() < CREDENTIALS_TTL {
                return Ok(Some(credentials.clone()));
            }
        }
        let Some(read) = self.credentials.get_push_credentials(tenant).await.map_err(PushServiceError::Failed)? else {
            return Ok(None);
        };
        let read = Arc::new(read);
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).insert(tenant.clone(), (read.clone(), Instant::now()));
        Ok(Some(read))
    }
}

#[async_trait]
impl PushService for PushServices {
    async fn send(&self, tenant: &TenantId, device: &Device, push: &DevicePush) -> Result<(), PushServiceError> {
        let unconfigured = || {
            PushServiceError::Rejected(format!("no {} credentials are set for tenant {tenant}", device.target.kind()))
        };
        match &device.target {
            PushTarget::Webpush { subscription } => self.web.send(subscription, push).await,
            PushTarget::Fcm { token } => {
                let credentials = self.credentials_of(tenant).await?;
                let account = credentials.as_ref().and_then(|c| c.fcm.as_ref()).ok_or_else(unconfigured)?;
                self.fcm.send(account, token, push).await
            }
            PushTarget::Apns { token } => {
                let credentials = self.credentials_of(tenant).await?;
                let key = credentials.as_ref().and_then(|c| c.apns.as_ref()).ok_or_else(unconfigured)?;
                self.apns.send(key, token, push).await
            }
        }
    }
}

/// `url` at `origin` instead of its own (tests' push services), its path kept.
fn at_origin(url: &str, origin: Option<&str>) -> String {
    match (origin, crate::vapid::origin_of(url)) {
        (Some(origin), Some(theirs)) => format!("{origin}{}", &url[theirs.len()..]),
        _ => url.to_string(),
    }
}

/// The start of a push service's error answer, for a log line.
fn excerpt(text: &str) -> String {
    text.chars().take(200).collect()
}
