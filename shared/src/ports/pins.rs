//! A conversation's pinned messages.

use async_trait::async_trait;

use super::StoreResult;
use crate::domain::{ConversationId, MessageId, Pin, TenantId};

/// What pinning did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinOutcome {
    Pinned,
    AlreadyPinned,
    /// The conversation holds its maximum: nothing was stored.
    Full,
}

#[async_trait]
pub trait PinStore: Send + Sync {
    /// Pins a message of the conversation, unless it is pinned already or the conversation
    /// holds [`crate::domain::MAX_PINS`] pins: exact however many pin at once.
    async fn pin_message(&self, tenant: &TenantId, conversation: &ConversationId, pin: &Pin)
        -> StoreResult<PinOutcome>;
    /// `false` when it was not pinned.
    async fn unpin_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        message: &MessageId,
    ) -> StoreResult<bool>;
    /// The conversation's pins, the newest first.
    async fn list_pins(&self, tenant: &TenantId, conversation: &ConversationId) -> StoreResult<Vec<Pin>>;
}
