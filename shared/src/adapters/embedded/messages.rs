//! Messages, their idempotency records, and what a new message moves: the conversation's
//! activity and every member's inbox entry and unread count, in the same transaction. A reply
//! is also listed in its thread (`THR|root|reply`) and counted in the thread's summary
//! (`THRSUM|root`); one in its thread only is kept under `RPL`, out of the history's range.

use anyhow::Context;
use async_trait::async_trait;
use std::ops::Bound;

use redb::ReadableTable;

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
                    let first = find_message(t, tenant, &message.conversation_id, &first_id)?
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
            write(t, &stored_message_key(&message), &message.as_stored())?;
            write(t, &conversation_event_key(tenant, &message.conversation_id, &event.id), &event)?;
            if let Some(root) = &message.parent_id {
                add_to_thread(t, &message, root)?;
                if message.in_thread_only() {
                    return Ok(Ok(Upserted { value: message.clone(), created: true }));
                }
            }

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
            let k = stored_message_key(&message);
            if read::<Message>(t, &k)? != Some(previous.as_stored()) {
                return Ok(false);
            }
            write(t, &k, &message.as_stored())?;
            if let (Some(cmid), None) = (&previous.client_message_id, &message.client_message_id) {
                // An erased sender's message: their send's idempotency record names them.
                t.remove(client_message_key(tenant, &previous, cmid).as_str())?;
            }
            if message.deleted_at.is_some() {
                // A tombstone's text goes from its logged `message.new` too (the deletion's
                // own event tells `sync` of it).
                let logged = EventId::parse(message.id.as_str()).map_err(|e| anyhow::anyhow!("{e}"))?;
                t.remove(conversation_event_key(tenant, &message.conversation_id, &logged).as_str())?;
            }
            if message.in_thread_only() {
                return Ok(true);
            }
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
        let (tenant, conversation, id) = (tenant.clone(), conversation.clone(), id.clone());
        self.reading(move |t| find_message(t, &tenant, &conversation, &id)).await
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
        let messages = self.reading(move |t| messages.into_iter().map(|m| with_summary(t, m)).collect()).await?;
        Ok(HistorySlice { messages, more })
    }
    async fn remove_messages_before(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        before: &MessageId,
        limit: usize,
    ) -> StoreResult<Vec<Message>> {
        let (tenant, conversation, before) = (tenant.clone(), conversation.clone(), before.clone());
        self.writing(move |t| {
            let mut removed: Vec<Message> = Vec::new();
            for place in ["MSG", "RPL"] {
                let from = prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), place]);
                let to = format!("{from}{before}");
                let rows = scan(
                    &*t,
                    Bound::Included(from.as_str()),
                    Bound::Excluded(to.as_str()),
                    false,
                    limit - removed.len(),
                )?;
                for (_, value) in rows {
                    removed.push(decode(&value)?);
                }
            }
            removed.sort_by(|a, b| a.id.cmp(&b.id));
            for message in &removed {
                t.remove(stored_message_key(message).as_str())?;
                let logged = EventId::parse(message.id.as_str()).map_err(|e| anyhow::anyhow!("{e}"))?;
                t.remove(conversation_event_key(&tenant, &conversation, &logged).as_str())?;
                if let Some(cmid) = &message.client_message_id {
                    t.remove(client_message_key(&tenant, message, cmid).as_str())?;
                }
                match &message.parent_id {
                    Some(root) => {
                        t.remove(format!("{}{}", thread_prefix(&tenant, &conversation, root), message.id).as_str())?
                    }
                    None => t.remove(thread_summary_key(&tenant, &conversation, &message.id).as_str())?,
                };
            }
            if !removed.is_empty() {
                let conv_key = conversation_key(&tenant, &conversation);
                if let Some(mut stored) = read::<Conversation>(t, &conv_key)? {
                    if stored.last_message.is_some() && stored.activity.as_str() < before.as_str() {
                        stored.last_message = None;
                        write(t, &conv_key, &stored)?;
                    }
                }
            }
            Ok(removed)
        })
        .await
    }
    async fn forget_replier(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        root: &MessageId,
        user: &UserId,
    ) -> StoreResult<()> {
        let (summary_key, user) = (thread_summary_key(tenant, conversation, root), user.clone());
        self.writing(move |t| {
            if let Some(mut summary) = read::<ThreadSummary>(t, &summary_key)? {
                summary.reply_user_ids.retain(|u| *u != user);
                write(t, &summary_key, &summary)?;
            }
            Ok(())
        })
        .await
    }
    async fn list_replies(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        root: &MessageId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice> {
        let (cursor, reverse) = match range {
            HistoryRange::Latest => (None, true),
            HistoryRange::Before(id) => (Some(id.as_str()), true),
            HistoryRange::After(id) => (Some(id.as_str()), false),
        };
        let page = self.page::<MessageId>(thread_prefix(tenant, conversation, root), cursor, limit, reverse).await?;
        let more = page.next_cursor.is_some();
        let mut ids: Vec<MessageId> = page.items.into_iter().map(|(_, id)| id).collect();
        if reverse {
            ids.reverse();
        }
        let (tenant, conversation) = (tenant.clone(), conversation.clone());
        let messages = self
            .reading(move |t| {
                ids.iter()
                    .map(|id| find_message(t, &tenant, &conversation, id)?.context("a thread lists a missing reply"))
                    .collect()
            })
            .await?;
        Ok(HistorySlice { messages, more })
    }
}

/// A reply joins its thread: listed under the first message, counted in its summary.
fn add_to_thread(t: &mut Table<'_>, reply: &Message, root: &MessageId) -> anyhow::Result<()> {
    let (tenant, conversation) = (&reply.tenant_id, &reply.conversation_id);
    read::<Message>(t, &message_key(tenant, conversation, root.as_str()))?.context("a reply to a missing message")?;
    let summary_key = thread_summary_key(tenant, conversation, root);
    let summary = read::<ThreadSummary>(t, &summary_key)?.unwrap_or_default();
    write(t, &summary_key, &summary.with_reply(&reply.sender_id, reply.created_at))?;
    write(t, &format!("{}{}", thread_prefix(tenant, conversation, root), reply.id), &reply.id)
}

/// A message by its id, wherever it is kept, as read (with its thread's summary).
fn find_message(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    tenant: &TenantId,
    conversation: &ConversationId,
    id: &MessageId,
) -> anyhow::Result<Option<Message>> {
    let found = match read::<Message>(t, &message_key(tenant, conversation, id.as_str()))? {
        Some(message) => Some(message),
        None => read(t, &reply_key(tenant, conversation, id.as_str()))?,
    };
    found.map(|m| with_summary(t, m)).transpose()
}

/// A stored message with its thread's summary, when it starts a thread.
fn with_summary(t: &impl ReadableTable<&'static str, &'static [u8]>, message: Message) -> anyhow::Result<Message> {
    if message.parent_id.is_none() {
        let summary_key = thread_summary_key(&message.tenant_id, &message.conversation_id, &message.id);
        if let Some(summary) = read::<ThreadSummary>(t, &summary_key)? {
            return Ok(message.with_thread(summary));
        }
    }
    Ok(message)
}
