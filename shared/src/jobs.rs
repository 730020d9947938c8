//! Background jobs: what a queue worker does with a job, and the SQS batch handler that the
//! worker Lambdas and the local runtime's SQS poller share.
//!
//! Delivery is at least once; effects are exactly once. Every job runs under an idempotency
//! record keyed by its id (`Store::begin_effect`): a lease while it runs, "done" for a week
//! after. A redelivered or duplicated job finds "done" and does nothing; one delivered to two
//! workers at once finds the other's lease and comes back later.

use std::collections::HashMap;
use std::time::Duration;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::app::App;
use crate::domain::{ConnectionId, ConversationId, MessageId, TenantId, UserId};
use crate::ports::{EffectClaim, Job, LoggedEvent, QueueName};
use crate::usecases::{emails, notifications, reminders};
use crate::AppError;

pub const FAN_OUT: &str = "fanOut";
pub const NOTIFY_MESSAGE: &str = "notifyMessage";
pub const SEND_EMAILS: &str = "sendEmails";
pub const FIRE_REMINDER: &str = "fireReminder";

/// How long a running job holds its lease: longer than a worker's timeout (30 s), so that
/// a second delivery waits rather than runs alongside.
const LEASE: Duration = Duration::from_secs(120);
/// How long a done job is remembered: longer than SQS keeps a message (4 days by default).
const REMEMBER_DONE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// A large group's event, published by a worker: into each user's feed, then to their
/// connections.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FanOut {
    pub tenant_id: TenantId,
    pub users: Vec<UserId>,
    pub event: LoggedEvent,
    pub skip: Option<ConnectionId>,
    /// When the event is a new message: who sent what, for the offline members' notifications.
    #[serde(default)]
    pub message: Option<crate::usecases::delivery::MessageRef>,
}

/// A message reached members who had no live connection: each gets a `message`
/// notification (and, later, maybe an e-mail).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyMessage {
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub users: Vec<UserId>,
}

/// E-mail what is waiting for a user: now (`digest: false`) or as their digest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendEmails {
    pub user_id: UserId,
    pub digest: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FireReminder {
    pub created_by: UserId,
    pub reminder_id: String,
}

/// Which queue carries each kind of job.
pub fn queue_of(kind: &str) -> QueueName {
    match kind {
        SEND_EMAILS => QueueName::Emails,
        _ => QueueName::Notifications,
    }
}

pub fn job<T: Serialize>(tenant: &TenantId, id: String, kind: &str, payload: &T) -> Result<Job, AppError> {
    Ok(Job { id, tenant_id: tenant.clone(), kind: kind.into(), payload: serde_json::to_value(payload).map_err(AppError::internal)? })
}

fn payload<T: for<'de> Deserialize<'de>>(job: &Job) -> Result<T, AppError> {
    serde_json::from_value(job.payload.clone())
        .map_err(|e| AppError::internal(anyhow::anyhow!("malformed {} job {}: {e}", job.kind, job.id)))
}

/// Runs one job once. An error leaves the job on its queue, to be retried after its backoff
/// and dead-lettered after too many attempts.
pub async fn run(app: &App, job: &Job) -> Result<(), AppError> {
    if once(app, &job.tenant_id, &job.id, perform(app, job)).await?.is_none() {
        tracing::info!(job = %job.id, "job already done, nothing to do");
    }
    Ok(())
}

/// Runs `effect` under the idempotency record `key`: `None` when it happened already; an
/// error when another worker is running it (try again later) or when it fails (its lease is
/// given up so that a retry need not wait for it).
pub async fn once<T>(
    app: &App,
    tenant: &TenantId,
    key: &str,
    effect: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<Option<T>, AppError> {
    let now = app.clock.now();
    let lease_until = now + chrono::Duration::from_std(LEASE).map_err(AppError::internal)?;
    match app.store.begin_effect(tenant, key, now, lease_until).await? {
        EffectClaim::Done => return Ok(None),
        EffectClaim::Busy => return Err(AppError::internal(anyhow::anyhow!("{key} is running elsewhere"))),
        EffectClaim::Acquired => {}
    }
    match effect.await {
        Ok(value) => {
            let keep = app.clock.now() + chrono::Duration::from_std(REMEMBER_DONE).map_err(AppError::internal)?;
            app.store.finish_effect(tenant, key, keep).await?;
            Ok(Some(value))
        }
        Err(e) => {
            if let Err(release) = app.store.release_effect(tenant, key).await {
                tracing::warn!(key, error = %release, "could not release a failed effect's lease");
            }
            Err(e)
        }
    }
}

async fn perform(app: &App, job: &Job) -> Result<(), AppError> {
    let tenant = &job.tenant_id;
    match job.kind.as_str() {
        FAN_OUT => {
            let fan_out: FanOut = payload(job)?;
            app.store.append_events(&fan_out.tenant_id, &fan_out.users, &fan_out.event).await?;
            let offline = crate::usecases::delivery::deliver_to_users(
                app,
                &fan_out.tenant_id,
                &fan_out.users,
                &fan_out.event.frame,
                fan_out.skip.as_ref(),
            )
            .await?;
            if let Some(message) = &fan_out.message {
                notifications::message_reached_offline(app, &fan_out.tenant_id, message, &offline, &job.id).await;
            }
            Ok(())
        }
        NOTIFY_MESSAGE => {
            let notice: NotifyMessage = payload(job)?;
            notifications::notify_message(app, tenant, &notice).await
        }
        SEND_EMAILS => {
            let send: SendEmails = payload(job)?;
            emails::send_pending(app, tenant, &send, &job.id).await
        }
        FIRE_REMINDER => {
            let fire: FireReminder = payload(job)?;
            reminders::fire(app, tenant, &fire).await
        }
        other => Err(AppError::internal(anyhow::anyhow!("unknown job kind {other}"))),
    }
}

/// The wait before attempt `receives + 1` of a failed job: exponential from the configured
/// base, with jitter so that jobs failing together do not retry together, at most 15 min.
pub fn backoff(app: &App, receives: u32) -> Duration {
    let base = app.config.limits.retry_base.as_millis() as u64;
    let full = base.saturating_mul(1 << receives.saturating_sub(1).min(16)).min(15 * 60 * 1000);
    let jitter = u64::from(ulid::Ulid::new().random() as u32) % (full / 2 + 1);
    Duration::from_millis(full / 2 + jitter)
}

/// An SQS batch from `queue`, records processed concurrently, one span each. The same job
/// twice in one batch runs once and both records share its outcome. Failed records are given
/// their backoff (through their visibility timeout) and reported (`ReportBatchItemFailures`)
/// so that only they come back.
pub async fn handle_batch(app: &App, queue: QueueName, event: SqsEvent) -> SqsBatchResponse {
    let mut by_job: HashMap<String, (Job, Vec<(String, Option<String>, u32)>)> = HashMap::new();
    let mut unreadable = Vec::new();
    for record in event.records {
        let id = record.message_id.clone().unwrap_or_default();
        let receives = record.attributes.get("ApproximateReceiveCount").and_then(|v| v.parse().ok()).unwrap_or(1);
        match serde_json::from_str::<Job>(record.body.as_deref().unwrap_or_default()) {
            Ok(job) => by_job.entry(job.id.clone()).or_insert_with(|| (job, Vec::new())).1.push((id, record.receipt_handle, receives)),
            Err(e) => {
                tracing::error!(message_id = %id, error = %e, "a queue record that is not a job");
                unreadable.push((id, record.receipt_handle, receives));
            }
        }
    }
    let runs = by_job.into_values().map(|(job, records)| async move {
        let span = tracing::info_span!("job", job = %job.id, kind = %job.kind, attempt = records[0].2);
        let outcome = run(app, &job).instrument(span).await;
        if let Err(e) = &outcome {
            e.log_if_internal();
        }
        (outcome.is_ok(), records)
    });
    let mut failed: Vec<(String, Option<String>, u32)> = unreadable;
    for (ok, records) in join_all(runs).await {
        if !ok {
            failed.extend(records);
        }
    }
    let mut response = SqsBatchResponse::default();
    for (id, receipt, receives) in failed {
        if let Some(receipt) = receipt {
            if let Err(e) = app.jobs.retry_later(queue, &receipt, backoff(app, receives)).await {
                tracing::warn!(message_id = %id, error = %e, "could not set a failed job's backoff");
            }
        }
        let mut item = BatchItemFailure::default();
        item.item_identifier = id;
        response.batch_item_failures.push(item);
    }
    response
}
