//! A user's live connections: recorded when a socket opens (expiring like API Gateway's,
//! after two hours), forgotten when it closes; presence follows.

use super::identity::Identity;
use super::presence;
use crate::app::App;
use crate::domain::{Connection, ConnectionId};
use crate::AppError;

/// Records `connection` of `who`; if it is their only one, they just came online.
pub async fn connect(app: &App, who: &Identity, connection: &ConnectionId) -> Result<(), AppError> {
    let now = app.ports.clock.now();
    let ttl = chrono::Duration::from_std(app.config.limits.connection_ttl).map_err(AppError::internal)?;
    let record = Connection {
        tenant_id: who.tenant_id.clone(),
        user_id: who.user_id.clone(),
        id: connection.clone(),
        connected_at: now,
        last_seen_at: now,
        expires_at: now + ttl,
    };
    let live = app.ports.connections.put_connection(&record).await?;
    tracing::info!(tenant = %who.tenant_id, user = %who.user_id, connection = %connection, "connected");
    presence::connected(app, who, connection, &live).await;
    Ok(())
}

/// Forgets `connection` of `who`; with none left, they are offline as of now.
pub async fn disconnect(app: &App, who: &Identity, connection: &ConnectionId) -> Result<(), AppError> {
    let now = app.ports.clock.now();
    let left = app.ports.connections.delete_connection(&who.tenant_id, &who.user_id, connection, now).await?;
    tracing::info!(tenant = %who.tenant_id, connection = %connection, "disconnected");
    presence::disconnected(app, who, &left, now).await
}
