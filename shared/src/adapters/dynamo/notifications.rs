//! The bell: a partition per user, and a sparse GSI1 index of the unread.

use async_trait::async_trait;

use super::codec::*;
use super::keys::*;
use super::ops::count_all;
use super::DynamoStore;
use crate::domain::*;
use crate::ports::*;

/// The DynamoDB store in its notifications role: the name this file adapts the port under.
pub type DynamoNotifications = DynamoStore;

#[async_trait]
impl NotificationStore for DynamoNotifications {
    async fn put_notification(&self, notification: &Notification) -> StoreResult<()> {
        let mut item = with_data(
            key(notifications_pk(&notification.tenant_id, &notification.user_id), notification.id.as_str()),
            notification,
        )?;
        if notification.read_at.is_none() {
            item.insert("GSI1PK".into(), s(unread_pk(&notification.tenant_id, &notification.user_id)));
            item.insert("GSI1SK".into(), s(notification.id.as_str()));
        }
        self.put_item(item).await
    }
    async fn get_notification(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &NotificationId,
    ) -> StoreResult<Option<Notification>> {
        self.get_data(key(notifications_pk(tenant, user), id.as_str())).await
    }
    async fn list_notifications(
        &self,
        tenant: &TenantId,
        user: &UserId,
        unread_only: bool,
        before: Option<&NotificationId>,
        limit: usize,
    ) -> StoreResult<Page<Notification>> {
        let (index, pk, sk) = if unread_only { (Some("GSI1"), "GSI1PK", "GSI1SK") } else { (None, "PK", "SK") };
        let pk_value = if unread_only { unread_pk(tenant, user) } else { notifications_pk(tenant, user) };
        let mut values = vec![(":pk", pk_value)];
        let condition = match before {
            Some(b) => {
                values.push((":before", b.to_string()));
                format!("{pk} = :pk AND {sk} < :before")
            }
            None => format!("{pk} = :pk"),
        };
        let mut items = self.query(index, &condition, values, false, limit, None).await?;
        let more = items.len() > limit;
        items.truncate(limit);
        let notifications: Vec<Notification> = items.iter().map(data).collect::<anyhow::Result<_>>()?;
        let next_cursor = if more { notifications.last().map(|n| n.id.to_string()) } else { None };
        Ok(Page { items: notifications, next_cursor })
    }
    async fn delete_notification(&self, tenant: &TenantId, user: &UserId, id: &NotificationId) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(notifications_pk(tenant, user), id.as_str())))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }
    async fn delete_user_notifications(&self, tenant: &TenantId, user: &UserId) -> StoreResult<()> {
        // The unread index is sparse on the same items: it goes with them.
        Ok(self.delete_partition(notifications_pk(tenant, user)).await?)
    }
    async fn count_unread_notifications(&self, tenant: &TenantId, user: &UserId) -> StoreResult<u64> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(unread_pk(tenant, user)));
        Ok(count_all(request).await?)
    }
}
