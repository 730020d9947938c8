//! Typing indicators: ephemeral, throttled, never stored in history.

use super::conversations::ConversationsUseCases;
use super::delivery::DeliveryUseCases;
use super::identity::Identity;
use super::signals::SignalsUseCases;
use crate::config::Limits;
use crate::domain::{ConversationId, SignalKind, TypingState};
use crate::ports::{Clock, ConversationStore, ThrottleStore};
use crate::protocol::Event;
use crate::AppError;
use std::sync::Arc;

/// The typing use cases, with the ports they use.
#[derive(Clone)]
pub struct TypingUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) throttles: Arc<dyn ThrottleStore>,
    pub(crate) limits: Limits,
    pub(crate) conversation_cases: ConversationsUseCases,
    pub(crate) delivery: DeliveryUseCases,
    pub(crate) signals: SignalsUseCases,
}

impl TypingUseCases {
    /// Tells the other members that the caller starts or stops typing. At most one signal per
    /// user, conversation and state per `typing_interval`; the rest are dropped (`false`). A
    /// start carries `expiresInMs`: clients stop showing it by then unless it is refreshed,
    /// which is how "typing" ends when a client vanishes without sending `stop`. In a large group
    /// the caller's state is stored and goes out in the next `typing.summary` (`signals`).
    pub async fn typing(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        state: TypingState,
    ) -> Result<bool, AppError> {
        let (conversation, _) = self.conversation_cases.require_member(who, conversation_id).await?;
        let limits = &self.limits;
        let key = format!("typing:{}:{}:{state:?}", conversation.id, who.user_id);
        let now = self.clock.now();
        let until = now + chrono::Duration::from_std(limits.typing_interval).map_err(AppError::internal)?;
        if !self.throttles.try_claim(&who.tenant_id, &key, now, until).await? {
            return Ok(false);
        }
        if self.signals.coalesced(&conversation) {
            let expiry = chrono::Duration::from_std(limits.typing_expiry).map_err(AppError::internal)?;
            let typing_until = (state == TypingState::Start).then(|| now + expiry);
            self.conversations.set_typing(&who.tenant_id, &conversation.id, &who.user_id, typing_until).await?;
            self.signals.signal(&conversation, SignalKind::Typing).await?;
            return Ok(true);
        }
        let others: Vec<_> = self
            .conversations
            .list_members(&who.tenant_id, &conversation.id)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .filter(|u| *u != who.user_id)
            .collect();
        let expires_in_ms = (state == TypingState::Start).then_some(limits.typing_expiry.as_millis() as u64);
        let event = Event::Typing {
            conversation_id: conversation.id.as_str(),
            user_id: who.user_id.as_str(),
            name: &who.name,
            state,
            expires_in_ms,
        };
        self.delivery.deliver_to_users(&who.tenant_id, &others, &event.to_json(), None).await?;
        Ok(true)
    }
}
