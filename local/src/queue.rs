//! Background work in the local runtime: an in-process queue with SQS's semantics (delay,
//! visibility timeout, receive count, dead-letter after too many receives), and workers that
//! run the same job handler as the Lambda worker. With `--backend aws`, a poller reads the
//! real SQS queue instead and hands batches to the same SQS batch handler as the Lambda.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use missive::domain::{Job, JobId, QueueName};
use missive::ports::{JobQueue, QueueError, QueueStats};
use missive::workers::{self, Worker};
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
    sent_at: Instant,
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

    fn settle(&self, queue: QueueName, job_id: &JobId, outcome: Result<(), ()>, backoff: Duration) {
        let mut queues = self.lock();
        let entries = queues.ready.entry(queue).or_default();
        let Some(i) = entries.iter().position(|e| e.job.id == *job_id) else { return };
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
                // The same backoff as the AWS worker sets through the visibility timeout.
                entries[i].visible_at = Instant::now() + backoff;
            }
        }
    }
}

#[async_trait]
impl JobQueue for LocalQueue {
    async fn enqueue(&self, job: &Job, delay: Option<Duration>) -> Result<(), QueueError> {
        let queue = job.queue();
        let visible_at = Instant::now() + delay.unwrap_or_default();
        let entry = Entry { job: job.clone(), sent_at: Instant::now(), visible_at, receives: 0 };
        self.lock().ready.entry(queue).or_default().push(entry);
        self.wake.notify_waiters();
        Ok(())
    }

    async fn enqueue_batch(&self, jobs: &[Job]) -> Result<(), QueueError> {
        for job in jobs {
            self.enqueue(job, None).await?;
        }
        Ok(())
    }

    async fn stats(&self, queue: QueueName) -> Result<QueueStats, QueueError> {
        let now = Instant::now();
        let queues = self.lock();
        let ready = queues.ready.get(&queue).map(Vec::as_slice).unwrap_or_default();
        let dead = queues.dead.get(&queue).map(Vec::as_slice).unwrap_or_default();
        let age =
            |entries: &mut dyn Iterator<Item = &Entry>| entries.map(|e| now.duration_since(e.sent_at).as_secs()).max();
        Ok(QueueStats {
            name: queue.as_str().into(),
            // As on SQS: a received job (running, or waiting out its retry backoff) is in
            // flight; a job sent with a delay and not yet visible is delayed.
            visible: ready.iter().filter(|e| e.visible_at <= now).count() as u64,
            in_flight: ready.iter().filter(|e| e.visible_at > now && e.receives > 0).count() as u64,
            delayed: ready.iter().filter(|e| e.visible_at > now && e.receives == 0).count() as u64,
            dead_lettered: dead.len() as u64,
            oldest_age_seconds: age(&mut ready.iter()),
            oldest_dead_letter_age_seconds: age(&mut dead.iter()),
        })
    }

    async fn redrive(&self, queue: QueueName) -> Result<u64, QueueError> {
        let mut queues = self.lock();
        let dead = std::mem::take(queues.dead.entry(queue).or_default());
        let moved = dead.len() as u64;
        let now = Instant::now();
        // As SQS does, a redriven job starts again with no receives.
        let entries = queues.ready.entry(queue).or_default();
        entries.extend(dead.into_iter().map(|e| Entry { visible_at: now, receives: 0, ..e }));
        drop(queues);
        self.wake.notify_waiters();
        Ok(moved)
    }

    async fn retry_later(&self, _queue: QueueName, _receipt: &str, _delay: Duration) -> Result<(), QueueError> {
        // Local workers settle their jobs directly (`settle`), with the same backoff.
        Ok(())
    }
}

/// Runs the jobs of the worker's local queue until shutdown.
pub async fn work<W: Worker>(worker: W, app: Arc<App>, queue: Arc<LocalQueue>, mut shutdown: watch::Receiver<bool>) {
    let name = W::QUEUE;
    loop {
        match queue.receive(name) {
            Ok((job, receives)) => {
                let outcome = workers::run(&worker, &app, &job).await;
                if let Err(e) = &outcome {
                    e.log_if_internal();
                    tracing::info!(job = %job.id, receives, "job failed, will retry");
                }
                let backoff = workers::backoff(&app, receives);
                queue.settle(name, &job.id, outcome.map_err(|_| ()), backoff);
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
pub async fn poll_sqs<W: Worker>(
    worker: W,
    app: Arc<App>,
    client: aws_sdk_sqs::Client,
    url: String,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let received = tokio::select! {
            r = client
                .receive_message()
                .queue_url(&url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount)
                .send() => r,
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
            for (name, value) in m.attributes.iter().flatten() {
                record.attributes.insert(name.as_str().to_string(), value.clone());
            }
            if let (Some(id), Some(handle)) = (m.message_id, m.receipt_handle) {
                receipts.insert(id, handle);
            }
            event.records.push(record);
        }
        let response = workers::handle_batch(&worker, &app, event).await;
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
