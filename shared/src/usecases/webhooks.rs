//! A tenant's webhook endpoints (its admins': create with a secret shown once, change,
//! rotate the secret with a day's overlap, test, delete) and each delivery's attempts: signed
//! per the Standard Webhooks specification, retried with growing, jittered delays for 24
//! hours, the endpoint disabled when its receiver answers 410 or has failed for three days
//! (its admins are told), every attempt in the endpoint's delivery log for 7 days, and a
//! delivery retried by hand.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::audit::{Act, AuditUseCases};
use super::identity::Identity;
use super::notifications::{Draft, NotificationsUseCases};
use super::webhook_events::{event_id, WebhookEventsUseCases};
use crate::config::Limits;
use crate::domain::*;
use crate::metrics::{Metric, Metrics};
use crate::ports::{Clock, Ids, UserStore, WebhookRequest, WebhookSendError, WebhookSender, WebhookStore};
use crate::AppError;

/// A failed attempt's next one waits `retry_base` times these (5 s, 30 s, 2 min, 10 min,
/// 30 min, 1 h, 2 h, 4 h, 8 h with the default base of 5 s), the last repeated, each ±20%.
const RETRY_STEPS: [u32; 9] = [1, 6, 24, 120, 360, 720, 1440, 2880, 5760];
/// Deliveries per page of the log.
const MAX_PAGE: usize = 100;
/// Users read (a page at a time) to find a tenant's admins when an endpoint is disabled.
const ADMIN_SEARCH_PAGES: usize = 10;

/// The webhooks use cases, with the ports they use.
#[derive(Clone)]
pub struct WebhooksUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) webhooks: Arc<dyn WebhookStore>,
    pub(crate) sender: Arc<dyn WebhookSender>,
    pub(crate) metrics: Metrics,
    pub(crate) limits: Limits,
    /// Plain `http` to this machine (the local runtime's receivers).
    pub(crate) loopback_allowed: bool,
    pub(crate) events: WebhookEventsUseCases,
    pub(crate) notifications: NotificationsUseCases,
    pub(crate) audit: AuditUseCases,
}

/// `POST /v1/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWebhook {
    pub url: String,
    /// The events it hears of; empty or absent: every event, future ones included.
    #[serde(default)]
    pub events: Vec<WebhookEventType>,
    #[serde(default)]
    pub description: String,
}

/// `PATCH /v1/webhooks/{id}`: what is given changes; `enabled: true` enables a disabled one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<WebhookEventType>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// An endpoint just made, with its signing secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedWebhook {
    pub webhook: WebhookView,
    /// `whsec_…`: the key of `webhook-signature` (base64 after the prefix).
    pub secret: String,
}

/// A new secret (`rotate-secret`): shown this once; the previous one signs for 24 hours more.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RotatedSecret {
    pub secret: String,
    pub previous_expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub webhooks: Vec<WebhookView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPage {
    pub deliveries: Vec<WebhookDelivery>,
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

impl WebhooksUseCases {
    pub async fn create(&self, who: &Identity, new: NewWebhook) -> Result<CreatedWebhook, AppError> {
        who.require_role(&[Role::Admin])?;
        let held = self.webhooks.list_webhooks(&who.tenant_id, MAX_WEBHOOKS + 1).await?;
        if held.len() >= MAX_WEBHOOKS {
            return Err(AppError::invalid(format!("at most {MAX_WEBHOOKS} webhooks per tenant")));
        }
        let now = self.clock.now();
        let webhook = Webhook {
            tenant_id: who.tenant_id.clone(),
            id: self.ids.ulid(),
            url: check_webhook_url(&new.url, self.loopback_allowed)?,
            events: check_events(new.events)?,
            description: check_description(&new.description)?,
            secrets: vec![SigningSecret { secret: new_webhook_secret(), expires_at: None }],
            disabled: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
        };
        self.webhooks.put_webhook(&webhook).await?;
        self.events.endpoints_changed(&who.tenant_id);
        tracing::info!(tenant = %who.tenant_id, webhook = %webhook.id, "webhook created");
        let act = Act::on(AuditAction::WebhookCreated, &webhook.id).with(json!({ "host": url_host(&webhook.url) }));
        self.audit.record(&who.tenant_id, &AuditActor::of(who), vec![act]).await?;
        Ok(CreatedWebhook { webhook: webhook.view(), secret: webhook.secrets[0].secret.clone() })
    }

    pub async fn list(&self, who: &Identity) -> Result<WebhookList, AppError> {
        who.require_role(&[Role::Admin])?;
        let webhooks = self.webhooks.list_webhooks(&who.tenant_id, MAX_WEBHOOKS).await?;
        Ok(WebhookList { webhooks: webhooks.iter().map(Webhook::view).collect() })
    }

    pub async fn get(&self, who: &Identity, id: &str) -> Result<WebhookView, AppError> {
        Ok(self.load(who, id).await?.view())
    }

    pub async fn update(&self, who: &Identity, id: &str, patch: WebhookPatch) -> Result<WebhookView, AppError> {
        self.load(who, id).await?;
        let url = patch.url.map(|url| check_webhook_url(&url, self.loopback_allowed)).transpose()?;
        let events = patch.events.map(check_events).transpose()?;
        let description = patch.description.map(|d| check_description(&d)).transpose()?;
        let now = self.clock.now();
        let webhook = self
            .change_webhook(&who.tenant_id, id, |webhook| {
                if let Some(url) = &url {
                    webhook.url = url.clone();
                }
                if let Some(events) = &events {
                    webhook.events = events.clone();
                }
                if let Some(description) = &description {
                    webhook.description = description.clone();
                }
                match patch.enabled {
                    Some(true) => {
                        webhook.disabled = None;
                        webhook.failing_since = None;
                    }
                    Some(false) if webhook.disabled.is_none() => {
                        webhook.disabled = Some(Disabled { at: now, reason: "disabled by an admin".into() });
                    }
                    _ => {}
                }
                webhook.updated_at = now;
                true
            })
            .await?
            .ok_or_else(|| AppError::not_found("webhook"))?;
        self.events.endpoints_changed(&who.tenant_id);
        let details = json!({ "host": url_host(&webhook.url), "enabled": webhook.disabled.is_none() });
        let act = Act::on(AuditAction::WebhookUpdated, &webhook.id).with(details);
        self.audit.record(&who.tenant_id, &AuditActor::of(who), vec![act]).await?;
        Ok(webhook.view())
    }

    pub async fn delete(&self, who: &Identity, id: &str) -> Result<(), AppError> {
        let webhook = self.load(who, id).await?;
        self.webhooks.delete_webhook(&who.tenant_id, id).await?;
        self.events.endpoints_changed(&who.tenant_id);
        tracing::info!(tenant = %who.tenant_id, webhook = %id, "webhook deleted");
        let act = Act::on(AuditAction::WebhookDeleted, id).with(json!({ "host": url_host(&webhook.url) }));
        self.audit.record(&who.tenant_id, &AuditActor::of(who), vec![act]).await?;
        Ok(())
    }

    /// A new secret; the current one keeps signing for 24 hours (both are sent), so that the
    /// receiver can switch without losing an event.
    pub async fn rotate_secret(&self, who: &Identity, id: &str) -> Result<RotatedSecret, AppError> {
        self.load(who, id).await?;
        let now = self.clock.now();
        let previous_expires_at = now + Duration::hours(SECRET_OVERLAP_HOURS);
        let secret = new_webhook_secret();
        let webhook = self
            .change_webhook(&who.tenant_id, id, |webhook| {
                webhook.secrets.retain(|s| s.expires_at.is_none_or(|at| at > now));
                for kept in &mut webhook.secrets {
                    kept.expires_at =
                        Some(kept.expires_at.map_or(previous_expires_at, |at| at.min(previous_expires_at)));
                }
                webhook.secrets.insert(0, SigningSecret { secret: secret.clone(), expires_at: None });
                webhook.updated_at = now;
                true
            })
            .await?
            .ok_or_else(|| AppError::not_found("webhook"))?;
        let act = Act::on(AuditAction::WebhookSecretRotated, &webhook.id);
        self.audit.record(&who.tenant_id, &AuditActor::of(who), vec![act]).await?;
        Ok(RotatedSecret { secret, previous_expires_at })
    }

    /// A `webhook.test` event to this endpoint (whatever its filter): its delivery, to follow
    /// in the log.
    pub async fn test(&self, who: &Identity, id: &str) -> Result<WebhookDelivery, AppError> {
        let webhook = self.load(who, id).await?;
        let event = event_id(WebhookEventType::WebhookTest, &self.ids.ulid());
        let data = json!({ "webhookId": webhook.id, "message": "A test from Missive: this endpoint is reached." });
        self.events.deliver_to(&webhook, WebhookEventType::WebhookTest, &event, &data).await
    }

    /// The endpoint's deliveries of the last 7 days, newest first.
    pub async fn deliveries(
        &self,
        who: &Identity,
        id: &str,
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<DeliveryPage, AppError> {
        self.load(who, id).await?;
        let limit = limit.unwrap_or(20).clamp(1, MAX_PAGE);
        let page = self.webhooks.list_deliveries(&who.tenant_id, id, cursor, limit).await?;
        Ok(DeliveryPage { deliveries: page.items, next_cursor: page.next_cursor })
    }

    /// Tries a delivery again now (a failed one, or one still retrying: its next attempt comes
    /// sooner); a delivered one is sent again too, as asked.
    pub async fn retry(&self, who: &Identity, id: &str, delivery_id: &str) -> Result<WebhookDelivery, AppError> {
        let webhook = self.load(who, id).await?;
        let mut delivery = self
            .webhooks
            .get_delivery(&who.tenant_id, &webhook.id, delivery_id)
            .await?
            .ok_or_else(|| AppError::not_found("delivery"))?;
        let now = self.clock.now();
        delivery.status = DeliveryStatus::Pending;
        delivery.next_attempt_at = Some(now);
        self.webhooks.put_delivery(&who.tenant_id, &delivery).await?;
        self.events.attempt_at(&who.tenant_id, &delivery, now).await?;
        Ok(delivery)
    }

    /// The `deliverWebhook` job: one attempt, recorded; the next one arranged when it failed.
    pub async fn deliver(&self, tenant: &TenantId, job: &DeliverWebhook) -> Result<(), AppError> {
        let Some(mut delivery) = self.webhooks.get_delivery(tenant, &job.webhook_id, &job.delivery_id).await? else {
            return Ok(()); // older than 7 days
        };
        if delivery.status == DeliveryStatus::Delivered || delivery.status == DeliveryStatus::Failed {
            return Ok(()); // a repeated job; a retry by hand sets it pending first
        }
        let Some(mut webhook) = self.webhooks.get_webhook(tenant, &job.webhook_id).await? else {
            return self.give_up(tenant, delivery, "the endpoint was deleted").await;
        };
        if let Some(disabled) = &webhook.disabled {
            let why = format!("the endpoint is disabled: {}", disabled.reason);
            return self.give_up(tenant, delivery, &why).await;
        }

        let now = self.clock.now();
        let timestamp = now.timestamp();
        let request =
            signed_request(&webhook.url, webhook.signing_secrets(now), &delivery.event_id, timestamp, &delivery.body);
        let started = Instant::now();
        let answer = self.sender.post(&request).await;
        let duration_ms = started.elapsed().as_millis() as u64;
        let (status_code, error) = match &answer {
            Ok(code) => (Some(*code), (!(200..300).contains(code)).then(|| format!("answered {code}"))),
            Err(WebhookSendError::Refused(why)) | Err(WebhookSendError::NoAnswer(why)) => (None, Some(why.clone())),
        };
        delivery.attempts += 1;
        delivery.last_attempt = Some(Attempt { at: now, status_code, duration_ms, error: error.clone() });
        let count = |metric| self.metrics.count(metric, 1, Some(tenant), now);

        if error.is_none() {
            count(Metric::WebhooksDelivered);
            delivery.status = DeliveryStatus::Delivered;
            delivery.next_attempt_at = None;
            self.webhooks.put_delivery(tenant, &delivery).await?;
            if webhook.failing_since.is_some() {
                self.change_webhook(tenant, &webhook.id, |w| {
                    let recovered = w.failing_since.take().is_some();
                    if recovered {
                        w.updated_at = now;
                    }
                    recovered
                })
                .await?;
            }
            return Ok(());
        }
        count(Metric::WebhooksFailed);
        tracing::warn!(tenant = %tenant, webhook = %webhook.id, delivery = %delivery.id, attempt = delivery.attempts, error = error.as_deref().unwrap_or(""), "webhook attempt failed");
        if status_code == Some(410) {
            self.disable(&webhook, DisableReason::Gone, now).await?;
            return self.give_up(tenant, delivery, "the receiver answered 410 Gone").await;
        }
        let failing_since = *webhook.failing_since.get_or_insert(now);
        if now - failing_since >= Duration::days(DISABLE_AFTER_FAILING_DAYS) {
            self.disable(&webhook, DisableReason::FailingForDays, now).await?;
            return self.give_up(tenant, delivery, "the endpoint was disabled after 3 days of failures").await;
        }
        if failing_since == now {
            self.change_webhook(tenant, &webhook.id, |w| {
                let first_failure = w.failing_since.is_none();
                if first_failure {
                    w.failing_since = Some(now);
                    w.updated_at = now;
                }
                first_failure
            })
            .await?;
        }
        if now - delivery.created_at >= Duration::hours(RETRY_FOR_HOURS) {
            return self.give_up(tenant, delivery, "failed for 24 hours").await;
        }
        let next = now + backoff(self.limits.webhook_retry_base, delivery.attempts);
        delivery.status = DeliveryStatus::Retrying;
        delivery.next_attempt_at = Some(next);
        self.webhooks.put_delivery(tenant, &delivery).await?;
        self.events.attempt_at(tenant, &delivery, next).await
    }

    async fn give_up(&self, tenant: &TenantId, mut delivery: WebhookDelivery, why: &str) -> Result<(), AppError> {
        tracing::warn!(tenant = %tenant, webhook = %delivery.webhook_id, delivery = %delivery.id, why, "webhook delivery given up");
        delivery.status = DeliveryStatus::Failed;
        delivery.next_attempt_at = None;
        if let Some(last) = &mut delivery.last_attempt {
            last.error = Some(match &last.error {
                Some(error) => format!("{error}; {why}"),
                None => why.to_string(),
            });
        }
        Ok(self.webhooks.put_delivery(tenant, &delivery).await?)
    }

    /// Disables the endpoint and tells the tenant's admins (in their bell, and as their
    /// preferences say), once.
    async fn disable(&self, webhook: &Webhook, reason: DisableReason, now: DateTime<Utc>) -> Result<(), AppError> {
        let why = reason.text(Locale::En);
        let mut disabled_now = false;
        self.change_webhook(&webhook.tenant_id, &webhook.id, |w| {
            disabled_now = w.disabled.is_none();
            if disabled_now {
                w.disabled = Some(Disabled { at: now, reason: why.into() });
                w.updated_at = now;
            }
            disabled_now
        })
        .await?;
        if !disabled_now {
            return Ok(()); // disabled already (by an admin, or another delivery): told once
        }
        self.events.endpoints_changed(&webhook.tenant_id);
        tracing::warn!(tenant = %webhook.tenant_id, webhook = %webhook.id, reason = why, "webhook disabled");
        let tenant = &webhook.tenant_id;
        let mut admins = Vec::new();
        let mut after = None;
        for _ in 0..ADMIN_SEARCH_PAGES {
            let page = self.users.list_users(tenant, after.as_ref(), 100).await?;
            admins.extend(page.items.iter().filter(|u| u.role == Role::Admin).map(|u| (u.id.clone(), u.locale)));
            match page.items.last() {
                Some(last) if page.next_cursor.is_some() => after = Some(last.id.clone()),
                _ => break,
            }
        }
        for locale in [Locale::Fr, Locale::En] {
            let users: Vec<UserId> = admins.iter().filter(|(_, l)| *l == locale).map(|(id, _)| id.clone()).collect();
            if users.is_empty() {
                continue;
            }
            let (title, body) = match locale {
                Locale::Fr => (
                    format!("Webhook désactivé : {}", url_host(&webhook.url)),
                    format!("{}. Réactivez-le quand le récepteur fonctionne.", reason.text(locale)),
                ),
                Locale::En => (
                    format!("Webhook disabled: {}", url_host(&webhook.url)),
                    format!("{}. Enable it again once the receiver works.", reason.text(locale)),
                ),
            };
            let draft = Draft {
                kind: NotificationType::System,
                title: title.chars().take(200).collect(),
                body,
                action_url: None,
                action_label: None,
                conversation_id: None,
                message_id: None,
                priority: Priority::Normal,
            };
            self.notifications.notify_users(tenant, &users, &draft, None).await?;
        }
        Ok(())
    }

    /// Changes an endpoint as `change` says (`false`: nothing to change), over the record as it
    /// is now: when another change landed between the read and the write — an admin's edit, a
    /// rotation, a delivery's health — it is read again and the change made over it, so that
    /// none undoes another. `None` when the endpoint is gone.
    async fn change_webhook(
        &self,
        tenant: &TenantId,
        id: &str,
        mut change: impl FnMut(&mut Webhook) -> bool,
    ) -> Result<Option<Webhook>, AppError> {
        for _ in 0..CHANGE_ATTEMPTS {
            let Some(current) = self.webhooks.get_webhook(tenant, id).await? else { return Ok(None) };
            let mut changed = current.clone();
            if !change(&mut changed) {
                return Ok(Some(current));
            }
            if self.webhooks.replace_webhook(&current, &changed).await? {
                return Ok(Some(changed));
            }
        }
        Err(AppError::Conflict("the webhook keeps changing: try again".into()))
    }

    async fn load(&self, who: &Identity, id: &str) -> Result<Webhook, AppError> {
        who.require_role(&[Role::Admin])?;
        self.webhooks.get_webhook(&who.tenant_id, id).await?.ok_or_else(|| AppError::not_found("webhook"))
    }
}

/// How often a change of an endpoint is made again over a newer record before giving up.
const CHANGE_ATTEMPTS: usize = 5;

/// The wait after failed attempt number `attempts` (1 for the first).
fn backoff(base: std::time::Duration, attempts: u32) -> Duration {
    let step = RETRY_STEPS[(attempts.max(1) as usize - 1).min(RETRY_STEPS.len() - 1)];
    let full = base.as_millis() as u64 * u64::from(step);
    // ±20%: endpoints failing together do not retry together.
    let jitter = u64::from(ulid::Ulid::new().random() as u32) % (full * 2 / 5 + 1);
    Duration::milliseconds((full - full / 5 + jitter) as i64)
}

/// Why Missive disabled an endpoint, in the admins' language.
#[derive(Clone, Copy)]
enum DisableReason {
    Gone,
    FailingForDays,
}

impl DisableReason {
    fn text(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Self::Gone, Locale::En) => "the receiver answered 410 Gone",
            (Self::Gone, Locale::Fr) => "le récepteur a répondu 410 Gone",
            (Self::FailingForDays, Locale::En) => "every delivery failed for 3 days",
            (Self::FailingForDays, Locale::Fr) => "toutes les livraisons ont échoué pendant 3 jours",
        }
    }
}

fn check_events(mut events: Vec<WebhookEventType>) -> Result<Vec<WebhookEventType>, AppError> {
    if events.contains(&WebhookEventType::WebhookTest) {
        return Err(AppError::invalid("events: webhook.test goes by POST /v1/webhooks/{id}/test only"));
    }
    events.sort_by_key(|e| e.as_str());
    events.dedup();
    Ok(events)
}

fn check_description(description: &str) -> Result<String, AppError> {
    let description = description.trim();
    if description.chars().count() > 200 || description.chars().any(char::is_control) {
        return Err(AppError::invalid("description: at most 200 characters, no control characters"));
    }
    Ok(description.to_string())
}

/// A JSON POST signed per the Standard Webhooks specification: `webhook-id`,
/// `webhook-timestamp` (seconds) and `webhook-signature` under each of `secrets`.
pub(crate) fn signed_request<'a>(
    url: &str,
    secrets: impl Iterator<Item = &'a str>,
    id: &str,
    timestamp: i64,
    body: &str,
) -> WebhookRequest {
    WebhookRequest {
        url: url.to_string(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("webhook-id".into(), id.to_string()),
            ("webhook-timestamp".into(), timestamp.to_string()),
            ("webhook-signature".into(), webhook_signature(secrets, id, timestamp, body)),
        ],
        body: body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_within_their_jitter_up_to_eight_hours() {
        let base = std::time::Duration::from_secs(5);
        let expected_minutes = [5.0 / 60.0, 0.5, 2.0, 10.0, 30.0, 60.0, 120.0, 240.0, 480.0, 480.0, 480.0];
        for (n, minutes) in expected_minutes.iter().enumerate() {
            for _ in 0..50 {
                let wait = backoff(base, n as u32 + 1).num_milliseconds() as f64 / 60_000.0;
                assert!(wait >= minutes * 0.8 - 1e-9 && wait <= minutes * 1.2 + 1e-9, "attempt {}: {wait} min", n + 1);
            }
        }
    }
}
