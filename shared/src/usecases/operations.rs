//! What the platform operator checks and mends: whether storage answers, the job queues'
//! depths, and their dead letters sent back.

use crate::app::App;
use crate::domain::QueueName;
use crate::ports::QueueStats;
use crate::AppError;

/// Whether storage answers; a failure is logged with its cause.
pub async fn storage_answers(app: &App) -> bool {
    match app.ports.storage.health().await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "storage health check failed");
            false
        }
    }
}

/// Every queue's depths.
pub async fn queue_stats(app: &App) -> Result<Vec<QueueStats>, AppError> {
    let mut queues = Vec::new();
    for queue in QueueName::ALL {
        queues.push(app.ports.jobs.stats(queue).await?);
    }
    Ok(queues)
}

/// Moves `queue`'s dead-lettered jobs back to it; how many moved.
pub async fn redrive(app: &App, queue: QueueName) -> Result<u64, AppError> {
    let moved = app.ports.jobs.redrive(queue).await?;
    tracing::info!(queue = queue.as_str(), moved, "dead-lettered jobs redriven");
    Ok(moved)
}
