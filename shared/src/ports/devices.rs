//! The devices each user's notifications are pushed to.

use async_trait::async_trait;

use super::StoreResult;
use crate::domain::{Device, TenantId, UserId};

#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// Creates or replaces a device (by its id).
    async fn put_device(&self, device: &Device) -> StoreResult<()>;
    /// A user's devices, at most `limit`, in id order.
    async fn list_devices(&self, tenant: &TenantId, user: &UserId, limit: usize) -> StoreResult<Vec<Device>>;
    /// `false` when it did not exist.
    async fn delete_device(&self, tenant: &TenantId, user: &UserId, id: &str) -> StoreResult<bool>;
}
