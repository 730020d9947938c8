//! The push services devices are reached through, one adapter each, behind one
//! [`PushService`]: Web Push for browsers (`web_push`).
//!
//! FCM and APNs tokens are registered and kept; a push to one is refused (`Rejected`, counted
//! in `PushesFailed`) until the tenant's credentials for that service are configured.

mod web_push;

use async_trait::async_trait;

pub use web_push::WebPush;

use crate::domain::{Device, PushTarget, TenantId};
use crate::ports::{DevicePush, PushService, PushServiceError};

/// Every push service a process reaches.
pub struct PushServices {
    pub web: WebPush,
}

#[async_trait]
impl PushService for PushServices {
    async fn send(&self, tenant: &TenantId, device: &Device, push: &DevicePush) -> Result<(), PushServiceError> {
        match &device.target {
            PushTarget::Webpush { subscription } => self.web.send(subscription, push).await,
            PushTarget::Fcm { .. } | PushTarget::Apns { .. } => Err(PushServiceError::Rejected(format!(
                "no {} credentials are configured for tenant {tenant}",
                device.target.kind()
            ))),
        }
    }
}
