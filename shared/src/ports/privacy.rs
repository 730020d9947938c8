//! A person's data under the GDPR: their exports, and whether they were erased.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::{Export, TenantId, UserId};

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
