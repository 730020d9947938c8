//! Messages (`MSG#`, each also its `message.new` entry in the conversation's log), their
//! idempotency records (`CMID#`), and what a new message moves in the same transaction: the
//! uploads it attaches, the conversation's head and the sender's read marker — nothing per
//! other member. A reply is also listed in its thread (`THR#{root}#{reply}`) and counted on the
//! thread's first message (`replyCount`, `lastReplyAt`, `replyUsers`: attributes beside its
//! `data`, so that replies never race an edit). One in its thread only is kept as `RPL#`, out
//! of the range history reads, its `message.new` logged as other events are (`EV#`).

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};

use super::codec::*;
use super::events::event_item;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

/// The DynamoDB store in its messages role: the name this file adapts the port under.
pub type DynamoMessages = DynamoStore;

#[async_trait]
impl MessageStore for DynamoMessages {
    async fn append_message(
        &self,
        conversation: &Conversation,
        message: &Message,
        event: &LoggedEvent,
        attached: &[Upload],
    ) -> StoreResult<Result<Upserted<Message>, AttachmentTaken>> {
        if event.id.as_str() != message.id.as_str() {
            return Err(StoreError(anyhow!("a message's event must have the message's id as its cursor")));
        }
        let tenant = &message.tenant_id;
        let pk = conversation_pk(tenant, &message.conversation_id);
        // The message's item is also its `message.new` entry in the conversation's log: one
        // item, under the message's id, which is the event's cursor.
        let stored_sk = stored_message_sk(message);
        let mut message_item = with_data(key(pk.clone(), stored_sk.clone()), &message.as_stored())?;
        message_item.insert("sender".into(), s(message.sender_id.as_str()));
        if !message.in_thread_only() {
            message_item.insert("event".into(), s(serde_json::to_string(event).map_err(anyhow::Error::from)?));
        }
        let mut writes = vec![self.put(message_item, Some("attribute_not_exists(PK)"))?];
        if let Some(cmid) = &message.client_message_id {
            let mut dedupe = key(pk.clone(), client_message_sk(&message.sender_id, cmid));
            dedupe.insert("messageId".into(), s(message.id.as_str()));
            writes.push(self.put(dedupe, Some("attribute_not_exists(PK)"))?);
        }
        let attached_at = writes.len();
        let now = chrono::Utc::now();
        for upload in attached {
            writes.push(self.attach_upload(upload, now)?);
        }
        if let Some(root) = &message.parent_id {
            writes.extend(self.thread_writes(&pk, message, root, &stored_sk)?);
            if message.in_thread_only() {
                writes.push(self.put(event_item(pk.clone(), event)?, None)?);
                return self.append_in_thread(pk, message, event, writes, attached, attached_at).await;
            }
        }
        // One transaction: the message, its idempotency record, its uploads, the conversation's
        // head (count; activity, preview and latest event when this is the newest) and the
        // sender's read marker (when it is behind). A message that lost a race to a newer message or event
        // is counted without moving the head, which then moves only as far as each of its
        // parts is still behind; a marker a newer message of the sender's moved first stays.
        let (mut newest, mut marker) = (true, true);
        loop {
            let head_at = writes.len();
            let mut items = writes.clone();
            items.push(self.head_update(&pk, message, newest)?);
            if marker {
                items.push(self.sender_marker_update(&pk, conversation, message)?);
            }
            let Err(e) = self.client.transact_write_items().set_transact_items(Some(items)).send().await else {
                break;
            };
            let Some(failed) = failed_conditions(&e) else { return Err(StoreError(e.into())) };
            if let Some(outcome) = self.refused_append(&pk, message, &failed, attached, attached_at).await? {
                return Ok(outcome);
            }
            let (head_failed, marker_failed) =
                (failed.get(head_at) == Some(&true), failed.get(head_at + 1) == Some(&true));
            if (head_failed && !newest) || !(head_failed || marker_failed) {
                return Err(StoreError(e.into()));
            }
            newest &= !head_failed;
            marker &= !marker_failed;
        }
        if !newest {
            let (preview, latest) =
                tokio::join!(self.advance_preview(&pk, message), self.advance_latest_event(pk.clone(), &event.id));
            preview?;
            latest?;
        }
        if !marker {
            self.count_sender_read(&pk, conversation, message).await?;
        }
        Ok(Ok(Upserted { value: message.clone(), created: true }))
    }
    async fn update_message(&self, previous: &Message, message: &Message) -> StoreResult<bool> {
        let pk = conversation_pk(&message.tenant_id, &message.conversation_id);
        if let (Some(cmid), None) = (&previous.client_message_id, &message.client_message_id) {
            // An erased sender's message: their send's idempotency record names them. It goes
            // first: were the replace then to fail, a retried erasure still finds the message
            // theirs and comes back here.
            let record = key(pk.clone(), client_message_sk(&previous.sender_id, cmid));
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(record))
                .send()
                .await
                .map_err(anyhow::Error::from)?;
        }
        // The record is compared whole with the one read (this codebase encodes a message one
        // way), and the preview moves in the same transaction when it is the newest message:
        // racing changes land in one order, and the preview shows the last.
        let encode = |m: &Message| serde_json::to_string(&m.as_stored()).map_err(anyhow::Error::from);
        // A tombstone's text goes from its logged `message.new` too (the deletion's own event
        // tells `sync` of it).
        // An erased sender's message names no one any more, in its `sender` attribute too.
        let sender_changed = message.sender_id != previous.sender_id;
        let expression = match (message.deleted_at.is_some(), sender_changed) {
            (true, true) => "SET #data = :data, sender = :sender REMOVE event",
            (true, false) => "SET #data = :data REMOVE event",
            (false, true) => "SET #data = :data, sender = :sender",
            (false, false) => "SET #data = :data",
        };
        let replace = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk.clone(), stored_message_sk(message))))
            .update_expression(expression)
            .condition_expression("#data = :previous")
            .expression_attribute_names("#data", "data")
            .set_expression_attribute_values(Some(
                [(":data".to_string(), s(encode(message)?)), (":previous".to_string(), s(encode(previous)?))]
                    .into_iter()
                    .chain(sender_changed.then(|| (":sender".to_string(), s(message.sender_id.as_str()))))
                    .collect(),
            ))
            .build()
            .map_err(anyhow::Error::from)?;
        if message.in_thread_only() {
            let replaced = self.replace_message(replace).await?;
            if replaced && message.deleted_at.is_some() {
                // Its `message.new` is an event of the log like others, under its id.
                let logged = key(pk, event_sk(message.id.as_str()));
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(logged))
                    .send()
                    .await
                    .map_err(anyhow::Error::from)?;
            }
            return Ok(replaced);
        }
        let preview = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, HEAD_SK)))
            .update_expression("SET lastMessage = :preview")
            .condition_expression("activity = :m")
            .expression_attribute_values(":m", s(message.id.as_str()))
            .expression_attribute_values(":preview", s(encode_preview(message)?))
            .build()
            .map_err(anyhow::Error::from)?;
        let both = vec![
            TransactWriteItem::builder().update(replace.clone()).build(),
            TransactWriteItem::builder().update(preview).build(),
        ];
        let Err(e) = self.client.transact_write_items().set_transact_items(Some(both)).send().await else {
            return Ok(true);
        };
        match failed_conditions(&e).as_deref() {
            Some([true, ..]) => Ok(false),
            // Not the newest message: the preview is another's, the message alone changes.
            Some([false, true]) => self.replace_message(replace).await,
            _ => Err(StoreError(e.into())),
        }
    }
    async fn get_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>> {
        Ok(self.find_message(&conversation_pk(tenant, conversation), id.as_str()).await?)
    }
    async fn list_messages(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice> {
        let (items, more) = self.read_range(conversation_pk(tenant, conversation), "MSG#", range, limit).await?;
        let messages = items.iter().map(message_from).collect::<anyhow::Result<_>>()?;
        Ok(HistorySlice { messages, more })
    }
    async fn remove_messages_before(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        before: &MessageId,
        limit: usize,
    ) -> StoreResult<Vec<Message>> {
        let pk = conversation_pk(tenant, conversation);
        let mut removed: Vec<Message> = Vec::new();
        for place in ["MSG#", "RPL#"] {
            let wanted = limit - removed.len();
            if wanted == 0 {
                break;
            }
            // BETWEEN is inclusive: `before`'s own item, if read, stays.
            let values = vec![(":pk", pk.clone()), (":lo", place.to_string()), (":hi", format!("{place}{before}"))];
            let items = self.query(None, "PK = :pk AND SK BETWEEN :lo AND :hi", values, true, wanted, None).await?;
            for item in &items {
                let message = message_from(item)?;
                if message.id < *before && removed.len() < limit {
                    removed.push(message);
                }
            }
        }
        removed.sort_by(|a, b| a.id.cmp(&b.id));
        let mut keys = Vec::new();
        for message in &removed {
            // The item is also its logged `message.new`, and holds its thread's summary.
            keys.push(key(pk.clone(), stored_message_sk(message)));
            if message.in_thread_only() {
                keys.push(key(pk.clone(), event_sk(message.id.as_str())));
            }
            if let Some(cmid) = &message.client_message_id {
                keys.push(key(pk.clone(), client_message_sk(&message.sender_id, cmid)));
            }
            if let Some(root) = &message.parent_id {
                keys.push(key(pk.clone(), thread_sk(root, message.id.as_str())));
            }
        }
        if removed.is_empty() {
            return Ok(removed);
        }
        self.batch_delete(keys).await?;
        let cleared = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, HEAD_SK)))
            .update_expression("REMOVE lastMessage")
            .condition_expression("attribute_exists(lastMessage) AND activity < :before")
            .expression_attribute_values(":before", s(before.as_str()))
            .send()
            .await;
        match cleared {
            Err(e) if !is_condition_failure(&e) => Err(StoreError(e.into())),
            _ => Ok(removed),
        }
    }
    async fn forget_replier(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        root: &MessageId,
        user: &UserId,
    ) -> StoreResult<()> {
        let forgotten = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(conversation_pk(tenant, conversation), message_sk(root.as_str()))))
            .update_expression("DELETE replyUsers :who")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":who", AttributeValue::Ss(vec![user.to_string()]))
            .send()
            .await;
        match forgotten {
            Err(e) if !is_condition_failure(&e) => Err(StoreError(e.into())),
            _ => Ok(()),
        }
    }
    async fn list_replies(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        root: &MessageId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice> {
        let pk = conversation_pk(tenant, conversation);
        let (pointers, more) = self.read_range(pk.clone(), &thread_sk(root, ""), range, limit).await?;
        let keys = pointers.iter().map(|p| Ok(key(pk.clone(), text(p, "at")?))).collect::<anyhow::Result<Vec<_>>>()?;
        let mut messages = self.batch_get(keys).await?.iter().map(message_from).collect::<anyhow::Result<Vec<_>>>()?;
        messages.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(HistorySlice { messages, more })
    }
}

/// A message's item as read: its `data`, with the summary kept beside it on a thread's first.
fn message_from(item: &Item) -> anyhow::Result<Message> {
    let message: Message = data(item)?;
    if item.contains_key("replyCount") {
        let last_reply_at = match item.get("lastReplyAt").and_then(|v| v.as_s().ok()) {
            Some(at) => Some(DateTime::parse_from_rfc3339(at)?.with_timezone(&Utc)),
            None => None,
        };
        let mut reply_user_ids = match item.get("replyUsers").and_then(|v| v.as_ss().ok()) {
            Some(users) => users.iter().map(|u| UserId::parse(u.as_str())).collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        reply_user_ids.sort();
        return Ok(message.with_thread(ThreadSummary {
            reply_count: number(item, "replyCount")?,
            last_reply_at,
            reply_user_ids,
        }));
    }
    Ok(message)
}

fn encode_preview(message: &Message) -> anyhow::Result<String> {
    Ok(serde_json::to_string(&MessagePreview::of(message))?)
}

impl DynamoStore {
    /// A message by its id, wherever it is kept (most are in the conversation's history: a
    /// second read only for a reply in its thread only).
    async fn find_message(&self, pk: &str, id: &str) -> anyhow::Result<Option<Message>> {
        if let Some(item) = self.get_item(key(pk.to_string(), message_sk(id))).await? {
            return Ok(Some(message_from(&item)?));
        }
        self.get_item(key(pk.to_string(), reply_sk(id))).await?.as_ref().map(message_from).transpose()
    }

    /// One page of a partition's `{prefix}{id}` range, as history reads it: ascending, and
    /// whether more are beyond the page in the direction read.
    async fn read_range(
        &self,
        pk: String,
        prefix: &str,
        range: &HistoryRange,
        limit: usize,
    ) -> anyhow::Result<(Vec<Item>, bool)> {
        let at = |id: &MessageId| format!("{prefix}{id}");
        // BETWEEN is inclusive: the cursor's own item is read (one more) and dropped.
        let (condition, values, forward, skip) = match range {
            HistoryRange::Latest => {
                ("PK = :pk AND begins_with(SK, :lo)", vec![(":pk", pk), (":lo", prefix.to_string())], false, None)
            }
            HistoryRange::Before(id) => (
                "PK = :pk AND SK BETWEEN :lo AND :hi",
                vec![(":pk", pk), (":lo", prefix.to_string()), (":hi", at(id))],
                false,
                Some(at(id)),
            ),
            HistoryRange::After(id) => (
                "PK = :pk AND SK BETWEEN :lo AND :hi",
                vec![(":pk", pk), (":lo", at(id)), (":hi", format!("{prefix}~"))],
                true,
                Some(at(id)),
            ),
        };
        let wanted = limit + usize::from(skip.is_some());
        let mut items = self.query(None, condition, values, forward, wanted, None).await?;
        if let Some(skip) = &skip {
            items.retain(|item| text(item, "SK").ok() != Some(skip.as_str()));
        }
        let more = items.len() > limit;
        items.truncate(limit);
        if !forward {
            items.reverse();
        }
        Ok((items, more))
    }

    /// A reply's part of its transaction: listed in its thread, counted on the thread's first
    /// message (on condition that it is there).
    fn thread_writes(
        &self,
        pk: &str,
        reply: &Message,
        root: &MessageId,
        stored_sk: &str,
    ) -> anyhow::Result<[TransactWriteItem; 2]> {
        let mut pointer = key(pk.to_string(), thread_sk(root, reply.id.as_str()));
        pointer.insert("at".into(), s(stored_sk));
        let count = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk.to_string(), message_sk(root.as_str()))))
            .update_expression("ADD replyCount :one, replyUsers :who SET lastReplyAt = :at")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":who", AttributeValue::Ss(vec![reply.sender_id.to_string()]))
            .expression_attribute_values(":at", s(reply.created_at.to_rfc3339()))
            .build()?;
        Ok([self.put(pointer, None)?, TransactWriteItem::builder().update(count).build()])
    }

    /// Appends a reply in its thread only: nothing of the conversation's head or the sender's
    /// marker is in the write; the conversation's latest event moves after it.
    async fn append_in_thread(
        &self,
        pk: String,
        message: &Message,
        event: &LoggedEvent,
        writes: Vec<TransactWriteItem>,
        attached: &[Upload],
        attached_at: usize,
    ) -> StoreResult<Result<Upserted<Message>, AttachmentTaken>> {
        if let Err(e) = self.client.transact_write_items().set_transact_items(Some(writes)).send().await {
            let Some(failed) = failed_conditions(&e) else { return Err(StoreError(e.into())) };
            return match self.refused_append(&pk, message, &failed, attached, attached_at).await? {
                Some(outcome) => Ok(outcome),
                None => Err(StoreError(e.into())),
            };
        }
        self.advance_latest_event(pk, &event.id).await?;
        Ok(Ok(Upserted { value: message.clone(), created: true }))
    }

    /// What a new message's cancelled transaction means, when its conditions say: a repeat
    /// (the first message), or an upload already taken. `None`: neither.
    async fn refused_append(
        &self,
        pk: &str,
        message: &Message,
        failed: &[bool],
        attached: &[Upload],
        attached_at: usize,
    ) -> anyhow::Result<Option<Result<Upserted<Message>, AttachmentTaken>>> {
        if message.client_message_id.is_some() && failed.get(1) == Some(&true) {
            return Ok(Some(Ok(Upserted { value: self.first_message(pk, message).await?, created: false })));
        }
        let taken =
            attached.iter().zip(failed.get(attached_at..).unwrap_or_default()).find_map(|(u, f)| f.then_some(&u.id));
        Ok(taken.map(|id| Err(AttachmentTaken(id.clone()))))
    }

    /// Replaces a message's record alone, on condition that it is as read.
    async fn replace_message(&self, replace: Update) -> StoreResult<bool> {
        let alone = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(replace.key))
            .update_expression(replace.update_expression)
            .set_condition_expression(replace.condition_expression)
            .set_expression_attribute_names(replace.expression_attribute_names)
            .set_expression_attribute_values(replace.expression_attribute_values)
            .send()
            .await;
        match alone {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(StoreError(e.into())),
        }
    }

    /// The head's part of a new message's transaction: counted, and, when `newest`, the
    /// activity, preview and latest event moved to it — on condition that they are behind.
    fn head_update(&self, pk: &str, message: &Message, newest: bool) -> anyhow::Result<TransactWriteItem> {
        let update = Update::builder().table_name(&self.table).set_key(Some(key(pk.to_string(), HEAD_SK)));
        let update = if newest {
            update
                .update_expression(
                    "SET activity = :m, lastActivityAt = :at, lastMessage = :preview, lastEvent = :m \
                     ADD messageCount :one",
                )
                .condition_expression(
                    "attribute_exists(PK) AND activity < :m AND (attribute_not_exists(lastEvent) OR lastEvent < :m)",
                )
                .expression_attribute_values(":m", s(message.id.as_str()))
                .expression_attribute_values(":at", s(message.created_at.to_rfc3339()))
                .expression_attribute_values(":preview", s(serde_json::to_string(&MessagePreview::of(message))?))
        } else {
            update.update_expression("ADD messageCount :one").condition_expression("attribute_exists(PK)")
        };
        let update = update.expression_attribute_values(":one", n(1)).build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// After a lost race: the activity and preview move to `message` if it is still newer.
    async fn advance_preview(&self, pk: &str, message: &Message) -> anyhow::Result<()> {
        let moved = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk.to_string(), HEAD_SK)))
            .update_expression("SET activity = :m, lastActivityAt = :at, lastMessage = :preview")
            .condition_expression("activity < :m")
            .expression_attribute_values(":m", s(message.id.as_str()))
            .expression_attribute_values(":at", s(message.created_at.to_rfc3339()))
            .expression_attribute_values(":preview", s(serde_json::to_string(&MessagePreview::of(message))?))
            .send()
            .await;
        match moved {
            Err(e) if !is_condition_failure(&e) => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// A repeated send: the message its idempotency record points to.
    async fn first_message(&self, pk: &str, message: &Message) -> anyhow::Result<Message> {
        let cmid = message.client_message_id.as_ref().context("a repeat without an idempotency key")?;
        let pointer = self.get_item(key(pk.to_string(), client_message_sk(&message.sender_id, cmid))).await?;
        let first_id = text(pointer.as_ref().context("idempotency record vanished")?, "messageId")?.to_string();
        self.find_message(pk, &first_id).await?.context("an idempotency record points to a missing message")
    }

    /// The sender has read up to their message: their marker moves to it, their read position
    /// to the conversation's count as the sender read it, plus this message — when the marker
    /// is behind it.
    fn sender_marker_update(
        &self,
        pk: &str,
        conversation: &Conversation,
        message: &Message,
    ) -> anyhow::Result<TransactWriteItem> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk.to_string(), member_sk(&message.sender_id))))
            .update_expression("SET lastReadMessageId = :m, lastReadAt = :at, readCount = :n")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(lastReadMessageId) OR lastReadMessageId < :m)",
            )
            .expression_attribute_values(":m", s(message.id.as_str()))
            .expression_attribute_values(":at", s(message.created_at.to_rfc3339()))
            .expression_attribute_values(":n", n(conversation.message_count + 1))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// After a newer message of the sender's moved their marker first: the read position still
    /// counts this one, unless that newer one counted further.
    async fn count_sender_read(&self, pk: &str, conversation: &Conversation, message: &Message) -> anyhow::Result<()> {
        let moved = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk.to_string(), member_sk(&message.sender_id))))
            .update_expression("SET readCount = :n")
            .condition_expression("attribute_exists(PK) AND (attribute_not_exists(readCount) OR readCount < :n)")
            .expression_attribute_values(":n", n(conversation.message_count + 1))
            .send()
            .await;
        match moved {
            Err(e) if !is_condition_failure(&e) => Err(e.into()),
            _ => Ok(()),
        }
    }
}
