//! A short per-process memory of tenants and users, so that authenticating a request does not
//! read both from the store every time; and of which events each tenant's webhooks hear, so
//! that emitting an event nobody hears costs nothing; and of each tenant's moderation, compiled,
//! so that a send consults it without a read. An entry is trusted for `ttl` at most: a tenant
//! suspended, or a user changed, by another process is seen within that bound; this process's
//! own changes are seen at once (they replace or forget the entry).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use std::sync::Arc;

use crate::domain::{Moderator, Tenant, TenantId, User, UserId, WebhookEventType};

/// A tenant's enabled endpoints' event filters (an empty one hears everything).
pub type WebhookFilters = Arc<[Vec<WebhookEventType>]>;

/// Entries kept at most; past it the memory starts again empty.
const MAX_ENTRIES: usize = 10_000;

struct Entry<T> {
    value: T,
    until: DateTime<Utc>,
}

pub struct DirectoryCache {
    ttl: chrono::Duration,
    tenants: Mutex<HashMap<TenantId, Entry<Tenant>>>,
    users: Mutex<HashMap<(TenantId, UserId), Entry<User>>>,
    webhook_filters: Mutex<HashMap<TenantId, Entry<WebhookFilters>>>,
    moderators: Mutex<HashMap<TenantId, Entry<Arc<Moderator>>>>,
}

fn fresh<K: std::hash::Hash + Eq, T: Clone>(
    map: &Mutex<HashMap<K, Entry<T>>>,
    key: &K,
    now: DateTime<Utc>,
) -> Option<T> {
    let map = map.lock().unwrap_or_else(|p| p.into_inner());
    map.get(key).filter(|e| e.until > now).map(|e| e.value.clone())
}

fn keep<K: std::hash::Hash + Eq, T>(map: &Mutex<HashMap<K, Entry<T>>>, key: K, value: T, until: DateTime<Utc>) {
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    map.insert(key, Entry { value, until });
}

impl DirectoryCache {
    /// `ttl` zero keeps nothing: every lookup reads the store.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl: chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::zero()),
            tenants: Mutex::default(),
            users: Mutex::default(),
            webhook_filters: Mutex::default(),
            moderators: Mutex::default(),
        }
    }

    pub fn tenant(&self, id: &TenantId, now: DateTime<Utc>) -> Option<Tenant> {
        fresh(&self.tenants, id, now)
    }

    pub fn keep_tenant(&self, tenant: &Tenant, now: DateTime<Utc>) {
        if !self.ttl.is_zero() {
            keep(&self.tenants, tenant.id.clone(), tenant.clone(), now + self.ttl);
        }
    }

    pub fn forget_tenant(&self, id: &TenantId) {
        self.tenants.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }

    pub fn user(&self, tenant: &TenantId, id: &UserId, now: DateTime<Utc>) -> Option<User> {
        fresh(&self.users, &(tenant.clone(), id.clone()), now)
    }

    pub fn keep_user(&self, user: &User, now: DateTime<Utc>) {
        if !self.ttl.is_zero() {
            keep(&self.users, (user.tenant_id.clone(), user.id.clone()), user.clone(), now + self.ttl);
        }
    }

    pub fn forget_user(&self, tenant: &TenantId, id: &UserId) {
        self.users.lock().unwrap_or_else(|p| p.into_inner()).remove(&(tenant.clone(), id.clone()));
    }

    pub fn webhook_filters(&self, tenant: &TenantId, now: DateTime<Utc>) -> Option<WebhookFilters> {
        fresh(&self.webhook_filters, tenant, now)
    }

    pub fn keep_webhook_filters(&self, tenant: &TenantId, filters: WebhookFilters, now: DateTime<Utc>) {
        if !self.ttl.is_zero() {
            keep(&self.webhook_filters, tenant.clone(), filters, now + self.ttl);
        }
    }

    pub fn forget_webhook_filters(&self, tenant: &TenantId) {
        self.webhook_filters.lock().unwrap_or_else(|p| p.into_inner()).remove(tenant);
    }

    pub fn moderator(&self, tenant: &TenantId, now: DateTime<Utc>) -> Option<Arc<Moderator>> {
        fresh(&self.moderators, tenant, now)
    }

    pub fn keep_moderator(&self, tenant: &TenantId, moderator: Arc<Moderator>, now: DateTime<Utc>) {
        if !self.ttl.is_zero() {
            keep(&self.moderators, tenant.clone(), moderator, now + self.ttl);
        }
    }

    pub fn forget_moderator(&self, tenant: &TenantId) {
        self.moderators.lock().unwrap_or_else(|p| p.into_inner()).remove(tenant);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_trusted_for_the_ttl_and_forgotten_on_change() {
        let cache = DirectoryCache::new(Duration::from_secs(5));
        let t0: DateTime<Utc> = "2026-11-26T10:00:00Z".parse().unwrap();
        let tenant = Tenant::new(TenantId::parse("acme").unwrap(), "Acme", t0);
        cache.keep_tenant(&tenant, t0);
        assert_eq!(cache.tenant(&tenant.id, t0 + chrono::Duration::seconds(4)), Some(tenant.clone()));
        assert_eq!(cache.tenant(&tenant.id, t0 + chrono::Duration::seconds(5)), None, "stale after the ttl");
        cache.keep_tenant(&tenant, t0);
        cache.forget_tenant(&tenant.id);
        assert_eq!(cache.tenant(&tenant.id, t0), None);
        let off = DirectoryCache::new(Duration::ZERO);
        off.keep_tenant(&tenant, t0);
        assert_eq!(off.tenant(&tenant.id, t0), None, "a zero ttl keeps nothing");
    }
}
