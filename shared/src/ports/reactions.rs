//! Reactions to messages: who reacted with what, and each message's counts, exact however many
//! react at once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{ConversationId, Emoji, MessageId, Reaction, TenantId, UserId};

/// Whose reaction to which message, and when it is made (an emoji's first use orders the
/// message's reactions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReactionKey<'a> {
    pub tenant: &'a TenantId,
    pub conversation: &'a ConversationId,
    pub message: &'a MessageId,
    pub user: &'a UserId,
    pub at: DateTime<Utc>,
}

/// What setting a reaction did: whether anything changed (the same reaction set twice changes
/// nothing), and the message's counts after it, by emoji in the order they were first used
/// (`me` false: counts are everyone's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReactionChange {
    pub changed: bool,
    pub reactions: Vec<Reaction>,
}

/// The message already carries [`crate::domain::MAX_REACTIONS_PER_MESSAGE`] other emoji:
/// nothing was stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooManyEmoji;

#[async_trait]
pub trait ReactionStore: Send + Sync {
    /// Sets (`on`) or clears the user's reaction with `emoji` to the message, and counts it in
    /// the message's totals in the same write; then reads the totals. A new emoji beyond the
    /// message's twentieth distinct one is refused.
    async fn set_reaction(
        &self,
        key: &ReactionKey<'_>,
        emoji: &Emoji,
        on: bool,
    ) -> StoreResult<Result<ReactionChange, TooManyEmoji>>;
    /// The reactions of each of `messages` (of one conversation) that has some, with `me` for
    /// those `reader` made: two reads whatever the page (the messages' totals, the reader's
    /// own reactions between the first and the last message).
    async fn reactions_of(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        messages: &[MessageId],
        reader: &UserId,
    ) -> StoreResult<Vec<(MessageId, Vec<Reaction>)>>;
    /// Removes every reaction (each person's, and the totals) to the conversation's messages
    /// whose id is below `before`: a range read of the totals, and of the people's reactions
    /// only when some of those messages had any.
    async fn remove_reactions_before(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        before: &MessageId,
    ) -> StoreResult<()>;
    /// Every reaction `user` made in the conversation, as (message, emoji): one range read.
    async fn reactions_by(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Vec<(MessageId, Emoji)>>;
}
