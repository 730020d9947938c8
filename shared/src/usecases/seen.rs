//! Whether a notification was read since it was made, so that neither its e-mail nor its push
//! is needed any more: a message by the conversation's read marker (or its reader having left
//! the conversation), anything else by the bell.

use crate::domain::Notification;
use crate::ports::{ConversationStore, NotificationStore};
use crate::AppError;

/// `in_app`: whether the bell holds the notification (otherwise only a message's read marker
/// can tell).
pub async fn was_read(
    conversations: &dyn ConversationStore,
    notifications: &dyn NotificationStore,
    n: &Notification,
    in_app: bool,
) -> Result<bool, AppError> {
    if let (Some(conversation), Some(message)) = (&n.conversation_id, &n.message_id) {
        let member = conversations.get_member(&n.tenant_id, conversation, &n.user_id).await?;
        return Ok(match member {
            None => true,
            Some(m) => m.last_read_message_id.as_ref().is_some_and(|read| read >= message),
        });
    }
    if !in_app {
        return Ok(false);
    }
    let stored = notifications.get_notification(&n.tenant_id, &n.user_id, &n.id).await?;
    Ok(stored.is_none_or(|s| s.read_at.is_some()))
}
