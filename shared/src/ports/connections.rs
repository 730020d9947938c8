//! Live WebSocket connections, per user.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Connection, ConnectionId, TenantId, UserId};

#[async_trait]
pub trait ConnectionStore: Send + Sync {
    /// Records a connection; returns the user's live connections (this one included) as of
    /// its `connected_at`: whether it is their first tells if they just came online.
    async fn put_connection(&self, connection: &Connection) -> StoreResult<Vec<Connection>>;
    /// Forgets a connection; returns it (if it was still recorded) and the user's connections
    /// still live at `now`.
    async fn delete_connection(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &ConnectionId,
        now: DateTime<Utc>,
    ) -> StoreResult<Disconnected>;
    /// The user's connections that have not expired at `now`.
    async fn list_user_connections(
        &self,
        tenant: &TenantId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>>;
    /// The live connections of several users at once (delivering to a conversation's members).
    async fn list_users_connections(
        &self,
        tenant: &TenantId,
        users: &[UserId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>>;
}

/// What forgetting a connection found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disconnected {
    /// The connection forgotten; none if it was already (its record expired, or another path
    /// removed it).
    pub removed: Option<Connection>,
    /// The user's connections still live.
    pub left: Vec<Connection>,
}
