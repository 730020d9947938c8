//! Jobs for later. A job due within the queue's own delay (SQS: 15 minutes) rides that
//! delay; a later one waits in the store's due index until the scheduler (every minute on
//! AWS, every second locally) enqueues it.

use crate::config::Limits;
use crate::ports::{Clock, JobQueue, ScheduleStore};
use chrono::{DateTime, Utc};
use std::sync::Arc;

use crate::domain::Job;
use crate::ports::ScheduledJob;
use crate::AppError;

/// Jobs the scheduler enqueues per pass at most; the rest wait for the next pass.
const SCHEDULER_BATCH: usize = 200;
/// How long one pass takes jobs for (the scheduler function's timeout is 30 s).
const SCHEDULER_TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(15);

/// The scheduling use cases, with the ports they use.
#[derive(Clone)]
pub struct SchedulingUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) schedule: Arc<dyn ScheduleStore>,
    pub(crate) limits: Limits,
}

impl SchedulingUseCases {
    /// Enqueues `job` to run at `at` (now, if `at` has passed).
    pub async fn enqueue_at(&self, job: Job, at: DateTime<Utc>) -> Result<(), AppError> {
        let wait = (at - self.clock.now()).to_std().unwrap_or_default();
        if wait <= self.limits.max_queue_delay {
            let delay = (!wait.is_zero()).then_some(wait);
            return Ok(self.jobs.enqueue(&job, delay).await?);
        }
        self.schedule.schedule_job(&ScheduledJob { job, due_at: at }).await?;
        Ok(())
    }

    /// One scheduler pass: every job due now moves to its queue, once. Each is taken from the
    /// store by a conditional delete first, so a second scheduler running at the same time
    /// finds nothing to take; if the queue then refuses it, it goes back to the store.
    pub async fn run_scheduler(&self) -> Result<usize, AppError> {
        let due = self.schedule.list_due_jobs(self.clock.now(), SCHEDULER_BATCH).await?;
        let mut enqueued = 0;
        // A pass stops taking jobs once it has run this long: throttled calls retried with backoff
        // can make each job take seconds, and a pass cut off by the function's timeout between
        // taking a job and queuing it would lose that job. What is left is due at the next pass.
        let started = std::time::Instant::now();
        for scheduled in due {
            if started.elapsed() >= SCHEDULER_TIME_BUDGET {
                tracing::info!(enqueued, "scheduler pass out of time: the rest waits for the next pass");
                break;
            }
            if !self.schedule.take_scheduled_job(&scheduled.job.tenant_id, &scheduled.job.id).await? {
                continue;
            }
            if let Err(e) = self.jobs.enqueue(&scheduled.job, None).await {
                self.schedule.schedule_job(&scheduled).await?;
                return Err(e.into());
            }
            tracing::info!(job = %scheduled.job.id, queue = scheduled.job.queue().as_str(), "scheduled job enqueued");
            enqueued += 1;
        }
        Ok(enqueued)
    }
}
