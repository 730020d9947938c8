//! Stand-ins for the ports a test does not exercise, recording what they were given.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use missive::domain::{ConnectionId, Job, QueueName, TenantId};
use missive::ports::{Email, JobQueue, MailError, Mailer, Push, PushError, QueueError, QueueStats};
use serde_json::Value;

/// Keeps every frame pushed, with its connection.
#[derive(Default)]
pub struct RecordingPush(pub Mutex<Vec<(String, Value)>>);

#[async_trait]
impl Push for RecordingPush {
    async fn push_to_connection(&self, connection: &ConnectionId, frame: &str) -> Result<(), PushError> {
        self.0.lock().unwrap().push((connection.to_string(), serde_json::from_str(frame).unwrap()));
        Ok(())
    }
}

/// Keeps every job enqueued, and the backoffs it was asked for; refuses the next `.2`
/// enqueues first.
#[derive(Default)]
pub struct RecordingQueue(pub Mutex<Vec<(QueueName, Job)>>, pub Mutex<Vec<(String, Duration)>>, pub Mutex<u32>);

impl RecordingQueue {
    pub fn take(&self) -> Vec<(QueueName, Job)> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[async_trait]
impl JobQueue for RecordingQueue {
    async fn enqueue(&self, job: &Job, _delay: Option<Duration>) -> Result<(), QueueError> {
        let mut refuse = self.2.lock().unwrap();
        if *refuse > 0 {
            *refuse -= 1;
            return Err(QueueError(anyhow::anyhow!("the test queue was told to refuse")));
        }
        self.0.lock().unwrap().push((job.queue(), job.clone()));
        Ok(())
    }
    async fn enqueue_batch(&self, jobs: &[Job]) -> Result<(), QueueError> {
        self.0.lock().unwrap().extend(jobs.iter().map(|j| (j.queue(), j.clone())));
        Ok(())
    }
    async fn stats(&self, queue: QueueName) -> Result<QueueStats, QueueError> {
        let visible = self.0.lock().unwrap().iter().filter(|(q, _)| *q == queue).count() as u64;
        Ok(QueueStats { name: queue.as_str().into(), visible, ..Default::default() })
    }
    async fn redrive(&self, _queue: QueueName) -> Result<u64, QueueError> {
        Ok(0)
    }
    async fn retry_later(&self, _queue: QueueName, receipt: &str, delay: Duration) -> Result<(), QueueError> {
        self.1.lock().unwrap().push((receipt.to_string(), delay));
        Ok(())
    }
}

/// Keeps every e-mail sent; fails the next `fail_next` sends first; answers `Paused` for the
/// tenants in `paused`.
#[derive(Default)]
pub struct RecordingMailer {
    pub sent: Mutex<Vec<Email>>,
    pub attempts: Mutex<u32>,
    pub fail_next: Mutex<u32>,
    pub paused: Mutex<Vec<TenantId>>,
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send_email(&self, email: &Email) -> Result<String, MailError> {
        *self.attempts.lock().unwrap() += 1;
        let mut fail = self.fail_next.lock().unwrap();
        if *fail > 0 {
            *fail -= 1;
            return Err(MailError::Failed(anyhow::anyhow!("the test mailer was told to fail")));
        }
        if self.paused.lock().unwrap().contains(&email.tenant) {
            return Err(MailError::Paused(format!("sending is paused for tenant {}", email.tenant)));
        }
        self.sent.lock().unwrap().push(email.clone());
        Ok(format!("mail-{}", email.id))
    }
}

/// A clock that stands still until the test moves it.
pub struct ManualClock(pub Mutex<chrono::DateTime<chrono::Utc>>);

impl ManualClock {
    pub fn at(now: chrono::DateTime<chrono::Utc>) -> Self {
        Self(Mutex::new(now))
    }
    pub fn set(&self, now: chrono::DateTime<chrono::Utc>) {
        *self.0.lock().unwrap() = now;
    }
}

impl missive::ports::Clock for ManualClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

/// API Gateway's answer for every connection: gone (410).
#[derive(Default)]
pub struct GonePush;

#[async_trait]
impl Push for GonePush {
    async fn push_to_connection(&self, _connection: &ConnectionId, _frame: &str) -> Result<(), PushError> {
        Err(PushError::Gone)
    }
}
