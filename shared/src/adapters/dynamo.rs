//! The DynamoDB store: one table, keys `PK`/`SK`, one global secondary index `GSI1`
//! (`GSI1PK`/`GSI1SK`) for a user's conversations by activity. See docs/data-model.md for
//! every access pattern and the item shapes.
//!
//! Each item keeps its domain record as JSON in `data`, so that it round-trips exactly, plus
//! the key and index attributes, `activity` where writes race on it, and `ttl` on
//! connections. No operation scans: every read is a `GetItem`, a `BatchGetItem` or a `Query`
//! on one partition.

use std::collections::HashMap;

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Put, PutRequest, TransactWriteItem, WriteRequest};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::*;
use crate::error::StoreError;
use crate::ports::{
    EffectClaim, HistoryRange, HistorySlice, InboxEntry, LoggedEvent, Page, ScheduledJob, Store, StoreResult, Upserted,
};

type Item = HashMap<String, AttributeValue>;

/// DynamoDB's limit of items in one transaction.
const MAX_TRANSACTION_ITEMS: usize = 100;
/// DynamoDB's limit of requests in one BatchWriteItem.
const MAX_BATCH_WRITE: usize = 25;
/// DynamoDB's limit of keys in one BatchGetItem.
const MAX_BATCH_GET: usize = 100;

pub mod keys {
    //! Key formats. Tenant ids and Missive's own ids cannot contain `#`; user ids can, so
    //! they only ever end a key, or come length-prefixed.

    use super::*;

    pub fn tenant_pk(t: &TenantId) -> String {
        format!("T#{t}")
    }
    pub const TENANT_SK: &str = "TENANT";
    pub fn user_sk(u: &UserId) -> String {
        format!("USER#{u}")
    }
    pub fn storefront_sk(s: &StorefrontId) -> String {
        format!("SF#{s}")
    }
    /// The one partition without a tenant: the public guest endpoint knows only this id.
    pub fn storefront_ref_pk(s: &StorefrontId) -> String {
        format!("SFREF#{s}")
    }
    pub fn conversation_pk(t: &TenantId, c: &ConversationId) -> String {
        format!("T#{t}#C#{c}")
    }
    pub const META_SK: &str = "META";
    pub fn member_sk(u: &UserId) -> String {
        format!("M#{u}")
    }
    pub fn message_sk(m: &str) -> String {
        format!("MSG#{m}")
    }
    pub fn client_message_sk(sender: &UserId, cmid: &ClientMessageId) -> String {
        format!("CMID#{}:{sender}#{}", sender.as_str().len(), cmid.as_str())
    }
    pub fn unique_pk(t: &TenantId, key: &str) -> String {
        format!("T#{t}#UNIQ#{key}")
    }
    pub fn user_pk(t: &TenantId, u: &UserId) -> String {
        format!("T#{t}#U#{u}")
    }
    pub fn event_sk(id: &str) -> String {
        format!("EV#{id}")
    }
    pub fn connection_sk(c: &ConnectionId) -> String {
        format!("CONN#{c}")
    }
    pub fn inbox_sk(activity: &str, c: &ConversationId) -> String {
        format!("{activity}#{c}")
    }
    /// A collection of documents: the collection name is the rest of the key.
    pub fn doc_pk(t: &TenantId, collection: &str) -> String {
        format!("T#{t}#D#{collection}")
    }
    /// A user's notifications, by id (time).
    pub fn notifications_pk(t: &TenantId, u: &UserId) -> String {
        format!("T#{t}#N#{u}")
    }
    /// GSI1: a user's unread notifications (a sparse index: read ones leave it).
    pub fn unread_pk(t: &TenantId, u: &UserId) -> String {
        format!("T#{t}#NU#{u}")
    }
    pub fn scheduled_pk(t: &TenantId) -> String {
        format!("T#{t}#SCHED")
    }
    /// GSI1: jobs due, spread over `DUE_SHARDS` partitions so that no one partition takes
    /// every write; the scheduler queries each.
    pub fn due_pk(shard: u32) -> String {
        format!("DUE#{shard}")
    }
    pub fn effect_pk(t: &TenantId, key: &str) -> String {
        format!("T#{t}#EFFECT#{key}")
    }
}

/// How many partitions the due index is spread over.
pub const DUE_SHARDS: u32 = 8;

fn due_shard(job_id: &str) -> u32 {
    // FNV-1a: stable across processes and releases, unlike std's hasher.
    job_id.bytes().fold(0x811c9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x01000193)) % DUE_SHARDS
}

fn expiry(at: DateTime<Utc>) -> AttributeValue {
    AttributeValue::N((at.timestamp() + 1).to_string())
}

use keys::*;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([("PK".to_string(), s(pk)), ("SK".to_string(), s(sk))])
}

fn with_data<T: Serialize>(mut item: Item, value: &T) -> anyhow::Result<Item> {
    item.insert("data".into(), s(serde_json::to_string(value)?));
    Ok(item)
}

fn data<T: DeserializeOwned>(item: &Item) -> anyhow::Result<T> {
    let raw = item.get("data").and_then(|v| v.as_s().ok()).context("item without data")?;
    serde_json::from_str(raw).context("decoding an item's data")
}

/// A member item: the record in `data`, with the attributes that change on their own
/// (the unread counter, the read marker) laid over it.
fn member_from(item: &Item) -> anyhow::Result<Member> {
    let mut member: Member = data(item)?;
    if let Some(n) = item.get("unread").and_then(|v| v.as_n().ok()) {
        member.unread_count = n.parse().context("unread is not a number")?;
    }
    if let Ok(id) = text(item, "lastReadMessageId") {
        member.last_read_message_id = Some(MessageId::parse(id).map_err(|e| anyhow!("{e}"))?);
    }
    if let Ok(at) = text(item, "lastReadAt") {
        member.last_read_at = Some(at.parse().context("lastReadAt is not a time")?);
    }
    Ok(member)
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn text<'a>(item: &'a Item, name: &str) -> anyhow::Result<&'a str> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str).with_context(|| format!("item without {name}"))
}

/// Whether an SDK error is a failed condition (an expected outcome, not a failure).
fn is_condition_failure<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(e: &aws_sdk_dynamodb::error::SdkError<E>) -> bool {
    e.as_service_error().and_then(|se| se.code()) == Some("ConditionalCheckFailedException")
}

fn transaction_condition_failed(
    e: &aws_sdk_dynamodb::error::SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError>,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(tc)) => {
            tc.cancellation_reasons().iter().any(|r| r.code() == Some("ConditionalCheckFailed"))
        }
        _ => false,
    }
}

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    async fn get_item(&self, key: Item) -> anyhow::Result<Option<Item>> {
        let out = self.client.get_item().table_name(&self.table).set_key(Some(key)).send().await?;
        Ok(out.item)
    }

    async fn get_data<T: DeserializeOwned>(&self, key: Item) -> StoreResult<Option<T>> {
        let item = self.get_item(key).await?;
        Ok(item.as_ref().map(data).transpose()?)
    }

    async fn put_item(&self, item: Item) -> StoreResult<()> {
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await.map_err(anyhow::Error::from)?;
        Ok(())
    }

    fn put(&self, item: Item, condition: Option<&str>) -> anyhow::Result<TransactWriteItem> {
        let put = Put::builder().table_name(&self.table).set_item(Some(item)).set_condition_expression(condition.map(str::to_string)).build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Reads items by key, 100 a call, retrying what DynamoDB leaves unprocessed; missing
    /// items are left out.
    async fn batch_get(&self, keys: Vec<Item>) -> anyhow::Result<Vec<Item>> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(MAX_BATCH_GET) {
            let mut keys = chunk.to_vec();
            for attempt in 0..8 {
                let request = KeysAndAttributes::builder().set_keys(Some(keys)).build()?;
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
    async fn batch_put(&self, items: Vec<Item>) -> anyhow::Result<()> {
        for chunk in items.chunks(MAX_BATCH_WRITE) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|i| Ok(WriteRequest::builder().put_request(PutRequest::builder().set_item(Some(i.clone())).build()?).build()))
                .collect::<anyhow::Result<_>>()?;
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
    async fn query(
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
    async fn query_all(&self, pk: String, prefix: &str) -> anyhow::Result<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(pk.clone()))
                .expression_attribute_values(":prefix", s(prefix))
                .set_exclusive_start_key(start)
                .send()
                .await?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(next) => start = Some(next),
                None => return Ok(items),
            }
        }
    }

    /// Puts `item` held until `until`, unless an item under its key is held past `now`:
    /// `false` then. Claims and job leases.
    async fn put_if_free(&self, mut item: Item, now: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<bool> {
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

    /// Writes a conversation's snapshot into its `META` item and each member's inbox entry,
    /// each only where `activity` is still `activity`. `true` when some item had moved on.
    async fn write_snapshots(&self, pk: String, members: &[Member], snapshot: &str, activity: &str) -> StoreResult<bool> {
        let mut sort_keys = vec![(META_SK.to_string(), "data")];
        sort_keys.extend(members.iter().map(|m| (member_sk(&m.user_id), "conv")));
        let writes = sort_keys.into_iter().map(|(sk, attribute)| {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(pk.clone(), sk)))
                .update_expression("SET #a = :snapshot")
                .condition_expression("attribute_exists(PK) AND activity = :activity")
                .expression_attribute_names("#a", attribute)
                .expression_attribute_values(":snapshot", s(snapshot))
                .expression_attribute_values(":activity", s(activity))
                .send()
        });
        let mut raced = false;
        for result in join_all(writes).await {
            match result {
                Ok(_) => {}
                Err(e) if is_condition_failure(&e) => raced = true,
                Err(e) => return Err(StoreError(e.into())),
            }
        }
        Ok(raced)
    }

    fn member_item(&self, conversation: &Conversation, member: &Member) -> anyhow::Result<Item> {
        let mut item = with_data(key(conversation_pk(&conversation.tenant_id, &conversation.id), member_sk(&member.user_id)), member)?;
        item.insert("GSI1PK".into(), s(user_pk(&conversation.tenant_id, &member.user_id)));
        item.insert("GSI1SK".into(), s(inbox_sk(&conversation.activity, &conversation.id)));
        item.insert("activity".into(), s(&conversation.activity));
        // The inbox reads conversations from the index alone, so each member item carries
        // the conversation as it was at its latest activity.
        item.insert("conv".into(), s(serde_json::to_string(conversation)?));
        item.insert("unread".into(), n(member.unread_count));
        if let Some(id) = &member.last_read_message_id {
            item.insert("lastReadMessageId".into(), s(id.as_str()));
        }
        if let Some(at) = &member.last_read_at {
            item.insert("lastReadAt".into(), s(at.to_rfc3339()));
        }
        Ok(item)
    }

    fn conversation_item(&self, conversation: &Conversation) -> anyhow::Result<Item> {
        let mut item = with_data(key(conversation_pk(&conversation.tenant_id, &conversation.id), META_SK), conversation)?;
        item.insert("activity".into(), s(&conversation.activity));
        Ok(item)
    }

    /// Moves an item's activity forward, never back: of two racing messages, the newer
    /// one's preview wins whatever the order the writes land in. `set` and `add` are further
    /// attributes to set or add to in the same write.
    async fn advance(
        &self,
        key: Item,
        activity: &str,
        set: Vec<(&str, AttributeValue)>,
        add: Vec<(&str, AttributeValue)>,
    ) -> anyhow::Result<bool> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression("attribute_exists(PK) AND activity < :activity")
            .expression_attribute_values(":activity", s(activity));
        let mut sets = vec!["activity = :activity".to_string()];
        for (i, (name, value)) in set.into_iter().enumerate() {
            sets.push(format!("#s{i} = :s{i}"));
            request = request.expression_attribute_names(format!("#s{i}"), name).expression_attribute_values(format!(":s{i}"), value);
        }
        let mut expression = format!("SET {}", sets.join(", "));
        let adds: Vec<String> = add
            .into_iter()
            .enumerate()
            .map(|(i, (name, value))| {
                request = request.clone().expression_attribute_names(format!("#a{i}"), name).expression_attribute_values(format!(":a{i}"), value);
                format!("#a{i} :a{i}")
            })
            .collect();
        if !adds.is_empty() {
            expression.push_str(&format!(" ADD {}", adds.join(", ")));
        }
        match request.update_expression(expression).send().await {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// A member's read marker moves to `message` if it is newer, with `unread` as the new count.
    async fn move_read_marker(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
        unread: u64,
    ) -> anyhow::Result<Option<Member>> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(conversation_pk(tenant, conversation), member_sk(user))))
            .update_expression("SET lastReadMessageId = :m, lastReadAt = :at, unread = :n")
            .condition_expression("attribute_exists(PK) AND (attribute_not_exists(lastReadMessageId) OR lastReadMessageId < :m)")
            .expression_attribute_values(":m", s(message.as_str()))
            .expression_attribute_values(":at", s(at.to_rfc3339()))
            .expression_attribute_values(":n", n(unread))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => Ok(Some(member_from(&out.attributes.unwrap_or_default())?)),
            Err(e) if is_condition_failure(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

fn inbox_cursor(item: &Item) -> anyhow::Result<String> {
    let sk = text(item, "GSI1SK")?;
    let (activity, conversation) = sk.split_once('#').context("malformed GSI1SK")?;
    Ok(format!("{activity}.{conversation}"))
}

#[async_trait]
impl Store for DynamoStore {
    async fn health(&self) -> StoreResult<()> {
        self.get_item(key("HEALTH".into(), "HEALTH")).await?;
        Ok(())
    }

    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<Upserted<Tenant>> {
        let item = with_data(key(tenant_pk(&tenant.id), TENANT_SK), tenant)?;
        let put = self.client.put_item().table_name(&self.table).set_item(Some(item)).condition_expression("attribute_not_exists(PK)");
        match put.send().await {
            Ok(_) => Ok(Upserted { value: tenant.clone(), created: true }),
            Err(e) if is_condition_failure(&e) => {
                let existing = self.get_tenant(&tenant.id).await?.context("tenant vanished")?;
                Ok(Upserted { value: existing, created: false })
            }
            Err(e) => Err(StoreError(e.into())),
        }
    }

    async fn put_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.put_item(with_data(key(tenant_pk(&tenant.id), TENANT_SK), tenant)?).await
    }

    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>> {
        self.get_data(key(tenant_pk(id), TENANT_SK)).await
    }

    async fn put_user(&self, user: &User) -> StoreResult<()> {
        self.put_item(with_data(key(tenant_pk(&user.tenant_id), user_sk(&user.id)), user)?).await
    }

    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<User>> {
        self.get_data(key(tenant_pk(tenant), user_sk(id))).await
    }

    async fn get_users(&self, tenant: &TenantId, ids: &[UserId]) -> StoreResult<Vec<User>> {
        let mut unique: Vec<&UserId> = ids.iter().collect();
        unique.sort();
        unique.dedup();
        let items = self.batch_get(unique.iter().map(|u| key(tenant_pk(tenant), user_sk(u))).collect()).await?;
        Ok(items.iter().map(data).collect::<anyhow::Result<_>>()?)
    }

    async fn list_users(&self, tenant: &TenantId, cursor: Option<&str>, limit: usize) -> StoreResult<Page<User>> {
        let start = match cursor {
            Some(c) => Some(key(tenant_pk(tenant), user_sk(&UserId::parse(c).map_err(|e| anyhow!("bad cursor: {e}"))?))),
            None => None,
        };
        let mut items = self
            .query(None, "PK = :pk AND begins_with(SK, :prefix)", vec![(":pk", tenant_pk(tenant)), (":prefix", "USER#".into())], true, limit, start)
            .await?;
        let more = items.len() > limit;
        items.truncate(limit);
        let users: Vec<User> = items.iter().map(data).collect::<anyhow::Result<_>>()?;
        let next_cursor = if more { users.last().map(|u| u.id.to_string()) } else { None };
        Ok(Page { items: users, next_cursor })
    }

    async fn put_storefront(&self, storefront: &Storefront) -> StoreResult<()> {
        let item = with_data(key(tenant_pk(&storefront.tenant_id), storefront_sk(&storefront.id)), storefront)?;
        let mut reference = key(storefront_ref_pk(&storefront.id), "SFREF");
        reference.insert("tenantId".into(), s(storefront.tenant_id.as_str()));
        self.client
            .transact_write_items()
            .transact_items(self.put(item, None)?)
            .transact_items(self.put(reference, None)?)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(())
    }

    async fn get_storefront(&self, tenant: &TenantId, id: &StorefrontId) -> StoreResult<Option<Storefront>> {
        self.get_data(key(tenant_pk(tenant), storefront_sk(id))).await
    }

    async fn storefront_tenant(&self, id: &StorefrontId) -> StoreResult<Option<TenantId>> {
        let Some(item) = self.get_item(key(storefront_ref_pk(id), "SFREF")).await? else {
            return Ok(None);
        };
        Ok(Some(TenantId::parse(text(&item, "tenantId")?).map_err(|e| anyhow!("{e}"))?))
    }

    async fn create_conversation(
        &self,
        conversation: &Conversation,
        members: &[Member],
        unique: Option<&str>,
    ) -> StoreResult<Upserted<Conversation>> {
        let tenant = &conversation.tenant_id;
        let mut writes = Vec::new();
        if let Some(u) = unique {
            let mut item = key(unique_pk(tenant, u), "UNIQ");
            item.insert("conversationId".into(), s(conversation.id.as_str()));
            writes.push(self.put(item, Some("attribute_not_exists(PK)"))?);
        }
        writes.push(self.put(self.conversation_item(conversation)?, Some("attribute_not_exists(PK)"))?);
        let member_items: Vec<Item> = members.iter().map(|m| self.member_item(conversation, m)).collect::<anyhow::Result<_>>()?;
        // As many members as fit go into the transaction; a larger group's other members
        // follow in batches, before the creation is acknowledged.
        let room = MAX_TRANSACTION_ITEMS - writes.len();
        let (first, rest) = member_items.split_at(member_items.len().min(room));
        for item in first {
            writes.push(self.put(item.clone(), None)?);
        }
        match self.client.transact_write_items().set_transact_items(Some(writes)).send().await {
            Ok(_) => {}
            Err(e) if unique.is_some() && transaction_condition_failed(&e) => {
                let u = unique.unwrap_or_default();
                let pointer = self.get_item(key(unique_pk(tenant, u), "UNIQ")).await?.context("unique key vanished")?;
                let id = ConversationId::parse(text(&pointer, "conversationId")?).map_err(|e| anyhow!("{e}"))?;
                let existing = self.get_conversation(tenant, &id).await?.context("a unique key points to a missing conversation")?;
                return Ok(Upserted { value: existing, created: false });
            }
            Err(e) => return Err(StoreError(e.into())),
        }
        self.batch_put(rest.to_vec()).await?;
        Ok(Upserted { value: conversation.clone(), created: true })
    }

    async fn update_conversation(&self, conversation: &Conversation) -> StoreResult<()> {
        let tenant = &conversation.tenant_id;
        let pk = conversation_pk(tenant, &conversation.id);
        let stored = self.get_conversation(tenant, &conversation.id).await?.context("updating a missing conversation")?;
        // Activity and preview belong to the messages; only the details change here.
        let updated = Conversation {
            activity: stored.activity.clone(),
            last_activity_at: stored.last_activity_at,
            last_message: stored.last_message.clone(),
            ..conversation.clone()
        };
        let snapshot = serde_json::to_string(&updated).map_err(anyhow::Error::from)?;
        let members = self.list_members(tenant, &conversation.id).await?;
        // Conditional on the activity read: a message landing meanwhile wrote a newer
        // snapshot, and the details are written again on top of that one.
        let raced = self.write_snapshots(pk, &members, &snapshot, &stored.activity).await?;
        if raced {
            return Box::pin(self.update_conversation(conversation)).await;
        }
        Ok(())
    }

    async fn put_members(&self, conversation: &Conversation, members: &[Member]) -> StoreResult<()> {
        let current = self.get_conversation(&conversation.tenant_id, &conversation.id).await?.context("members of a missing conversation")?;
        let items = members.iter().map(|m| self.member_item(&current, m)).collect::<anyhow::Result<Vec<_>>>()?;
        Ok(self.batch_put(items).await?)
    }

    async fn remove_member(&self, conversation: &Conversation, user: &UserId) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(conversation_pk(&conversation.tenant_id, &conversation.id), member_sk(user))))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(out.attributes.is_some())
    }

    async fn get_conversation(&self, tenant: &TenantId, id: &ConversationId) -> StoreResult<Option<Conversation>> {
        self.get_data(key(conversation_pk(tenant, id), META_SK)).await
    }

    async fn get_member(&self, tenant: &TenantId, conversation: &ConversationId, user: &UserId) -> StoreResult<Option<Member>> {
        let item = self.get_item(key(conversation_pk(tenant, conversation), member_sk(user))).await?;
        Ok(item.as_ref().map(member_from).transpose()?)
    }

    async fn list_members(&self, tenant: &TenantId, conversation: &ConversationId) -> StoreResult<Vec<Member>> {
        let items = self.query_all(conversation_pk(tenant, conversation), "M#").await?;
        Ok(items.iter().map(member_from).collect::<anyhow::Result<_>>()?)
    }

    async fn list_user_conversations(
        &self,
        tenant: &TenantId,
        user: &UserId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<InboxEntry>> {
        let start = match cursor {
            Some(c) => {
                let (activity, conversation) = c.split_once('.').context("bad cursor")?;
                let conversation = ConversationId::parse(conversation).map_err(|e| anyhow!("bad cursor: {e}"))?;
                let mut k = key(conversation_pk(tenant, &conversation), member_sk(user));
                k.insert("GSI1PK".into(), s(user_pk(tenant, user)));
                k.insert("GSI1SK".into(), s(inbox_sk(activity, &conversation)));
                Some(k)
            }
            None => None,
        };
        let mut items = self.query(Some("GSI1"), "GSI1PK = :pk", vec![(":pk", user_pk(tenant, user))], false, limit, start).await?;
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = if more { items.last().map(inbox_cursor).transpose()? } else { None };
        let entries = items
            .iter()
            .map(|i| {
                let conversation = serde_json::from_str(text(i, "conv")?).context("decoding an inbox entry")?;
                Ok(InboxEntry { conversation, member: member_from(i)? })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Page { items: entries, next_cursor })
    }

    async fn append_message(&self, message: &Message) -> StoreResult<Upserted<Message>> {
        let tenant = &message.tenant_id;
        let pk = conversation_pk(tenant, &message.conversation_id);
        let mut message_item = with_data(key(pk.clone(), message_sk(message.id.as_str())), message)?;
        message_item.insert("sender".into(), s(message.sender_id.as_str()));
        let stored = match &message.client_message_id {
            None => self.put_item(message_item).await,
            Some(cmid) => {
                let mut dedupe = key(pk.clone(), client_message_sk(&message.sender_id, cmid));
                dedupe.insert("messageId".into(), s(message.id.as_str()));
                let result = self
                    .client
                    .transact_write_items()
                    .transact_items(self.put(message_item, Some("attribute_not_exists(PK)"))?)
                    .transact_items(self.put(dedupe, Some("attribute_not_exists(PK)"))?)
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(e) if transaction_condition_failed(&e) => {
                        let pointer = self.get_item(key(pk.clone(), client_message_sk(&message.sender_id, cmid))).await?;
                        let first_id = text(pointer.as_ref().context("idempotency record vanished")?, "messageId")?.to_string();
                        let first: Message = self
                            .get_data(key(pk.clone(), message_sk(&first_id)))
                            .await?
                            .context("an idempotency record points to a missing message")?;
                        return Ok(Upserted { value: first, created: false });
                    }
                    Err(e) => Err(StoreError(e.into())),
                }
            }
        };
        stored?;

        // The message is stored; now its conversation and every member's inbox move forward.
        let mut conversation = self
            .get_conversation(tenant, &message.conversation_id)
            .await?
            .context("message for a missing conversation")?;
        conversation.activity = message.id.to_string();
        conversation.last_activity_at = message.created_at;
        conversation.last_message = Some(MessagePreview::of(message));
        let snapshot = serde_json::to_string(&conversation).map_err(anyhow::Error::from)?;
        self.advance(key(pk.clone(), META_SK), &conversation.activity, vec![("data", s(snapshot.clone()))], vec![]).await?;
        let members = self.list_members(tenant, &message.conversation_id).await?;
        let inbox_sort = inbox_sk(&conversation.activity, &conversation.id);
        let updates = members.iter().map(|m| async {
            let member_key = key(pk.clone(), member_sk(&m.user_id));
            let moved = vec![("GSI1SK", s(inbox_sort.clone())), ("conv", s(snapshot.clone()))];
            if m.user_id == message.sender_id {
                let read = vec![("lastReadMessageId", s(message.id.as_str())), ("lastReadAt", s(message.created_at.to_rfc3339())), ("unread", n(0))];
                if !self.advance(member_key, &conversation.activity, [moved, read].concat(), vec![]).await? {
                    // A newer message got there first; the sender has still read this one.
                    self.move_read_marker(tenant, &conversation.id, &m.user_id, &message.id, message.created_at, 0).await?;
                }
            } else if !self.advance(member_key.clone(), &conversation.activity, moved, vec![("unread", n(1))]).await? {
                // A newer message got there first; this one still counts as unread.
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(member_key))
                    .update_expression("ADD unread :one")
                    .expression_attribute_values(":one", n(1))
                    .send()
                    .await?;
            }
            Ok::<_, anyhow::Error>(())
        });
        for result in join_all(updates).await {
            result?;
        }
        Ok(Upserted { value: message.clone(), created: true })
    }

    async fn update_message(&self, message: &Message) -> StoreResult<bool> {
        let tenant = &message.tenant_id;
        let pk = conversation_pk(tenant, &message.conversation_id);
        let mut item = with_data(key(pk.clone(), message_sk(message.id.as_str())), message)?;
        item.insert("sender".into(), s(message.sender_id.as_str()));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        match put {
            Ok(_) => {}
            Err(e) if is_condition_failure(&e) => return Ok(false),
            Err(e) => return Err(StoreError(e.into())),
        }
        let Some(mut conversation) = self.get_conversation(tenant, &message.conversation_id).await? else {
            return Ok(true);
        };
        if conversation.last_message_id() != Some(&message.id) {
            return Ok(true);
        }
        // The newest message changed: its preview changes in the conversation and in every
        // member's inbox entry, unless a newer message got there meanwhile.
        conversation.last_message = Some(MessagePreview::of(message));
        let snapshot = serde_json::to_string(&conversation).map_err(anyhow::Error::from)?;
        let members = self.list_members(tenant, &message.conversation_id).await?;
        self.write_snapshots(pk, &members, &snapshot, &conversation.activity).await?;
        Ok(true)
    }

    async fn get_message(&self, tenant: &TenantId, conversation: &ConversationId, id: &MessageId) -> StoreResult<Option<Message>> {
        self.get_data(key(conversation_pk(tenant, conversation), message_sk(id.as_str()))).await
    }

    async fn mark_read(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Member>> {
        // Others' messages after the new marker: one counting query, bounded by what is unread.
        let mut unread = 0u64;
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
                .filter_expression("sender <> :me")
                .expression_attribute_values(":pk", s(conversation_pk(tenant, conversation)))
                .expression_attribute_values(":lo", s(format!("{}!", message_sk(message.as_str()))))
                .expression_attribute_values(":hi", s("MSG#~"))
                .expression_attribute_values(":me", s(user.as_str()))
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(anyhow::Error::from)?;
            unread += out.count as u64;
            match out.last_evaluated_key {
                Some(next) => start = Some(next),
                None => break,
            }
        }
        Ok(self.move_read_marker(tenant, conversation, user, message, at, unread).await?)
    }

    async fn list_messages(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice> {
        let pk = conversation_pk(tenant, conversation);
        // BETWEEN is inclusive: the cursor's own message is read (one more) and dropped.
        let (condition, values, forward, skip) = match range {
            HistoryRange::Latest => ("PK = :pk AND begins_with(SK, :lo)", vec![(":pk", pk), (":lo", "MSG#".to_string())], false, None),
            HistoryRange::Before(id) => (
                "PK = :pk AND SK BETWEEN :lo AND :hi",
                vec![(":pk", pk), (":lo", "MSG#".to_string()), (":hi", message_sk(id))],
                false,
                Some(message_sk(id)),
            ),
            HistoryRange::After(id) => (
                "PK = :pk AND SK BETWEEN :lo AND :hi",
                vec![(":pk", pk), (":lo", message_sk(id)), (":hi", "MSG#~".to_string())],
                true,
                Some(message_sk(id)),
            ),
        };
        let wanted = limit + usize::from(skip.is_some());
        let items = self.query(None, condition, values, forward, wanted, None).await?;
        let mut messages = Vec::with_capacity(items.len());
        for item in &items {
            if skip.as_deref() == Some(text(item, "SK")?) {
                continue;
            }
            messages.push(data::<Message>(item)?);
        }
        let more = messages.len() > limit;
        messages.truncate(limit);
        if !forward {
            messages.reverse();
        }
        Ok(HistorySlice { messages, more })
    }

    async fn append_events(&self, tenant: &TenantId, users: &[UserId], event: &LoggedEvent) -> StoreResult<()> {
        let items = users
            .iter()
            .map(|u| {
                let mut item = with_data(key(user_pk(tenant, u), event_sk(&event.id)), event)?;
                item.insert("ttl".into(), AttributeValue::N(event.expires_at.timestamp().to_string()));
                Ok(item)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(self.batch_put(items).await?)
    }

    async fn list_events(
        &self,
        tenant: &TenantId,
        user: &UserId,
        after: &str,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        let values = vec![(":pk", user_pk(tenant, user)), (":lo", format!("{}!", event_sk(after))), (":hi", "EV#~".to_string())];
        let items = self.query(None, "PK = :pk AND SK BETWEEN :lo AND :hi", values, true, limit, None).await?;
        let mut events: Vec<LoggedEvent> = Vec::with_capacity(items.len());
        for item in &items {
            let event: LoggedEvent = data(item)?;
            // TTL deletion lags: an expired event is still skipped.
            if event.expires_at > now {
                events.push(event);
            }
        }
        // More items were there (limit + 1 were asked for), expired or not.
        let more = items.len() > limit;
        events.truncate(limit);
        Ok((events, more))
    }

    async fn count_hit(&self, tenant: &TenantId, key_name: &str, window: std::time::Duration, now: DateTime<Utc>) -> StoreResult<u64> {
        // One item per key and window, gone by TTL once the window is over.
        let index = super::embedded::window_index(window, now);
        let ends = (index + 1) * window.as_millis().max(1) as i64 / 1000 + 1;
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("{}#HIT#{key_name}", tenant_pk(tenant)), index.to_string())))
            .update_expression("ADD hits :one SET #ttl = :ttl")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ttl", AttributeValue::N(ends.to_string()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        let hits = out.attributes.as_ref().and_then(|a| a.get("hits")).and_then(|v| v.as_n().ok()).context("no hit count")?;
        Ok(hits.parse().context("hit count is not a number")?)
    }

    async fn try_claim(&self, tenant: &TenantId, key_name: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<bool> {
        self.put_if_free(key(format!("{}#CLAIM#{key_name}", tenant_pk(tenant)), "CLAIM"), now, until).await
    }

    async fn put_last_seen(&self, tenant: &TenantId, user: &UserId, at: DateTime<Utc>) -> StoreResult<()> {
        self.put_item(with_data(key(tenant_pk(tenant), format!("SEEN#{user}")), &at)?).await
    }

    async fn get_last_seen(&self, tenant: &TenantId, users: &[UserId]) -> StoreResult<Vec<(UserId, DateTime<Utc>)>> {
        let items = self.batch_get(users.iter().map(|u| key(tenant_pk(tenant), format!("SEEN#{u}"))).collect()).await?;
        let mut seen = Vec::with_capacity(items.len());
        for item in &items {
            let user = text(item, "SK")?.strip_prefix("SEEN#").context("not a last-seen item")?;
            seen.push((UserId::parse(user).map_err(|e| anyhow!("{e}"))?, data(item)?));
        }
        Ok(seen)
    }

    async fn put_connection(&self, connection: &Connection) -> StoreResult<()> {
        let mut item = with_data(key(user_pk(&connection.tenant_id, &connection.user_id), connection_sk(&connection.id)), connection)?;
        // DynamoDB's TTL deletes the item some time after this instant.
        item.insert("ttl".into(), AttributeValue::N(connection.expires_at.timestamp().to_string()));
        self.put_item(item).await
    }

    async fn delete_connection(&self, tenant: &TenantId, user: &UserId, id: &ConnectionId) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(user_pk(tenant, user), connection_sk(id))))
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(())
    }

    async fn list_user_connections(&self, tenant: &TenantId, user: &UserId, now: DateTime<Utc>) -> StoreResult<Vec<Connection>> {
        let items = self.query_all(user_pk(tenant, user), "CONN#").await?;
        let mut live = Vec::with_capacity(items.len());
        for item in &items {
            let connection: Connection = data(item)?;
            // TTL deletion lags by up to days: an expired item is still skipped.
            if connection.is_live(now) {
                live.push(connection);
            }
        }
        Ok(live)
    }

    async fn put_doc(&self, tenant: &TenantId, collection: &str, id: &str, doc: &str, expires_at: Option<DateTime<Utc>>) -> StoreResult<()> {
        let mut item = key(doc_pk(tenant, collection), id);
        item.insert("data".into(), s(doc));
        if let Some(at) = expires_at {
            item.insert("ttl".into(), expiry(at));
            item.insert("expiresAt".into(), AttributeValue::N(at.timestamp_millis().to_string()));
        }
        self.put_item(item).await
    }

    async fn get_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<Option<String>> {
        let item = self.get_item(key(doc_pk(tenant, collection), id)).await?;
        Ok(item.filter(|i| doc_live(i, Utc::now())).map(|i| text(&i, "data").map(str::to_string)).transpose()?)
    }

    async fn list_docs(&self, tenant: &TenantId, collection: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<String>> {
        let start = after.map(|a| key(doc_pk(tenant, collection), a));
        let mut items = self.query(None, "PK = :pk", vec![(":pk", doc_pk(tenant, collection))], true, limit, start).await?;
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = if more { items.last().map(|i| text(i, "SK").map(str::to_string)).transpose()? } else { None };
        let now = Utc::now();
        let docs = items.iter().filter(|i| doc_live(i, now)).map(|i| text(i, "data").map(str::to_string)).collect::<anyhow::Result<_>>()?;
        Ok(Page { items: docs, next_cursor })
    }

    async fn delete_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(doc_pk(tenant, collection), id)))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn put_notification(&self, notification: &Notification) -> StoreResult<()> {
        let mut item = with_data(key(notifications_pk(&notification.tenant_id, &notification.user_id), &notification.id), notification)?;
        if notification.read_at.is_none() {
            item.insert("GSI1PK".into(), s(unread_pk(&notification.tenant_id, &notification.user_id)));
            item.insert("GSI1SK".into(), s(&notification.id));
        }
        self.put_item(item).await
    }

    async fn get_notification(&self, tenant: &TenantId, user: &UserId, id: &str) -> StoreResult<Option<Notification>> {
        self.get_data(key(notifications_pk(tenant, user), id)).await
    }

    async fn list_notifications(
        &self,
        tenant: &TenantId,
        user: &UserId,
        unread_only: bool,
        before: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<Notification>> {
        let (index, pk, sk) = if unread_only { (Some("GSI1"), "GSI1PK", "GSI1SK") } else { (None, "PK", "SK") };
        let pk_value = if unread_only { unread_pk(tenant, user) } else { notifications_pk(tenant, user) };
        let mut values = vec![(":pk", pk_value)];
        let condition = match before {
            Some(b) => {
                values.push((":before", b.to_string()));
                format!("{pk} = :pk AND {sk} < :before")
            }
            None => format!("{pk} = :pk"),
        };
        let mut items = self.query(index, &condition, values, false, limit, None).await?;
        let more = items.len() > limit;
        items.truncate(limit);
        let notifications: Vec<Notification> = items.iter().map(data).collect::<anyhow::Result<_>>()?;
        let next_cursor = if more { notifications.last().map(|n| n.id.clone()) } else { None };
        Ok(Page { items: notifications, next_cursor })
    }

    async fn count_unread_notifications(&self, tenant: &TenantId, user: &UserId) -> StoreResult<u64> {
        let mut count = 0u64;
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("GSI1")
                .key_condition_expression("GSI1PK = :pk")
                .expression_attribute_values(":pk", s(unread_pk(tenant, user)))
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(anyhow::Error::from)?;
            count += out.count as u64;
            match out.last_evaluated_key {
                Some(next) => start = Some(next),
                None => return Ok(count),
            }
        }
    }

    async fn schedule_job(&self, scheduled: &ScheduledJob) -> StoreResult<()> {
        let job = &scheduled.job;
        let mut item = with_data(key(scheduled_pk(&job.tenant_id), &job.id), scheduled)?;
        item.insert("GSI1PK".into(), s(due_pk(due_shard(&job.id))));
        item.insert("GSI1SK".into(), s(format!("{}#{}#{}", crate::ports::due_sort_key(scheduled.due_at), job.tenant_id, job.id)));
        self.put_item(item).await
    }

    async fn list_due_jobs(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<ScheduledJob>> {
        let upto = format!("{}~", crate::ports::due_sort_key(now));
        let shards = (0..DUE_SHARDS).map(|shard| {
            self.query(Some("GSI1"), "GSI1PK = :pk AND GSI1SK <= :upto", vec![(":pk", due_pk(shard)), (":upto", upto.clone())], true, limit, None)
        });
        let mut due: Vec<ScheduledJob> = Vec::new();
        for items in join_all(shards).await {
            for item in items? {
                due.push(data(&item)?);
            }
        }
        due.sort_by(|a, b| a.due_at.cmp(&b.due_at).then_with(|| a.job.id.cmp(&b.job.id)));
        due.truncate(limit);
        Ok(due)
    }

    async fn take_scheduled_job(&self, tenant: &TenantId, job_id: &str) -> StoreResult<bool> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(scheduled_pk(tenant), job_id)))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(StoreError(e.into())),
        }
    }

    async fn begin_effect(&self, tenant: &TenantId, key_name: &str, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> StoreResult<EffectClaim> {
        let mut item = key(effect_pk(tenant, key_name), "EFFECT");
        item.insert("done".into(), AttributeValue::Bool(false));
        if self.put_if_free(item, now, lease_until).await? {
            return Ok(EffectClaim::Acquired);
        }
        let held = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(effect_pk(tenant, key_name), "EFFECT")))
            .consistent_read(true)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        let done = held.item.as_ref().and_then(|i| i.get("done")).and_then(|v| v.as_bool().ok()).copied();
        Ok(if done == Some(true) { EffectClaim::Done } else { EffectClaim::Busy })
    }

    async fn finish_effect(&self, tenant: &TenantId, key_name: &str, keep_until: DateTime<Utc>) -> StoreResult<()> {
        let mut item = key(effect_pk(tenant, key_name), "EFFECT");
        item.insert("done".into(), AttributeValue::Bool(true));
        item.insert("until".into(), AttributeValue::N(keep_until.timestamp_millis().to_string()));
        item.insert("ttl".into(), expiry(keep_until));
        self.put_item(item).await
    }

    async fn release_effect(&self, tenant: &TenantId, key_name: &str) -> StoreResult<()> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(effect_pk(tenant, key_name), "EFFECT")))
            .condition_expression("done = :false")
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Ok(()),
            Err(e) => Err(StoreError(e.into())),
        }
    }
}

/// Whether a document has not expired (TTL deletion lags, so expiry is checked on read).
fn doc_live(item: &Item, now: DateTime<Utc>) -> bool {
    match item.get("expiresAt").and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok()) {
        Some(at) => at > now.timestamp_millis(),
        None => true,
    }
}
