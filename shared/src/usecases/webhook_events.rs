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
use crate::runtime::{DirectoryCache, WebhookFilters};
use crate::AppError;

/// The webhook events use cases, with the ports they use.
#[derive(Clone)]
pub struct WebhookEventsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) webhooks: Arc<dyn WebhookStore>,
    pub(crate) directory: Arc<DirectoryCache>,
    pub(crate) scheduling: SchedulingUseCases,
}

impl WebhookEventsUseCases {
    /// Where the work happens: `kind` happened, `data` says what. If one of the tenant's
    /// endpoints hears of it, an `emitWebhookEvent` job delivers it to each (its id the event's,
    /// so that the same event published again — a retry of the work — is delivered once). Costs
    /// nothing when none does: the tenant's filters are remembered per process for
    /// `Limits::directory_cache_ttl`, and an endpoint made in another process is heard from
    /// within that time. A failure is logged, never the caller's: the work is done.
    pub async fn publish(&self, tenant: &TenantId, kind: WebhookEventType, event_id: String, data: serde_json::Value) {
        let wanted = match self.filters(tenant).await {
            Ok(filters) => filters.iter().any(|f| f.is_empty() || f.contains(&kind)),
            Err(e) => {
                tracing::error!(tenant = %tenant, kind = kind.as_str(), error = %e, "could not read the webhooks: event not emitted");
                return;
            }
        };
        if !wanted {
            return;
        }
        let id = JobId::of("emit", &[&event_id]);
        let job = Job::new(tenant, id, Task::EmitWebhookEvent(EmitWebhookEvent { kind, event_id, data }));
        if let Err(e) = self.scheduling.enqueue_at(job, self.clock.now()).await {
            tracing::error!(tenant = %tenant, kind = kind.as_str(), error = %e, "could not queue a webhook event");
        }
    }

    /// The tenant's endpoints changed in this process: read them again at the next event.
    pub(crate) fn endpoints_changed(&self, tenant: &TenantId) {
        self.directory.forget_webhook_filters(tenant);
    }

    async fn filters(&self, tenant: &TenantId) -> Result<WebhookFilters, AppError> {
        let now = self.clock.now();
        if let Some(filters) = self.directory.webhook_filters(tenant, now) {
            return Ok(filters);
        }
        let endpoints = self.webhooks.list_webhooks(tenant, MAX_WEBHOOKS).await?;
        let filters: WebhookFilters =
            endpoints.into_iter().filter(|w| w.disabled.is_none()).map(|w| w.events).collect();
        self.directory.keep_webhook_filters(tenant, filters.clone(), now);
        Ok(filters)
    }

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
