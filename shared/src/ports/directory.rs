//! Tenants, their users, and storefronts: the directory every request starts from.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Page, StoreResult, Upserted};
use crate::domain::{ModerationPolicy, Storefront, StorefrontId, Tenant, TenantId, User, UserId};

#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Creates a tenant; `created: false` (and the existing tenant) if the id is taken.
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<Upserted<Tenant>>;
    /// Writes a tenant; its `allowedOrigins` replace the ones it listed before.
    async fn put_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>>;
    /// Whether some tenant lists `origin` in its `allowedOrigins` (a browser's CORS preflight
    /// names no tenant); one read of an index kept by `create_tenant` and `put_tenant`.
    async fn origin_allowed(&self, origin: &str) -> StoreResult<bool>;
    /// Replaces the tenant's moderation policy.
    async fn put_moderation(&self, policy: &ModerationPolicy) -> StoreResult<()>;
    /// The tenant's moderation policy; `None` while its admins never set one.
    async fn get_moderation(&self, tenant: &TenantId) -> StoreResult<Option<ModerationPolicy>>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn put_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<User>>;
    /// Several users at once (one batch read on DynamoDB); unknown ids are left out.
    async fn get_users(&self, tenant: &TenantId, ids: &[UserId]) -> StoreResult<Vec<User>>;
    /// The tenant directory in user-id order, after `after` when given.
    async fn list_users(&self, tenant: &TenantId, after: Option<&UserId>, limit: usize) -> StoreResult<Page<User>>;
    /// When a user was last seen connected (set when their last connection closes).
    async fn put_last_seen(&self, tenant: &TenantId, user: &UserId, at: DateTime<Utc>) -> StoreResult<()>;
    /// Last-seen times of several users at once; users never seen are left out.
    async fn get_last_seen(&self, tenant: &TenantId, users: &[UserId]) -> StoreResult<Vec<(UserId, DateTime<Utc>)>>;
    /// Forgets a user (an erasure): their record, when they were last seen, and what is kept
    /// under them alone — their connections and their event feed. Nothing to forget is no error.
    async fn delete_user(&self, tenant: &TenantId, user: &UserId) -> StoreResult<()>;
}

#[async_trait]
pub trait StorefrontStore: Send + Sync {
    /// Stores a storefront and the tenant-less pointer that lets the public guest endpoint
    /// find its tenant.
    async fn put_storefront(&self, storefront: &Storefront) -> StoreResult<()>;
    async fn get_storefront(&self, tenant: &TenantId, id: &StorefrontId) -> StoreResult<Option<Storefront>>;
    async fn storefront_tenant(&self, id: &StorefrontId) -> StoreResult<Option<TenantId>>;
}
