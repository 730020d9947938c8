//! Reactions: a member reacts to a message with an emoji, or takes it back; the message's counts
//! reach every member as `reaction.updated`, and pages of history carry them with the reader's
//! own marked.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use super::delivery::DeliveryUseCases;
use super::identity::Identity;
use crate::domain::*;
use crate::ports::{Clock, ConversationStore, MessageStore, ReactionKey, ReactionStore, TooManyEmoji};
use crate::protocol::Event;
use crate::AppError;

/// The reactions use cases, with the ports they use.
#[derive(Clone)]
pub struct ReactionsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) messages: Arc<dyn MessageStore>,
    pub(crate) reactions: Arc<dyn ReactionStore>,
    pub(crate) delivery: DeliveryUseCases,
}

/// A reaction made or taken back: the message's reactions after it and the event's cursor.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reacted {
    pub message_id: MessageId,
    /// The counts; `me` tells of the emoji just changed only (a client keeps what it knew of the
    /// others).
    pub reactions: Vec<Reaction>,
    #[schema(value_type = String)]
    pub cursor: EventId,
}

impl ReactionsUseCases {
    /// Sets (`on`) or clears the caller's reaction with `emoji` to a message of a conversation
    /// they are in. Three round trips: the conversation with its members and the message at
    /// once; the reaction with the message's counts (one transaction) and the counts read;
    /// then the event logged and pushed to the members' connections. Setting a reaction that
    /// is set already changes nothing but publishes the counts again: a first try may have
    /// stored it and been cut short before its push.
    pub async fn react(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        message_id: &str,
        emoji: &str,
        on: bool,
        from_connection: Option<&ConnectionId>,
    ) -> Result<Reacted, AppError> {
        super::conversations::check_scope(who, conversation_id)?;
        let emoji = Emoji::parse(emoji)?;
        let message_id = MessageId::lookup(message_id)?;
        let tenant = &who.tenant_id;
        let (conversation, message) = tokio::join!(
            self.conversations.get_conversation_with_member_ids(tenant, conversation_id),
            self.messages.get_message(tenant, conversation_id, &message_id)
        );
        let (conversation, members) = conversation?.ok_or_else(|| AppError::not_found("conversation"))?;
        if !members.contains(&who.user_id) {
            return Err(AppError::not_found("conversation"));
        }
        let message = message?.ok_or_else(|| AppError::not_found("message"))?;
        if message.deleted_at.is_some() {
            return Err(AppError::Conflict("the message is deleted".into()));
        }
        let key = ReactionKey {
            tenant,
            conversation: &conversation.id,
            message: &message.id,
            user: &who.user_id,
            at: self.clock.now(),
        };
        let change = self.reactions.set_reaction(&key, &emoji, on).await?.map_err(|TooManyEmoji| {
            AppError::invalid(format!(
                "invalid emoji: a message carries at most {MAX_REACTIONS_PER_MESSAGE} different emoji"
            ))
        })?;
        let event = Event::ReactionUpdated {
            conversation_id: conversation.id.as_str(),
            message_id: message.id.as_str(),
            user_id: who.user_id.as_str(),
            emoji: emoji.as_str(),
            on,
            reactions: &change.reactions,
            cursor: None,
        };
        let published =
            self.delivery.publish_to_conversation(&conversation, &members, event, from_connection, None).await?;
        if change.changed {
            tracing::info!(tenant = %tenant, conversation = %conversation.id, message = %message.id, on, "reaction");
        }
        let reactions = change.reactions.into_iter().map(|r| Reaction { me: r.emoji == emoji && on, ..r }).collect();
        Ok(Reacted { message_id: message.id, reactions, cursor: published.cursor })
    }
}

/// Gives each of `messages` (of one conversation) its reactions, with `me` for the reader's:
/// two reads at once, none for an empty page.
pub(crate) async fn attach_reactions(
    store: &dyn ReactionStore,
    who: &Identity,
    conversation: &ConversationId,
    messages: &mut [Message],
) -> Result<(), AppError> {
    if messages.is_empty() {
        return Ok(());
    }
    let ids: Vec<MessageId> = messages.iter().map(|m| m.id.clone()).collect();
    let found = store.reactions_of(&who.tenant_id, conversation, &ids, &who.user_id).await?;
    for (id, reactions) in found {
        // A deleted message's tombstone shows none.
        if let Some(message) = messages.iter_mut().find(|m| m.id == id && m.deleted_at.is_none()) {
            message.reactions = reactions;
        }
    }
    Ok(())
}
