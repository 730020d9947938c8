//! The DynamoDB store's document collections (see [`crate::adapters::documents`]): each document an item in its collection's partition (`T#{tenant}#D#{name}`) keyed by its id, expiring ones with `ttl` and `expiresAt`.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::codec::*;
use super::keys::doc_pk;
use super::DynamoStore;
use crate::adapters::documents::{Documents, UPLOADS};
use crate::domain::{TenantId, Upload};
use crate::ports::{Page, StoreResult};

/// The DynamoDB store in its documents role: the name this file adapts the port under.
pub type DynamoDocuments = DynamoStore;

#[async_trait]
impl Documents for DynamoDocuments {
    async fn put_doc<T: Serialize + Sync>(
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
        // Strongly consistent: a document is read right after it is written (an upload, just
        // declared, as a message attaches it; an image's size, recorded as a message attaches
        // its upload), and documents are small.
        let item = self.read_item(key(doc_pk(tenant, collection), id), true).await?;
        Ok(item.filter(|i| doc_live(i, Utc::now())).map(|i| data(&i)).transpose()?)
    }

    async fn list_docs<T: DeserializeOwned + Send>(
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

    async fn replace_doc<T: Serialize + Sync>(
        &self,
        tenant: &TenantId,
        collection: &str,
        id: &str,
        previous: &T,
        doc: &T,
    ) -> StoreResult<bool> {
        let previous = serde_json::to_string(previous).map_err(anyhow::Error::from)?;
        let replaced = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(with_data(key(doc_pk(tenant, collection), id), doc)?))
            .condition_expression("#data = :previous")
            .expression_attribute_names("#data", "data")
            .expression_attribute_values(":previous", s(previous))
            .send()
            .await;
        match replaced {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(anyhow::Error::from(e).into()),
        }
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

impl DynamoStore {
    /// A new message's part of its transaction for one upload it attaches: the upload stored
    /// attached, without expiry, on condition that it still has one that is not past — that is,
    /// that no message attached it first and that it is not gone.
    pub(super) fn attach_upload(&self, upload: &Upload, now: DateTime<Utc>) -> anyhow::Result<TransactWriteItem> {
        let item = with_data(key(doc_pk(&upload.tenant_id, UPLOADS), upload.id.as_str()), upload)?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(PK) AND expiresAt > :now")
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp_millis().to_string()))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}
