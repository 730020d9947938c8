//! The background job queues.

use std::time::Duration;

use async_trait::async_trait;

use crate::domain::{Job, QueueName};

#[derive(Debug, thiserror::Error)]
#[error("queue failure: {0:#}")]
pub struct QueueError(#[from] pub anyhow::Error);

impl From<QueueError> for crate::AppError {
    fn from(e: QueueError) -> Self {
        crate::AppError::internal(e.0)
    }
}

/// The longest a job can be delayed on a queue (SQS's limit); later jobs wait in the
/// [`super::ScheduleStore`].
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);

/// How many times a job is delivered before it moves to its queue's dead-letter queue (the
/// redrive policy's `maxReceiveCount`, on SQS as in template.yaml, and locally).
pub const MAX_RECEIVES: u32 = 5;

/// One queue's depth, as `GET /v1/admin/queues` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueStats {
    pub name: String,
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
    pub dead_lettered: u64,
    /// Age of the oldest job waiting (visible or delayed), when the queue can tell.
    #[schema(required = true)]
    pub oldest_age_seconds: Option<u64>,
    /// Age of the oldest dead-lettered job.
    #[schema(required = true)]
    pub oldest_dead_letter_age_seconds: Option<u64>,
}

#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Enqueues a job on its queue, visible after `delay`; a delay over [`MAX_DELAY`] is an
    /// error.
    async fn enqueue(&self, job: &Job, delay: Option<Duration>) -> Result<(), QueueError>;
    /// Enqueues several jobs at once (SQS batches of ten), each on its queue.
    async fn enqueue_batch(&self, jobs: &[Job]) -> Result<(), QueueError>;
    async fn stats(&self, queue: QueueName) -> Result<QueueStats, QueueError>;
    /// Moves every dead-lettered job back to its queue; returns how many moved.
    async fn redrive(&self, queue: QueueName) -> Result<u64, QueueError>;
    /// Makes a received job, which failed, visible again after `delay` (its backoff).
    async fn retry_later(&self, queue: QueueName, receipt: &str, delay: Duration) -> Result<(), QueueError>;
}
