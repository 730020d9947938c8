//! Tenants, users (and when they were last seen), storefronts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its tenants role: the name this file adapts the port under.
pub type EmbeddedTenants = EmbeddedStore;

#[async_trait]
impl TenantStore for EmbeddedTenants {
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<Upserted<Tenant>> {
        let tenant = tenant.clone();
        self.writing(move |t| {
            let k = tenant_key(&tenant.id);
            if let Some(existing) = read(t, &k)? {
                return Ok(Upserted { value: existing, created: false });
            }
            write(t, &k, &tenant)?;
            index_origins(t, &tenant, &[])?;
            Ok(Upserted { value: tenant.clone(), created: true })
        })
        .await
    }
    async fn put_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let tenant = tenant.clone();
        self.writing(move |t| {
            let k = tenant_key(&tenant.id);
            let before = read::<Tenant>(t, &k)?.map(|old| old.allowed_origins).unwrap_or_default();
            write(t, &k, &tenant)?;
            index_origins(t, &tenant, &before)
        })
        .await
    }
    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>> {
        self.get(tenant_key(id)).await
    }
    async fn origin_allowed(&self, origin: &str) -> StoreResult<bool> {
        let page = self.page::<String>(prefix(&["ORIGIN", origin]), None, 1, false).await?;
        Ok(!page.items.is_empty())
    }
    async fn put_moderation(&self, policy: &ModerationPolicy) -> StoreResult<()> {
        self.put(key(&["MODERATION", policy.tenant_id.as_str()]), policy.clone()).await
    }
    async fn get_moderation(&self, tenant: &TenantId) -> StoreResult<Option<ModerationPolicy>> {
        self.get(key(&["MODERATION", tenant.as_str()])).await
    }
}

/// Brings the origin index in line with `tenant`'s origins, `before` being those it had.
fn index_origins(t: &mut redb::Table<'_, &str, &[u8]>, tenant: &Tenant, before: &[String]) -> anyhow::Result<()> {
    for gone in before.iter().filter(|o| !tenant.allowed_origins.contains(o)) {
        t.remove(origin_key(gone, &tenant.id).as_str())?;
    }
    for origin in &tenant.allowed_origins {
        write(t, &origin_key(origin, &tenant.id), &tenant.id.as_str())?;
    }
    Ok(())
}

/// The embedded store in its users role: the name this file adapts the port under.
pub type EmbeddedUsers = EmbeddedStore;

#[async_trait]
impl UserStore for EmbeddedUsers {
    async fn put_user(&self, user: &User) -> StoreResult<()> {
        self.put(user_key(&user.tenant_id, &user.id), user.clone()).await
    }
    async fn delete_user(&self, tenant: &TenantId, user: &UserId) -> StoreResult<()> {
        let keys = [user_key(tenant, user), key(&["T", tenant.as_str(), "SEEN", user.as_str()])];
        let prefixes = [super::connections::connections_prefix(tenant, user), super::events::feed_prefix(tenant, user)];
        let connections = prefixes[0].clone();
        self.writing(move |t| {
            for k in &keys {
                t.remove(k.as_str())?;
            }
            prefixes.iter().try_for_each(|p| remove_prefix(t, p))
        })
        .await?;
        self.connections.forget(&connections);
        Ok(())
    }
    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<User>> {
        self.get(user_key(tenant, id)).await
    }
    async fn get_users(&self, tenant: &TenantId, ids: &[UserId]) -> StoreResult<Vec<User>> {
        let keys: Vec<String> = ids.iter().map(|id| user_key(tenant, id)).collect();
        self.reading(move |t| {
            let mut users = Vec::with_capacity(keys.len());
            for k in &keys {
                users.extend(read::<User>(t, k)?);
            }
            Ok(users)
        })
        .await
    }
    async fn list_users(&self, tenant: &TenantId, after: Option<&UserId>, limit: usize) -> StoreResult<Page<User>> {
        let page = self.page(prefix(&["T", tenant.as_str(), "USER"]), after.map(UserId::as_str), limit, false).await?;
        Ok(Page { items: page.items.into_iter().map(|(_, u)| u).collect(), next_cursor: page.next_cursor })
    }
    async fn put_last_seen(&self, tenant: &TenantId, user: &UserId, at: DateTime<Utc>) -> StoreResult<()> {
        self.put(key(&["T", tenant.as_str(), "SEEN", user.as_str()]), at).await
    }
    async fn get_last_seen(&self, tenant: &TenantId, users: &[UserId]) -> StoreResult<Vec<(UserId, DateTime<Utc>)>> {
        let keys: Vec<(UserId, String)> =
            users.iter().map(|u| (u.clone(), key(&["T", tenant.as_str(), "SEEN", u.as_str()]))).collect();
        self.reading(move |t| {
            let mut seen = Vec::new();
            for (user, k) in keys {
                if let Some(at) = read(t, &k)? {
                    seen.push((user, at));
                }
            }
            Ok(seen)
        })
        .await
    }
}

/// The embedded store in its storefronts role: the name this file adapts the port under.
pub type EmbeddedStorefronts = EmbeddedStore;

#[async_trait]
impl StorefrontStore for EmbeddedStorefronts {
    async fn put_storefront(&self, storefront: &Storefront) -> StoreResult<()> {
        let storefront = storefront.clone();
        self.writing(move |t| {
            write(t, &storefront_key(&storefront.tenant_id, &storefront.id), &storefront)?;
            write(t, &storefront_ref_key(&storefront.id), &storefront.tenant_id)
        })
        .await
    }
    async fn get_storefront(&self, tenant: &TenantId, id: &StorefrontId) -> StoreResult<Option<Storefront>> {
        self.get(storefront_key(tenant, id)).await
    }
    async fn storefront_tenant(&self, id: &StorefrontId) -> StoreResult<Option<TenantId>> {
        self.get(storefront_ref_key(id)).await
    }
}
