//! Pushing frames to live WebSocket connections.

use async_trait::async_trait;
use futures_util::future::join_all;

use crate::domain::ConnectionId;

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The connection is gone (API Gateway's 410): forget it.
    #[error("connection gone")]
    Gone,
    #[error("push failed: {0:#}")]
    Failed(anyhow::Error),
}

#[async_trait]
pub trait Push: Send + Sync {
    /// Sends one frame to one live connection.
    async fn push_to_connection(&self, connection: &ConnectionId, frame: &str) -> Result<(), PushError>;

    /// Sends one frame to each of `connections`, all at once; the outcome of each, in their
    /// order. A transport that can share one frame between its sockets overrides it: a
    /// large group's event is then neither copied nor looked up once per recipient.
    async fn push_to_connections(&self, connections: &[&ConnectionId], frame: &str) -> Vec<Result<(), PushError>> {
        join_all(connections.iter().map(|c| self.push_to_connection(c, frame))).await
    }
}
