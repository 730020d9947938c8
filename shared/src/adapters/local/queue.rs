//! The local runtime's job queue: in-process, with SQS's semantics (delay, visibility timeout,
//! receive count, dead-letter after too many receives, redrive). The runtime's workers take
//! jobs with [`LocalQueue::receive`] and settle them with [`LocalQueue::settle`]. With a
//! [`QueueJournal`] (the embedded store), every job also lives on disk and survives a crash.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::domain::{Job, JobId, QueueName, Task};
use crate::ports::{JobQueue, QueueError, QueueStats, MAX_DELAY, MAX_RECEIVES};

/// A job as the journal keeps it: its times on the wall clock, so that they mean the same
/// after a restart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub job: Job,
    pub sent_at: DateTime<Utc>,
    pub visible_at: DateTime<Utc>,
    pub receives: u32,
    pub dead: bool,
    /// Received and not settled: running when the journal was written.
    #[serde(default)]
    pub running: bool,
}

/// Where a durable local queue keeps its jobs. `durable` writes must survive a crash once they
/// return (a new job, a retry's backoff, a dead letter); the others (a receive, a finished
/// job's removal) may be lost in one — the job then runs again, as SQS may deliver twice.
pub trait QueueJournal: Send + Sync {
    fn save(&self, entries: &[JournalEntry], durable: bool) -> anyhow::Result<()>;
    fn remove(&self, job: &Job) -> anyhow::Result<()>;
    /// Every job kept, in no particular order.
    fn load(&self) -> anyhow::Result<Vec<JournalEntry>>;
}

/// Whether a job is kept across a restart (written with an fsync before `enqueue` returns):
/// notifications, e-mails, reminders. A presence announcement and a fan-out's pushes are for
/// connections, which a restart closes. A fan-out also queues its offline members'
/// notifications: a crash before it ran loses those, as a crash between storing a small
/// group's message and queueing its notifications does — journaling it would double the
/// message path's writes for no stronger guarantee.
fn kept(job: &Job) -> bool {
    !matches!(job.task, Task::AnnouncePresence(_) | Task::FanOut(_))
}
/// How long a received job stays invisible while it runs.
const VISIBILITY_TIMEOUT: Duration = Duration::from_secs(60);

struct Entry {
    job: Job,
    sent_at: Instant,
    visible_at: Instant,
    receives: u32,
    /// Received, and not settled yet.
    running: bool,
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
    wake: [Notify; 3],
    journal: Option<Arc<dyn QueueJournal>>,
}

/// A time on the process's monotonic clock as a wall-clock time, and back.
fn wall(at: Instant) -> DateTime<Utc> {
    let now = Instant::now();
    let offset = if at >= now {
        chrono::Duration::from_std(at - now).unwrap_or_default()
    } else {
        -chrono::Duration::from_std(now - at).unwrap_or_default()
    };
    Utc::now() + offset
}

fn monotonic(at: DateTime<Utc>) -> Instant {
    let now = Instant::now();
    match (at - Utc::now()).to_std() {
        Ok(ahead) => now + ahead,
        Err(_) => now.checked_sub((Utc::now() - at).to_std().unwrap_or_default()).unwrap_or(now),
    }
}

impl Entry {
    fn journaled(&self, dead: bool) -> JournalEntry {
        JournalEntry {
            job: self.job.clone(),
            sent_at: wall(self.sent_at),
            visible_at: wall(self.visible_at),
            receives: self.receives,
            dead,
            running: self.running,
        }
    }
}

impl LocalQueue {
    /// A queue whose jobs live in `journal` too: the jobs it holds (from before a restart)
    /// are back, as they were — but a job that was running when the process died is visible
    /// at once: the worker whose visibility timeout it waited out is gone.
    pub fn durable(journal: Arc<dyn QueueJournal>) -> anyhow::Result<Self> {
        let mut queues = Queues::default();
        let now = Instant::now();
        for kept in journal.load()? {
            let entry = Entry {
                sent_at: monotonic(kept.sent_at),
                visible_at: if kept.running { now } else { monotonic(kept.visible_at) },
                receives: kept.receives,
                running: false,
                job: kept.job,
            };
            let side = if kept.dead { &mut queues.dead } else { &mut queues.ready };
            side.entry(entry.job.queue()).or_default().push(entry);
        }
        Ok(Self { queues: Mutex::new(queues), wake: Default::default(), journal: Some(journal) })
    }

    /// Writes entries to the journal, if there is one; a failure is logged (the job stays in
    /// memory and runs, but may not survive a crash).
    fn journal(&self, entries: &[&Entry], dead: bool, durable: bool) {
        let Some(journal) = &self.journal else { return };
        let kept: Vec<JournalEntry> = entries.iter().filter(|e| kept(&e.job)).map(|e| e.journaled(dead)).collect();
        if kept.is_empty() {
            return;
        }
        if let Err(e) = journal.save(&kept, durable) {
            tracing::error!(error = %e, "could not write the job queue's journal");
        }
    }

    fn unjournal(&self, job: &Job) {
        let Some(journal) = self.journal.as_ref().filter(|_| kept(job)) else { return };
        if let Err(e) = journal.remove(job) {
            tracing::error!(error = %e, job = %job.id, "could not remove a job from the queue's journal");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queues> {
        self.queues.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wake_of(&self, queue: QueueName) -> &Notify {
        &self.wake[match queue {
            QueueName::Fanout => 0,
            QueueName::Notifications => 1,
            QueueName::Emails => 2,
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
                entry.running = true;
                let received = (entry.job.clone(), entry.receives);
                self.journal(&[entry], false, false);
                Ok(received)
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
                let done = entries.remove(i);
                self.unjournal(&done.job);
            }
            Err(()) if entries[i].receives >= MAX_RECEIVES => {
                let mut entry = entries.remove(i);
                entry.running = false;
                tracing::warn!(job = %entry.job.id, queue = queue.as_str(), "job dead-lettered");
                self.journal(&[&entry], true, true);
                queues.dead.entry(queue).or_default().push(entry);
            }
            Err(()) => {
                // The same backoff as the AWS worker sets through the visibility timeout.
                entries[i].visible_at = Instant::now() + backoff;
                entries[i].running = false;
                self.journal(&[&entries[i]], false, true);
            }
        }
    }
}

impl LocalQueue {
    /// New jobs, each visible after its delay: in the journal first (one durable write for
    /// the batch), then in memory for the workers.
    async fn add(&self, jobs: &[(Job, Duration)]) -> Result<(), QueueError> {
        let now = Instant::now();
        let entries: Vec<Entry> = jobs
            .iter()
            .map(|(job, delay)| Entry {
                job: job.clone(),
                sent_at: now,
                visible_at: now + *delay,
                receives: 0,
                running: false,
            })
            .collect();
        if let Some(journal) = &self.journal {
            let durably: Vec<JournalEntry> =
                entries.iter().filter(|e| kept(&e.job)).map(|e| e.journaled(false)).collect();
            if !durably.is_empty() {
                let journal = journal.clone();
                tokio::task::spawn_blocking(move || journal.save(&durably, true))
                    .await
                    .map_err(|e| QueueError(e.into()))??;
            }
        }
        let mut queues = self.lock();
        for entry in entries {
            let queue = entry.job.queue();
            queues.ready.entry(queue).or_default().push(entry);
            self.wake_of(queue).notify_one();
        }
        Ok(())
    }
}

#[async_trait]
impl JobQueue for LocalQueue {
    async fn enqueue(&self, job: &Job, delay: Option<Duration>) -> Result<(), QueueError> {
        if delay.is_some_and(|d| d > MAX_DELAY) {
            return Err(QueueError(anyhow::anyhow!("a delay over {}s, as SQS would refuse", MAX_DELAY.as_secs())));
        }
        self.add(&[(job.clone(), delay.unwrap_or_default())]).await
    }

    async fn enqueue_batch(&self, jobs: &[Job]) -> Result<(), QueueError> {
        self.add(&jobs.iter().map(|j| (j.clone(), Duration::ZERO)).collect::<Vec<_>>()).await
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
        let redriven: Vec<Entry> =
            dead.into_iter().map(|e| Entry { visible_at: now, receives: 0, running: false, ..e }).collect();
        self.journal(&redriven.iter().collect::<Vec<_>>(), false, true);
        queues.ready.entry(queue).or_default().extend(redriven);
        drop(queues);
        self.wake_of(queue).notify_one();
        Ok(moved)
    }

    async fn retry_later(&self, _queue: QueueName, _receipt: &str, _delay: Duration) -> Result<(), QueueError> {
        // Local workers settle their jobs directly (`settle`), with the same backoff.
        Ok(())
    }
}
