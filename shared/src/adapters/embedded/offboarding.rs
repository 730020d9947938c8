//! A tenant's removal on the embedded store: nearly all of its keys share the `T|{tenant}|`
//! prefix, removed a range at a time; first the few kept elsewhere that the tenant's own keys
//! lead to (its scheduled jobs' places in the due index, its storefronts' references, its
//! origins), last its moderation policy and record. The offboarding's record is kept under
//! `OFFBOARD|{tenant}`, apart from the tenant's keys.

use std::ops::Bound;

use async_trait::async_trait;

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its tenant-removal role: the name this file adapts the port under.
pub type EmbeddedTenantRemoval = EmbeddedStore;

fn offboarding_key(t: &TenantId) -> String {
    key(&["OFFBOARD", t.as_str()])
}

#[async_trait]
impl TenantRemoval for EmbeddedTenantRemoval {
    async fn remove_tenant_records(&self, tenant: &Tenant, budget: usize) -> StoreResult<u64> {
        let tenant = tenant.clone();
        self.writing(move |t| {
            let id = &tenant.id;
            let mut removed = 0u64;
            // What the tenant's keys lead to, before those keys go.
            let scheduled = prefix(&["T", id.as_str(), "SCHED"]);
            let scheduled_end = prefix_end(&scheduled);
            let jobs =
                scan(&*t, Bound::Included(scheduled.as_str()), Bound::Excluded(scheduled_end.as_str()), false, budget)?;
            for (k, value) in jobs {
                let job: ScheduledJob = decode(&value)?;
                t.remove(due_key(&job).as_str())?;
                t.remove(k.as_str())?;
                removed += 2;
            }
            let storefronts = prefix(&["T", id.as_str(), "SF"]);
            let storefronts_end = prefix_end(&storefronts);
            let refs = scan(
                &*t,
                Bound::Included(storefronts.as_str()),
                Bound::Excluded(storefronts_end.as_str()),
                false,
                budget,
            )?;
            for (k, _) in refs {
                let storefront = StorefrontId::parse(&k[storefronts.len()..]).map_err(|e| anyhow::anyhow!("{e}"))?;
                t.remove(storefront_ref_key(&storefront).as_str())?;
                t.remove(k.as_str())?;
                removed += 2;
            }
            if removed > 0 {
                return Ok(removed);
            }
            // The tenant's own range.
            let own = prefix(&["T", id.as_str()]);
            let own_end = prefix_end(&own);
            let keys = scan(&*t, Bound::Included(own.as_str()), Bound::Excluded(own_end.as_str()), false, budget)?;
            for (k, _) in &keys {
                t.remove(k.as_str())?;
            }
            if !keys.is_empty() {
                return Ok(keys.len() as u64);
            }
            // Last, its origins, moderation policy and record.
            let mut last = vec![key(&["MODERATION", id.as_str()]), tenant_key(id)];
            last.extend(tenant.allowed_origins.iter().map(|o| origin_key(o, id)));
            for k in last {
                if t.remove(k.as_str())?.is_some() {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await
    }

    async fn put_offboarding(&self, offboarding: &Offboarding) -> StoreResult<()> {
        self.put(offboarding_key(&offboarding.tenant_id), offboarding.clone()).await
    }

    async fn get_offboarding(&self, tenant: &TenantId) -> StoreResult<Option<Offboarding>> {
        self.get(offboarding_key(tenant)).await
    }
}
