//! Missed-event recovery. A conversation's events (messages, edits, reads, membership) are
//! written once, to the conversation's ordered log; events for one user (a notification, a
//! conversation they were removed from) to that user's feed. `sync` reads the user's feed
//! and the logs of their conversations that changed since the cursor.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{ConversationId, EventId, LoggedEvent, TenantId, UserId};

#[async_trait]
pub trait EventFeed: Send + Sync {
    /// Appends an event to a conversation's log; the conversation's latest event follows.
    async fn append_conversation_event(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        event: &LoggedEvent,
    ) -> StoreResult<()>;
    /// A conversation's events after `after` (from the oldest kept when `None`), oldest
    /// first, at most `limit`; expired ones are skipped. `true` when more follow.
    async fn list_conversation_events(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)>;
    /// The latest event of each of `conversations` that has one (one batch read on DynamoDB).
    async fn latest_conversation_events(
        &self,
        tenant: &TenantId,
        conversations: &[ConversationId],
    ) -> StoreResult<Vec<(ConversationId, EventId)>>;

    /// Adds one event to the feed of each of `users`.
    async fn append_user_events(&self, tenant: &TenantId, users: &[UserId], event: &LoggedEvent) -> StoreResult<()>;
    /// A user's events after `after` (from the oldest kept when `None`), oldest first, at
    /// most `limit`; expired ones are skipped. `true` when more follow.
    async fn list_user_events(
        &self,
        tenant: &TenantId,
        user: &UserId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)>;
}
