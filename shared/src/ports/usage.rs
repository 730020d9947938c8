//! Tenants' usage counts, against their quotas: counters that only the store can keep for
//! every process at once (each Lambda environment, each local process).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::TenantId;

/// What one `take_usage` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageTake {
    /// The counter added to (a quota's window: `messages@202612062341`).
    pub counter: String,
    /// Counters counted with it against the limit but left as they are (the earlier slots of
    /// open connections).
    pub counted_with: Vec<String>,
    /// How much is wanted.
    pub wanted: u64,
    /// The least that is worth taking: less left than this, nothing is taken.
    pub at_least: u64,
    /// What the counters together may reach.
    pub limit: u64,
    /// When the counter is no longer needed (its window is over).
    pub expires_at: DateTime<Utc>,
    /// When the take is made: a store may sweep counters lapsed by then.
    pub now: DateTime<Utc>,
}

#[async_trait]
pub trait UsageStore: Send + Sync {
    /// Adds as much of `take.wanted` (`take.at_least` at the least) as keeps the counters at or
    /// under `take.limit`, atomically with respect to other takers of the same counter;
    /// answers how much was added (0: not `at_least` was left).
    async fn take_usage(&self, tenant: &TenantId, take: &UsageTake) -> StoreResult<u64>;
    /// Gives back `amount` of `counter` (a connection closed), never below zero.
    async fn return_usage(&self, tenant: &TenantId, counter: &str, amount: u64) -> StoreResult<()>;
}
