//! Idempotency records: a conditional lease, then "done" until it expires.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

/// The DynamoDB store in its effects role: the name this file adapts the port under.
pub type DynamoEffects = DynamoStore;

#[async_trait]
impl EffectStore for DynamoEffects {
    async fn begin_effect(
        &self,
        tenant: &TenantId,
        key_name: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<EffectClaim> {
        let mut item = effect_item(tenant, key_name);
        item.insert("done".into(), AttributeValue::Bool(false));
        if self.put_if_free(item, now, lease_until).await? {
            return Ok(EffectClaim::Acquired);
        }
        let held = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(effect_item(tenant, key_name)))
            .consistent_read(true)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        let done = held.item.as_ref().and_then(|i| i.get("done")).and_then(|v| v.as_bool().ok()).copied();
        Ok(if done == Some(true) { EffectClaim::Done } else { EffectClaim::Busy })
    }
    async fn finish_effect(&self, tenant: &TenantId, key_name: &str, keep_until: DateTime<Utc>) -> StoreResult<()> {
        let mut item = effect_item(tenant, key_name);
        item.insert("done".into(), AttributeValue::Bool(true));
        item.insert("until".into(), AttributeValue::N(keep_until.timestamp_millis().to_string()));
        item.insert("ttl".into(), expiry(keep_until));
        self.put_item(item).await
    }
    async fn release_effect(&self, tenant: &TenantId, key_name: &str) -> StoreResult<()> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(effect_item(tenant, key_name)))
            .condition_expression("done = :false")
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Ok(()),
            Err(e) => Err(StoreError(e.into())),
        }
    }
}

fn effect_item(tenant: &TenantId, key_name: &str) -> Item {
    let (pk, sk) = effect_key(tenant, key_name);
    key(pk, sk)
}
