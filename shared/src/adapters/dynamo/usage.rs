//! Tenants' usage counters: one item per counter (`T#{tenant}#USAGE` / `USAGE#{counter}`),
//! added to by a conditional update, so that every process counts against one limit; the
//! counters expire by TTL after their window.

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

/// The DynamoDB store in its usage role: the name this file adapts the port under.
pub type DynamoUsage = DynamoStore;

/// Takers racing for the last of a limit try again with what the winners left: each failed
/// attempt means another taker got some, so this bound is only a guard.
const ATTEMPTS: usize = 64;

#[async_trait]
impl UsageStore for DynamoUsage {
    async fn take_usage(&self, tenant: &TenantId, take: &UsageTake) -> StoreResult<u64> {
        let pk = usage_pk(tenant);
        let others: u64 = if take.counted_with.is_empty() {
            0
        } else {
            let keys = take.counted_with.iter().map(|c| key(pk.clone(), usage_sk(c))).collect();
            let items = self.batch_get(keys).await?;
            items.iter().map(|item| number(item, "n").unwrap_or(0)).sum()
        };
        let budget = take.limit.saturating_sub(others);
        let at_least = take.at_least.max(1);
        // Optimistic: the counter is taken to be empty until the store says what it holds.
        let mut used = 0u64;
        for _ in 0..ATTEMPTS {
            let granted = take.wanted.min(budget.saturating_sub(used));
            if granted < at_least {
                return Ok(0);
            }
            let added = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(pk.clone(), usage_sk(&take.counter))))
                .update_expression("SET n = if_not_exists(n, :zero) + :granted, #ttl = :ttl")
                .condition_expression("attribute_not_exists(n) OR n <= :most")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":granted", n(granted))
                .expression_attribute_values(":most", n(budget - granted))
                .expression_attribute_values(":ttl", expiry(take.expires_at))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .send()
                .await;
            match added {
                Ok(_) => return Ok(granted),
                Err(e) => match e.as_service_error() {
                    Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                        used = failed.item().map_or(budget, |item| number(item, "n").unwrap_or(budget));
                    }
                    _ => return Err(StoreError(e.into())),
                },
            }
        }
        Ok(0)
    }

    async fn return_usage(&self, tenant: &TenantId, counter: &str, amount: u64) -> StoreResult<()> {
        let returned = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(usage_pk(tenant), usage_sk(counter))))
            .update_expression("SET n = n - :amount")
            .condition_expression("n >= :amount")
            .expression_attribute_values(":amount", n(amount))
            .send()
            .await;
        match returned {
            Ok(_) => Ok(()),
            // Never below zero: a counter already lapsed, or given back by another path.
            Err(e) if is_condition_failure(&e) => Ok(()),
            Err(e) => Err(StoreError(e.into())),
        }
    }
}

fn usage_sk(counter: &str) -> String {
    format!("USAGE#{counter}")
}
