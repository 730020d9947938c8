//! People's data exports: their records, until they expire.

use async_trait::async_trait;

use super::StoreResult;
use crate::domain::{Export, TenantId};

#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Creates or replaces an export's record, read as gone after its `expires_at`.
    async fn put_export(&self, export: &Export) -> StoreResult<()>;
    async fn get_export(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<Export>>;
}
