//! How records become items and back: the record as JSON in `data`, key attributes beside
//! it, and the few attributes that writes change on their own (counters, markers, expiry).

use std::collections::HashMap;

use anyhow::{anyhow, Context};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::keys::HEAD_SK;
use crate::domain::{Conversation, Member, MessageId};

pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(super) fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([("PK".to_string(), s(pk)), ("SK".to_string(), s(sk))])
}

pub(super) fn with_data<T: Serialize>(mut item: Item, value: &T) -> anyhow::Result<Item> {
    item.insert("data".into(), s(serde_json::to_string(value)?));
    Ok(item)
}

pub(super) fn data<T: DeserializeOwned>(item: &Item) -> anyhow::Result<T> {
    let raw = item.get("data").and_then(|v| v.as_s().ok()).context("item without data")?;
    serde_json::from_str(raw).context("decoding an item's data")
}

pub(super) fn text<'a>(item: &'a Item, name: &str) -> anyhow::Result<&'a str> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str).with_context(|| format!("item without {name}"))
}

pub(super) fn expiry(at: DateTime<Utc>) -> AttributeValue {
    AttributeValue::N((at.timestamp() + 1).to_string())
}

/// A member item: the record in `data`, with the attributes that change on their own
/// (the read position and marker) laid over it.
pub(super) fn member_from(item: &Item) -> anyhow::Result<Member> {
    let mut member: Member = data(item)?;
    if let Some(n) = item.get("readCount").and_then(|v| v.as_n().ok()) {
        member.read_count = n.parse().context("readCount is not a number")?;
    }
    if let Ok(id) = text(item, "lastReadMessageId") {
        member.last_read_message_id = Some(MessageId::parse(id).map_err(|e| anyhow!("{e}"))?);
    }
    if let Ok(at) = text(item, "lastReadAt") {
        member.last_read_at = Some(at.parse().context("lastReadAt is not a time")?);
    }
    // A member's own choices live in their attributes only, as typing does.
    member.muted_until = match text(item, "mutedUntil") {
        Ok(at) => Some(at.parse().context("mutedUntil is not a time")?),
        Err(_) => None,
    };
    member.archived_activity = text(item, "archivedActivity").ok().map(str::to_string);
    // Typing lives in its own attribute only (a record written back must not revive it).
    member.typing_until = match text(item, "typingUntil") {
        Ok(at) => Some(at.parse().context("typingUntil is not a time")?),
        Err(_) => None,
    };
    Ok(member)
}

/// Whether a document has not expired (TTL deletion lags, so expiry is checked on read).
pub(super) fn doc_live(item: &Item, now: DateTime<Utc>) -> bool {
    match item.get("expiresAt").and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok()) {
        Some(at) => at > now.timestamp_millis(),
        None => true,
    }
}

/// Whether an SDK error is a failed condition (an expected outcome, not a failure).
pub(super) fn is_condition_failure<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(
    e: &aws_sdk_dynamodb::error::SdkError<E>,
) -> bool {
    e.as_service_error().and_then(|se| se.code()) == Some("ConditionalCheckFailedException")
}

pub(super) fn transaction_condition_failed(
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

/// A conversation from its `META` item (the record in `data`) and its `HEAD` item (activity,
/// preview and message count, which every message moves) laid over it.
pub(super) fn conversation_from(meta: &Item, head: &Item) -> anyhow::Result<Conversation> {
    let mut conversation: Conversation = data(meta)?;
    conversation.activity = text(head, "activity")?.to_string();
    conversation.last_activity_at = text(head, "lastActivityAt")?.parse().context("lastActivityAt is not a time")?;
    conversation.last_message = match text(head, "lastMessage") {
        Ok(preview) => Some(serde_json::from_str(preview).context("decoding a conversation's preview")?),
        Err(_) => None,
    };
    conversation.message_count = number(head, "messageCount")?;
    Ok(conversation)
}

/// A conversation's `HEAD` item as it is created.
pub(super) fn head_item(pk: String, conversation: &Conversation) -> anyhow::Result<Item> {
    let mut item = key(pk, HEAD_SK);
    item.insert("activity".into(), s(&conversation.activity));
    item.insert("lastActivityAt".into(), s(conversation.last_activity_at.to_rfc3339()));
    if let Some(preview) = &conversation.last_message {
        item.insert("lastMessage".into(), s(serde_json::to_string(preview)?));
    }
    item.insert("messageCount".into(), n(conversation.message_count));
    Ok(item)
}

pub(super) fn number(item: &Item, name: &str) -> anyhow::Result<u64> {
    let raw = item.get(name).and_then(|v| v.as_n().ok()).with_context(|| format!("item without {name}"))?;
    raw.parse().with_context(|| format!("{name} is not a number"))
}

/// Which items of a cancelled transaction failed their condition, in the order they were
/// written; `None` when the transaction failed otherwise.
pub(super) fn failed_conditions(
    e: &aws_sdk_dynamodb::error::SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError>,
) -> Option<Vec<bool>> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(tc)) => {
            Some(tc.cancellation_reasons().iter().map(|r| r.code() == Some("ConditionalCheckFailed")).collect())
        }
        _ => None,
    }
}
