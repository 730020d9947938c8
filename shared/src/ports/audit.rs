//! A tenant's audit log: its administrative acts, newest first.

use async_trait::async_trait;

use super::{Page, StoreResult};
use crate::domain::{AuditEntry, TenantId};

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an act; kept [`AuditEntry::KEPT_DAYS`] days after it was done.
    async fn append_audit(&self, tenant: &TenantId, entry: &AuditEntry) -> StoreResult<()>;
    /// The tenant's acts, newest first, after the cursor `after` (an entry's id).
    async fn list_audit(&self, tenant: &TenantId, after: Option<&str>, limit: usize) -> StoreResult<Page<AuditEntry>>;
}
