//! Stand-ins for the ports a test does not exercise, recording what they were given.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use missive::domain::ConnectionId;
use missive::ports::{Job, JobQueue, Push, PushError, QueueError, QueueName};
use serde_json::Value;

/// Keeps every frame pushed, with its connection.
#[derive(Default)]
pub struct RecordingPush(pub Mutex<Vec<(String, Value)>>);

#[async_trait]
impl Push for RecordingPush {
    async fn send(&self, connection: &ConnectionId, frame: &str) -> Result<(), PushError> {
        self.0.lock().unwrap().push((connection.to_string(), serde_json::from_str(frame).unwrap()));
        Ok(())
    }
}

/// Keeps every job enqueued.
#[derive(Default)]
pub struct RecordingQueue(pub Mutex<Vec<(QueueName, Job)>>);

#[async_trait]
impl JobQueue for RecordingQueue {
    async fn send(&self, queue: QueueName, job: &Job, _delay: Option<Duration>) -> Result<(), QueueError> {
        self.0.lock().unwrap().push((queue, job.clone()));
        Ok(())
    }
    async fn send_batch(&self, queue: QueueName, jobs: &[Job]) -> Result<(), QueueError> {
        self.0.lock().unwrap().extend(jobs.iter().map(|j| (queue, j.clone())));
        Ok(())
    }
}
