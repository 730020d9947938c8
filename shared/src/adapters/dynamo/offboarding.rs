//! A tenant's removal on DynamoDB, walking the partitions it has — never a scan: each
//! conversation through the tenant's conversation index (`T#{t}#CONVS`) with its unique key,
//! each person through their `USER#` item with their own partitions (connections and feed,
//! notifications, waiting e-mails, devices, reminders), each webhook's deliveries, each
//! storefront's reference, the tenant's collections, schedule, effects and claims, its origins,
//! then its own partition. One unit of that walk per step, `budget` items at most; a unit's
//! marker (its index item, `USER#` item…) goes once its partitions are empty, so the next step
//! finds the next unit, and a step retried after a failure goes on where it was.
//!
//! The offboarding's record is kept in a partition of its own (`OFFBOARD#{t}`).

use anyhow::anyhow;
use async_trait::async_trait;

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::adapters::documents::{user_collections, webhook_collections, TENANT_COLLECTIONS};
use crate::domain::*;
use crate::ports::*;

/// The DynamoDB store in its tenant-removal role: the name this file adapts the port under.
pub type DynamoTenantRemoval = DynamoStore;

const OFFBOARDING_SK: &str = "OFFBOARD";

impl DynamoStore {
    /// Deletes up to `budget` items of a partition; answers how many went (fewer than
    /// `budget`: the partition is empty).
    async fn delete_partition_up_to(&self, pk: &str, budget: usize) -> anyhow::Result<u64> {
        let mut removed = 0;
        while removed < budget {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(pk))
                .projection_expression("PK, SK")
                .limit(i32::try_from((budget - removed).min(500)).unwrap_or(500))
                .send()
                .await?;
            let keys = page.items.unwrap_or_default();
            if keys.is_empty() {
                break;
            }
            removed += keys.len();
            self.batch_delete(keys).await?;
        }
        Ok(removed as u64)
    }

    /// Deletes up to `budget` items over `pks` in order; answers how many went and whether
    /// they are all empty now.
    async fn delete_partitions_up_to(&self, pks: &[String], budget: usize) -> anyhow::Result<(u64, bool)> {
        let mut removed = 0;
        for pk in pks {
            let left = budget.saturating_sub(removed as usize);
            let went = self.delete_partition_up_to(pk, left).await?;
            removed += went;
            if went as usize >= left {
                return Ok((removed, false));
            }
        }
        Ok((removed, true))
    }

    /// The sort keys of a partition's items under `prefix` (all of them: `None`), at most `limit`.
    async fn sort_keys(&self, pk: String, prefix: Option<&str>, limit: usize) -> anyhow::Result<Vec<String>> {
        let items = match prefix {
            Some(prefix) => {
                let values = vec![(":pk", pk), (":prefix", prefix.to_string())];
                self.query(None, "PK = :pk AND begins_with(SK, :prefix)", values, true, limit, None).await?
            }
            None => self.query(None, "PK = :pk", vec![(":pk", pk)], true, limit, None).await?,
        };
        items.iter().take(limit).map(|i| Ok(text(i, "SK")?.to_string())).collect()
    }

    /// The next conversation of the index: its unique key, then its partition, then its
    /// index item. `None` when the index is empty.
    async fn remove_a_conversation(&self, tenant: &TenantId, budget: usize) -> anyhow::Result<Option<u64>> {
        let Some(id) = self.list_tenant_conversations(tenant, None, 1).await?.items.into_iter().next() else {
            return Ok(None);
        };
        // While its details are there: the pair or client key it was created under.
        if let Some(details) = self.get_item(key(conversation_pk(tenant, &id), META_SK)).await? {
            if let Ok(unique) = text(&details, "uniqueKey") {
                self.batch_delete(vec![key(unique_pk(tenant, unique), "UNIQ")]).await?;
            }
        }
        let (mut removed, empty) = self.delete_partitions_up_to(&[conversation_pk(tenant, &id)], budget).await?;
        if empty {
            self.batch_delete(vec![key(tenant_conversations_pk(tenant), tenant_conversation_sk(&id))]).await?;
            removed += 1;
        }
        Ok(Some(removed))
    }

    /// The next person: their partitions, then their `USER#` and `SEEN#` items.
    async fn remove_a_person(&self, tenant: &TenantId, budget: usize) -> anyhow::Result<Option<u64>> {
        let Some(sk) = self.sort_keys(tenant_pk(tenant), Some("USER#"), 1).await?.into_iter().next() else {
            return Ok(None);
        };
        let user = UserId::parse(sk.strip_prefix("USER#").unwrap_or_default()).map_err(|e| anyhow!("{e}"))?;
        let mut pks = vec![user_pk(tenant, &user), notifications_pk(tenant, &user)];
        pks.extend(user_collections(&user).iter().map(|c| doc_pk(tenant, c)));
        let (mut removed, empty) = self.delete_partitions_up_to(&pks, budget).await?;
        if empty {
            let own = vec![key(tenant_pk(tenant), sk), key(tenant_pk(tenant), format!("SEEN#{user}"))];
            self.batch_delete(own).await?;
            removed += 2;
        }
        Ok(Some(removed))
    }

    /// The next webhook: its deliveries, then its document.
    async fn remove_a_webhook(&self, tenant: &TenantId, budget: usize) -> anyhow::Result<Option<u64>> {
        let (webhooks, deliveries) = webhook_collections();
        let Some(id) = self.sort_keys(doc_pk(tenant, webhooks), None, 1).await?.into_iter().next() else {
            return Ok(None);
        };
        let (mut removed, empty) = self.delete_partitions_up_to(&[doc_pk(tenant, &deliveries(&id))], budget).await?;
        if empty {
            self.batch_delete(vec![key(doc_pk(tenant, webhooks), id)]).await?;
            removed += 1;
        }
        Ok(Some(removed))
    }

    /// The next storefront: its reference (the public endpoint's way in), then its item.
    async fn remove_a_storefront(&self, tenant: &TenantId) -> anyhow::Result<Option<u64>> {
        let Some(sk) = self.sort_keys(tenant_pk(tenant), Some("SF#"), 1).await?.into_iter().next() else {
            return Ok(None);
        };
        let storefront = StorefrontId::parse(sk.strip_prefix("SF#").unwrap_or_default()).map_err(|e| anyhow!("{e}"))?;
        let removed = self.delete_partition_up_to(&storefront_ref_pk(&storefront), 100).await?;
        self.batch_delete(vec![key(tenant_pk(tenant), sk)]).await?;
        Ok(Some(removed + 1))
    }
}

#[async_trait]
impl TenantRemoval for DynamoTenantRemoval {
    async fn remove_tenant_records(&self, tenant: &Tenant, budget: usize) -> StoreResult<u64> {
        let t = &tenant.id;
        if let Some(removed) = self.remove_a_conversation(t, budget).await? {
            return Ok(removed);
        }
        if let Some(removed) = self.remove_a_person(t, budget).await? {
            return Ok(removed);
        }
        if let Some(removed) = self.remove_a_webhook(t, budget).await? {
            return Ok(removed);
        }
        if let Some(removed) = self.remove_a_storefront(t).await? {
            return Ok(removed);
        }
        let mut pks: Vec<String> = TENANT_COLLECTIONS.iter().map(|c| doc_pk(t, c)).collect();
        pks.extend([tenant_conversations_pk(t), scheduled_pk(t), usage_pk(t)]);
        pks.extend(spread_pks(t));
        let (removed, empty) = self.delete_partitions_up_to(&pks, budget).await?;
        if !empty || removed > 0 {
            return Ok(removed);
        }
        // Last, its origins and its own partition (its record among them).
        let origins: Vec<Item> = tenant.allowed_origins.iter().map(|o| key(origin_pk(o), tenant_pk(t))).collect();
        if !origins.is_empty() {
            self.batch_delete(origins).await?;
        }
        Ok(self.delete_partition_up_to(&tenant_pk(t), budget).await?)
    }

    async fn put_offboarding(&self, offboarding: &Offboarding) -> StoreResult<()> {
        self.put_item(with_data(key(offboarding_pk(&offboarding.tenant_id), OFFBOARDING_SK), offboarding)?).await
    }

    async fn get_offboarding(&self, tenant: &TenantId) -> StoreResult<Option<Offboarding>> {
        self.get_data(key(offboarding_pk(tenant), OFFBOARDING_SK)).await
    }
}
