//! Threads: a reply answers a message in the thread under it — one level, a reply to a reply
//! joins its first message's thread. The first message counts its replies; a reply is shown in
//! its thread only unless sent `alsoInConversation`; the thread is read a page at a time.

use serde::Serialize;

use super::identity::Identity;
use super::messages::{page_request, HistoryPage, MessagesUseCases};
use super::reactions::attach_reactions;
use crate::domain::*;
use crate::AppError;

/// A page of a thread: its first message as it is now (summary and reactions), and replies.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadPage {
    /// The thread's first message.
    pub parent: Message,
    /// Replies, oldest first.
    pub messages: Vec<Message>,
    /// Pass as `before` for the previous (older) replies; null when none is older.
    #[schema(required = true)]
    pub older_cursor: Option<MessageId>,
    /// Pass as `after` for the next (newer) replies; null when none is newer.
    #[schema(required = true)]
    pub newer_cursor: Option<MessageId>,
}

/// The message a send names as its parent: its id, and the message if the conversation has it.
pub(super) type Parent = Option<(MessageId, Option<Message>)>;

impl MessagesUseCases {
    /// Reads the message a reply names (with the conversation, in the same round trip: the
    /// caller checks membership before it uses what this read).
    pub(super) async fn find_parent(
        &self,
        who: &Identity,
        conversation: &ConversationId,
        parent: Option<&MessageId>,
    ) -> Result<Parent, AppError> {
        let Some(id) = parent else { return Ok(None) };
        let found = self.messages.get_message(&who.tenant_id, conversation, id).await?;
        Ok(Some((id.clone(), found)))
    }

    /// The first message of the thread a reply joins: the parent, or the parent's own parent
    /// when it is a reply. It must be in this conversation, a member's, and not deleted.
    pub(super) async fn thread_root(
        &self,
        conversation: &Conversation,
        parent: Parent,
    ) -> Result<Option<Message>, AppError> {
        let Some((_, found)) = parent else { return Ok(None) };
        let not_found = || AppError::not_found("parent message");
        let found = found.ok_or_else(not_found)?;
        let root = match &found.parent_id {
            None => found,
            Some(root) => self
                .messages
                .get_message(&conversation.tenant_id, &conversation.id, root)
                .await?
                .ok_or_else(not_found)?,
        };
        if root.kind == MessageKind::System {
            return Err(AppError::invalid("parentId: a system message has no thread"));
        }
        if root.deleted_at.is_some() {
            return Err(AppError::Conflict("parentId: the message is deleted".into()));
        }
        Ok(Some(root))
    }

    /// A page of a thread (named by its first message, or by one of its replies), with the
    /// first message as it is now. Membership is checked while the message and the page are
    /// read, the page as if the message named were the first (it mostly is; when it is a reply,
    /// its thread is read next).
    pub async fn replies(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        before: Option<&str>,
        after: Option<&str>,
        limit: Option<usize>,
    ) -> Result<ThreadPage, AppError> {
        let (range, limit) = page_request(before, after, limit)?;
        let tenant = &who.tenant_id;
        let (membership, found, slice) = tokio::join!(
            self.conversation_cases.require_member(who, conversation_id),
            self.messages.get_message(tenant, conversation_id, message_id),
            self.messages.list_replies(tenant, conversation_id, message_id, &range, limit)
        );
        membership?;
        let not_found = || AppError::not_found("message");
        let (parent, slice) = match found?.ok_or_else(not_found)? {
            Message { parent_id: Some(root), .. } => {
                let (parent, slice) = tokio::join!(
                    self.messages.get_message(tenant, conversation_id, &root),
                    self.messages.list_replies(tenant, conversation_id, &root, &range, limit)
                );
                (parent?.ok_or_else(not_found)?, slice?)
            }
            parent => (parent, slice?),
        };
        let HistoryPage { mut messages, older_cursor, newer_cursor } = HistoryPage::of(&range, slice);
        // The first message's reactions are read with the replies'.
        messages.push(parent);
        attach_reactions(self.reactions.as_ref(), who, conversation_id, &mut messages).await?;
        let parent = messages.pop().ok_or_else(not_found)?;
        Ok(ThreadPage { parent, messages, older_cursor, newer_cursor })
    }
}
