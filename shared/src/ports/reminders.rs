//! Reminders, kept under the user who created them.

use async_trait::async_trait;

use super::{Page, StoreResult};
use crate::domain::{Reminder, ReminderId, TenantId, UserId};

#[async_trait]
pub trait ReminderStore: Send + Sync {
    /// Creates or replaces a reminder; it reads as gone after [`Reminder::forget_at`].
    async fn put_reminder(&self, reminder: &Reminder) -> StoreResult<()>;
    async fn get_reminder(&self, tenant: &TenantId, creator: &UserId, id: &ReminderId)
        -> StoreResult<Option<Reminder>>;
    /// A creator's reminders in creation (id) order, after `after` when given.
    async fn list_reminders(
        &self,
        tenant: &TenantId,
        creator: &UserId,
        after: Option<&ReminderId>,
        limit: usize,
    ) -> StoreResult<Page<Reminder>>;
    /// `false` when it did not exist.
    async fn delete_reminder(&self, tenant: &TenantId, creator: &UserId, id: &ReminderId) -> StoreResult<bool>;
}
