//! The bell (notifications and their unread index), each user's notification preferences,
//! and the notifications waiting to be e-mailed.

use async_trait::async_trait;

use super::{Page, StoreResult};
use crate::domain::{Notification, NotificationId, PendingEmail, Preferences, TenantId, UserId};

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Creates or replaces a notification; unread ones are also in the user's unread index.
    async fn put_notification(&self, notification: &Notification) -> StoreResult<()>;
    async fn get_notification(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &NotificationId,
    ) -> StoreResult<Option<Notification>>;
    /// A user's notifications, newest first, older than `before` when given.
    async fn list_notifications(
        &self,
        tenant: &TenantId,
        user: &UserId,
        unread_only: bool,
        before: Option<&NotificationId>,
        limit: usize,
    ) -> StoreResult<Page<Notification>>;
    async fn count_unread_notifications(&self, tenant: &TenantId, user: &UserId) -> StoreResult<u64>;
    /// Deletes one notification (an erased person's message it quoted); `false` when it was not
    /// there.
    async fn delete_notification(&self, tenant: &TenantId, user: &UserId, id: &NotificationId) -> StoreResult<bool>;
    /// Deletes every notification of a user, read or not (an erasure).
    async fn delete_user_notifications(&self, tenant: &TenantId, user: &UserId) -> StoreResult<()>;
}

#[async_trait]
pub trait PreferenceStore: Send + Sync {
    /// A user's preferences; `None` for a user who never set any.
    async fn get_preferences(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Option<Preferences>>;
    async fn put_preferences(&self, tenant: &TenantId, user: &UserId, preferences: &Preferences) -> StoreResult<()>;
    /// `false` when the user had none.
    async fn delete_preferences(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool>;
}

#[async_trait]
pub trait PendingEmailStore: Send + Sync {
    /// Keeps a notification until an e-mail carries it (one per notification id).
    async fn put_pending_email(&self, pending: &PendingEmail) -> StoreResult<()>;
    /// A user's waiting notifications, oldest first, at most `limit`.
    async fn list_pending_emails(
        &self,
        tenant: &TenantId,
        user: &UserId,
        limit: usize,
    ) -> StoreResult<Vec<PendingEmail>>;
    /// `false` when it was not waiting.
    async fn delete_pending_email(&self, tenant: &TenantId, user: &UserId, id: &NotificationId) -> StoreResult<bool>;
}
