//! Claims shared by every instance: "at most one per interval" (typing signals, digests,
//! e-mail checks).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::TenantId;

#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Takes `key` until `until` if nobody holds it at `now`; `false` when it is taken.
    async fn try_claim(
        &self,
        tenant: &TenantId,
        key: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Gives `key` up before its time (its holder could not do what it took it for): the next
    /// `try_claim` takes it at once.
    async fn release_claim(&self, tenant: &TenantId, key: &str) -> StoreResult<()>;
}
