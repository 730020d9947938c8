//! Background work in the local runtime: workers that take the jobs of the in-process queue
//! ([`LocalQueue`]) and run them with the same worker as the Lambda functions; with
//! `--backend aws`, pollers that read the real SQS queues instead and hand their batches to
//! the same SQS batch handler as the Lambda event source mapping.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use missive::adapters::local::LocalQueue;
use missive::metrics::Metric;
use missive::workers::{self, Worker};
use missive::App;
use tokio::sync::watch;
use tokio::time::Instant;

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
                    app.services.metrics.count(Metric::JobRetries, 1, None, app.ports.clock.now());
                }
                let backoff = workers::backoff(&app, receives);
                queue.settle(name, &job.id, outcome.map_err(|_| ()), backoff);
            }
            Err(next) => {
                let wait = next.map_or(Duration::from_secs(3600), |at| at.saturating_duration_since(Instant::now()));
                tokio::select! {
                    _ = queue.wait_for_work(name, wait) => {}
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
