//! Background jobs: what a queue worker does with a job, and the SQS batch handler that the
//! worker Lambda and the local runtime's SQS poller share.
//!
//! Delivery is at least once: a job may run twice, so each job's effect is idempotent (a
//! fan-out writes the same feed entries again and pushes an event whose cursor lets clients
//! drop the repeat).

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::app::App;
use crate::domain::{ConnectionId, TenantId, UserId};
use crate::ports::{Job, LoggedEvent};
use crate::AppError;

pub const FAN_OUT: &str = "fanOut";

/// A large group's event, published by a worker: into each user's feed, then to their
/// connections.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FanOut {
    pub tenant_id: TenantId,
    pub users: Vec<UserId>,
    pub event: LoggedEvent,
    pub skip: Option<ConnectionId>,
}

/// Runs one job. An error leaves the job on its queue, to be retried after its visibility
/// timeout and dead-lettered after too many attempts.
pub async fn run(app: &App, job: &Job) -> Result<(), AppError> {
    match job.kind.as_str() {
        FAN_OUT => {
            let fan_out: FanOut = serde_json::from_value(job.payload.clone())
                .map_err(|e| AppError::internal(anyhow::anyhow!("malformed fan-out job {}: {e}", job.id)))?;
            app.store.append_events(&fan_out.tenant_id, &fan_out.users, &fan_out.event).await?;
            crate::usecases::delivery::deliver_to_users(app, &fan_out.tenant_id, &fan_out.users, &fan_out.event.frame, fan_out.skip.as_ref())
                .await
        }
        other => Err(AppError::internal(anyhow::anyhow!("unknown job kind {other}"))),
    }
}

/// An SQS batch, records processed concurrently, one span each; the failed ones are
/// reported (`ReportBatchItemFailures`) so that only they come back.
pub async fn handle_batch(app: &App, event: SqsEvent) -> SqsBatchResponse {
    let runs = event.records.into_iter().map(|record| async move {
        let id = record.message_id.clone().unwrap_or_default();
        let span = tracing::info_span!("job", message_id = %id, job = tracing::field::Empty);
        let outcome = async {
            let job: Job = serde_json::from_str(record.body.as_deref().unwrap_or_default())
                .map_err(|e| AppError::internal(anyhow::anyhow!("not a job: {e}")))?;
            tracing::Span::current().record("job", job.id.as_str());
            run(app, &job).await
        }
        .instrument(span)
        .await;
        outcome.map_err(|e| {
            e.log_if_internal();
            id
        })
    });
    let mut response = SqsBatchResponse::default();
    for failed in join_all(runs).await.into_iter().filter_map(Result::err) {
        let mut item = BatchItemFailure::default();
        item.item_identifier = failed;
        response.batch_item_failures.push(item);
    }
    response
}
