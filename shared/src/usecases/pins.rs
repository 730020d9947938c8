//! Pins: a member keeps a message of the conversation in view for everyone (at most 50); the
//! conversation says so in a system line and a `conversation.updated`.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use super::conversations::ConversationsUseCases;
use super::groups::GroupsUseCases;
use super::identity::Identity;
use crate::domain::*;
use crate::i18n::{group_change, GroupChangeText};
use crate::ports::{Clock, MessageStore, PinOutcome, PinStore};
use crate::AppError;

/// The pins use cases, with the ports they use.
#[derive(Clone)]
pub struct PinsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) messages: Arc<dyn MessageStore>,
    pub(crate) pins: Arc<dyn PinStore>,
    pub(crate) conversation_cases: ConversationsUseCases,
    pub(crate) groups: GroupsUseCases,
}

/// A pin with its message as it is now.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PinnedMessage {
    #[serde(flatten)]
    pub pin: Pin,
    pub message: Message,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PinList {
    /// The newest pin first; a pinned message deleted since is left out.
    pub pins: Vec<PinnedMessage>,
}

impl PinsUseCases {
    /// Pins a message of a conversation the caller is in: everyone sees it in the pins, and a
    /// system line says who pinned one. Pinning it again changes nothing and tells no one; a
    /// 51st pin is refused.
    pub async fn pin(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        message_id: &str,
    ) -> Result<Vec<Pin>, AppError> {
        let (conversation, message) = self.member_and_message(who, conversation_id, message_id).await?;
        let pin = Pin { message_id: message.id.clone(), pinned_by: who.user_id.clone(), pinned_at: self.clock.now() };
        match self.pins.pin_message(&who.tenant_id, &conversation.id, &pin).await? {
            PinOutcome::Full => {
                return Err(AppError::Conflict(format!(
                    "a conversation holds at most {MAX_PINS} pins: unpin one first"
                )))
            }
            PinOutcome::AlreadyPinned => {}
            PinOutcome::Pinned => {
                let change = GroupChange::Pinned { actor_id: who.user_id.clone(), message_id: message.id };
                let text = |locale| group_change(locale, &GroupChangeText::Pinned { actor: &who.name });
                self.groups.announce(who, &conversation, change, text, &[]).await?;
            }
        }
        Ok(self.pins.list_pins(&who.tenant_id, &conversation.id).await?)
    }

    /// Unpins a message; a system line says so. Unpinning one that is not pinned changes nothing.
    pub async fn unpin(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        message_id: &str,
    ) -> Result<Vec<Pin>, AppError> {
        let (conversation, _) = self.conversation_cases.require_member(who, conversation_id).await?;
        let message_id = MessageId::lookup(message_id)?;
        if self.pins.unpin_message(&who.tenant_id, &conversation.id, &message_id).await? {
            let change = GroupChange::Unpinned { actor_id: who.user_id.clone(), message_id };
            let text = |locale| group_change(locale, &GroupChangeText::Unpinned { actor: &who.name });
            self.groups.announce(who, &conversation, change, text, &[]).await?;
        }
        Ok(self.pins.list_pins(&who.tenant_id, &conversation.id).await?)
    }

    /// The conversation's pins with their messages (read at once), the newest pin first.
    pub async fn list(&self, who: &Identity, conversation_id: &ConversationId) -> Result<PinList, AppError> {
        let (conversation, _) = self.conversation_cases.require_member(who, conversation_id).await?;
        let pins = self.pins.list_pins(&who.tenant_id, &conversation.id).await?;
        let reads = pins.iter().map(|p| self.messages.get_message(&who.tenant_id, &conversation.id, &p.message_id));
        let messages = futures_util::future::try_join_all(reads).await?;
        let pins = pins
            .into_iter()
            .zip(messages)
            .filter_map(|(pin, message)| {
                message.filter(|m| m.deleted_at.is_none()).map(|message| PinnedMessage { pin, message })
            })
            .collect();
        Ok(PinList { pins })
    }

    async fn member_and_message(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        message_id: &str,
    ) -> Result<(Conversation, Message), AppError> {
        let message_id = MessageId::lookup(message_id)?;
        let (member, message) = tokio::join!(
            self.conversation_cases.require_member(who, conversation_id),
            self.messages.get_message(&who.tenant_id, conversation_id, &message_id)
        );
        let (conversation, _) = member?;
        let message = message?.ok_or_else(|| AppError::not_found("message"))?;
        if message.deleted_at.is_some() {
            return Err(AppError::Conflict("the message is deleted".into()));
        }
        Ok((conversation, message))
    }
}
