//! Rate counters (one item per key and window) and claims, both expiring by TTL.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::ports::*;

#[async_trait]
impl ThrottleStore for DynamoStore {
    async fn count_hit(
        &self,
        tenant: &TenantId,
        key_name: &str,
        window: std::time::Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        // One item per key and window, gone by TTL once the window is over.
        let index = window_index(window, now);
        let ends = (index + 1) * window.as_millis().max(1) as i64 / 1000 + 1;
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("{}#HIT#{key_name}", tenant_pk(tenant)), index.to_string())))
            .update_expression("ADD hits :one SET #ttl = :ttl")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ttl", AttributeValue::N(ends.to_string()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        let hits =
            out.attributes.as_ref().and_then(|a| a.get("hits")).and_then(|v| v.as_n().ok()).context("no hit count")?;
        Ok(hits.parse().context("hit count is not a number")?)
    }
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
