//! The table operations every port's items share: reads by key, batches, queries on one
//! partition, conditional puts.

use anyhow::anyhow;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, Put, PutRequest, TransactWriteItem, WriteRequest,
};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use super::codec::*;
use super::DynamoStore;
use crate::error::StoreError;
use crate::ports::StoreResult;

/// DynamoDB's limit of items in one transaction.
pub(super) const MAX_TRANSACTION_ITEMS: usize = 100;

/// DynamoDB's limit of requests in one BatchWriteItem.
const MAX_BATCH_WRITE: usize = 25;

/// DynamoDB's limit of keys in one BatchGetItem.
const MAX_BATCH_GET: usize = 100;

impl DynamoStore {
    pub(super) async fn get_item(&self, key: Item) -> anyhow::Result<Option<Item>> {
        self.read_item(key, false).await
    }

    /// [`Self::get_item`], strongly consistent when `consistent` (twice the read units).
    pub(super) async fn read_item(&self, key: Item, consistent: bool) -> anyhow::Result<Option<Item>> {
        let read = self.client.get_item().table_name(&self.table).set_key(Some(key)).consistent_read(consistent);
        Ok(read.send().await?.item)
    }

    pub(super) async fn get_data<T: DeserializeOwned>(&self, key: Item) -> StoreResult<Option<T>> {
        let item = self.get_item(key).await?;
        Ok(item.as_ref().map(data).transpose()?)
    }

    pub(super) async fn put_item(&self, item: Item) -> StoreResult<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(())
    }

    pub(super) fn put(&self, item: Item, condition: Option<&str>) -> anyhow::Result<TransactWriteItem> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_string))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Reads items by key, 100 a call, retrying what DynamoDB leaves unprocessed; missing
    /// items are left out.
    pub(super) async fn batch_get(&self, keys: Vec<Item>) -> anyhow::Result<Vec<Item>> {
        self.batch_get_attributes(keys, None).await
    }

    /// [`Self::batch_get`], reading only the attributes of `projection` when given.
    pub(super) async fn batch_get_attributes(
        &self,
        keys: Vec<Item>,
        projection: Option<&str>,
    ) -> anyhow::Result<Vec<Item>> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(MAX_BATCH_GET) {
            let mut keys = chunk.to_vec();
            for attempt in 0..8 {
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .set_projection_expression(projection.map(str::to_string))
                    .build()?;
                let out = self.client.batch_get_item().request_items(&self.table, request).send().await?;
                found.extend(out.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default());
                keys = out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)).map(|k| k.keys).unwrap_or_default();
                if keys.is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
            }
            if !keys.is_empty() {
                return Err(anyhow!("{} reads left unprocessed", keys.len()));
            }
        }
        Ok(found)
    }

    /// Writes items in batches of 25, retrying what DynamoDB leaves unprocessed.
    pub(super) async fn batch_put(&self, items: Vec<Item>) -> anyhow::Result<()> {
        let requests = items
            .into_iter()
            .map(|i| Ok(WriteRequest::builder().put_request(PutRequest::builder().set_item(Some(i)).build()?).build()))
            .collect::<anyhow::Result<_>>()?;
        self.batch_write(requests).await
    }

    /// Deletes the items under `keys` (each `PK` and `SK`), 25 a call.
    pub(super) async fn batch_delete(&self, keys: Vec<Item>) -> anyhow::Result<()> {
        let requests = keys
            .into_iter()
            .map(|k| {
                Ok(WriteRequest::builder().delete_request(DeleteRequest::builder().set_key(Some(k)).build()?).build())
            })
            .collect::<anyhow::Result<_>>()?;
        self.batch_write(requests).await
    }

    /// Deletes every item of a partition, a page of keys at a time.
    pub(super) async fn delete_partition(&self, pk: String) -> anyhow::Result<()> {
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(pk.clone()))
                .projection_expression("PK, SK")
                .limit(500)
                .send()
                .await?;
            let keys = page.items.unwrap_or_default();
            if keys.is_empty() {
                return Ok(());
            }
            self.batch_delete(keys).await?;
        }
    }

    async fn batch_write(&self, requests: Vec<WriteRequest>) -> anyhow::Result<()> {
        for chunk in requests.chunks(MAX_BATCH_WRITE) {
            let mut requests = chunk.to_vec();
            for attempt in 0..8 {
                let out = self.client.batch_write_item().request_items(&self.table, requests).send().await?;
                requests = out.unprocessed_items.and_then(|mut u| u.remove(&self.table)).unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
            }
            if !requests.is_empty() {
                return Err(anyhow!("{} writes left unprocessed", requests.len()));
            }
        }
        Ok(())
    }

    /// Reads a page of one partition. `limit + 1` items are asked for, so that "more" is
    /// known without a second request.
    pub(super) async fn query(
        &self,
        index: Option<&str>,
        condition: &str,
        values: Vec<(&str, String)>,
        forward: bool,
        limit: usize,
        start: Option<Item>,
    ) -> anyhow::Result<Vec<Item>> {
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(index.map(str::to_string))
            .key_condition_expression(condition)
            .scan_index_forward(forward)
            .limit(i32::try_from(limit.saturating_add(1)).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start);
        for (name, value) in values {
            request = request.expression_attribute_values(name, s(value));
        }
        let mut items = Vec::new();
        let mut out = request.clone().send().await?;
        loop {
            items.extend(out.items.unwrap_or_default());
            // A page ends early only at DynamoDB's 1 MB limit; follow it to fill the page.
            match out.last_evaluated_key {
                Some(next) if items.len() <= limit => {
                    out = request.clone().set_exclusive_start_key(Some(next)).send().await?;
                }
                _ => return Ok(items),
            }
        }
    }

    /// Every item under one partition key and sort-key prefix (small collections only:
    /// members, connections).
    pub(super) async fn query_all(&self, pk: String, prefix: &str) -> anyhow::Result<Vec<Item>> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix));
        all_pages(request).await
    }

    /// Every item of one partition of an index (`GSI1PK = pk`): a user's memberships.
    pub(super) async fn query_index_all(&self, index: &str, pk: String) -> anyhow::Result<Vec<Item>> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(pk));
        all_pages(request).await
    }

    /// Puts `item` held until `until`, unless an item under its key is held past `now`:
    /// `false` then. Claims and job leases.
    pub(super) async fn put_if_free(
        &self,
        mut item: Item,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        item.insert("until".into(), AttributeValue::N(until.timestamp_millis().to_string()));
        item.insert("ttl".into(), expiry(until));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK) OR #until <= :now")
            .expression_attribute_names("#until", "until")
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp_millis().to_string()))
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(StoreError(e.into())),
        }
    }
}

/// How many items a `Select=COUNT` query matches, following its pages to the end.
pub(super) async fn count_all(request: QueryFluentBuilder) -> anyhow::Result<u64> {
    let request = request.select(aws_sdk_dynamodb::types::Select::Count);
    let mut count = 0u64;
    let mut start = None;
    loop {
        let out = request.clone().set_exclusive_start_key(start).send().await?;
        count += out.count as u64;
        match out.last_evaluated_key {
            Some(next) => start = Some(next),
            None => return Ok(count),
        }
    }
}

/// Follows a query's pages to the end.
pub(super) async fn all_pages(request: QueryFluentBuilder) -> anyhow::Result<Vec<Item>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = request.clone().set_exclusive_start_key(start).send().await?;
        items.extend(out.items.unwrap_or_default());
        match out.last_evaluated_key {
            Some(next) => start = Some(next),
            None => return Ok(items),
        }
    }
}
