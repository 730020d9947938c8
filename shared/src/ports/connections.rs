//! Live WebSocket connections, per user.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Connection, ConnectionId, TenantId, UserId};

#[async_trait]
pub trait ConnectionStore: Send + Sync {
    async fn put_connection(&self, connection: &Connection) -> StoreResult<()>;
    async fn delete_connection(&self, tenant: &TenantId, user: &UserId, id: &ConnectionId) -> StoreResult<()>;
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
