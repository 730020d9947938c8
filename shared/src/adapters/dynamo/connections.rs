//! Live connections: one item per user (`CONNS` under `T#{tenant}#U#{user}`) holding each of
//! their connections in its own attribute, so that the connections of a hundred users are
//! one BatchGetItem. The item expires by TTL after its newest connection.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::ports::*;

/// The connections held in a user's connections item, live or not.
fn connections_in(item: &Item) -> anyhow::Result<Vec<Connection>> {
    item.iter()
        .filter(|(name, _)| name.starts_with("c#"))
        .map(|(_, value)| {
            let raw = value.as_s().map_err(|_| anyhow::anyhow!("a connection that is not a string"))?;
            Ok(serde_json::from_str(raw)?)
        })
        .collect()
}

/// Connections expire with API Gateway's; an expired one lingers until it is pruned.
fn live(connections: Vec<Connection>, now: DateTime<Utc>) -> Vec<Connection> {
    connections.into_iter().filter(|c| c.is_live(now)).collect()
}

/// The DynamoDB store in its connections role: the name this file adapts the port under.
pub type DynamoConnections = DynamoStore;

#[async_trait]
impl ConnectionStore for DynamoConnections {
    async fn put_connection(&self, connection: &Connection) -> StoreResult<Vec<Connection>> {
        let (tenant, user) = (&connection.tenant_id, &connection.user_id);
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(user_pk(tenant, user), CONNECTIONS_SK)))
            // Connections all live as long: the newest expires last, and the item with it.
            .update_expression("SET #c = :c, #ttl = :ttl")
            .expression_attribute_names("#c", connection_attribute(&connection.id))
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":c", s(serde_json::to_string(connection).map_err(anyhow::Error::from)?))
            .expression_attribute_values(":ttl", AttributeValue::N(connection.expires_at.timestamp().to_string()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        let all = connections_in(&out.attributes.unwrap_or_default())?;
        let (live, expired): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| c.is_live(connection.connected_at));
        if !expired.is_empty() {
            // Connections whose `$disconnect` never came: pruned here, so the item stays small.
            self.remove_connections(tenant, user, &expired.iter().map(|c| c.id.clone()).collect::<Vec<_>>()).await?;
        }
        Ok(live)
    }
    async fn delete_connection(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &ConnectionId,
        now: DateTime<Utc>,
    ) -> StoreResult<Disconnected> {
        let held = self.remove_connections(tenant, user, std::slice::from_ref(id)).await?;
        let (removed, left): (Vec<_>, Vec<_>) = held.into_iter().partition(|c| c.id == *id);
        Ok(Disconnected { removed: removed.into_iter().next(), left: live(left, now) })
    }
    async fn list_user_connections(
        &self,
        tenant: &TenantId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>> {
        let item = self.get_item(key(user_pk(tenant, user), CONNECTIONS_SK)).await?;
        Ok(live(item.as_ref().map(connections_in).transpose()?.unwrap_or_default(), now))
    }

    async fn list_users_connections(
        &self,
        tenant: &TenantId,
        users: &[UserId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>> {
        let keys = users.iter().map(|u| key(user_pk(tenant, u), CONNECTIONS_SK)).collect();
        let mut found = Vec::new();
        for item in self.batch_get(keys).await? {
            found.extend(live(connections_in(&item)?, now));
        }
        Ok(found)
    }
}

impl DynamoStore {
    /// Removes connections from their user's item; the connections it held before, live or
    /// not (those removed among them).
    async fn remove_connections(
        &self,
        tenant: &TenantId,
        user: &UserId,
        ids: &[ConnectionId],
    ) -> anyhow::Result<Vec<Connection>> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(user_pk(tenant, user), CONNECTIONS_SK)))
            .condition_expression("attribute_exists(PK)")
            .return_values(ReturnValue::AllOld);
        let mut names = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            request = request.expression_attribute_names(format!("#c{i}"), connection_attribute(id));
            names.push(format!("#c{i}"));
        }
        match request.update_expression(format!("REMOVE {}", names.join(", "))).send().await {
            Ok(out) => connections_in(&out.attributes.unwrap_or_default()),
            Err(e) if is_condition_failure(&e) => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }
}
