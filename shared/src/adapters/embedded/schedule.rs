//! Jobs due later, and the due index across tenants in time order.

use std::ops::Bound;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its schedule role: the name this file adapts the port under.
pub type EmbeddedSchedule = EmbeddedStore;

#[async_trait]
impl ScheduleStore for EmbeddedSchedule {
    async fn schedule_job(&self, scheduled: &ScheduledJob) -> StoreResult<()> {
        let scheduled = scheduled.clone();
        self.writing(move |t| {
            let k = scheduled_key(&scheduled.job.tenant_id, scheduled.job.id.as_str());
            if let Some(previous) = read::<ScheduledJob>(t, &k)? {
                t.remove(due_key(&previous).as_str())?;
            }
            write(t, &due_key(&scheduled), &scheduled)?;
            write(t, &k, &scheduled)
        })
        .await
    }
    async fn list_due_jobs(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<ScheduledJob>> {
        let p = prefix(&["DUE"]);
        let upto = format!("{p}{}{END}", crate::ports::due_sort_key(now));
        self.reading(move |t| {
            scan(t, Bound::Included(p.as_str()), Bound::Excluded(upto.as_str()), false, limit)?
                .into_iter()
                .map(|(_, v)| decode(&v))
                .collect()
        })
        .await
    }
    async fn take_scheduled_job(&self, tenant: &TenantId, job_id: &JobId) -> StoreResult<bool> {
        let k = scheduled_key(tenant, job_id.as_str());
        self.writing(move |t| {
            let Some(scheduled) = read::<ScheduledJob>(t, &k)? else { return Ok(false) };
            t.remove(due_key(&scheduled).as_str())?;
            t.remove(k.as_str())?;
            Ok(true)
        })
        .await
    }
}
