//! Messages (`MSG#`, each also its `message.new` entry in the conversation's log), their
//! idempotency records (`CMID#`), and what a new message moves in the same transaction: the
//! uploads it attaches, the conversation's head and the sender's read marker — nothing per
//! other member.

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::codec::*;
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
        let mut message_item = with_data(key(pk.clone(), message_sk(message.id.as_str())), message)?;
        message_item.insert("sender".into(), s(message.sender_id.as_str()));
        message_item.insert("event".into(), s(serde_json::to_string(event).map_err(anyhow::Error::from)?));
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
            if message.client_message_id.is_some() && failed.get(1) == Some(&true) {
                return Ok(Ok(Upserted { value: self.first_message(&pk, message).await?, created: false }));
            }
            if let Some(taken) =
                attached.iter().zip(failed.get(attached_at..).unwrap_or_default()).find_map(|(u, f)| f.then_some(&u.id))
            {
                return Ok(Err(AttachmentTaken(taken.clone())));
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
        // The record is compared whole with the one read (this codebase encodes a message one
        // way), and the preview moves in the same transaction when it is the newest message:
        // racing changes land in one order, and the preview shows the last.
        let encode = |m: &Message| serde_json::to_string(m).map_err(anyhow::Error::from);
        let replace = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk.clone(), message_sk(message.id.as_str()))))
            .update_expression("SET #data = :data")
            .condition_expression("#data = :previous")
            .expression_attribute_names("#data", "data")
            .expression_attribute_values(":data", s(encode(message)?))
            .expression_attribute_values(":previous", s(encode(previous)?))
            .build()
            .map_err(anyhow::Error::from)?;
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
            Some([false, true]) => {
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
            _ => Err(StoreError(e.into())),
        }
    }
    async fn get_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>> {
        self.get_data(key(conversation_pk(tenant, conversation), message_sk(id.as_str()))).await
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
            HistoryRange::Latest => {
                ("PK = :pk AND begins_with(SK, :lo)", vec![(":pk", pk), (":lo", "MSG#".to_string())], false, None)
            }
            HistoryRange::Before(id) => (
                "PK = :pk AND SK BETWEEN :lo AND :hi",
                vec![(":pk", pk), (":lo", "MSG#".to_string()), (":hi", message_sk(id.as_str()))],
                false,
                Some(message_sk(id.as_str())),
            ),
            HistoryRange::After(id) => (
                "PK = :pk AND SK BETWEEN :lo AND :hi",
                vec![(":pk", pk), (":lo", message_sk(id.as_str())), (":hi", "MSG#~".to_string())],
                true,
                Some(message_sk(id.as_str())),
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
}

fn encode_preview(message: &Message) -> anyhow::Result<String> {
    Ok(serde_json::to_string(&MessagePreview::of(message))?)
}

impl DynamoStore {
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
        self.get_data(key(pk.to_string(), message_sk(&first_id)))
            .await?
            .context("an idempotency record points to a missing message")
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
