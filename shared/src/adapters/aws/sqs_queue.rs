//! The job queue on SQS: one standard queue per `QueueName`.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, QueueAttributeName, SendMessageBatchRequestEntry};
use aws_sdk_sqs::Client;

use super::retries::CountRetries;
use crate::domain::{Job, QueueName};
use crate::metrics::Metrics;
use crate::ports::{JobQueue, QueueError, QueueStats, MAX_DELAY};

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

    /// The queues as every process that runs on AWS wires them: the client from `sdk`, its
    /// retries counted in `metrics`.
    pub fn from_sdk(sdk: &aws_config::SdkConfig, urls: HashMap<QueueName, String>, metrics: Metrics) -> Self {
        let config = aws_sdk_sqs::config::Builder::from(sdk).interceptor(CountRetries::new(metrics)).build();
        Self::new(Client::from_conf(config), urls)
    }

    /// The SQS client, for a process that also receives from the queues (the local runtime).
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn url(&self, queue: QueueName) -> Result<&str, QueueError> {
        self.urls
            .get(&queue)
            .map(String::as_str)
            .ok_or_else(|| QueueError(anyhow!("no URL for queue {}", queue.as_str())))
    }

    async fn attributes(
        &self,
        url: &str,
        names: &[QueueAttributeName],
    ) -> anyhow::Result<HashMap<QueueAttributeName, String>> {
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .set_attribute_names(Some(names.to_vec()))
            .send()
            .await
            .with_context(|| format!("reading the attributes of {url}"))?;
        Ok(out.attributes.unwrap_or_default())
    }

    /// Sends jobs of one queue in batches of ten; what a batch fails to take is sent again,
    /// twice at most.
    async fn send_batch(&self, queue: QueueName, jobs: &[&Job]) -> Result<(), QueueError> {
        if jobs.is_empty() {
            return Ok(());
        }
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

    /// The dead-letter queue's URL, from the queue's redrive policy.
    async fn dead_letter_url(&self, queue: QueueName) -> anyhow::Result<String> {
        let attributes = self.attributes(self.url(queue)?, &[QueueAttributeName::RedrivePolicy]).await?;
        let policy: serde_json::Value = serde_json::from_str(
            attributes.get(&QueueAttributeName::RedrivePolicy).context("the queue has no redrive policy")?,
        )?;
        let arn = policy["deadLetterTargetArn"].as_str().context("no deadLetterTargetArn")?;
        let name = arn.rsplit(':').next().context("a malformed queue ARN")?;
        let out =
            self.client.get_queue_url().queue_name(name).send().await.with_context(|| format!("finding {name}"))?;
        Ok(out.queue_url().context("no dead-letter queue URL")?.to_string())
    }
}

fn count(attributes: &HashMap<QueueAttributeName, String>, name: QueueAttributeName) -> u64 {
    attributes.get(&name).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// SQS counts delays in whole seconds: a fraction rounds up, so that a job never arrives
/// before it is due (one that came early would find its work not yet due and enqueue itself
/// again for the fraction left, rounded down to 0: a loop until the due time).
fn delay_seconds(delay: Option<Duration>) -> Result<Option<i32>, QueueError> {
    match delay {
        None => Ok(None),
        Some(d) if d <= MAX_DELAY => Ok(Some((d.as_secs() + u64::from(d.subsec_nanos() > 0)) as i32)),
        Some(d) => Err(QueueError(anyhow!("a delay of {}s is over SQS's 900s", d.as_secs()))),
    }
}

#[async_trait]
impl JobQueue for SqsQueue {
    async fn enqueue(&self, job: &Job, delay: Option<Duration>) -> Result<(), QueueError> {
        let queue = job.queue();
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

    async fn enqueue_batch(&self, jobs: &[Job]) -> Result<(), QueueError> {
        for queue in QueueName::ALL {
            let on_queue: Vec<&Job> = jobs.iter().filter(|j| j.queue() == queue).collect();
            self.send_batch(queue, &on_queue).await?;
        }
        Ok(())
    }

    async fn stats(&self, queue: QueueName) -> Result<QueueStats, QueueError> {
        use QueueAttributeName::*;
        let main = self
            .attributes(
                self.url(queue)?,
                &[
                    ApproximateNumberOfMessages,
                    ApproximateNumberOfMessagesNotVisible,
                    ApproximateNumberOfMessagesDelayed,
                ],
            )
            .await?;
        let dead = self.attributes(&self.dead_letter_url(queue).await?, &[ApproximateNumberOfMessages]).await?;
        Ok(QueueStats {
            name: queue.as_str().into(),
            visible: count(&main, ApproximateNumberOfMessages),
            in_flight: count(&main, ApproximateNumberOfMessagesNotVisible),
            delayed: count(&main, ApproximateNumberOfMessagesDelayed),
            dead_lettered: count(&dead, ApproximateNumberOfMessages),
            // SQS tells a queue's oldest age only through CloudWatch
            // (ApproximateAgeOfOldestMessage, on the dashboard and its alarm).
            oldest_age_seconds: None,
            oldest_dead_letter_age_seconds: None,
        })
    }

    async fn redrive(&self, queue: QueueName) -> Result<u64, QueueError> {
        let target = self.url(queue)?;
        let dlq = self.dead_letter_url(queue).await?;
        let mut moved = 0u64;
        // Received jobs stay hidden for a minute: each pass sees new ones, and a job whose
        // send fails reappears in the dead-letter queue instead of being lost.
        for _ in 0..REDRIVE_MAX_PASSES {
            let out = self
                .client
                .receive_message()
                .queue_url(&dlq)
                .max_number_of_messages(MAX_BATCH as i32)
                .visibility_timeout(60)
                .send()
                .await
                .context("reading the dead-letter queue")?;
            let messages = out.messages.unwrap_or_default();
            if messages.is_empty() {
                break;
            }
            for m in &messages {
                let body = m.body().unwrap_or_default();
                self.client
                    .send_message()
                    .queue_url(target)
                    .message_body(body)
                    .send()
                    .await
                    .context("sending a job back")?;
            }
            let entries: Vec<DeleteMessageBatchRequestEntry> = messages
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(m.receipt_handle()?)
                        .build()
                        .ok()
                })
                .collect();
            self.client
                .delete_message_batch()
                .queue_url(&dlq)
                .set_entries(Some(entries))
                .send()
                .await
                .context("deleting redriven jobs")?;
            moved += messages.len() as u64;
        }
        Ok(moved)
    }

    async fn retry_later(&self, queue: QueueName, receipt: &str, delay: Duration) -> Result<(), QueueError> {
        let seconds = delay.as_secs().min(12 * 60 * 60) as i32;
        self.client
            .change_message_visibility()
            .queue_url(self.url(queue)?)
            .receipt_handle(receipt)
            .visibility_timeout(seconds)
            .send()
            .await
            .context("delaying a failed job")?;
        Ok(())
    }
}

/// At most this many batches of ten move per redrive call; call again for more.
const REDRIVE_MAX_PASSES: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delay_rounds_up_to_whole_seconds_so_a_job_never_arrives_early() {
        let secs = |ms: u64| delay_seconds(Some(Duration::from_millis(ms))).unwrap();
        assert_eq!(
            (secs(0), secs(1), secs(1_000), secs(1_001), secs(599_900)),
            (Some(0), Some(1), Some(1), Some(2), Some(600))
        );
        assert_eq!(secs(900_000), Some(900));
        assert!(delay_seconds(Some(Duration::from_millis(900_001))).is_err(), "over SQS's limit");
        assert_eq!(delay_seconds(None).unwrap(), None);
    }
}
