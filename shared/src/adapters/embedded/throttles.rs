//! Claims: a key held until a time.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its throttles role: the name this file adapts the port under.
pub type EmbeddedThrottles = EmbeddedStore;

#[async_trait]
impl ThrottleStore for EmbeddedThrottles {
    async fn try_claim(
        &self,
        tenant: &TenantId,
        key_name: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let k = claim_key(tenant, key_name);
        self.writing(move |t| {
            if read::<DateTime<Utc>>(t, &k)?.is_some_and(|held_until| held_until > now) {
                return Ok(false);
            }
            write(t, &k, &until)?;
            Ok(true)
        })
        .await
    }
    async fn release_claim(&self, tenant: &TenantId, key_name: &str) -> StoreResult<()> {
        let k = claim_key(tenant, key_name);
        self.writing(move |t| Ok(t.remove(k.as_str()).map(|_| ())?)).await
    }
}

fn claim_key(tenant: &TenantId, key_name: &str) -> String {
    key(&["T", tenant.as_str(), "CLAIM", key_name])
}
