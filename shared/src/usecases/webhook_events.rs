//! Events on their way to webhook endpoints: for each endpoint that hears of an event, a
//! delivery (the body as it will be sent, its event id the same for every endpoint and every
//! attempt) and a `deliverWebhook` job for its first attempt. What happens to an attempt is
//! [`super::webhooks`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::scheduling::SchedulingUseCases;
use crate::domain::*;
use crate::ports::{Clock, WebhookStore};
use crate::AppError;

/// The webhook events use cases, with the ports they use.
#[derive(Clone)]
pub struct WebhookEventsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) webhooks: Arc<dyn WebhookStore>,
    pub(crate) scheduling: SchedulingUseCases,
}

impl WebhookEventsUseCases {
    /// Delivers `data` as a `kind` event (`event_id` names it: `msg_…`, stable across the
    /// caller's retries) to each of the tenant's endpoints that hear of it.
    pub async fn emit(
        &self,
        tenant: &TenantId,
        kind: WebhookEventType,
        event_id: &str,
        data: serde_json::Value,
    ) -> Result<(), AppError> {
        for webhook in self.webhooks.list_webhooks(tenant, MAX_WEBHOOKS).await? {
            if webhook.wants(kind) {
                self.deliver_to(&webhook, kind, event_id, &data).await?;
            }
        }
        Ok(())
    }

    /// A delivery of the event to one endpoint, and its first attempt queued.
    pub(crate) async fn deliver_to(
        &self,
        webhook: &Webhook,
        kind: WebhookEventType,
        event_id: &str,
        data: &serde_json::Value,
    ) -> Result<WebhookDelivery, AppError> {
        let now = self.clock.now();
        let body = json!({ "type": kind.as_str(), "timestamp": now, "data": data }).to_string();
        let delivery = WebhookDelivery {
            id: WebhookDelivery::new_id(now),
            webhook_id: webhook.id.clone(),
            event_id: event_id.to_string(),
            kind,
            body,
            status: DeliveryStatus::Pending,
            attempts: 0,
            last_attempt: None,
            next_attempt_at: Some(now),
            created_at: now,
        };
        self.webhooks.put_delivery(&webhook.tenant_id, &delivery).await?;
        self.attempt_at(&webhook.tenant_id, &delivery, now).await?;
        Ok(delivery)
    }

    /// Queues the delivery's next attempt for `at`.
    pub(crate) async fn attempt_at(
        &self,
        tenant: &TenantId,
        delivery: &WebhookDelivery,
        at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let attempt = (delivery.attempts + 1).to_string();
        let id = JobId::of("webhook", &[&delivery.id, &attempt]);
        let task = Task::DeliverWebhook(DeliverWebhook {
            webhook_id: delivery.webhook_id.clone(),
            delivery_id: delivery.id.clone(),
        });
        self.scheduling.enqueue_at(Job::new(tenant, id, task), at).await
    }
}

/// An event id for what has an id of its own: `msg_{kind}_{id}`, the same however often the
/// work that emits it runs.
pub fn event_id(kind: WebhookEventType, id: &str) -> String {
    format!("msg_{}_{id}", kind.as_str().replace('.', "_"))
}
