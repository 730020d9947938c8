//! The operator sets a tenant's credentials for the phones' push services (FCM, APNs), each
//! key checked first; what is shown afterwards is which are set, never a key.

use std::sync::Arc;

use super::audit::{Act, AuditUseCases};
use crate::domain::*;
use crate::ports::{PushCredentialStore, TenantStore};
use crate::AppError;

/// The push credentials use cases, with the ports they use.
#[derive(Clone)]
pub struct PushCredentialsUseCases {
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) credentials: Arc<dyn PushCredentialStore>,
    pub(crate) audit: AuditUseCases,
}

impl PushCredentialsUseCases {
    /// Replaces a tenant's credentials (a service left out is removed).
    pub async fn set(&self, tenant: &TenantId, credentials: PushCredentials) -> Result<PushCredentialsView, AppError> {
        self.tenants.get_tenant(tenant).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        let credentials = credentials.check()?;
        self.credentials.put_push_credentials(tenant, &credentials).await.map_err(AppError::internal)?;
        tracing::info!(tenant = %tenant, fcm = credentials.fcm.is_some(), apns = credentials.apns.is_some(), "push credentials set");
        let services: Vec<&str> = [("fcm", credentials.fcm.is_some()), ("apns", credentials.apns.is_some())]
            .into_iter()
            .filter_map(|(name, set)| set.then_some(name))
            .collect();
        let act = Act::on_tenant(AuditAction::PushCredentialsSet).with(serde_json::json!({ "services": services }));
        self.audit.record(tenant, &AuditActor::Platform, vec![act]).await?;
        Ok(credentials.view())
    }

    pub async fn get(&self, tenant: &TenantId) -> Result<PushCredentialsView, AppError> {
        self.tenants.get_tenant(tenant).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        let stored = self.credentials.get_push_credentials(tenant).await.map_err(AppError::internal)?;
        Ok(stored.map(|c| c.view()).unwrap_or_default())
    }
}
