//! Read receipts: a member's marker moves forward, the others hear of it.

use super::conversations::require_member;
use super::delivery::publish_to_members;
use super::identity::Identity;
use super::signals;
use crate::app::App;
use crate::domain::*;
use crate::protocol::Event;
use crate::AppError;

/// Moves the caller's read marker to `message_id` (never back) and sends `read` to the
/// members' connections (except `from_connection`) — in a large group, a `read.summary` within
/// the signal window instead (`signals`). Marking an older message changes nothing and sends
/// nothing.
pub async fn mark_read(
    app: &App,
    who: &Identity,
    conversation_id: &ConversationId,
    message_id: &MessageId,
    from_connection: Option<&ConnectionId>,
) -> Result<(ReadState, Option<EventId>), AppError> {
    let (conversation, member) = require_member(app, who, conversation_id).await?;
    let found = app.ports.messages.get_message(&who.tenant_id, &conversation.id, message_id).await?;
    found.ok_or_else(|| AppError::not_found("message"))?;
    let now = app.ports.clock.now();
    let state = |m: Member, unread_count| ReadState {
        conversation_id: conversation.id.clone(),
        user_id: m.user_id,
        last_read_message_id: m.last_read_message_id,
        last_read_at: m.last_read_at,
        unread_count,
    };
    match app.ports.conversations.mark_read(&who.tenant_id, &conversation.id, &who.user_id, message_id, now).await? {
        None => {
            let unread = conversation.unread_for(&member);
            Ok((state(member, unread), None))
        }
        Some((moved, unread)) if signals::coalesced(app, &conversation) => {
            signals::signal(app, &conversation, SignalKind::Read).await?;
            Ok((state(moved, unread), None))
        }
        Some((moved, unread)) => {
            let event = Event::Read {
                conversation_id: conversation.id.as_str(),
                user_id: who.user_id.as_str(),
                message_id: message_id.as_str(),
                read_at: now,
                cursor: None,
            };
            let cursor = publish_to_members(app, &conversation, event, from_connection).await?;
            Ok((state(moved, unread), Some(cursor)))
        }
    }
}
