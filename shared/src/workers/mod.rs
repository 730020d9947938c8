//! The queue workers: what a worker does with each job of its queue, and the SQS batch
//! handler that the worker Lambdas and the local runtime's workers share.
//!
//! Delivery is at least once; effects are exactly once: every job runs under an
//! idempotency record keyed by its id ([`crate::usecases::effects::once`]).

#[cfg(feature = "email")]
mod emails;
mod fanout;
mod notifications;
mod s3_events;

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures_util::future::join_all;
use tracing::Instrument;

use crate::app::App;
use crate::domain::{Job, JobId, QueueName, Task};
use crate::metrics::Metric;
use crate::AppError;

#[cfg(feature = "email")]
pub use emails::EmailsWorker;
pub use fanout::FanoutWorker;
pub use notifications::NotificationsWorker;

/// The worker of one queue.
pub trait Worker: Sync {
    const QUEUE: QueueName;

    /// Does what `job` asks; a job of another queue's kind is an error (it was misrouted).
    fn perform(&self, app: &App, job: &Job) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// A job of a kind that another queue's worker does.
fn misrouted(queue: QueueName, job: &Job) -> AppError {
    AppError::internal(anyhow::anyhow!(
        "a {} job on the {} queue belongs to the {} queue",
        job.task.kind(),
        queue.as_str(),
        job.queue().as_str()
    ))
}

/// Runs one job once. An error leaves the job on its queue, to be retried after its backoff
/// and dead-lettered after too many attempts.
///
/// A `fanOut` or `announcePresence` job runs without an idempotency record: its pushes are
/// at least once anyway (clients drop a cursor they have seen), and the notification job a
/// fan-out makes has an id derived from its own, so that one happens once. This spares two
/// store writes per hundred recipients of a large group's every event.
pub async fn run<W: Worker>(worker: &W, app: &App, job: &Job) -> Result<(), AppError> {
    let outcome = if job.task.needs_idempotency_record() {
        app.effects.once(&job.tenant_id, job.id.as_str(), worker.perform(app, job)).await.map(|done| {
            if done.is_none() {
                tracing::info!(job = %job.id, "job already done, nothing to do");
            }
        })
    } else {
        worker.perform(app, job).await
    };
    match outcome {
        Err(e) if tenant_gone(app, job).await => {
            // Queued before its tenant was offboarded: nothing of it is left to work on, and
            // retrying it would only dead-letter it.
            tracing::info!(job = %job.id, kind = job.task.kind(), error = %e, "job of an offboarded tenant dropped");
            Ok(())
        }
        outcome => outcome,
    }
}

/// Whether the job's tenant is gone for good (offboarded): read only after a job failed.
async fn tenant_gone(app: &App, job: &Job) -> bool {
    if matches!(job.task, Task::OffboardTenant(_)) {
        return false;
    }
    app.offboarding.done(&job.tenant_id).await.unwrap_or(false)
}

/// The wait before attempt `receives + 1` of a failed job: exponential from the configured
/// base, with jitter so that jobs failing together do not retry together, at most 15 min.
pub fn backoff(app: &App, receives: u32) -> Duration {
    let base = app.config.limits.retry_base.as_millis() as u64;
    let full = base.saturating_mul(1 << receives.saturating_sub(1).min(16)).min(15 * 60 * 1000);
    let jitter = u64::from(ulid::Ulid::new().random() as u32) % (full / 2 + 1);
    Duration::from_millis(full / 2 + jitter)
}

/// One SQS record: its message id, its receipt handle and how often it was received.
type Record = (String, Option<String>, u32);

/// An SQS batch of the worker's queue, records processed concurrently, one span each. The
/// same job twice in one batch runs once and both records share its outcome. Failed records
/// are given their backoff (through their visibility timeout) and reported
/// (`ReportBatchItemFailures`) so that only they come back.
pub async fn handle_batch<W: Worker>(worker: &W, app: &App, event: SqsEvent) -> SqsBatchResponse {
    let mut by_job: HashMap<JobId, (Job, Vec<Record>)> = HashMap::new();
    let mut failed: Vec<Record> = Vec::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let receives = record.attributes.get("ApproximateReceiveCount").and_then(|v| v.parse().ok()).unwrap_or(1);
        match s3_events::jobs_of(record.body.as_deref().unwrap_or_default()) {
            // A record of several jobs (S3's event may tell of several objects) fails if one fails.
            Some(jobs) => {
                for job in jobs {
                    let entry = by_job.entry(job.id.clone()).or_insert_with(|| (job, Vec::new()));
                    entry.1.push((id.clone(), record.receipt_handle.clone(), receives));
                }
            }
            None => {
                tracing::error!(message_id = %id, "a queue record that is neither a job nor S3's event");
                failed.push((id, record.receipt_handle, receives));
            }
        }
    }
    let runs = by_job.into_values().map(|(job, records)| async move {
        let span = tracing::info_span!("job", job = %job.id, kind = job.task.kind(), attempt = records[0].2);
        let outcome = run(worker, app, &job).instrument(span).await;
        if let Err(e) = &outcome {
            e.log_if_internal();
        }
        (outcome.is_ok(), records)
    });
    for (ok, records) in join_all(runs).await {
        for record in records.into_iter().filter(|_| !ok) {
            if !failed.iter().any(|(id, _, _)| *id == record.0) {
                failed.push(record);
            }
        }
    }
    let mut response = SqsBatchResponse::default();
    app.services.metrics.count(Metric::JobRetries, failed.len() as u64, None, app.ports.clock.now());
    for (id, receipt, receives) in failed {
        if let Some(receipt) = receipt {
            if let Err(e) = app.ports.jobs.retry_later(W::QUEUE, &receipt, backoff(app, receives)).await {
                tracing::warn!(message_id = %id, error = %e, "could not set a failed job's backoff");
            }
        }
        let mut item = BatchItemFailure::default();
        item.item_identifier = id;
        response.batch_item_failures.push(item);
    }
    response
}

/// Whether an SQS batch comes from the queue at `queue_url`: a function subscribed to two
/// queues (notify-worker: the fan-out and the notifications queue, each with its own
/// concurrency cap) tells its batches apart by their records' source, whose ARN ends with the
/// queue's name as its URL does.
pub fn from_queue(event: &SqsEvent, queue_url: &str) -> bool {
    let name = queue_url.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    let source = event.records.first().and_then(|r| r.event_source_arn.as_deref()).unwrap_or_default();
    !name.is_empty() && source.rsplit(':').next() == Some(name)
}

#[cfg(test)]
mod tests {
    use aws_lambda_events::sqs::{SqsEvent, SqsMessage};

    use super::from_queue;

    #[test]
    fn a_batch_is_told_by_the_queue_it_came_from() {
        let mut record = SqsMessage::default();
        record.event_source_arn = Some("arn:aws:sqs:eu-west-1:123456789012:prod-FanoutQueue-AbC".into());
        let mut batch = SqsEvent::default();
        batch.records = vec![record];
        let url = |name: &str| format!("https://sqs.eu-west-1.amazonaws.com/123456789012/{name}");
        assert!(from_queue(&batch, &url("prod-FanoutQueue-AbC")));
        assert!(!from_queue(&batch, &url("prod-NotificationsQueue-XyZ")));
        assert!(!from_queue(&batch, &url("prod-FanoutQueue")), "a name is matched whole");
        assert!(!from_queue(&SqsEvent::default(), &url("prod-FanoutQueue-AbC")));
    }
}
