//! Claims: an item held until a time, expiring by TTL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::{key, Item};
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

/// The DynamoDB store in its throttles role: the name this file adapts the port under.
pub type DynamoThrottles = DynamoStore;

#[async_trait]
impl ThrottleStore for DynamoThrottles {
    async fn try_claim(
        &self,
        tenant: &TenantId,
        key_name: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.put_if_free(claim_item(tenant, key_name), now, until).await
    }
    async fn release_claim(&self, tenant: &TenantId, key_name: &str) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(claim_item(tenant, key_name)))
            .send()
            .await
            .map_err(|e| StoreError(e.into()))?;
        Ok(())
    }
}

fn claim_item(tenant: &TenantId, key_name: &str) -> Item {
    let (pk, sk) = claim_key(tenant, key_name);
    key(pk, sk)
}
