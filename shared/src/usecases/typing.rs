//! Typing indicators: ephemeral, throttled, never stored in history.

use super::conversations::require_member;
use super::delivery::deliver_to_users;
use super::identity::Identity;
use super::signals;
use crate::app::App;
use crate::domain::{ConversationId, SignalKind, TypingState};
use crate::protocol::Event;
use crate::AppError;

/// Tells the other members that the caller starts or stops typing. At most one signal per
/// user, conversation and state per `typing_interval`; the rest are dropped (`false`). A
/// start carries `expiresInMs`: clients stop showing it by then unless it is refreshed,
/// which is how "typing" ends when a client vanishes without sending `stop`. In a large group
/// the caller's state is stored and goes out in the next `typing.summary` (`signals`).
pub async fn typing(
    app: &App,
    who: &Identity,
    conversation_id: &ConversationId,
    state: TypingState,
) -> Result<bool, AppError> {
    let (conversation, _) = require_member(app, who, conversation_id).await?;
    let limits = &app.config.limits;
    let key = format!("typing:{}:{}:{state:?}", conversation.id, who.user_id);
    let now = app.ports.clock.now();
    let until = now + chrono::Duration::from_std(limits.typing_interval).map_err(AppError::internal)?;
    if !app.ports.throttles.try_claim(&who.tenant_id, &key, now, until).await? {
        return Ok(false);
    }
    if signals::coalesced(app, &conversation) {
        let expiry = chrono::Duration::from_std(limits.typing_expiry).map_err(AppError::internal)?;
        let typing_until = (state == TypingState::Start).then(|| now + expiry);
        app.ports.conversations.set_typing(&who.tenant_id, &conversation.id, &who.user_id, typing_until).await?;
        signals::signal(app, &conversation, SignalKind::Typing).await?;
        return Ok(true);
    }
    let others: Vec<_> = app
        .ports
        .conversations
        .list_members(&who.tenant_id, &conversation.id)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .filter(|u| *u != who.user_id)
        .collect();
    let expires_in_ms = (state == TypingState::Start).then_some(limits.typing_expiry.as_millis() as u64);
    let event = Event::Typing {
        conversation_id: conversation.id.as_str(),
        user_id: who.user_id.as_str(),
        name: &who.name,
        state,
        expires_in_ms,
    };
    deliver_to_users(app, &who.tenant_id, &others, &event.to_json(), None).await?;
    Ok(true)
}
