//! Tenants, users (and when they were last seen), storefronts.

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

/// The DynamoDB store in its tenants role: the name this file adapts the port under.
pub type DynamoTenants = DynamoStore;

#[async_trait]
impl TenantStore for DynamoTenants {
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<Upserted<Tenant>> {
        let item = with_data(key(tenant_pk(&tenant.id), TENANT_SK), tenant)?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)");
        match put.send().await {
            Ok(_) => {
                // The index follows the tenant: a crash in between leaves an origin without its
                // CORS grant until the tenant's next update, never a grant it did not give.
                let origins = tenant.allowed_origins.iter().map(|o| key(origin_pk(o), tenant_pk(&tenant.id))).collect();
                self.batch_put(origins).await?;
                Ok(Upserted { value: tenant.clone(), created: true })
            }
            Err(e) if is_condition_failure(&e) => {
                let existing = self.get_tenant(&tenant.id).await?.context("tenant vanished")?;
                Ok(Upserted { value: existing, created: false })
            }
            Err(e) => Err(StoreError(e.into())),
        }
    }
    async fn put_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let before = self.get_tenant(&tenant.id).await?.map(|old| old.allowed_origins).unwrap_or_default();
        let pk = tenant_pk(&tenant.id);
        let mut writes = vec![self.put(with_data(key(pk.clone(), TENANT_SK), tenant)?, None)?];
        for origin in tenant.allowed_origins.iter().filter(|o| !before.contains(o)) {
            writes.push(self.put(key(origin_pk(origin), pk.clone()), None)?);
        }
        for gone in before.iter().filter(|o| !tenant.allowed_origins.contains(o)) {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(origin_pk(gone), pk.clone())))
                .build()
                .map_err(anyhow::Error::from)?;
            writes.push(TransactWriteItem::builder().delete(delete).build());
        }
        // The tenant and its index change together (allowedOrigins holds at most 20).
        self.client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(())
    }
    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>> {
        self.get_data(key(tenant_pk(id), TENANT_SK)).await
    }
    async fn origin_allowed(&self, origin: &str) -> StoreResult<bool> {
        let items = self.query(None, "PK = :pk", vec![(":pk", origin_pk(origin))], true, 1, None).await?;
        Ok(!items.is_empty())
    }
    async fn put_moderation(&self, policy: &ModerationPolicy) -> StoreResult<()> {
        self.put_item(with_data(key(tenant_pk(&policy.tenant_id), MODERATION_SK), policy)?).await
    }
    async fn get_moderation(&self, tenant: &TenantId) -> StoreResult<Option<ModerationPolicy>> {
        self.get_data(key(tenant_pk(tenant), MODERATION_SK)).await
    }
}

/// The DynamoDB store in its users role: the name this file adapts the port under.
pub type DynamoUsers = DynamoStore;

#[async_trait]
impl UserStore for DynamoUsers {
    async fn put_user(&self, user: &User) -> StoreResult<()> {
        self.put_item(with_data(key(tenant_pk(&user.tenant_id), user_sk(&user.id)), user)?).await
    }
    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<User>> {
        self.get_data(key(tenant_pk(tenant), user_sk(id))).await
    }
    async fn delete_user(&self, tenant: &TenantId, user: &UserId) -> StoreResult<()> {
        let own = vec![key(tenant_pk(tenant), user_sk(user)), key(tenant_pk(tenant), format!("SEEN#{user}"))];
        self.batch_delete(own).await?;
        // The user's partition: their connections (`CONNS`) and their feed (`EV#…`).
        Ok(self.delete_partition(user_pk(tenant, user)).await?)
    }
    async fn get_users(&self, tenant: &TenantId, ids: &[UserId]) -> StoreResult<Vec<User>> {
        let mut unique: Vec<&UserId> = ids.iter().collect();
        unique.sort();
        unique.dedup();
        let items = self.batch_get(unique.iter().map(|u| key(tenant_pk(tenant), user_sk(u))).collect()).await?;
        Ok(items.iter().map(data).collect::<anyhow::Result<_>>()?)
    }
    async fn list_users(&self, tenant: &TenantId, after: Option<&UserId>, limit: usize) -> StoreResult<Page<User>> {
        let start = after.map(|u| key(tenant_pk(tenant), user_sk(u)));
        let mut items = self
            .query(
                None,
                "PK = :pk AND begins_with(SK, :prefix)",
                vec![(":pk", tenant_pk(tenant)), (":prefix", "USER#".into())],
                true,
                limit,
                start,
            )
            .await?;
        let more = items.len() > limit;
        items.truncate(limit);
        let users: Vec<User> = items.iter().map(data).collect::<anyhow::Result<_>>()?;
        let next_cursor = if more { users.last().map(|u| u.id.to_string()) } else { None };
        Ok(Page { items: users, next_cursor })
    }
    async fn put_last_seen(&self, tenant: &TenantId, user: &UserId, at: DateTime<Utc>) -> StoreResult<()> {
        self.put_item(with_data(key(tenant_pk(tenant), format!("SEEN#{user}")), &at)?).await
    }
    async fn get_last_seen(&self, tenant: &TenantId, users: &[UserId]) -> StoreResult<Vec<(UserId, DateTime<Utc>)>> {
        let items = self.batch_get(users.iter().map(|u| key(tenant_pk(tenant), format!("SEEN#{u}"))).collect()).await?;
        let mut seen = Vec::with_capacity(items.len());
        for item in &items {
            let user = text(item, "SK")?.strip_prefix("SEEN#").context("not a last-seen item")?;
            seen.push((UserId::parse(user).map_err(|e| anyhow!("{e}"))?, data(item)?));
        }
        Ok(seen)
    }
}

/// The DynamoDB store in its storefronts role: the name this file adapts the port under.
pub type DynamoStorefronts = DynamoStore;

#[async_trait]
impl StorefrontStore for DynamoStorefronts {
    async fn put_storefront(&self, storefront: &Storefront) -> StoreResult<()> {
        let item = with_data(key(tenant_pk(&storefront.tenant_id), storefront_sk(&storefront.id)), storefront)?;
        let mut reference = key(storefront_ref_pk(&storefront.id), "SFREF");
        reference.insert("tenantId".into(), s(storefront.tenant_id.as_str()));
        self.client
            .transact_write_items()
            .transact_items(self.put(item, None)?)
            .transact_items(self.put(reference, None)?)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(())
    }
    async fn get_storefront(&self, tenant: &TenantId, id: &StorefrontId) -> StoreResult<Option<Storefront>> {
        self.get_data(key(tenant_pk(tenant), storefront_sk(id))).await
    }
    async fn storefront_tenant(&self, id: &StorefrontId) -> StoreResult<Option<TenantId>> {
        let Some(item) = self.get_item(key(storefront_ref_pk(id), "SFREF")).await? else {
            return Ok(None);
        };
        Ok(Some(TenantId::parse(text(&item, "tenantId")?).map_err(|e| anyhow!("{e}"))?))
    }
}
