//! Jobs due later than a queue can delay them, kept until the scheduler enqueues them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Job, JobId, TenantId};

/// A job waiting in the store until `due_at`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledJob {
    /// It goes to its kind's queue (`Job::queue`).
    pub job: Job,
    pub due_at: DateTime<Utc>,
}

/// How due times sort as text in the due index: fixed-width UTC with milliseconds.
pub fn due_sort_key(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Keeps a job until it is due. Same id, same entry.
    async fn schedule_job(&self, scheduled: &ScheduledJob) -> StoreResult<()>;
    /// Jobs due at `now`, every tenant, earliest first, at most `limit`: the scheduler's query.
    async fn list_due_jobs(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<ScheduledJob>>;
    /// Removes a scheduled job; `true` only for the one caller that removed it, so that a
    /// scheduler running twice enqueues it once.
    async fn take_scheduled_job(&self, tenant: &TenantId, job: &JobId) -> StoreResult<bool>;
}
