//! A conversation's messages: appended, edited in place, read in pages both ways.

use async_trait::async_trait;

use super::{StoreResult, Upserted};
use crate::domain::{
    Conversation, ConversationId, LoggedEvent, Message, MessageId, TenantId, Upload, UploadId, UserId,
};

/// Which slice of a conversation's history to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryRange {
    /// The newest messages.
    Latest,
    /// Messages older than this id, newest first up to the limit.
    Before(MessageId),
    /// Messages newer than this id, oldest first up to the limit.
    After(MessageId),
}

/// Messages in ascending id order, and whether more exist beyond the page in the direction
/// that was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistorySlice {
    pub messages: Vec<Message>,
    pub more: bool,
}

/// One of the uploads a new message attaches was attached to another message first (or is
/// gone): nothing was stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentTaken(pub UploadId);

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Appends a message, its `message.new` event to the conversation's log (as
    /// `EventFeed::append_conversation_event` would; the event's cursor is the message's id),
    /// and moves the conversation forward (its activity, preview and message count) and the
    /// sender's read marker and position to it — nothing for the other members, whose unread
    /// count follows from the message count. `conversation` is the conversation as the caller
    /// read it: an adapter that cannot count inside the write takes the sender's read position
    /// from its count. With a `client_message_id`, a second append by the same sender in the
    /// same conversation returns the first message and changes nothing (the event is not
    /// logged).
    ///
    /// `attached` are the uploads the message attaches, each with its `message_id` set to the
    /// message's: in the same write each is stored attached (it no longer expires), on
    /// condition that it is still waiting for a message — neither attached nor expired. If one
    /// is not, nothing is stored and its id comes back as [`AttachmentTaken`] (a repeat of a
    /// `client_message_id` still answers the first message).
    ///
    /// A reply (`parent_id`, the thread's first message, which the caller checked exists) is
    /// listed in its thread and counted in the first message's summary, in the same write. One
    /// in its thread only ([`Message::in_thread_only`]) has no place in the conversation: its
    /// event is logged, but the conversation's count, preview and the sender's marker stay.
    async fn append_message(
        &self,
        conversation: &Conversation,
        message: &Message,
        event: &LoggedEvent,
        attached: &[Upload],
    ) -> StoreResult<Result<Upserted<Message>, AttachmentTaken>>;
    /// Replaces a stored message as it was read (`previous`) with `message` (an edit, a
    /// deletion's tombstone, an image's size once its thumbnail is made) — what is kept apart
    /// from a message (its thread's summary, its reactions) is neither compared nor written; when it is the
    /// conversation's newest, the conversation's preview follows. A message that loses its
    /// `client_message_id` (an erased sender's) loses its idempotency record too. `false`, and
    /// nothing written, if it no longer exists or changed since it was read: the caller reads
    /// it again.
    async fn update_message(&self, previous: &Message, message: &Message) -> StoreResult<bool>;
    async fn get_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>>;
    /// The conversation's history: its messages and the replies also shown in it (never the
    /// replies in their thread only), each thread's first message with its summary.
    async fn list_messages(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice>;
    /// Removes the conversation's oldest messages (history's, and replies in their thread
    /// only) whose id is below `before`, at most `limit`, with what is kept for them: their
    /// logged `message.new`, their idempotency record, their place in their thread, and a
    /// thread's summary when one is its first message. The conversation's preview goes when its
    /// newest message is older than `before` (its activity stays: it keeps its place in lists).
    /// Answers the messages removed (as stored, without summaries), oldest first; fewer than
    /// `limit` when none is left. Reactions and pins are their stores'.
    async fn remove_messages_before(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        before: &MessageId,
        limit: usize,
    ) -> StoreResult<Vec<Message>>;
    /// Takes `user` out of the repliers a thread's summary names (an erased person); its count
    /// and latest reply stay. Nothing when the thread's first message is gone.
    async fn forget_replier(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        root: &MessageId,
        user: &UserId,
    ) -> StoreResult<()>;
    /// A thread's replies (all of them, also shown in the conversation or not), read as
    /// `list_messages` reads history; the range's cursors are replies' ids.
    async fn list_replies(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        root: &MessageId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice>;
}
