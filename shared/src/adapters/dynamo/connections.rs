//! Live connections (`CONN#`) under their user, expiring by TTL.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::ports::*;

#[async_trait]
impl ConnectionStore for DynamoStore {
    async fn put_connection(&self, connection: &Connection) -> StoreResult<()> {
        let mut item = with_data(
            key(user_pk(&connection.tenant_id, &connection.user_id), connection_sk(&connection.id)),
            connection,
        )?;
        // DynamoDB's TTL deletes the item some time after this instant.
        item.insert("ttl".into(), AttributeValue::N(connection.expires_at.timestamp().to_string()));
        self.put_item(item).await
    }
    async fn delete_connection(&self, tenant: &TenantId, user: &UserId, id: &ConnectionId) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(user_pk(tenant, user), connection_sk(id))))
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(())
    }
    async fn list_user_connections(
        &self,
        tenant: &TenantId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>> {
        let items = self.query_all(user_pk(tenant, user), "CONN#").await?;
        let mut live = Vec::with_capacity(items.len());
        for item in &items {
            let connection: Connection = data(item)?;
            // TTL deletion lags by up to days: an expired item is still skipped.
            if connection.is_live(now) {
                live.push(connection);
            }
        }
        Ok(live)
    }

    async fn list_users_connections(
        &self,
        tenant: &TenantId,
        users: &[UserId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>> {
        // One Query per user, all at once: a user's connections are one partition's items.
        let each = users.iter().map(|u| self.list_user_connections(tenant, u, now));
        let mut live = Vec::new();
        for found in futures_util::future::join_all(each).await {
            live.extend(found?);
        }
        Ok(live)
    }
}
