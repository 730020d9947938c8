//! Rate counters (one record per key, reset each window) and claims.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

#[async_trait]
impl ThrottleStore for EmbeddedStore {
    async fn count_hit(
        &self,
        tenant: &TenantId,
        key_name: &str,
        window: std::time::Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        // One record per key, reset when a new window starts, so that nothing accumulates.
        let k = key(&["T", tenant.as_str(), "HIT", key_name]);
        let index = window_index(window, now);
        self.writing(move |t| {
            let (stored_index, count) = read::<(i64, u64)>(t, &k)?.unwrap_or((index, 0));
            let count = if stored_index == index { count + 1 } else { 1 };
            write(t, &k, &(index, count))?;
            Ok(count)
        })
        .await
    }
    async fn try_claim(
        &self,
        tenant: &TenantId,
        key_name: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let k = key(&["T", tenant.as_str(), "CLAIM", key_name]);
        self.writing(move |t| {
            if read::<DateTime<Utc>>(t, &k)?.is_some_and(|held_until| held_until > now) {
                return Ok(false);
            }
            write(t, &k, &until)?;
            Ok(true)
        })
        .await
    }
}
