//! Counters and claims shared by every instance: rate limits and "at most one per interval".

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::TenantId;

#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Counts one hit on `key` in the current fixed window of `window` (windows start at
    /// multiples of `window` since the epoch) and returns the hits so far in that window.
    /// The counts expire with their window.
    async fn count_hit(
        &self,
        tenant: &TenantId,
        key: &str,
        window: std::time::Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Takes `key` until `until` if nobody holds it at `now`; `false` when it is taken.
    async fn try_claim(
        &self,
        tenant: &TenantId,
        key: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

/// The fixed window `now` falls in, numbered from the epoch: the same on every adapter.
pub fn window_index(window: std::time::Duration, now: DateTime<Utc>) -> i64 {
    now.timestamp_millis() / window.as_millis().max(1) as i64
}
