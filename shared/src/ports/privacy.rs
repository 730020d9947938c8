//! Data under the GDPR: a person's exports, whether they were erased; a tenant's removal.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Export, Offboarding, Tenant, TenantId, UserId};

#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Creates or replaces an export's record, read as gone after its `expires_at`.
    async fn put_export(&self, export: &Export) -> StoreResult<()>;
    async fn get_export(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<Export>>;
}

/// The people erased, so that a token of theirs does not bring them back: kept under a hash
/// of their id (the marker names no one), until the platform creates them again.
#[async_trait]
pub trait ErasedUserStore: Send + Sync {
    async fn mark_erased(&self, tenant: &TenantId, user: &UserId, at: DateTime<Utc>) -> StoreResult<()>;
    async fn is_erased(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool>;
    /// `false` when they were not marked.
    async fn unmark_erased(&self, tenant: &TenantId, user: &UserId) -> StoreResult<bool>;
}

/// Removing a tenant's every record (its offboarding), a bounded step at a time, by walking
/// the keys it has — its conversations' index, its people, its collections — never a scan.
#[async_trait]
pub trait TenantRemoval: Send + Sync {
    /// Removes about `budget` of the tenant's records (a whole conversation's or person's
    /// records may take several steps), its own record last; answers how many went — 0 once
    /// nothing of the tenant is left. Calling it again after a failure goes on where it was.
    async fn remove_tenant_records(&self, tenant: &Tenant, budget: usize) -> StoreResult<u64>;
    /// The offboarding's record, kept apart from the tenant's data (it outlives it).
    async fn put_offboarding(&self, offboarding: &Offboarding) -> StoreResult<()>;
    async fn get_offboarding(&self, tenant: &TenantId) -> StoreResult<Option<Offboarding>>;
}
