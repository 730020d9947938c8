//! The audit log: every administrative act is recorded as it is done (by the use case that does
//! it), and read back, newest first, by the tenant's admins or the platform operator.

use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

use super::identity::Identity;
use crate::domain::{AuditAction, AuditActor, AuditEntry, Role, TenantId};
use crate::ports::{AuditStore, Clock};
use crate::AppError;

pub const MAX_PAGE: usize = 100;

/// Who reads a tenant's log: one of its admins, or the platform operator naming it.
pub enum AuditReader<'a> {
    TenantAdmin(&'a Identity),
    Platform(TenantId),
}

/// A page of the log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// Pass as `cursor` for the older entries; null at the oldest.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// One act, as the use case that did it describes it.
pub struct Act {
    pub action: AuditAction,
    pub target: Option<String>,
    pub details: Option<Value>,
}

impl Act {
    pub fn on_tenant(action: AuditAction) -> Self {
        Self { action, target: None, details: None }
    }

    pub fn on(action: AuditAction, target: impl Into<String>) -> Self {
        Self { action, target: Some(target.into()), details: None }
    }

    pub fn with(self, details: Value) -> Self {
        Self { details: Some(details), ..self }
    }
}

impl AuditActor {
    /// The tenant admin `who`.
    pub fn of(who: &Identity) -> Self {
        AuditActor::User { user_id: who.user_id.clone(), name: who.name.clone() }
    }
}

/// The audit use cases, with the ports they use.
#[derive(Clone)]
pub struct AuditUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) audit: Arc<dyn AuditStore>,
}

impl AuditUseCases {
    /// Records acts done just now. An act is recorded once done (never one that failed); if
    /// the record cannot be written the caller hears of it (the act is then done but the
    /// request fails: done again, it is recorded then), so that no act goes unrecorded.
    pub async fn record(&self, tenant: &TenantId, actor: &AuditActor, acts: Vec<Act>) -> Result<(), AppError> {
        let at = self.clock.now();
        for Act { action, target, details } in acts {
            let entry = AuditEntry { id: AuditEntry::new_id(at), at, actor: actor.clone(), action, target, details };
            self.audit.append_audit(tenant, &entry).await?;
            tracing::info!(tenant = %tenant, action = ?action, "audited");
        }
        Ok(())
    }

    /// A page of a tenant's log, newest first.
    pub async fn list(
        &self,
        reader: AuditReader<'_>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<AuditPage, AppError> {
        let tenant = match reader {
            AuditReader::TenantAdmin(who) => {
                who.require_role(&[Role::Admin])?;
                who.tenant_id.clone()
            }
            AuditReader::Platform(tenant) => tenant,
        };
        let page = self.audit.list_audit(&tenant, cursor, limit.clamp(1, MAX_PAGE)).await?;
        Ok(AuditPage { entries: page.items, next_cursor: page.next_cursor })
    }
}
