//! Fan-out of an event to the live connections of a conversation's members.

use futures_util::future::join_all;

use crate::app::App;
use crate::domain::{Connection, ConnectionId, Conversation, TenantId, UserId};
use crate::ports::PushError;
use crate::AppError;

/// Sends `frame` to every live connection of every member, except `skip`. Each connection
/// receives it once. A connection found gone is deleted (that one, not the sender's).
pub async fn deliver_to_members(
    app: &App,
    conversation: &Conversation,
    frame: &str,
    skip: Option<&ConnectionId>,
) -> Result<(), AppError> {
    let members = app.store.list_members(&conversation.tenant_id, &conversation.id).await?;
    let users: Vec<UserId> = members.into_iter().map(|m| m.user_id).collect();
    deliver_to_users(app, &conversation.tenant_id, &users, frame, skip).await
}

pub async fn deliver_to_users(
    app: &App,
    tenant: &TenantId,
    users: &[UserId],
    frame: &str,
    skip: Option<&ConnectionId>,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let lookups = users.iter().map(|u| app.store.list_user_connections(tenant, u, now));
    let mut connections: Vec<Connection> = Vec::new();
    for found in join_all(lookups).await {
        connections.extend(found?.into_iter().filter(|c| Some(&c.id) != skip));
    }
    let sends = connections.iter().map(|c| push_one(app, c, frame));
    join_all(sends).await;
    Ok(())
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
