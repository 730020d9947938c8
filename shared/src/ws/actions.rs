//! The actions a connection's frames ask for: each parsed action runs its use case, and its
//! answer (`ack`, `error`, `pong`, or the events of a `sync` then `sync.done`) is returned
//! as the frame to push back to the caller.

use futures_util::{StreamExt, TryStreamExt};

use crate::app::App;
use crate::domain::{ConnectionId, ConversationId, EventId, Message, MessageId};
use crate::metrics::Metric;
use crate::protocol::actions::{Action, DeleteMessage, EditMessage, MarkRead, SendMessage};
use crate::protocol::answers::{Answer, RequestId};
use crate::protocol::frame::Frame;
use crate::usecases::messages::{MessagesUseCases, Outgoing};
use crate::usecases::reads::ReadsUseCases;
use crate::usecases::Identity;
use crate::AppError;

/// How many of a sync's events are pushed at once: 500 events in 20 rounds of pushes.
const SYNC_PUSHES: usize = 25;

/// Runs one frame from `connection_id` and returns the answer to push back to it.
pub async fn run(app: &App, who: &Identity, connection_id: &ConnectionId, frame: &Frame) -> String {
    let request_id = frame.request_id.as_ref();
    if !app.services.frame_rate.admit(connection_id, app.ports.clock.now()) {
        tracing::info!(tenant = %who.tenant_id, connection = %connection_id, "frame rate exceeded");
        app.services.metrics.count(Metric::RateLimitedFrames, 1, Some(&who.tenant_id), app.ports.clock.now());
        return Answer::from_app_error(request_id, &AppError::RateLimited).to_json();
    }
    let action = match &frame.action {
        Ok(action) => action,
        Err(e) => {
            return Answer::Error {
                request_id,
                code: e.code(),
                message: e.to_string(),
                reason: None,
                quota: None,
                retry_after: None,
            }
            .to_json();
        }
    };
    // Pings keep a connection alive and read nothing; every other action is refused once the
    // caller's tenant is suspended.
    if !matches!(action, Action::Ping) {
        if let Err(e) = app.identity.still_allowed(who).await {
            return failed(app, who, request_id, &e);
        }
    }
    let result = match action {
        Action::Ping => return Answer::Pong { request_id }.to_json(),
        Action::Sync(sync) => {
            return match app.sync.sync(who, &sync.since).await {
                Ok(page) => {
                    // The missed events first, each as it was pushed, then the end. On API
                    // Gateway each push is a call: up to 500 one after another would not fit in
                    // the function's time, so they go SYNC_PUSHES at a time. They may arrive in
                    // any order; clients order a sync's events by cursor (docs/protocol.md), and
                    // `sync.done`, the answer, comes after all of them.
                    let pushed = futures_util::stream::iter(&page.events)
                        .map(Ok)
                        .try_for_each_concurrent(SYNC_PUSHES, |event| async move {
                            app.ports.push.push_to_connection(connection_id, &event.to_string()).await
                        })
                        .await;
                    if let Err(e) = pushed {
                        tracing::info!(connection = %connection_id, error = %e, "sync interrupted");
                    }
                    Answer::SyncDone { request_id, cursor: &page.cursor, more: page.more }.to_json()
                }
                Err(e) => failed(app, who, request_id, &e),
            };
        }
        Action::SendMessage(send) => send_message(&app.messages, who, connection_id, request_id, send).await,
        Action::EditMessage(edit) => edit_message(&app.messages, who, connection_id, request_id, edit).await,
        Action::DeleteMessage(delete) => delete_message(&app.messages, who, connection_id, request_id, delete).await,
        Action::Typing(typing) => {
            async {
                let conversation = ConversationId::lookup(&typing.conversation_id)?;
                let delivered = app.typing.typing(who, &conversation, typing.state).await?;
                Ok(Answer::TypingAck { request_id, delivered }.to_json())
            }
            .await
        }
        Action::MarkRead(read) => mark_read(&app.reads, who, connection_id, request_id, read).await,
        Action::PinMessage(pin) | Action::UnpinMessage(pin) => {
            async {
                let conversation = ConversationId::lookup(&pin.conversation_id)?;
                let pins = if matches!(action, Action::PinMessage(_)) {
                    app.pins.pin(who, &conversation, &pin.message_id).await?
                } else {
                    app.pins.unpin(who, &conversation, &pin.message_id).await?
                };
                Ok(Answer::PinsAck { request_id, pins: &pins }.to_json())
            }
            .await
        }
        Action::React(react) => {
            async {
                let conversation = ConversationId::lookup(&react.conversation_id)?;
                let reacted = app
                    .reactions
                    .react(who, &conversation, &react.message_id, &react.emoji, react.on, Some(connection_id))
                    .await?;
                Ok(Answer::ReactionAck {
                    request_id,
                    message_id: reacted.message_id.as_str(),
                    reactions: &reacted.reactions,
                    cursor: reacted.cursor.as_str(),
                }
                .to_json())
            }
            .await
        }
    };
    result.unwrap_or_else(|e| failed(app, who, request_id, &e))
}

/// The `error` frame of an action that failed. A failure on Missive's side (`internal`, or
/// `unavailable` once the retries ran out) is counted (`ActionsFailed`): the socket's function
/// still answers API Gateway 200 — the frame carries the error — so only this count tells an
/// on-call engineer that actions fail.
fn failed(app: &App, who: &Identity, request_id: Option<&RequestId>, e: &AppError) -> String {
    e.log_if_internal();
    if e.status().is_server_error() {
        let by_code = Some(("Code", e.code()));
        app.services.metrics.count_by(Metric::ActionsFailed, 1, Some(&who.tenant_id), by_code, app.ports.clock.now());
    }
    Answer::from_app_error(request_id, e).to_json()
}

async fn send_message(
    messages: &MessagesUseCases,
    who: &Identity,
    from: &ConnectionId,
    request_id: Option<&RequestId>,
    send: &SendMessage,
) -> Result<String, AppError> {
    let conversation = ConversationId::lookup(&send.conversation_id)?;
    let outgoing = Outgoing {
        body: send.body.clone(),
        attachments: send.attachments.clone(),
        client_message_id: send.client_message_id.clone(),
        parent_id: send.parent_id.clone(),
        also_in_conversation: send.also_in_conversation,
    };
    let (stored, cursor) = messages.send_message(who, &conversation, &outgoing, Some(from)).await?;
    Ok(message_ack(request_id, &stored.value, cursor.as_ref()))
}

async fn edit_message(
    messages: &MessagesUseCases,
    who: &Identity,
    from: &ConnectionId,
    request_id: Option<&RequestId>,
    edit: &EditMessage,
) -> Result<String, AppError> {
    let conversation = ConversationId::lookup(&edit.conversation_id)?;
    let message = MessageId::lookup(&edit.message_id)?;
    let (message, cursor) = messages.edit_message(who, &conversation, &message, &edit.body, Some(from)).await?;
    Ok(message_ack(request_id, &message, cursor.as_ref()))
}

async fn delete_message(
    messages: &MessagesUseCases,
    who: &Identity,
    from: &ConnectionId,
    request_id: Option<&RequestId>,
    delete: &DeleteMessage,
) -> Result<String, AppError> {
    let conversation = ConversationId::lookup(&delete.conversation_id)?;
    let message = MessageId::lookup(&delete.message_id)?;
    let (message, cursor) = messages.delete_message(who, &conversation, &message, Some(from)).await?;
    Ok(message_ack(request_id, &message, cursor.as_ref()))
}

async fn mark_read(
    reads: &ReadsUseCases,
    who: &Identity,
    from: &ConnectionId,
    request_id: Option<&RequestId>,
    read: &MarkRead,
) -> Result<String, AppError> {
    let conversation = ConversationId::lookup(&read.conversation_id)?;
    let message = MessageId::lookup(&read.message_id)?;
    let (state, cursor) = reads.mark_read(who, &conversation, &message, Some(from)).await?;
    Ok(Answer::ReadAck { request_id, read: &state, cursor: cursor.as_ref().map(|c| c.as_str()) }.to_json())
}

/// A message action's `ack`: the message as stored, and its event's cursor (`None` for a resend).
fn message_ack(request_id: Option<&RequestId>, message: &Message, cursor: Option<&EventId>) -> String {
    Answer::MessageAck { request_id, message, cursor: cursor.map(EventId::as_str) }.to_json()
}
