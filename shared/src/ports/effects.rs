//! Idempotency records: a job's effect happens once, however often the job runs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::TenantId;

/// See [`EffectStore::begin_effect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectClaim {
    Acquired,
    Done,
    Busy,
}

#[async_trait]
pub trait EffectStore: Send + Sync {
    /// Starts an effect: `Acquired` (a lease until `lease_until`), `Done` (it happened
    /// already), or `Busy` (another worker holds an unexpired lease).
    async fn begin_effect(
        &self,
        tenant: &TenantId,
        key: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<EffectClaim>;
    /// Records the effect as done, remembered until `keep_until`.
    async fn finish_effect(&self, tenant: &TenantId, key: &str, keep_until: DateTime<Utc>) -> StoreResult<()>;
    /// Gives a lease up after a failure, so that a retry need not wait for it to expire.
    async fn release_effect(&self, tenant: &TenantId, key: &str) -> StoreResult<()>;
}
