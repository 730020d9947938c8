//! Tenants' push credentials in Secrets Manager: one secret per tenant, `{stack}/push/{tenant}`,
//! a JSON object (`PushCredentials`). The operator's API writes it (http-api may create and
//! update the stack's `…/push/*` secrets, and nothing else); the worker that pushes reads it.

use anyhow::anyhow;
use async_trait::async_trait;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use aws_sdk_secretsmanager::Client;

use crate::domain::{PushCredentials, TenantId};
use crate::ports::PushCredentialStore;

pub struct SecretsManagerPushCredentials {
    client: Client,
    /// The stack's name: every secret is `{prefix}/push/{tenant}`.
    prefix: String,
}

impl SecretsManagerPushCredentials {
    pub fn from_sdk(sdk: &aws_config::SdkConfig, prefix: &str) -> Self {
        Self { client: Client::new(sdk), prefix: prefix.to_string() }
    }

    fn name(&self, tenant: &TenantId) -> String {
        format!("{}/push/{tenant}", self.prefix)
    }
}

#[async_trait]
impl PushCredentialStore for SecretsManagerPushCredentials {
    async fn get_push_credentials(&self, tenant: &TenantId) -> Result<Option<PushCredentials>, anyhow::Error> {
        let answer = match self.client.get_secret_value().secret_id(self.name(tenant)).send().await {
            Ok(answer) => answer,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => return Ok(None),
            Err(e) => return Err(anyhow!("reading {tenant}'s push credentials: {}", DisplayErrorContext(&e))),
        };
        let text = answer.secret_string().ok_or_else(|| anyhow!("{tenant}'s push credentials have no string"))?;
        Ok(Some(serde_json::from_str(text).map_err(|e| anyhow!("{tenant}'s push credentials: {e}"))?))
    }

    async fn put_push_credentials(
        &self,
        tenant: &TenantId,
        credentials: &PushCredentials,
    ) -> Result<(), anyhow::Error> {
        let (name, value) = (self.name(tenant), serde_json::to_string(credentials)?);
        let updated = self.client.put_secret_value().secret_id(&name).secret_string(&value).send().await;
        match updated {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
                let description = format!("Missive: tenant {tenant}'s FCM and APNs credentials");
                let created =
                    self.client.create_secret().name(&name).description(description).secret_string(value).send().await;
                created.map(|_| ()).map_err(|e| anyhow!("creating {name}: {}", DisplayErrorContext(&e)))
            }
            Err(e) => Err(anyhow!("writing {name}: {}", DisplayErrorContext(&e))),
        }
    }

    async fn delete_push_credentials(&self, tenant: &TenantId) -> Result<(), anyhow::Error> {
        let name = self.name(tenant);
        // At once, not after Secrets Manager's recovery window: the tenant is gone for good.
        let deleted = self.client.delete_secret().secret_id(&name).force_delete_without_recovery(true).send().await;
        match deleted {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Ok(()),
            Err(e) => Err(anyhow!("deleting {name}: {}", DisplayErrorContext(&e))),
        }
    }
}
