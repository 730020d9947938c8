//! Small per-user documents, each an item in a collection partition (`T#{tenant}#D#{name}`)
//! keyed by its id: preferences (`prefs`, by user), notifications waiting for an e-mail
//! (`mail/{user}`, by notification) and reminders (`reminders/{creator}`, by reminder).
//! Expiring ones carry `ttl` and `expiresAt` (TTL deletion lags: expiry is checked on read).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::codec::*;
use super::keys::doc_pk;
use super::DynamoStore;
use crate::domain::{NotificationId, PendingEmail, Preferences, Reminder, ReminderId, TenantId, UserId};
use crate::ports::{Page, PendingEmailStore, PreferenceStore, ReminderStore, StoreResult};

const PREFERENCES: &str = "prefs";

fn mail(user: &UserId) -> String {
    format!("mail/{user}")
}

fn reminders(creator: &UserId) -> String {
    format!("reminders/{creator}")
}

impl DynamoStore {
    async fn put_doc<T: Serialize>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
        doc: &T,
        expires_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        let mut item = with_data(key(doc_pk(tenant, collection), id), doc)?;
        if let Some(at) = expires_at {
            item.insert("ttl".into(), expiry(at));
            item.insert("expiresAt".into(), AttributeValue::N(at.timestamp_millis().to_string()));
        }
        self.put_item(item).await
    }

    async fn get_doc<T: DeserializeOwned>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
    ) -> StoreResult<Option<T>> {
        let item = self.get_item(key(doc_pk(tenant, collection), id)).await?;
        Ok(item.filter(|i| doc_live(i, Utc::now())).map(|i| data(&i)).transpose()?)
    }

    async fn list_docs<T: DeserializeOwned>(
        &self,
        tenant: &TenantId,
        collection: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<T>> {
        let start = after.map(|a| key(doc_pk(tenant, collection), a));
        let mut items =
            self.query(None, "PK = :pk", vec![(":pk", doc_pk(tenant, collection))], true, limit, start).await?;
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor =
            if more { items.last().map(|i| text(i, "SK").map(str::to_string)).transpose()? } else { None };
        let now = Utc::now();
        let docs = items.iter().filter(|i| doc_live(i, now)).map(data).collect::<anyhow::Result<_>>()?;
        Ok(Page { items: docs, next_cursor })
    }

    async fn delete_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(doc_pk(tenant, collection), id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }
}

#[async_trait]
impl PreferenceStore for DynamoStore {
    async fn get_preferences(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Option<Preferences>> {
        self.get_doc(tenant, PREFERENCES, user.as_str()).await
    }

    async fn put_preferences(&self, tenant: &TenantId, user: &UserId, preferences: &Preferences) -> StoreResult<()> {
        self.put_doc(tenant, PREFERENCES, user.as_str(), preferences, None).await
    }
}

#[async_trait]
impl PendingEmailStore for DynamoStore {
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
impl ReminderStore for DynamoStore {
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
