//! Live connections under their user.

use std::ops::Bound;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

#[async_trait]
impl ConnectionStore for EmbeddedStore {
    async fn put_connection(&self, connection: &Connection) -> StoreResult<Vec<Connection>> {
        let k = connection_key(&connection.tenant_id, &connection.user_id, &connection.id);
        self.put(k, connection.clone()).await?;
        self.list_user_connections(&connection.tenant_id, &connection.user_id, connection.connected_at).await
    }
    async fn delete_connection(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &ConnectionId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>> {
        let k = connection_key(tenant, user, id);
        self.writing(move |t| {
            t.remove(k.as_str())?;
            Ok(())
        })
        .await?;
        self.list_user_connections(tenant, user, now).await
    }
    async fn list_user_connections(
        &self,
        tenant: &TenantId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>> {
        self.list_users_connections(tenant, std::slice::from_ref(user), now).await
    }

    async fn list_users_connections(
        &self,
        tenant: &TenantId,
        users: &[UserId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>> {
        let prefixes: Vec<String> = users.iter().map(|u| prefix(&["T", tenant.as_str(), "CONN", u.as_str()])).collect();
        // One read transaction for every user.
        self.reading(move |t| {
            let mut live = Vec::new();
            for p in &prefixes {
                let end = prefix_end(p);
                for (_, v) in scan(t, Bound::Included(p.as_str()), Bound::Excluded(&end), false, usize::MAX)? {
                    let c: Connection = decode(&v)?;
                    // Expired records linger until removed, as DynamoDB's TTL deletes lazily.
                    if c.is_live(now) {
                        live.push(c);
                    }
                }
            }
            Ok(live)
        })
        .await
    }
}
