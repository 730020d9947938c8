//! Publishing events: into the missed-event feed of each recipient, then to their live
//! connections. Ephemeral signals (typing, presence) skip the feed.

use futures_util::future::join_all;
use serde_json::Value;

use crate::app::App;
use crate::domain::{Connection, ConnectionId, Conversation, Message, TenantId, UserId};
use crate::jobs::{FanOut, FAN_OUT};
use crate::protocol::Event;
use crate::ports::{Job, LoggedEvent, PushError, QueueName};
use crate::AppError;

/// Publishes `event` (a JSON object with a `type`) to every member of the conversation and
/// returns its cursor. See [`publish`].
pub async fn publish_to_members(
    app: &App,
    conversation: &Conversation,
    event: Value,
    skip: Option<&ConnectionId>,
) -> Result<String, AppError> {
    let members = app.store.list_members(&conversation.tenant_id, &conversation.id).await?;
    let users: Vec<UserId> = members.into_iter().map(|m| m.user_id).collect();
    publish(app, &conversation.tenant_id, &users, event, skip).await
}

/// Publishes a new message's `message.new` to the conversation's members, then hands the
/// members who had no live connection to the notifications (see
/// [`super::notifications::message_reached_offline`]).
pub async fn publish_message(
    app: &App,
    conversation: &Conversation,
    message: &Message,
    skip: Option<&ConnectionId>,
) -> Result<String, AppError> {
    let members = app.store.list_members(&conversation.tenant_id, &conversation.id).await?;
    let users: Vec<UserId> = members.into_iter().map(|m| m.user_id).collect();
    let event = Event::MessageNew { conversation_id: conversation.id.as_str(), message }.to_value();
    let notice = MessageRef { conversation_id: conversation.id.clone(), message_id: message.id.clone(), sender_id: message.sender_id.clone() };
    publish_inner(app, &conversation.tenant_id, &users, event, skip, Some(notice)).await
}

/// Which message an event announces, for the notifications of those who missed it live.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    pub conversation_id: crate::domain::ConversationId,
    pub message_id: crate::domain::MessageId,
    pub sender_id: UserId,
}

/// Gives `event` a cursor (a new ULID), adds it to each user's feed — so that `sync` finds
/// it — and only then pushes it to their live connections, except `skip`. Feed first, push
/// second: a client that connects and then syncs misses nothing in between.
pub async fn publish(
    app: &App,
    tenant: &TenantId,
    users: &[UserId],
    event: Value,
    skip: Option<&ConnectionId>,
) -> Result<String, AppError> {
    publish_inner(app, tenant, users, event, skip, None).await
}

async fn publish_inner(
    app: &App,
    tenant: &TenantId,
    users: &[UserId],
    mut event: Value,
    skip: Option<&ConnectionId>,
    message: Option<MessageRef>,
) -> Result<String, AppError> {
    let cursor = app.ids.ulid();
    event["cursor"] = Value::String(cursor.clone());
    let frame = event.to_string();
    let retention = chrono::Duration::from_std(app.config.limits.event_retention).map_err(AppError::internal)?;
    let logged = LoggedEvent { id: cursor.clone(), frame, expires_at: app.clock.now() + retention };
    if users.len() > app.config.limits.fan_out_threshold {
        // A large audience: workers publish it, a hundred recipients per job.
        let jobs: Vec<Job> = users
            .chunks(FAN_OUT_CHUNK)
            .enumerate()
            .map(|(i, chunk)| {
                let fan_out = FanOut {
                    tenant_id: tenant.clone(),
                    users: chunk.to_vec(),
                    event: logged.clone(),
                    skip: skip.cloned(),
                    message: message.clone(),
                };
                crate::jobs::job(tenant, format!("{cursor}-{i}"), FAN_OUT, &fan_out)
            })
            .collect::<Result<_, AppError>>()?;
        app.jobs.send_batch(QueueName::Notifications, &jobs).await.map_err(|e| AppError::internal(e.0))?;
        return Ok(cursor);
    }
    app.store.append_events(tenant, users, &logged).await?;
    let offline = deliver_to_users(app, tenant, users, &logged.frame, skip).await?;
    if let Some(message) = message {
        super::notifications::message_reached_offline(app, tenant, &message, &offline, &cursor).await;
    }
    Ok(cursor)
}

/// Recipients per fan-out job.
const FAN_OUT_CHUNK: usize = 100;

/// Sends `frame` to every live connection of `users`, except `skip`. Each connection
/// receives it once. A connection found gone is deleted (that one, not the sender's).
/// Returns the users who had no live connection at all.
pub async fn deliver_to_users(
    app: &App,
    tenant: &TenantId,
    users: &[UserId],
    frame: &str,
    skip: Option<&ConnectionId>,
) -> Result<Vec<UserId>, AppError> {
    let now = app.clock.now();
    let lookups = users.iter().map(|u| app.store.list_user_connections(tenant, u, now));
    let mut connections: Vec<Connection> = Vec::new();
    let mut offline = Vec::new();
    for (user, found) in users.iter().zip(join_all(lookups).await) {
        let found = found?;
        if found.is_empty() {
            offline.push(user.clone());
        }
        connections.extend(found.into_iter().filter(|c| Some(&c.id) != skip));
    }
    let sends = connections.iter().map(|c| push_one(app, c, frame));
    join_all(sends).await;
    Ok(offline)
}

async fn push_one(app: &App, connection: &Connection, frame: &str) {
    match app.push.send(&connection.id, frame).await {
        Ok(()) => {}
        Err(PushError::Gone) => {
            tracing::info!(connection = %connection.id, "connection gone, removing it");
            if let Err(e) = app
                .store
                .delete_connection(&connection.tenant_id, &connection.user_id, &connection.id)
                .await
            {
                tracing::warn!(connection = %connection.id, error = %e, "could not remove a gone connection");
            }
        }
        Err(e) => tracing::warn!(connection = %connection.id, error = %e, "push failed"),
    }
}
