//! Sending messages and reading history.

use serde::Serialize;

use super::conversations::require_member;
use super::delivery::deliver_to_members;
use super::Identity;
use crate::app::App;
use crate::domain::*;
use crate::ports::{HistoryRange, Upserted};
use crate::protocol::Event;
use crate::AppError;

pub const DEFAULT_HISTORY_PAGE: usize = 50;
pub const MAX_HISTORY_PAGE: usize = 100;

/// Stores a message, then delivers `message.new` to every live connection of every member
/// except `from_connection` (the sending socket, which gets the ack instead). A repeated
/// `client_message_id` returns the first message and delivers nothing.
pub async fn send_message(
    app: &App,
    who: &Identity,
    conversation_id: &str,
    body: &str,
    client_message_id: Option<&str>,
    from_connection: Option<&ConnectionId>,
) -> Result<Upserted<Message>, AppError> {
    let (conversation, _) = require_member(app, who, conversation_id).await?;
    let message = Message {
        tenant_id: who.tenant_id.clone(),
        conversation_id: conversation.id.clone(),
        id: MessageId::parse(app.ids.ulid())?,
        sender_id: who.user_id.clone(),
        sender_name: who.name.clone(),
        body: MessageBody::parse(body)?,
        client_message_id: client_message_id.map(ClientMessageId::parse).transpose()?,
        kind: MessageKind::User,
        created_at: app.clock.now(),
        edited_at: None,
        deleted_at: None,
    };
    let stored = app.store.append_message(&message).await?;
    if stored.created {
        tracing::info!(
            tenant = %who.tenant_id, conversation = %conversation.id, message = %stored.value.id,
            "message stored"
        );
        let event = Event::MessageNew { conversation_id: conversation.id.as_str(), message: &stored.value };
        deliver_to_members(app, &conversation, &event.to_json(), from_connection).await?;
    }
    Ok(stored)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Pass as `before` for the previous (older) page; null when nothing older exists.
    pub older_cursor: Option<MessageId>,
    /// Pass as `after` for the next (newer) page; null when nothing newer exists.
    pub newer_cursor: Option<MessageId>,
}

pub async fn history(
    app: &App,
    who: &Identity,
    conversation_id: &str,
    before: Option<&str>,
    after: Option<&str>,
    limit: Option<usize>,
) -> Result<HistoryPage, AppError> {
    let (conversation, _) = require_member(app, who, conversation_id).await?;
    let range = match (before, after) {
        (Some(_), Some(_)) => return Err(AppError::invalid("use either `before` or `after`, not both")),
        (Some(b), None) => HistoryRange::Before(check_cursor("before", b)?),
        (None, Some(a)) => HistoryRange::After(check_cursor("after", a)?),
        (None, None) => HistoryRange::Latest,
    };
    let limit = limit.unwrap_or(DEFAULT_HISTORY_PAGE).clamp(1, MAX_HISTORY_PAGE);
    let slice = app.store.list_messages(&who.tenant_id, &conversation.id, &range, limit).await?;
    let first = slice.messages.first().map(|m| m.id.clone());
    let last = slice.messages.last().map(|m| m.id.clone());
    let (older_cursor, newer_cursor) = match range {
        HistoryRange::Latest => (first.filter(|_| slice.more), None),
        HistoryRange::Before(_) => (first.filter(|_| slice.more), last),
        HistoryRange::After(_) => (first, last.filter(|_| slice.more)),
    };
    Ok(HistoryPage { messages: slice.messages, older_cursor, newer_cursor })
}

fn check_cursor(name: &str, value: &str) -> Result<String, AppError> {
    MessageId::parse(value)
        .map(String::from)
        .map_err(|_| AppError::invalid(format!("invalid {name}: expected a message id")))
}
