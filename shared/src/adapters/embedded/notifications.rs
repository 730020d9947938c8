//! The bell, and an index of the unread.

use async_trait::async_trait;
use std::ops::Bound;

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its notifications role: the name this file adapts the port under.
pub type EmbeddedNotifications = EmbeddedStore;

#[async_trait]
impl NotificationStore for EmbeddedNotifications {
    async fn put_notification(&self, notification: &Notification) -> StoreResult<()> {
        let n = notification.clone();
        self.writing(move |t| {
            let unread = unread_key(&n.tenant_id, &n.user_id, n.id.as_str());
            if n.read_at.is_none() {
                t.insert(unread.as_str(), &[][..])?;
            } else {
                t.remove(unread.as_str())?;
            }
            write(t, &notification_key(&n.tenant_id, &n.user_id, n.id.as_str()), &n)
        })
        .await
    }
    async fn get_notification(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &NotificationId,
    ) -> StoreResult<Option<Notification>> {
        self.get(notification_key(tenant, user, id.as_str())).await
    }
    async fn list_notifications(
        &self,
        tenant: &TenantId,
        user: &UserId,
        unread_only: bool,
        before: Option<&NotificationId>,
        limit: usize,
    ) -> StoreResult<Page<Notification>> {
        if !unread_only {
            let page = self
                .page::<Notification>(
                    prefix(&["T", tenant.as_str(), "NOTIF", user.as_str()]),
                    before.map(NotificationId::as_str),
                    limit,
                    true,
                )
                .await?;
            return Ok(Page { items: page.items.into_iter().map(|(_, n)| n).collect(), next_cursor: page.next_cursor });
        }
        let p = prefix(&["T", tenant.as_str(), "NUNREAD", user.as_str()]);
        let before = before.map(|b| format!("{p}{b}"));
        let (tenant, user) = (tenant.clone(), user.clone());
        self.reading(move |t| {
            let end = prefix_end(&p);
            let to = before.as_deref().map_or(Bound::Excluded(end.as_str()), Bound::Excluded);
            let rows = scan(t, Bound::Included(p.as_str()), to, true, limit + 1)?;
            let more = rows.len() > limit;
            let mut items = Vec::new();
            for (k, _) in rows.into_iter().take(limit) {
                if let Some(n) = read(t, &notification_key(&tenant, &user, &k[p.len()..]))? {
                    items.push(n);
                }
            }
            let next_cursor = if more { items.last().map(|n: &Notification| n.id.to_string()) } else { None };
            Ok(Page { items, next_cursor })
        })
        .await
    }
    async fn delete_notification(&self, tenant: &TenantId, user: &UserId, id: &NotificationId) -> StoreResult<bool> {
        let keys = [notification_key(tenant, user, id.as_str()), unread_key(tenant, user, id.as_str())];
        self.writing(move |t| {
            let found = t.remove(keys[0].as_str())?.is_some();
            t.remove(keys[1].as_str())?;
            Ok(found)
        })
        .await
    }
    async fn delete_user_notifications(&self, tenant: &TenantId, user: &UserId) -> StoreResult<()> {
        let prefixes = [
            prefix(&["T", tenant.as_str(), "NOTIF", user.as_str()]),
            prefix(&["T", tenant.as_str(), "NUNREAD", user.as_str()]),
        ];
        self.writing(move |t| prefixes.iter().try_for_each(|p| remove_prefix(t, p))).await
    }
    async fn count_unread_notifications(&self, tenant: &TenantId, user: &UserId) -> StoreResult<u64> {
        let p = prefix(&["T", tenant.as_str(), "NUNREAD", user.as_str()]);
        self.reading(move |t| {
            let end = prefix_end(&p);
            Ok(t.range::<&str>((Bound::Included(p.as_str()), Bound::Excluded(end.as_str())))?.count() as u64)
        })
        .await
    }
}
