//! Read receipts: a member's marker moves forward, the others hear of it.

use super::conversations::ConversationsUseCases;
use super::delivery::DeliveryUseCases;
use super::identity::Identity;
use super::signals::SignalsUseCases;
use crate::domain::*;
use crate::ports::{Clock, ConversationStore, MessageStore};
use crate::protocol::Event;
use crate::AppError;
use std::sync::Arc;

/// The reads use cases, with the ports they use.
#[derive(Clone)]
pub struct ReadsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) messages: Arc<dyn MessageStore>,
    pub(crate) conversation_cases: ConversationsUseCases,
    pub(crate) delivery: DeliveryUseCases,
    pub(crate) signals: SignalsUseCases,
}

impl ReadsUseCases {
    /// Moves the caller's read marker to `message_id` (never back) and sends `read` to the
    /// members' connections (except `from_connection`) — in a large group, a `read.summary` within
    /// the signal window instead (`signals`). Marking an older message changes nothing and sends
    /// nothing.
    pub async fn mark_read(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        from_connection: Option<&ConnectionId>,
    ) -> Result<(ReadState, Option<EventId>), AppError> {
        let (conversation, member) = self.conversation_cases.require_member(who, conversation_id).await?;
        let found = self.messages.get_message(&who.tenant_id, &conversation.id, message_id).await?;
        if found.ok_or_else(|| AppError::not_found("message"))?.in_thread_only() {
            // Its thread is not the conversation's history: a marker there would count what is
            // not in the conversation.
            return Err(AppError::invalid("messageId: a reply shown in its thread only cannot be marked read"));
        }
        let now = self.clock.now();
        let state = |m: Member, unread_count| ReadState {
            conversation_id: conversation.id.clone(),
            user_id: m.user_id,
            last_read_message_id: m.last_read_message_id,
            last_read_at: m.last_read_at,
            unread_count,
        };
        match self.conversations.mark_read(&who.tenant_id, &conversation.id, &who.user_id, message_id, now).await? {
            None => {
                let unread = conversation.unread_for(&member);
                Ok((state(member, unread), None))
            }
            Some((moved, unread)) if self.signals.coalesced(&conversation) => {
                self.signals.signal(&conversation, SignalKind::Read).await?;
                Ok((state(moved, unread), None))
            }
            Some((moved, unread)) => {
                let event = Event::Read {
                    conversation_id: conversation.id.as_str(),
                    user_id: who.user_id.as_str(),
                    message_id: message_id.as_str(),
                    read_at: now,
                    cursor: None,
                };
                let cursor = self.delivery.publish_to_members(&conversation, event, from_connection).await?;
                Ok((state(moved, unread), Some(cursor)))
            }
        }
    }
}
