//! Small documents, the same way on every store: preferences (collection `prefs`, one per
//! user), notifications waiting for an e-mail (`mail/{user}`, by notification id), reminders
//! (`reminders/{creator}`, by reminder id, forgotten after [`Reminder::forget_at`]), push
//! devices (`devices/{user}`, by device id), uploads
//! (`uploads`, by upload id: an attachment is found from its id alone), the size of the
//! images among them once their thumbnail is made (`images`, by upload id), webhook endpoints
//! (`webhooks`, by id) and their deliveries (`webhook-deliveries/{webhook}`, newest first, 7 days),
//! bots (`bots`, by user id), their API keys (`bot-keys`, by the key's SHA-256), inbound hooks
//! (`hooks`, by id), the audit log (`audit`, newest first) and people's data exports (`exports`,
//! by id, until they expire).
//! A store provides [`Documents`] — typed JSON documents in named collections, listed in id
//! order, expired ones read as absent — and gets these ports from it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::{
    AuditEntry, Bot, BotKey, Device, Dimensions, Export, InboundHook, NotificationId, PendingEmail, Preferences,
    Reminder, ReminderId, TenantId, Upload, UploadId, UserId, Webhook, WebhookDelivery, DELIVERY_RETENTION_DAYS,
    MAX_WEBHOOKS,
};
use crate::ports::{
    AuditStore, BotStore, DeviceStore, ErasedUserStore, ExportStore, Page, PendingEmailStore, PreferenceStore,
    ReminderStore, StoreResult, UploadStore, WebhookStore,
};

/// A store's collections of JSON documents. Expiry is checked on read, as DynamoDB's TTL
/// deletes late.
#[async_trait]
pub trait Documents: Send + Sync {
    async fn put_doc<T: Serialize + Sync>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
        doc: &T,
        expires_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;
    async fn get_doc<T: DeserializeOwned>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
    ) -> StoreResult<Option<T>>;
    /// Documents after `after` (an id) in id order, at most `limit`; the cursor is the last id.
    async fn list_docs<T: DeserializeOwned + Send>(
        &self,
        tenant: &TenantId,
        collection: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<T>>;
    /// Replaces a document (without expiry) on condition that it is still `previous`, as it
    /// was read: `false`, and nothing written, when another write changed it (or deleted it)
    /// since. Documents are compared as encoded: this codebase encodes a value one way.
    async fn replace_doc<T: Serialize + Sync>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
        previous: &T,
        doc: &T,
    ) -> StoreResult<bool>;
    /// `false` when it did not exist.
    async fn delete_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<bool>;
}

const PREFERENCES: &str = "prefs";
pub(crate) const UPLOADS: &str = "uploads";
const IMAGES: &str = "images";

fn mail(user: &UserId) -> String {
    format!("mail/{user}")
}

fn devices(user: &UserId) -> String {
    format!("devices/{user}")
}

const WEBHOOKS: &str = "webhooks";
const AUDIT: &str = "audit";
const EXPORTS: &str = "exports";
const ERASED: &str = "erased";
const BOTS: &str = "bots";
const BOT_KEYS: &str = "bot-keys";
const HOOKS: &str = "hooks";

fn deliveries(webhook: &str) -> String {
    format!("webhook-deliveries/{webhook}")
}

fn reminders(creator: &UserId) -> String {
    format!("reminders/{creator}")
}

/// The tenant's collections of one name (an offboarding removes them; a new one goes here).
pub(crate) const TENANT_COLLECTIONS: [&str; 10] =
    [PREFERENCES, UPLOADS, IMAGES, WEBHOOKS, AUDIT, EXPORTS, ERASED, BOTS, BOT_KEYS, HOOKS];

/// A person's own collections (an offboarding removes them with the person).
pub(crate) fn user_collections(user: &UserId) -> [String; 3] {
    [mail(user), devices(user), reminders(user)]
}

/// The webhooks' collection, and one's deliveries (an offboarding removes them).
pub(crate) fn webhook_collections() -> (&'static str, fn(&str) -> String) {
    (WEBHOOKS, deliveries)
}

#[async_trait]
impl<D: Documents> PreferenceStore for D {
    async fn get_preferences(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Option<Preferences>> {
        self.get_doc(tenant, PREFERENCES, user.as_str()).await
    }

    async fn put_preferences(&self, tenant: &TenantId, user: &UserId, preferences: &Preferences) -> StoreResult<()> {
        self.put_doc(tenant, PREFERENCES, user.as_str(), preferences, None).await
    }

    async fn delete_preferences(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool> {
        self.delete_doc(tenant, PREFERENCES, user.as_str()).await
    }
}

#[async_trait]
impl<D: Documents> PendingEmailStore for D {
    async fn put_pending_email(&self, pending: &PendingEmail) -> StoreResult<()> {
        let n = &pending.notification;
        self.put_doc(&n.tenant_id, &mail(&n.user_id), n.id.as_str(), pending, None).await
    }

    async fn list_pending_emails(
        &self,
        tenant: &TenantId,
        user: &UserId,
        limit: usize,
    ) -> StoreResult<Vec<PendingEmail>> {
        Ok(self.list_docs(tenant, &mail(user), None, limit).await?.items)
    }

    async fn delete_pending_email(&self, tenant: &TenantId, user: &UserId, id: &NotificationId) -> StoreResult<bool> {
        self.delete_doc(tenant, &mail(user), id.as_str()).await
    }
}

#[async_trait]
impl<D: Documents> ReminderStore for D {
    async fn put_reminder(&self, reminder: &Reminder) -> StoreResult<()> {
        let collection = reminders(&reminder.created_by);
        self.put_doc(&reminder.tenant_id, &collection, reminder.id.as_str(), reminder, Some(reminder.forget_at())).await
    }

    async fn get_reminder(
        &self,
        tenant: &TenantId,
        creator: &UserId,
        id: &ReminderId,
    ) -> StoreResult<Option<Reminder>> {
        self.get_doc(tenant, &reminders(creator), id.as_str()).await
    }

    async fn list_reminders(
        &self,
        tenant: &TenantId,
        creator: &UserId,
        after: Option<&ReminderId>,
        limit: usize,
    ) -> StoreResult<Page<Reminder>> {
        self.list_docs(tenant, &reminders(creator), after.map(ReminderId::as_str), limit).await
    }

    async fn delete_reminder(&self, tenant: &TenantId, creator: &UserId, id: &ReminderId) -> StoreResult<bool> {
        self.delete_doc(tenant, &reminders(creator), id.as_str()).await
    }
}

#[async_trait]
impl<D: Documents> UploadStore for D {
    async fn put_upload(&self, upload: &Upload, expires_at: Option<DateTime<Utc>>) -> StoreResult<()> {
        self.put_doc(&upload.tenant_id, UPLOADS, upload.id.as_str(), upload, expires_at).await
    }

    async fn get_upload(&self, tenant: &TenantId, id: &UploadId) -> StoreResult<Option<Upload>> {
        self.get_doc(tenant, UPLOADS, id.as_str()).await
    }

    async fn put_image(
        &self,
        tenant: &TenantId,
        id: &UploadId,
        image: Dimensions,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.put_doc(tenant, IMAGES, id.as_str(), &image, Some(expires_at)).await
    }

    async fn get_image(&self, tenant: &TenantId, id: &UploadId) -> StoreResult<Option<Dimensions>> {
        self.get_doc(tenant, IMAGES, id.as_str()).await
    }

    async fn delete_upload(&self, tenant: &TenantId, id: &UploadId) -> StoreResult<()> {
        let (upload, image) =
            tokio::join!(self.delete_doc(tenant, UPLOADS, id.as_str()), self.delete_doc(tenant, IMAGES, id.as_str()));
        upload?;
        image?;
        Ok(())
    }
}

#[async_trait]
impl<D: Documents> DeviceStore for D {
    async fn put_device(&self, device: &Device) -> StoreResult<()> {
        self.put_doc(&device.tenant_id, &devices(&device.user_id), &device.id, device, None).await
    }

    async fn list_devices(&self, tenant: &TenantId, user: &UserId, limit: usize) -> StoreResult<Vec<Device>> {
        Ok(self.list_docs(tenant, &devices(user), None, limit).await?.items)
    }

    async fn delete_device(&self, tenant: &TenantId, user: &UserId, id: &str) -> StoreResult<bool> {
        self.delete_doc(tenant, &devices(user), id).await
    }
}

#[async_trait]
impl<D: Documents> WebhookStore for D {
    async fn put_webhook(&self, webhook: &Webhook) -> StoreResult<()> {
        self.put_doc(&webhook.tenant_id, WEBHOOKS, &webhook.id, webhook, None).await
    }

    async fn replace_webhook(&self, previous: &Webhook, webhook: &Webhook) -> StoreResult<bool> {
        self.replace_doc(&webhook.tenant_id, WEBHOOKS, &webhook.id, previous, webhook).await
    }

    async fn get_webhook(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<Webhook>> {
        self.get_doc(tenant, WEBHOOKS, id).await
    }

    async fn list_webhooks(&self, tenant: &TenantId, limit: usize) -> StoreResult<Vec<Webhook>> {
        Ok(self.list_docs(tenant, WEBHOOKS, None, limit.min(MAX_WEBHOOKS + 1)).await?.items)
    }

    async fn delete_webhook(&self, tenant: &TenantId, id: &str) -> StoreResult<bool> {
        self.delete_doc(tenant, WEBHOOKS, id).await
    }

    async fn put_delivery(&self, tenant: &TenantId, delivery: &WebhookDelivery) -> StoreResult<()> {
        let expires = delivery.created_at + chrono::Duration::days(DELIVERY_RETENTION_DAYS);
        self.put_doc(tenant, &deliveries(&delivery.webhook_id), &delivery.id, delivery, Some(expires)).await
    }

    async fn get_delivery(&self, tenant: &TenantId, webhook: &str, id: &str) -> StoreResult<Option<WebhookDelivery>> {
        self.get_doc(tenant, &deliveries(webhook), id).await
    }

    async fn list_deliveries(
        &self,
        tenant: &TenantId,
        webhook: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<WebhookDelivery>> {
        self.list_docs(tenant, &deliveries(webhook), after, limit).await
    }
}

#[async_trait]
impl<D: Documents> BotStore for D {
    async fn put_bot(&self, bot: &Bot) -> StoreResult<()> {
        self.put_doc(&bot.tenant_id, BOTS, bot.id.as_str(), bot, None).await
    }

    async fn get_bot(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<Bot>> {
        self.get_doc(tenant, BOTS, id.as_str()).await
    }

    async fn list_bots(&self, tenant: &TenantId, limit: usize) -> StoreResult<Vec<Bot>> {
        Ok(self.list_docs(tenant, BOTS, None, limit).await?.items)
    }

    async fn put_bot_key(&self, tenant: &TenantId, hash: &str, key: &BotKey) -> StoreResult<()> {
        self.put_doc(tenant, BOT_KEYS, hash, key, None).await
    }

    async fn get_bot_key(&self, tenant: &TenantId, hash: &str) -> StoreResult<Option<BotKey>> {
        self.get_doc(tenant, BOT_KEYS, hash).await
    }

    async fn delete_bot_key(&self, tenant: &TenantId, hash: &str) -> StoreResult<bool> {
        self.delete_doc(tenant, BOT_KEYS, hash).await
    }

    async fn put_hook(&self, hook: &InboundHook) -> StoreResult<()> {
        self.put_doc(&hook.tenant_id, HOOKS, &hook.id, hook, None).await
    }

    async fn get_hook(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<InboundHook>> {
        self.get_doc(tenant, HOOKS, id).await
    }

    async fn delete_hook(&self, tenant: &TenantId, id: &str) -> StoreResult<bool> {
        self.delete_doc(tenant, HOOKS, id).await
    }
}

#[async_trait]
impl<D: Documents> AuditStore for D {
    async fn append_audit(&self, tenant: &TenantId, entry: &AuditEntry) -> StoreResult<()> {
        let expires = entry.at + chrono::Duration::days(AuditEntry::KEPT_DAYS);
        self.put_doc(tenant, AUDIT, &entry.id, entry, Some(expires)).await
    }

    async fn list_audit(&self, tenant: &TenantId, after: Option<&str>, limit: usize) -> StoreResult<Page<AuditEntry>> {
        self.list_docs(tenant, AUDIT, after, limit).await
    }
}

#[async_trait]
impl<D: Documents> ExportStore for D {
    async fn put_export(&self, export: &Export) -> StoreResult<()> {
        self.put_doc(&export.tenant_id, EXPORTS, &export.id, export, Some(export.expires_at)).await
    }

    async fn get_export(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<Export>> {
        self.get_doc(tenant, EXPORTS, id).await
    }
}

/// The marker's id: the SHA-256 of the user's id, so that it names no one.
fn erased_id(user: &UserId) -> String {
    use sha2::Digest;
    crate::adapters::signing::hex(&sha2::Sha256::digest(user.as_str().as_bytes()))
}

#[async_trait]
impl<D: Documents> ErasedUserStore for D {
    async fn mark_erased(&self, tenant: &TenantId, user: &UserId, at: DateTime<Utc>) -> StoreResult<()> {
        self.put_doc(tenant, ERASED, &erased_id(user), &serde_json::json!({ "erasedAt": at }), None).await
    }

    async fn is_erased(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool> {
        Ok(self.get_doc::<serde_json::Value>(tenant, ERASED, &erased_id(user)).await?.is_some())
    }

    async fn unmark_erased(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool> {
        self.delete_doc(tenant, ERASED, &erased_id(user)).await
    }
}
