//! A person's messages in one conversation, a page of its history at a time, with their
//! replies in its threads (those in a thread only are not in the history): what an export
//! writes and an erasure erases, never all held at once.

use crate::domain::{ConversationId, Message, MessageId, TenantId, UserId};
use crate::ports::{HistoryRange, MessageStore};
use crate::AppError;

/// Messages read per call.
const PAGE: usize = 100;

/// Walks a conversation's history, newest first, for one sender's messages.
pub struct Authored<'a> {
    messages: &'a dyn MessageStore,
    tenant: &'a TenantId,
    conversation: &'a ConversationId,
    sender: &'a UserId,
    /// The next page to read; `None` once the oldest was read.
    next: Option<HistoryRange>,
}

impl<'a> Authored<'a> {
    pub fn new(
        messages: &'a dyn MessageStore,
        tenant: &'a TenantId,
        conversation: &'a ConversationId,
        sender: &'a UserId,
    ) -> Self {
        Self { messages, tenant, conversation, sender, next: Some(HistoryRange::Latest) }
    }

    /// The sender's messages of the next page of history (newest first) and their replies in
    /// that page's threads; `None` once the history is read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Message>>, AppError> {
        let Some(range) = self.next.take() else { return Ok(None) };
        let slice = self.messages.list_messages(self.tenant, self.conversation, &range, PAGE).await?;
        let mut theirs = Vec::new();
        for message in slice.messages.iter().rev() {
            if message.sender_id == *self.sender {
                theirs.push(message.clone());
            }
            if message.reply_count > 0 {
                self.replies_in_thread_only(&message.id, &mut theirs).await?;
            }
        }
        if let (true, Some(oldest)) = (slice.more, slice.messages.first()) {
            self.next = Some(HistoryRange::Before(oldest.id.clone()));
        }
        Ok(Some(theirs))
    }

    async fn replies_in_thread_only(&self, root: &MessageId, into: &mut Vec<Message>) -> Result<(), AppError> {
        let mut range = HistoryRange::Latest;
        loop {
            let slice = self.messages.list_replies(self.tenant, self.conversation, root, &range, PAGE).await?;
            let theirs = slice.messages.iter().rev().filter(|m| m.sender_id == *self.sender && m.in_thread_only());
            into.extend(theirs.cloned());
            match (slice.more, slice.messages.first()) {
                (true, Some(oldest)) => range = HistoryRange::Before(oldest.id.clone()),
                _ => return Ok(()),
            }
        }
    }
}
