//! Tenants' quotas enforced: each use of a counted resource takes from the tenant's count for
//! the window (docs/operations.md, "Quotas"). The count is the store's, shared by every process;
//! messages are leased in batches ([`QuotaLeases`]) so that a send rarely asks the store.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::identity::IdentityUseCases;
use crate::config::Limits;
use crate::domain::{connection_slot, live_connection_slots, Connection, Quota, TenantId};
use crate::metrics::Metrics;
use crate::ports::{Clock, UsageStore, UsageTake};
use crate::runtime::QuotaLeases;
use crate::AppError;

/// The quotas use cases, with the ports they use.
#[derive(Clone)]
pub struct QuotaUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) usage: Arc<dyn UsageStore>,
    pub(crate) leases: Arc<QuotaLeases>,
    pub(crate) metrics: Metrics,
    pub(crate) limits: Limits,
    pub(crate) identity: IdentityUseCases,
}

impl QuotaUseCases {
    /// The tenant's limit for `quota`: its own, else the platform's default.
    pub async fn limit(&self, tenant: &TenantId, quota: Quota) -> Result<u64, AppError> {
        let own = self.identity.tenant_of(tenant).await?.and_then(|t| t.quotas.get(quota));
        Ok(own.unwrap_or_else(|| self.limits.quotas.get(quota)))
    }

    /// One message of the tenant, counted against its messages per minute.
    pub async fn take_message(&self, tenant: &TenantId) -> Result<(), AppError> {
        let quota = Quota::MessagesPerMinute;
        let now = self.clock.now();
        let window = quota.window(now);
        if self.leases.use_one(tenant, window.start) {
            return Ok(());
        }
        let limit = self.limit(tenant, quota).await?;
        let take = UsageTake {
            counter: counter(quota, window.start),
            counted_with: Vec::new(),
            wanted: self.leases.next_size(tenant, window.start, limit),
            at_least: 1,
            limit,
            expires_at: window.end,
            now,
        };
        let granted = self.usage.take_usage(tenant, &take).await?;
        if granted == 0 {
            return Err(self.exceeded(tenant, quota, window.seconds_left(now), now));
        }
        self.leases.keep(tenant, window.start, granted - 1);
        Ok(())
    }

    /// A message taken at `taken_at` that stored nothing new (a repeated send: the same
    /// `clientMessageId`): put back, so that resending what was sent costs nothing.
    pub fn put_back_message(&self, tenant: &TenantId, taken_at: DateTime<Utc>) {
        self.leases.put_back(tenant, Quota::MessagesPerMinute.window(taken_at).start);
    }

    /// `amount` of a quota counted per window (e-mails, upload bytes), all or nothing.
    pub async fn take(&self, tenant: &TenantId, quota: Quota, amount: u64) -> Result<(), AppError> {
        let now = self.clock.now();
        let window = quota.window(now);
        let limit = self.limit(tenant, quota).await?;
        let take = UsageTake {
            counter: counter(quota, window.start),
            counted_with: Vec::new(),
            wanted: amount,
            at_least: amount,
            limit,
            expires_at: window.end,
            now,
        };
        if self.usage.take_usage(tenant, &take).await? == 0 {
            return Err(self.exceeded(tenant, quota, window.seconds_left(now), now));
        }
        Ok(())
    }

    /// Gives back what [`Self::take`] took, when what it was for did not happen.
    pub async fn give_back(&self, tenant: &TenantId, quota: Quota, amount: u64, taken_at: DateTime<Utc>) {
        let name = counter(quota, quota.window(taken_at).start);
        if let Err(e) = self.usage.return_usage(tenant, &name, amount).await {
            tracing::warn!(tenant = %tenant, quota = quota.name(), error = %e, "could not give back usage");
        }
    }

    /// A connection opening: counted in its slot against the connections open at once (those
    /// of the slots still live).
    pub async fn open_connection(&self, tenant: &TenantId) -> Result<(), AppError> {
        let quota = Quota::Connections;
        let now = self.clock.now();
        let ttl = self.connection_ttl()?;
        let [oldest, previous, current] = live_connection_slots(now, ttl);
        let limit = self.limit(tenant, quota).await?;
        let take = UsageTake {
            counter: slot_counter(current),
            counted_with: vec![slot_counter(oldest), slot_counter(previous)],
            wanted: 1,
            at_least: 1,
            limit,
            // The slot counts until every connection opened in it has expired.
            expires_at: now + ttl + ttl,
            now,
        };
        if self.usage.take_usage(tenant, &take).await? == 0 {
            return Err(self.exceeded(tenant, quota, quota.window(now).seconds_left(now), now));
        }
        Ok(())
    }

    /// A connection closed: no longer counted in the slot of its opening.
    pub async fn close_connection(&self, connection: &Connection) {
        let Ok(ttl) = self.connection_ttl() else { return };
        let name = slot_counter(connection_slot(connection.connected_at, ttl));
        if let Err(e) = self.usage.return_usage(&connection.tenant_id, &name, 1).await {
            // It counts until its slot lapses: at most a few hours.
            tracing::warn!(tenant = %connection.tenant_id, error = %e, "could not count a connection closed");
        }
    }

    fn connection_ttl(&self) -> Result<chrono::Duration, AppError> {
        chrono::Duration::from_std(self.limits.connection_ttl).map_err(AppError::internal)
    }

    fn exceeded(&self, tenant: &TenantId, quota: Quota, retry_after: u64, now: DateTime<Utc>) -> AppError {
        self.metrics.count_quota_exceeded(quota, tenant, now);
        tracing::info!(tenant = %tenant, quota = quota.name(), "quota exceeded");
        AppError::QuotaExceeded { quota, retry_after }
    }
}

/// A window's counter: `messagesPerMinute@202612062341`.
fn counter(quota: Quota, window_start: DateTime<Utc>) -> String {
    format!("{}@{}", quota.name(), window_start.format("%Y%m%d%H%M"))
}

fn slot_counter(slot: i64) -> String {
    format!("{}@{slot}", Quota::Connections.name())
}
