//! Small per-user documents in named collections: preferences (`prefs`, by user),
//! notifications waiting for an e-mail (`mail/{user}`, by notification) and reminders
//! (`reminders/{creator}`, by reminder). Expired ones read as absent, as on DynamoDB, whose
//! TTL deletion lags.

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::keys::{doc_key, prefix};
use super::EmbeddedStore;
use crate::domain::{NotificationId, PendingEmail, Preferences, Reminder, ReminderId, TenantId, UserId};
use crate::ports::{Page, PendingEmailStore, PreferenceStore, ReminderStore, StoreResult};

const PREFERENCES: &str = "prefs";

fn mail(user: &UserId) -> String {
    format!("mail/{user}")
}

fn reminders(creator: &UserId) -> String {
    format!("reminders/{creator}")
}

/// A document (its JSON text) with its optional expiry.
#[derive(Serialize, serde::Deserialize)]
struct StoredDoc {
    doc: String,
    expires_at: Option<DateTime<Utc>>,
}

impl StoredDoc {
    fn live<T: DeserializeOwned>(self, now: DateTime<Utc>) -> anyhow::Result<Option<T>> {
        match self.expires_at {
            Some(at) if at <= now => Ok(None),
            _ => Ok(Some(serde_json::from_str(&self.doc).context("decoding a document")?)),
        }
    }
}

impl EmbeddedStore {
    async fn put_doc<T: Serialize>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
        doc: &T,
        expires_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        let doc = serde_json::to_string(doc).context("encoding a document")?;
        self.put(doc_key(tenant, collection, id), StoredDoc { doc, expires_at }).await
    }

    async fn get_doc<T: DeserializeOwned>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
    ) -> StoreResult<Option<T>> {
        let stored: Option<StoredDoc> = self.get(doc_key(tenant, collection, id)).await?;
        Ok(stored.map(|d| d.live(Utc::now())).transpose()?.flatten())
    }

    async fn list_docs<T: DeserializeOwned>(
        &self,
        tenant: &TenantId,
        collection: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<T>> {
        let page =
            self.page::<StoredDoc>(prefix(&["T", tenant.as_str(), "DOC", collection]), after, limit, false).await?;
        let now = Utc::now();
        let mut items = Vec::with_capacity(page.items.len());
        for (_, doc) in page.items {
            items.extend(doc.live(now)?);
        }
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    async fn delete_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<bool> {
        let k = doc_key(tenant, collection, id);
        self.writing(move |t| Ok(t.remove(k.as_str())?.is_some())).await
    }
}

#[async_trait]
impl PreferenceStore for EmbeddedStore {
    async fn get_preferences(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Option<Preferences>> {
        self.get_doc(tenant, PREFERENCES, user.as_str()).await
    }

    async fn put_preferences(&self, tenant: &TenantId, user: &UserId, preferences: &Preferences) -> StoreResult<()> {
        self.put_doc(tenant, PREFERENCES, user.as_str(), preferences, None).await
    }
}

#[async_trait]
impl PendingEmailStore for EmbeddedStore {
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
impl ReminderStore for EmbeddedStore {
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
