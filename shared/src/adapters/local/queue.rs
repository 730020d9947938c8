//! The local runtime's job queue: in-process, with SQS's semantics (delay, visibility timeout,
//! receive count, dead-letter after too many receives, redrive). The runtime's workers take
//! jobs with [`LocalQueue::receive`] and settle them with [`LocalQueue::settle`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::domain::{Job, JobId, QueueName};
use crate::ports::{JobQueue, QueueError, QueueStats, MAX_DELAY, MAX_RECEIVES};
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
    /// One per queue, so that a job wakes its own queue's worker. `notify_one` keeps the
    /// wake-up for a worker that is not waiting yet: none is lost between its look and its wait.
    wake: [Notify; 2],
}

impl LocalQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queues> {
        self.queues.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wake_of(&self, queue: QueueName) -> &Notify {
        &self.wake[match queue {
            QueueName::Notifications => 0,
            QueueName::Emails => 1,
        }]
    }

    /// Waits until a job may have become visible (one was sent or redriven) or `wait` passed.
    pub async fn wait_for_work(&self, queue: QueueName, wait: Duration) {
        tokio::select! {
            _ = self.wake_of(queue).notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }

    /// Takes the next visible job, hiding it for the visibility timeout; or says when the
    /// next one becomes visible.
    pub fn receive(&self, queue: QueueName) -> Result<(Job, u32), Option<Instant>> {
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

    /// Ends a received job: done (removed), or failed (visible again after `backoff`, or
    /// dead-lettered after too many receives).
    pub fn settle(&self, queue: QueueName, job_id: &JobId, outcome: Result<(), ()>, backoff: Duration) {
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
        if delay.is_some_and(|d| d > MAX_DELAY) {
            return Err(QueueError(anyhow::anyhow!("a delay over {}s, as SQS would refuse", MAX_DELAY.as_secs())));
        }
        let queue = job.queue();
        let visible_at = Instant::now() + delay.unwrap_or_default();
        let entry = Entry { job: job.clone(), sent_at: Instant::now(), visible_at, receives: 0 };
        self.lock().ready.entry(queue).or_default().push(entry);
        self.wake_of(queue).notify_one();
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
        self.wake_of(queue).notify_one();
        Ok(moved)
    }

    async fn retry_later(&self, _queue: QueueName, _receipt: &str, _delay: Duration) -> Result<(), QueueError> {
        // Local workers settle their jobs directly (`settle`), with the same backoff.
        Ok(())
    }
}
