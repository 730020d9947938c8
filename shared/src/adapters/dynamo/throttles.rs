//! Claims: an item held until a time, expiring by TTL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::ports::*;

#[async_trait]
impl ThrottleStore for DynamoStore {
    async fn try_claim(
        &self,
        tenant: &TenantId,
        key_name: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.put_if_free(key(format!("{}#CLAIM#{key_name}", tenant_pk(tenant)), "CLAIM"), now, until).await
    }
}
