//! The job queue on SQS: one standard queue per `QueueName`.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use aws_sdk_sqs::Client;

use crate::ports::{Job, JobQueue, QueueError, QueueName};

/// SQS's longest delay.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// SQS's largest batch.
const MAX_BATCH: usize = 10;

pub struct SqsQueue {
    client: Client,
    urls: HashMap<QueueName, String>,
}

impl SqsQueue {
    pub fn new(client: Client, urls: HashMap<QueueName, String>) -> Self {
        Self { client, urls }
    }

    fn url(&self, queue: QueueName) -> Result<&str, QueueError> {
        self.urls.get(&queue).map(String::as_str).ok_or_else(|| QueueError(anyhow!("no URL for queue {}", queue.as_str())))
    }
}

fn delay_seconds(delay: Option<Duration>) -> Result<Option<i32>, QueueError> {
    match delay {
        None => Ok(None),
        Some(d) if d <= MAX_DELAY => Ok(Some(d.as_secs() as i32)),
        Some(d) => Err(QueueError(anyhow!("a delay of {}s is over SQS's 900s", d.as_secs()))),
    }
}

#[async_trait]
impl JobQueue for SqsQueue {
    async fn send(&self, queue: QueueName, job: &Job, delay: Option<Duration>) -> Result<(), QueueError> {
        let body = serde_json::to_string(job).context("encoding a job")?;
        self.client
            .send_message()
            .queue_url(self.url(queue)?)
            .message_body(body)
            .set_delay_seconds(delay_seconds(delay)?)
            .send()
            .await
            .with_context(|| format!("sending job {} to {}", job.id, queue.as_str()))?;
        Ok(())
    }

    async fn send_batch(&self, queue: QueueName, jobs: &[Job]) -> Result<(), QueueError> {
        let url = self.url(queue)?;
        for chunk in jobs.chunks(MAX_BATCH) {
            let mut entries: Vec<SendMessageBatchRequestEntry> = chunk
                .iter()
                .enumerate()
                .map(|(i, job)| {
                    Ok(SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(serde_json::to_string(job)?)
                        .build()?)
                })
                .collect::<anyhow::Result<_>>()?;
            // A batch can half-succeed: what failed is sent again, twice at most.
            for attempt in 0..3 {
                let out = self
                    .client
                    .send_message_batch()
                    .queue_url(url)
                    .set_entries(Some(entries.clone()))
                    .send()
                    .await
                    .with_context(|| format!("sending a batch to {}", queue.as_str()))?;
                let failed: Vec<&str> = out.failed().iter().map(|f| f.id()).collect();
                entries.retain(|e| failed.contains(&e.id()));
                if entries.is_empty() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            }
            if !entries.is_empty() {
                return Err(QueueError(anyhow!("{} jobs could not be sent to {}", entries.len(), queue.as_str())));
            }
        }
        Ok(())
    }
}
