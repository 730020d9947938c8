//! Jobs due later: one item per job, indexed in GSI1 by due time over `DUE_SHARDS` partitions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

/// The DynamoDB store in its schedule role: the name this file adapts the port under.
pub type DynamoSchedule = DynamoStore;

#[async_trait]
impl ScheduleStore for DynamoSchedule {
    async fn schedule_job(&self, scheduled: &ScheduledJob) -> StoreResult<()> {
        let job = &scheduled.job;
        let mut item = with_data(key(scheduled_pk(&job.tenant_id), job.id.as_str()), scheduled)?;
        item.insert("GSI1PK".into(), s(due_pk(due_shard(job.id.as_str()))));
        item.insert(
            "GSI1SK".into(),
            s(format!("{}#{}#{}", crate::ports::due_sort_key(scheduled.due_at), job.tenant_id, job.id)),
        );
        self.put_item(item).await
    }
    async fn list_due_jobs(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<ScheduledJob>> {
        let upto = format!("{}~", crate::ports::due_sort_key(now));
        let shards = (0..DUE_SHARDS).map(|shard| {
            self.query(
                Some("GSI1"),
                "GSI1PK = :pk AND GSI1SK <= :upto",
                vec![(":pk", due_pk(shard)), (":upto", upto.clone())],
                true,
                limit,
                None,
            )
        });
        let mut due: Vec<ScheduledJob> = Vec::new();
        for items in join_all(shards).await {
            for item in items? {
                due.push(data(&item)?);
            }
        }
        due.sort_by(|a, b| a.due_at.cmp(&b.due_at).then_with(|| a.job.id.cmp(&b.job.id)));
        due.truncate(limit);
        Ok(due)
    }
    async fn take_scheduled_job(&self, tenant: &TenantId, job_id: &JobId) -> StoreResult<bool> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(scheduled_pk(tenant), job_id.as_str())))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(StoreError(e.into())),
        }
    }
}
