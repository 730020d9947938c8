//! Each user's missed-event feed, which `sync` reads.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{EventId, LoggedEvent, TenantId, UserId};

#[async_trait]
pub trait EventFeed: Send + Sync {
    /// Adds one event to the feed of each of `users`.
    async fn append_events(&self, tenant: &TenantId, users: &[UserId], event: &LoggedEvent) -> StoreResult<()>;
    /// A user's events after `after` (from the oldest kept when `None`), oldest first, at
    /// most `limit`; expired ones are skipped. `true` when more follow.
    async fn list_events(
        &self,
        tenant: &TenantId,
        user: &UserId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)>;
}
