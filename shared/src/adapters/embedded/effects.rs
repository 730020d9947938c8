//! Idempotency records: a lease, then "done" until it expires.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

#[derive(serde::Serialize, serde::Deserialize)]
struct EffectRecord {
    done: bool,
    until: DateTime<Utc>,
    /// The store instance (the process) holding a running effect's lease. The embedded store
    /// belongs to one process at a time (redb locks its file), so a lease held by an earlier
    /// instance is void: that process died with the effect unfinished, and it may run again
    /// at once rather than when the lease would have run out.
    #[serde(default)]
    holder: Option<String>,
}

/// The embedded store in its effects role: the name this file adapts the port under.
pub type EmbeddedEffects = EmbeddedStore;

#[async_trait]
impl EffectStore for EmbeddedEffects {
    async fn begin_effect(
        &self,
        tenant: &TenantId,
        key_name: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<EffectClaim> {
        let k = effect_key(tenant, key_name);
        let instance = self.instance.clone();
        self.writing(move |t| {
            match read::<EffectRecord>(t, &k)? {
                Some(r) if r.done && r.until > now => return Ok(EffectClaim::Done),
                Some(r) if !r.done && r.until > now && r.holder.as_deref() == Some(instance.as_str()) => {
                    return Ok(EffectClaim::Busy)
                }
                _ => {}
            }
            write(t, &k, &EffectRecord { done: false, until: lease_until, holder: Some(instance.clone()) })?;
            Ok(EffectClaim::Acquired)
        })
        .await
    }
    async fn finish_effect(&self, tenant: &TenantId, key_name: &str, keep_until: DateTime<Utc>) -> StoreResult<()> {
        self.put(effect_key(tenant, key_name), EffectRecord { done: true, until: keep_until, holder: None }).await
    }
    async fn release_effect(&self, tenant: &TenantId, key_name: &str) -> StoreResult<()> {
        let k = effect_key(tenant, key_name);
        self.writing(move |t| {
            if read::<EffectRecord>(t, &k)?.is_some_and(|r| !r.done) {
                t.remove(k.as_str())?;
            }
            Ok(())
        })
        .await
    }
}
