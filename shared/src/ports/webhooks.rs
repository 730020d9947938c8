//! Tenants' webhook endpoints and the log of their deliveries.

use async_trait::async_trait;

use super::{Page, StoreResult};
use crate::domain::{TenantId, Webhook, WebhookDelivery};

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Creates or replaces an endpoint (by its id).
    async fn put_webhook(&self, webhook: &Webhook) -> StoreResult<()>;
    /// Replaces an endpoint on condition that it is still `previous`, as it was read: `false`,
    /// and nothing written, when another change (an admin's, a delivery's) landed since.
    async fn replace_webhook(&self, previous: &Webhook, webhook: &Webhook) -> StoreResult<bool>;
    async fn get_webhook(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<Webhook>>;
    /// The tenant's endpoints, at most `limit`, oldest first.
    async fn list_webhooks(&self, tenant: &TenantId, limit: usize) -> StoreResult<Vec<Webhook>>;
    /// `false` when it did not exist. Its deliveries expire on their own.
    async fn delete_webhook(&self, tenant: &TenantId, id: &str) -> StoreResult<bool>;
    /// Creates or replaces a delivery; kept 7 days after it was made.
    async fn put_delivery(&self, tenant: &TenantId, delivery: &WebhookDelivery) -> StoreResult<()>;
    async fn get_delivery(&self, tenant: &TenantId, webhook: &str, id: &str) -> StoreResult<Option<WebhookDelivery>>;
    /// An endpoint's deliveries, newest first, after the cursor `after` (a delivery id).
    async fn list_deliveries(
        &self,
        tenant: &TenantId,
        webhook: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<WebhookDelivery>>;
}
