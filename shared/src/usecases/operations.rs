//! What the platform operator checks and mends: whether storage answers, the job queues'
//! depths, and their dead letters sent back.

use crate::domain::QueueName;
use crate::ports::QueueStats;
use crate::ports::{JobQueue, StoreHealth};
use crate::AppError;
use std::sync::Arc;

/// The operations use cases, with the ports they use.
#[derive(Clone)]
pub struct OperationsUseCases {
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) storage: Arc<dyn StoreHealth>,
}

impl OperationsUseCases {
    /// Whether storage answers; a failure is logged with its cause.
    pub async fn storage_answers(&self) -> bool {
        match self.storage.health().await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "storage health check failed");
                false
            }
        }
    }

    /// Every queue's depths.
    pub async fn queue_stats(&self) -> Result<Vec<QueueStats>, AppError> {
        let mut queues = Vec::new();
        for queue in QueueName::ALL {
            queues.push(self.jobs.stats(queue).await?);
        }
        Ok(queues)
    }

    /// Moves `queue`'s dead-lettered jobs back to it; how many moved.
    pub async fn redrive(&self, queue: QueueName) -> Result<u64, AppError> {
        let moved = self.jobs.redrive(queue).await?;
        tracing::info!(queue = queue.as_str(), moved, "dead-lettered jobs redriven");
        Ok(moved)
    }
}
