//! Background work in the local runtime: an in-process queue with SQS's semantics (delay,
//! visibility timeout, receive count, dead-letter after too many receives), and workers that
//! run the same job handler as the Lambda worker. With `--backend aws`, a poller reads the
//! real SQS queue instead and hands batches to the same SQS batch handler as the Lambda.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use missive::ports::{Job, JobQueue, QueueError, QueueName};
use missive::App;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

/// Receives after which a failing job goes to the dead-letter queue, as the redrive policy
/// says on AWS.
const MAX_RECEIVES: u32 = missive::adapters::aws::MAX_RECEIVES;
/// How long a received job stays invisible while it runs.
const VISIBILITY_TIMEOUT: Duration = Duration::from_secs(60);

struct Entry {
    job: Job,
    visible_at: Instant,
    receives: u32,
}

#[derive(Default)]
struct Queues {
    ready: HashMap<QueueName, Vec<Entry>>,
    dead: HashMap<QueueName, Vec<Entry>>,
}

#[derive(Default)]
pub struct LocalQueue {
    queues: Mutex<Queues>,
    wake: Notify,
}

impl LocalQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queues> {
        self.queues.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the next visible job, hiding it for the visibility timeout; or says when the
    /// next one becomes visible.
    fn receive(&self, queue: QueueName) -> Result<(Job, u32), Option<Instant>> {
        let now = Instant::now();
        let mut queues = self.lock();
        let entries = queues.ready.entry(queue).or_default();
        match entries.iter_mut().filter(|e| e.visible_at <= now).min_by_key(|e| e.visible_at) {
            Some(entry) => {
                entry.receives += 1;
                entry.visible_at = now + VISIBILITY_TIMEOUT;
                Ok((entry.job.clone(), entry.receives))
            }
            None => Err(entries.iter().map(|e| e.visible_at).min()),
        }
    }

    fn settle(&self, queue: QueueName, job_id: &str, outcome: Result<(), ()>) {
        let mut queues = self.lock();
        let entries = queues.ready.entry(queue).or_default();
        let Some(i) = entries.iter().position(|e| e.job.id == job_id) else { return };
        match outcome {
            Ok(()) => {
                entries.remove(i);
            }
            Err(()) if entries[i].receives >= MAX_RECEIVES => {
                let entry = entries.remove(i);
                tracing::warn!(job = %entry.job.id, queue = queue.as_str(), "job dead-lettered");
                queues.dead.entry(queue).or_default().push(entry);
            }
            Err(()) => {
                // Exponential backoff with jitter, as the AWS worker sets through the
                // message's visibility timeout.
                let receives = entries[i].receives;
                let jitter = Duration::from_millis(u64::from(ulid::Ulid::new().random() as u16 % 250));
                entries[i].visible_at = Instant::now() + Duration::from_millis(200 << receives.min(8)) + jitter;
            }
        }
    }
}

#[async_trait]
impl JobQueue for LocalQueue {
    async fn send(&self, queue: QueueName, job: &Job, delay: Option<Duration>) -> Result<(), QueueError> {
        let visible_at = Instant::now() + delay.unwrap_or_default();
        self.lock().ready.entry(queue).or_default().push(Entry { job: job.clone(), visible_at, receives: 0 });
        self.wake.notify_waiters();
        Ok(())
    }

    async fn send_batch(&self, queue: QueueName, jobs: &[Job]) -> Result<(), QueueError> {
        for job in jobs {
            self.send(queue, job, None).await?;
        }
        Ok(())
    }
}

/// Runs the jobs of one local queue until shutdown.
pub async fn work(app: Arc<App>, queue: Arc<LocalQueue>, name: QueueName, mut shutdown: watch::Receiver<bool>) {
    loop {
        match queue.receive(name) {
            Ok((job, receives)) => {
                let outcome = missive::jobs::run(&app, &job).await;
                if let Err(e) = &outcome {
                    e.log_if_internal();
                    tracing::info!(job = %job.id, receives, "job failed, will retry");
                }
                queue.settle(name, &job.id, outcome.map_err(|_| ()));
            }
            Err(next) => {
                let wait = next.map_or(Duration::from_secs(3600), |at| at.saturating_duration_since(Instant::now()));
                tokio::select! {
                    _ = queue.wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => return,
                }
            }
        }
    }
}

/// With `--backend aws`: reads one SQS queue like Lambda's event source mapping, hands each
/// batch to the Lambda worker's handler and deletes what succeeded.
pub async fn poll_sqs(app: Arc<App>, client: aws_sdk_sqs::Client, url: String, mut shutdown: watch::Receiver<bool>) {
    loop {
        let received = tokio::select! {
            r = client.receive_message().queue_url(&url).max_number_of_messages(10).wait_time_seconds(1).send() => r,
            _ = shutdown.changed() => return,
        };
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "polling SQS failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        let mut event = SqsEvent::default();
        let mut receipts = HashMap::new();
        for m in messages {
            let mut record = SqsMessage::default();
            record.message_id = m.message_id.clone();
            record.receipt_handle = m.receipt_handle.clone();
            record.body = m.body.clone();
            if let (Some(id), Some(handle)) = (m.message_id, m.receipt_handle) {
                receipts.insert(id, handle);
            }
            event.records.push(record);
        }
        let response = missive::jobs::handle_batch(&app, event).await;
        for failed in &response.batch_item_failures {
            receipts.remove(&failed.item_identifier);
        }
        for handle in receipts.into_values() {
            if let Err(e) = client.delete_message().queue_url(&url).receipt_handle(handle).send().await {
                tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "deleting a done job failed");
            }
        }
    }
}
