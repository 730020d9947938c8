//! Tenants' usage counters: `T|{tenant}|USAGE|{counter}`, each with its expiry. A counter
//! written for the first time sweeps the tenant's lapsed ones, so that they stay a handful.

use std::ops::Bound;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its usage role: the name this file adapts the port under.
pub type EmbeddedUsage = EmbeddedStore;

#[derive(Serialize, Deserialize)]
struct Counter {
    n: u64,
    until: DateTime<Utc>,
}

#[async_trait]
impl UsageStore for EmbeddedUsage {
    async fn take_usage(&self, tenant: &TenantId, take: &UsageTake) -> StoreResult<u64> {
        let prefix = usage_prefix(tenant);
        let take = take.clone();
        self.writing(move |t| {
            let k = format!("{prefix}{}", take.counter);
            let current: Option<Counter> = read(t, &k)?;
            let mut used = current.as_ref().map_or(0, |c| c.n);
            for other in &take.counted_with {
                used += read::<Counter>(t, &format!("{prefix}{other}"))?.map_or(0, |c| c.n);
            }
            let granted = take.wanted.min(take.limit.saturating_sub(used));
            if granted < take.at_least.max(1) {
                return Ok(0);
            }
            if current.is_none() {
                remove_lapsed(t, &prefix, take.now)?;
            }
            let n = current.map_or(0, |c| c.n) + granted;
            write(t, &k, &Counter { n, until: take.expires_at })?;
            Ok(granted)
        })
        .await
    }

    async fn return_usage(&self, tenant: &TenantId, counter: &str, amount: u64) -> StoreResult<()> {
        let k = format!("{}{counter}", usage_prefix(tenant));
        self.writing(move |t| {
            if let Some(mut c) = read::<Counter>(t, &k)? {
                c.n = c.n.saturating_sub(amount);
                write(t, &k, &c)?;
            }
            Ok(())
        })
        .await
    }
}

fn usage_prefix(tenant: &TenantId) -> String {
    key(&["T", tenant.as_str(), "USAGE", ""])
}

/// Removes the tenant's counters whose window ended before `now`.
fn remove_lapsed(t: &mut Table<'_>, prefix: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    let end = prefix_end(prefix);
    for (k, v) in scan(t, Bound::Included(prefix), Bound::Excluded(&end), false, usize::MAX)? {
        if decode::<Counter>(&v)?.until < now {
            t.remove(k.as_str())?;
        }
    }
    Ok(())
}
