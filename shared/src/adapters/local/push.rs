//! The local push adapter: the runtime's own sockets, reached through one channel each.
//! A frame travels as `Bytes`: pushed to a hundred sockets, it is one buffer they share.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::domain::ConnectionId;
use crate::ports::{Push, PushError};
use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::mpsc::UnboundedSender;

/// What a socket's writer receives: one frame, UTF-8 text.
pub type Outgoing = UnboundedSender<Bytes>;

/// Open sockets by connection id. A connection that is not here (closed, or of another
/// process) is `Gone`, exactly as API Gateway answers 410 for it.
#[derive(Default)]
pub struct LocalPush {
    sockets: Mutex<HashMap<ConnectionId, Outgoing>>,
}

impl LocalPush {
    pub fn register(&self, id: ConnectionId, outbox: Outgoing) {
        self.lock().insert(id, outbox);
    }

    pub fn unregister(&self, id: &ConnectionId) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConnectionId, Outgoing>> {
        self.sockets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Push for LocalPush {
    async fn push_to_connection(&self, connection: &ConnectionId, frame: &str) -> Result<(), PushError> {
        let outbox = self.lock().get(connection).cloned().ok_or(PushError::Gone)?;
        outbox.send(Bytes::copy_from_slice(frame.as_bytes())).map_err(|_| PushError::Gone)
    }

    /// One copy of the frame and one look at the sockets' map for all of `connections`.
    async fn push_to_connections(&self, connections: &[&ConnectionId], frame: &str) -> Vec<Result<(), PushError>> {
        let frame = Bytes::copy_from_slice(frame.as_bytes());
        let sockets = self.lock();
        connections
            .iter()
            .map(|c| {
                let outbox = sockets.get(*c).ok_or(PushError::Gone)?;
                outbox.send(frame.clone()).map_err(|_| PushError::Gone)
            })
            .collect()
    }
}
