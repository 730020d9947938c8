//! The local push adapter: the runtime's own sockets, reached through one channel each.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::domain::ConnectionId;
use crate::ports::{Push, PushError};
use async_trait::async_trait;
use tokio::sync::mpsc::UnboundedSender;

/// Open sockets by connection id. A connection that is not here (closed, or of another
/// process) is `Gone`, exactly as API Gateway answers 410 for it.
#[derive(Default)]
pub struct LocalPush {
    sockets: Mutex<HashMap<ConnectionId, UnboundedSender<String>>>,
}

impl LocalPush {
    pub fn register(&self, id: ConnectionId, outbox: UnboundedSender<String>) {
        self.lock().insert(id, outbox);
    }

    pub fn unregister(&self, id: &ConnectionId) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConnectionId, UnboundedSender<String>>> {
        self.sockets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Push for LocalPush {
    async fn push_to_connection(&self, connection: &ConnectionId, frame: &str) -> Result<(), PushError> {
        let outbox = self.lock().get(connection).cloned().ok_or(PushError::Gone)?;
        outbox.send(frame.to_string()).map_err(|_| PushError::Gone)
    }
}
