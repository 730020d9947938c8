//! Pushing frames to live WebSocket connections.

use async_trait::async_trait;

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
}
