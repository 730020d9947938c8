//! A user's live connections: recorded when a socket opens (expiring like API Gateway's,
//! after two hours), forgotten when it closes; presence follows.

use super::identity::Identity;
use super::presence::PresenceUseCases;
use super::quotas::QuotaUseCases;
use crate::config::Limits;
use crate::domain::{Connection, ConnectionId};
use crate::ports::{Clock, ConnectionStore};
use crate::AppError;
use std::sync::Arc;

/// The connections use cases, with the ports they use.
#[derive(Clone)]
pub struct ConnectionsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) connections: Arc<dyn ConnectionStore>,
    pub(crate) limits: Limits,
    pub(crate) presence: PresenceUseCases,
    pub(crate) quotas: QuotaUseCases,
}

impl ConnectionsUseCases {
    /// Records `connection` of `who`, within the tenant's quota of connections; if it is their
    /// only one, they just came online.
    pub async fn connect(&self, who: &Identity, connection: &ConnectionId) -> Result<(), AppError> {
        self.quotas.open_connection(&who.tenant_id).await?;
        let now = self.clock.now();
        let ttl = chrono::Duration::from_std(self.limits.connection_ttl).map_err(AppError::internal)?;
        let record = Connection {
            tenant_id: who.tenant_id.clone(),
            user_id: who.user_id.clone(),
            id: connection.clone(),
            connected_at: now,
            last_seen_at: now,
            expires_at: now + ttl,
        };
        let live = match self.connections.put_connection(&record).await {
            Ok(live) => live,
            Err(e) => {
                self.quotas.close_connection(&record).await;
                return Err(e.into());
            }
        };
        tracing::info!(tenant = %who.tenant_id, user = %who.user_id, connection = %connection, "connected");
        self.presence.connected(who, connection, &live).await;
        Ok(())
    }

    /// Forgets `connection` of `who`; with none left, they are offline as of now.
    pub async fn disconnect(&self, who: &Identity, connection: &ConnectionId) -> Result<(), AppError> {
        let now = self.clock.now();
        let gone = self.connections.delete_connection(&who.tenant_id, &who.user_id, connection, now).await?;
        tracing::info!(tenant = %who.tenant_id, connection = %connection, "disconnected");
        // Counted once: a connection a push found gone was given back when it was forgotten.
        if let Some(removed) = &gone.removed {
            self.quotas.close_connection(removed).await;
        }
        self.presence.disconnected(who, &gone.left, now).await
    }
}
