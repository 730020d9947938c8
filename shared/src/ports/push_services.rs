//! Pushing a notification to a device through its platform's push service: Web Push for
//! browsers, FCM for Android, APNs for Apple's devices.

use async_trait::async_trait;

use crate::domain::{Device, PushCredentials, TenantId};

/// How urgently a push service should wake the device (RFC 8030's `Urgency`, FCM's and
/// APNs' priority).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    Normal,
    /// A call-out: delivered at once, the device woken.
    High,
}

/// One push, the same for every kind of device; each service's adapter says it its way.
#[derive(Clone, Debug, PartialEq)]
pub struct DevicePush {
    /// The JSON the app receives (a service worker's `event.data.json()`, the phone's data).
    pub payload: serde_json::Value,
    /// What the device shows when the app does not (APNs' and FCM's own display).
    pub title: String,
    pub body: String,
    /// Pushes of the same topic replace each other while waiting (one per conversation):
    /// at most 32 characters of the URL-safe base64 alphabet.
    pub topic: Option<String>,
    pub urgency: Urgency,
    /// How long the service keeps the push for a device that is off.
    pub ttl_secs: u64,
    /// The number on the app's icon: the user's unread notifications.
    pub badge: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PushServiceError {
    /// The service says the device is gone (404/410, `UNREGISTERED`): forget it.
    #[error("device gone")]
    Gone,
    /// The service refused this push or the credentials it was sent with: retrying will not help.
    #[error("rejected: {0}")]
    Rejected(String),
    /// A throttle, an outage, the network: retry later.
    #[error("push service failure: {0:#}")]
    Failed(anyhow::Error),
}

#[async_trait]
pub trait PushService: Send + Sync {
    /// Sends one push to one of the tenant's devices.
    async fn send(&self, tenant: &TenantId, device: &Device, push: &DevicePush) -> Result<(), PushServiceError>;
}

/// Where tenants' push credentials are kept (Secrets Manager; locally the data directory):
/// written by the operator's API, read by the worker that pushes.
#[async_trait]
pub trait PushCredentialStore: Send + Sync {
    async fn get_push_credentials(&self, tenant: &TenantId) -> Result<Option<PushCredentials>, anyhow::Error>;
    async fn put_push_credentials(&self, tenant: &TenantId, credentials: &PushCredentials)
        -> Result<(), anyhow::Error>;
    /// Forgets the tenant's credentials (its offboarding); none is no error.
    async fn delete_push_credentials(&self, tenant: &TenantId) -> Result<(), anyhow::Error>;
}
