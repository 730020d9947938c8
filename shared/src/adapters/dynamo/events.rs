//! Conversation logs (`EV#{cursor}` items in the conversation's partition, its `META` item
//! keeping `lastEvent`) and user feeds (`EV#{cursor}` under `T#{tenant}#U#{user}`), all
//! expiring by TTL.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

fn event_item(pk: String, event: &LoggedEvent) -> anyhow::Result<Item> {
    let mut item = with_data(key(pk, event_sk(event.id.as_str())), event)?;
    item.insert("ttl".into(), AttributeValue::N(event.expires_at.timestamp().to_string()));
    Ok(item)
}

impl DynamoStore {
    /// One partition's events after `after`, oldest first, the expired skipped.
    async fn read_events(
        &self,
        pk: String,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        let values = vec![
            (":pk", pk),
            (":lo", format!("{}!", event_sk(after.map_or("0", EventId::as_str)))),
            (":hi", "EV#~".to_string()),
        ];
        let items = self.query(None, "PK = :pk AND SK BETWEEN :lo AND :hi", values, true, limit, None).await?;
        let mut events: Vec<LoggedEvent> = Vec::with_capacity(items.len());
        for item in &items {
            let event: LoggedEvent = data(item)?;
            // TTL deletion lags: an expired event is still skipped.
            if event.expires_at > now {
                events.push(event);
            }
        }
        // More items were there (limit + 1 were asked for), expired or not.
        let more = items.len() > limit;
        events.truncate(limit);
        Ok((events, more))
    }
}

#[async_trait]
impl EventFeed for DynamoStore {
    async fn append_conversation_event(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        event: &LoggedEvent,
    ) -> StoreResult<()> {
        let pk = conversation_pk(tenant, conversation);
        let logged = self.put_item(event_item(pk.clone(), event)?);
        // The latest event only moves forward, whatever order concurrent events land in.
        let latest = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, META_SK)))
            .update_expression("SET lastEvent = :e")
            .condition_expression("attribute_exists(PK) AND (attribute_not_exists(lastEvent) OR lastEvent < :e)")
            .expression_attribute_values(":e", s(event.id.as_str()))
            .send();
        let (logged, latest) = tokio::join!(logged, latest);
        logged?;
        match latest {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Ok(()),
            Err(e) => Err(StoreError(e.into())),
        }
    }

    async fn list_conversation_events(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        self.read_events(conversation_pk(tenant, conversation), after, limit, now).await
    }

    async fn latest_conversation_events(
        &self,
        tenant: &TenantId,
        conversations: &[ConversationId],
    ) -> StoreResult<Vec<(ConversationId, EventId)>> {
        let keys = conversations.iter().map(|c| key(conversation_pk(tenant, c), META_SK)).collect();
        let by_pk: std::collections::HashMap<String, &ConversationId> =
            conversations.iter().map(|c| (conversation_pk(tenant, c), c)).collect();
        let items = self.batch_get_attributes(keys, Some("PK, lastEvent")).await?;
        let mut latest = Vec::with_capacity(items.len());
        for item in &items {
            let Ok(event) = text(item, "lastEvent") else { continue };
            let conversation =
                by_pk.get(text(item, "PK")?).ok_or_else(|| anyhow::anyhow!("an item of another conversation"))?;
            latest.push(((*conversation).clone(), EventId::parse(event).map_err(|e| anyhow::anyhow!("{e}"))?));
        }
        Ok(latest)
    }

    async fn append_user_events(&self, tenant: &TenantId, users: &[UserId], event: &LoggedEvent) -> StoreResult<()> {
        let items = users.iter().map(|u| event_item(user_pk(tenant, u), event)).collect::<anyhow::Result<Vec<_>>>()?;
        Ok(self.batch_put(items).await?)
    }

    async fn list_user_events(
        &self,
        tenant: &TenantId,
        user: &UserId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        self.read_events(user_pk(tenant, user), after, limit, now).await
    }
}
