//! Conversations, their members, and each user's conversation list (the inbox).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Page, StoreResult, Upserted};
use crate::domain::{Conversation, ConversationId, Member, MessageId, TenantId, UserId};

/// One line of a user's conversation list: the conversation and the user's membership (read
/// marker and position: see [`Conversation::unread_for`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxEntry {
    pub conversation: Conversation,
    pub member: Member,
}

impl InboxEntry {
    /// The cursor that continues a listing after this entry: `{activity}.{conversationId}`,
    /// understood by every adapter's `list_user_conversations`.
    pub fn cursor(&self) -> String {
        format!("{}.{}", self.conversation.activity, self.conversation.id)
    }

    fn order_key(&self) -> (&str, &str) {
        (self.conversation.activity.as_str(), self.conversation.id.as_str())
    }

    /// One page of a user's whole list: latest activity first (then the newer conversation),
    /// the entries after `cursor`, at most `limit`. Every adapter lists this way.
    pub fn page(mut entries: Vec<InboxEntry>, cursor: Option<&str>, limit: usize) -> Page<InboxEntry> {
        entries.sort_by(|a, b| b.order_key().cmp(&a.order_key()));
        if let Some((activity, id)) = cursor.and_then(|c| c.split_once('.')) {
            entries.retain(|e| e.order_key() < (activity, id));
        }
        let more = entries.len() > limit;
        entries.truncate(limit);
        let next_cursor = if more { entries.last().map(InboxEntry::cursor) } else { None };
        Page { items: entries, next_cursor }
    }
}

#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Creates a conversation with its members, atomically. With a `unique_key`, a second
    /// creation under the same key returns the first conversation instead.
    async fn create_conversation(
        &self,
        conversation: &Conversation,
        members: &[Member],
        unique_key: Option<&str>,
    ) -> StoreResult<Upserted<Conversation>>;
    /// The tenant's conversations in id order, `limit` after `after`: what a sweep over the
    /// tenant walks (no scan of the store).
    async fn list_tenant_conversations(
        &self,
        tenant: &TenantId,
        after: Option<&ConversationId>,
        limit: usize,
    ) -> StoreResult<Page<ConversationId>>;
    /// Frees a unique key (an erased person's direct or storefront conversation): a creation
    /// under it makes a new conversation. Nothing to free is no error.
    async fn forget_unique_key(&self, tenant: &TenantId, unique_key: &str) -> StoreResult<()>;
    /// Replaces a conversation's details (title, participants), wherever lists show them.
    async fn update_conversation(&self, conversation: &Conversation) -> StoreResult<()>;
    /// Adds members (or rewrites existing ones, e.g. a new owner) to a conversation and to
    /// their conversation lists.
    async fn put_members(&self, conversation: &Conversation, members: &[Member]) -> StoreResult<()>;
    /// Removes a member from a conversation and from their list; `false` if not a member.
    async fn remove_member(&self, conversation: &Conversation, user: &UserId) -> StoreResult<bool>;
    async fn get_conversation(&self, tenant: &TenantId, id: &ConversationId) -> StoreResult<Option<Conversation>>;
    async fn get_member(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Option<Member>>;
    async fn list_members(&self, tenant: &TenantId, conversation: &ConversationId) -> StoreResult<Vec<Member>>;
    /// The conversation and the user's membership of it, `None` unless both exist: the check
    /// before any member's action. An adapter that can read both at once should.
    async fn get_membership(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Option<(Conversation, Member)>> {
        let (found, member) =
            tokio::join!(self.get_conversation(tenant, conversation), self.get_member(tenant, conversation, user));
        Ok(found?.zip(member?))
    }
    /// The conversation with all its members: what a send needs (the sender's membership and
    /// the recipients). An adapter that can read both at once should.
    async fn get_conversation_with_members(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
    ) -> StoreResult<Option<(Conversation, Vec<Member>)>> {
        let (found, members) =
            tokio::join!(self.get_conversation(tenant, conversation), self.list_members(tenant, conversation));
        let members = members?;
        Ok(found?.map(|c| (c, members)))
    }
    /// The conversation with its members' ids: what a send or a reaction needs (the caller's
    /// membership, the audience). An adapter that can keep the ids in memory (they change only
    /// when members are added or removed, where a member's record changes with each read)
    /// should: decoding every member's record for every message is work that grows with the
    /// group.
    async fn get_conversation_with_member_ids(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
    ) -> StoreResult<Option<(Conversation, Arc<[UserId]>)>> {
        let found = self.get_conversation_with_members(tenant, conversation).await?;
        Ok(found.map(|(c, members)| (c, members.into_iter().map(|m| m.user_id).collect())))
    }
    /// A user's conversations, most recent activity first, with the user's membership.
    /// `cursor` is an [`InboxEntry::cursor`]. The order is computed from the conversations'
    /// current activity when the list is read: a new message writes nothing per member.
    async fn list_user_conversations(
        &self,
        tenant: &TenantId,
        user: &UserId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<InboxEntry>>;
    /// The ids of every conversation the user is a member of, in no particular order: what
    /// `sync` looks through, without reading the conversations themselves.
    async fn list_user_conversation_ids(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<ConversationId>>;
    /// Moves a member's read marker forward to `message` (never back), their read position
    /// to the messages up to it; returns the member and how many messages are unread after
    /// it. `None` when the marker was already there or further.
    async fn mark_read(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<(Member, u64)>>;
    /// Records a member's own choices: muted until a time (`None`: not muted), archived at an
    /// activity (`None`: not archived). `false` when they are not a member.
    async fn set_member_settings(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        muted_until: Option<DateTime<Utc>>,
        archived_activity: Option<&str>,
    ) -> StoreResult<bool>;
    /// Records until when a member is typing (`None`: they stopped). Nothing for a member who
    /// is not one.
    async fn set_typing(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        until: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;
}
