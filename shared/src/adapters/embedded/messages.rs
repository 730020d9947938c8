//! Messages, their idempotency records, and what a new message moves: the conversation's
//! activity and every member's inbox entry and unread count, in the same transaction.

use anyhow::Context;
use async_trait::async_trait;

use chrono::Utc;

use super::codec::*;
use super::documents::attach_uploads;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its messages role: the name this file adapts the port under.
pub type EmbeddedMessages = EmbeddedStore;

#[async_trait]
impl MessageStore for EmbeddedMessages {
    async fn append_message(
        &self,
        _read: &Conversation,
        message: &Message,
        event: &LoggedEvent,
        attached: &[Upload],
    ) -> StoreResult<Result<Upserted<Message>, AttachmentTaken>> {
        // The conversation is read again inside the transaction: counts are exact here.
        let (message, event, attached) = (message.clone(), event.clone(), attached.to_vec());
        self.writing(move |t| {
            let tenant = &message.tenant_id;
            let dedupe = message.client_message_id.as_ref().map(|cmid| client_message_key(tenant, &message, cmid));
            if let Some(dedupe) = &dedupe {
                if let Some(first_id) = read::<MessageId>(t, dedupe)? {
                    let first = read(t, &message_key(tenant, &message.conversation_id, first_id.as_str()))?
                        .context("an idempotency record points to a missing message")?;
                    return Ok(Ok(Upserted { value: first, created: false }));
                }
            }
            if let Some(taken) = attach_uploads(t, &attached, Utc::now())? {
                return Ok(Err(AttachmentTaken(taken)));
            }
            if let Some(dedupe) = &dedupe {
                write(t, dedupe, &message.id)?;
            }
            write(t, &message_key(tenant, &message.conversation_id, message.id.as_str()), &message)?;
            write(t, &conversation_event_key(tenant, &message.conversation_id, &event.id), &event)?;

            let conv_key = conversation_key(tenant, &message.conversation_id);
            let mut conversation: Conversation = read(t, &conv_key)?.context("message for a missing conversation")?;
            // A message that lost a race to a newer one still counts, but leaves the preview.
            if message.id.as_str() > conversation.activity.as_str() {
                conversation.activity = message.id.to_string();
                conversation.last_activity_at = message.created_at;
                conversation.last_message = Some(MessagePreview::of(&message));
            }
            conversation.message_count += 1;
            write(t, &conv_key, &conversation)?;

            // The sender has read up to their message; the other members are not written to.
            let sender_key = member_key(tenant, &conversation.id, &message.sender_id);
            if let Some(mut sender) = read::<Member>(t, &sender_key)? {
                if sender.last_read_message_id.as_ref().is_none_or(|read| *read < message.id) {
                    sender.last_read_message_id = Some(message.id.clone());
                    sender.last_read_at = Some(message.created_at);
                }
                sender.read_count = conversation.message_count;
                write(t, &sender_key, &sender)?;
            }
            Ok(Ok(Upserted { value: message.clone(), created: true }))
        })
        .await
    }
    async fn update_message(&self, previous: &Message, message: &Message) -> StoreResult<bool> {
        let (previous, message) = (previous.clone(), message.clone());
        self.writing(move |t| {
            let tenant = &message.tenant_id;
            let k = message_key(tenant, &message.conversation_id, message.id.as_str());
            if read::<Message>(t, &k)?.as_ref() != Some(&previous) {
                return Ok(false);
            }
            write(t, &k, &message)?;
            let conv_key = conversation_key(tenant, &message.conversation_id);
            let mut conversation: Conversation = read(t, &conv_key)?.context("message of a missing conversation")?;
            if conversation.last_message_id() == Some(&message.id) {
                conversation.last_message = Some(MessagePreview::of(&message));
                write(t, &conv_key, &conversation)?;
            }
            Ok(true)
        })
        .await
    }
    async fn get_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>> {
        self.get(message_key(tenant, conversation, id.as_str())).await
    }
    async fn list_messages(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice> {
        let (cursor, reverse) = match range {
            HistoryRange::Latest => (None, true),
            HistoryRange::Before(id) => (Some(id.as_str()), true),
            HistoryRange::After(id) => (Some(id.as_str()), false),
        };
        let page = self
            .page::<Message>(
                prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "MSG"]),
                cursor,
                limit,
                reverse,
            )
            .await?;
        let more = page.next_cursor.is_some();
        let mut messages: Vec<Message> = page.items.into_iter().map(|(_, m)| m).collect();
        if reverse {
            messages.reverse();
        }
        Ok(HistorySlice { messages, more })
    }
}
