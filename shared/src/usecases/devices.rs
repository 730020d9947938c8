//! The devices a user's notifications are pushed to: registered from a browser or a phone,
//! listed, removed. A guest may register one too (a storefront's visitor hears of the answer).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::identity::Identity;
use crate::domain::*;
use crate::ports::{Clock, DeviceStore, Upserted};
use crate::AppError;

/// The devices use cases, with the ports they use.
#[derive(Clone)]
pub struct DevicesUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) devices: Arc<dyn DeviceStore>,
}

/// The caller's devices, the oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceList {
    pub devices: Vec<DeviceView>,
}

/// A device to register: `{"kind":"webpush","subscription":{…}}` or `{"kind":"fcm"|"apns","token"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct NewDevice(pub PushTarget);

impl DevicesUseCases {
    /// Registers a device of the caller's, checked field by field; the same device again keeps
    /// its id and its place (`created: false`). A user keeps [`MAX_DEVICES`]: one more drops
    /// the oldest (a browser profile long gone, an old phone).
    pub async fn register(&self, who: &Identity, new: NewDevice) -> Result<Upserted<DeviceView>, AppError> {
        let target = new.0.check()?;
        let id = target.device_id();
        let held = self.devices.list_devices(&who.tenant_id, &who.user_id, MAX_DEVICES + 1).await?;
        if let Some(known) = held.iter().find(|d| d.id == id) {
            let device = Device { target, ..known.clone() };
            self.devices.put_device(&device).await?;
            return Ok(Upserted { value: DeviceView::from(&device), created: false });
        }
        let device = Device {
            tenant_id: who.tenant_id.clone(),
            user_id: who.user_id.clone(),
            id,
            target,
            created_at: self.clock.now(),
        };
        self.devices.put_device(&device).await?;
        let mut oldest_first = held;
        oldest_first.sort_by_key(|d| d.created_at);
        let surplus = (oldest_first.len() + 1).saturating_sub(MAX_DEVICES);
        for old in &oldest_first[..surplus] {
            self.devices.delete_device(&who.tenant_id, &who.user_id, &old.id).await?;
        }
        Ok(Upserted { value: DeviceView::from(&device), created: true })
    }

    pub async fn list(&self, who: &Identity) -> Result<DeviceList, AppError> {
        let mut devices = self.devices.list_devices(&who.tenant_id, &who.user_id, MAX_DEVICES + 1).await?;
        devices.sort_by_key(|d| d.created_at);
        Ok(DeviceList { devices: devices.iter().map(DeviceView::from).collect() })
    }

    /// Forgets one of the caller's devices (a 404 for another's, or an unknown id).
    pub async fn remove(&self, who: &Identity, id: &str) -> Result<(), AppError> {
        match self.devices.delete_device(&who.tenant_id, &who.user_id, id).await? {
            true => Ok(()),
            false => Err(AppError::not_found("device")),
        }
    }
}
