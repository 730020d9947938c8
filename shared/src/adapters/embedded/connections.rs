//! Live connections under their user.

use std::ops::Bound;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

pub(super) fn connections_prefix(tenant: &TenantId, user: &UserId) -> String {
    prefix(&["T", tenant.as_str(), "CONN", user.as_str()])
}

/// The embedded store in its connections role: the name this file adapts the port under.
pub type EmbeddedConnections = EmbeddedStore;

#[async_trait]
impl ConnectionStore for EmbeddedConnections {
    async fn put_connection(&self, connection: &Connection) -> StoreResult<Vec<Connection>> {
        let k = connection_key(&connection.tenant_id, &connection.user_id, &connection.id);
        self.put(k, connection.clone()).await?;
        self.connections.forget(&connections_prefix(&connection.tenant_id, &connection.user_id));
        self.list_user_connections(&connection.tenant_id, &connection.user_id, connection.connected_at).await
    }
    async fn delete_connection(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &ConnectionId,
        now: DateTime<Utc>,
    ) -> StoreResult<Disconnected> {
        let k = connection_key(tenant, user, id);
        let removed = self
            .writing(move |t| t.remove(k.as_str())?.map(|old| decode::<Connection>(old.value())).transpose())
            .await?;
        self.connections.forget(&connections_prefix(tenant, user));
        Ok(Disconnected { removed, left: self.list_user_connections(tenant, user, now).await? })
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
        let prefixes: Vec<String> = users.iter().map(|u| connections_prefix(tenant, u)).collect();
        // The records kept in memory, then one read transaction for the users not kept.
        let began = self.connections.epoch();
        let kept = self.connections.lookup(&prefixes);
        let missing: Vec<String> =
            prefixes.iter().zip(&kept).filter(|(_, k)| k.is_none()).map(|(p, _)| p.clone()).collect();
        let read = if missing.is_empty() {
            Vec::new()
        } else {
            self.reading(move |t| {
                let mut read = Vec::with_capacity(missing.len());
                for p in missing {
                    let end = prefix_end(&p);
                    let records = scan(t, Bound::Included(p.as_str()), Bound::Excluded(&end), false, usize::MAX)?
                        .iter()
                        .map(|(_, v)| decode::<Connection>(v))
                        .collect::<anyhow::Result<Vec<_>>>()?;
                    read.push((p, records));
                }
                Ok(read)
            })
            .await?
        };
        // Expired records linger until removed, as DynamoDB's TTL deletes lazily.
        let live = kept.into_iter().flatten().flatten().chain(read.iter().flat_map(|(_, r)| r.iter().cloned()));
        let live = live.filter(|c| c.is_live(now)).collect();
        self.connections.keep(began, read);
        Ok(live)
    }
}
