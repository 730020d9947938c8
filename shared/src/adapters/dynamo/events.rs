//! Conversation logs and user feeds. A conversation's log is its `EV#{cursor}` items (expiring
//! by TTL) and its messages, each message item holding its `message.new` event under the
//! message's id; its `HEAD` item keeps `lastEvent`. A user's feed is `EV#{cursor}` items under
//! `T#{tenant}#U#{user}`, expiring by TTL.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::ports::*;

pub(super) fn event_item(pk: String, event: &LoggedEvent) -> anyhow::Result<Item> {
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
        self.read_log(pk, "EV#", "data", after, limit, now).await
    }

    /// The entries of one partition's log whose sort keys are `{prefix}{cursor}`, after
    /// `after`, oldest first, each the `LoggedEvent` in `attribute`; the expired skipped.
    /// Whether more are there beyond `limit`.
    async fn read_log(
        &self,
        pk: String,
        prefix: &str,
        attribute: &str,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        let values = vec![
            (":pk", pk),
            (":lo", format!("{prefix}{}!", after.map_or("0", EventId::as_str))),
            (":hi", format!("{prefix}~")),
        ];
        let items = self.query(None, "PK = :pk AND SK BETWEEN :lo AND :hi", values, true, limit, None).await?;
        let mut events: Vec<LoggedEvent> = Vec::with_capacity(items.len());
        for item in &items {
            // A deleted message's entry keeps its place in the log, not its event.
            if !item.contains_key(attribute) {
                continue;
            }
            let raw = text(item, attribute)?;
            let event: LoggedEvent = serde_json::from_str(raw).map_err(anyhow::Error::from)?;
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

    /// Moves a conversation's latest event forward, never back, whatever order concurrent
    /// events land in.
    pub(super) async fn advance_latest_event(&self, pk: String, event: &EventId) -> anyhow::Result<()> {
        let latest = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, HEAD_SK)))
            .update_expression("SET lastEvent = :e")
            .condition_expression("attribute_exists(PK) AND (attribute_not_exists(lastEvent) OR lastEvent < :e)")
            .expression_attribute_values(":e", s(event.as_str()))
            .send()
            .await;
        match latest {
            Err(e) if !is_condition_failure(&e) => Err(e.into()),
            _ => Ok(()),
        }
    }
}

/// Two sorted slices of one log merged, cut where either stopped short: past the last entry
/// of a slice that has more, an entry of the other could precede ones not read yet.
fn merge_logs(
    (mut events, events_more): (Vec<LoggedEvent>, bool),
    (messages, messages_more): (Vec<LoggedEvent>, bool),
    limit: usize,
) -> (Vec<LoggedEvent>, bool) {
    let bound = [(events_more, events.last()), (messages_more, messages.last())]
        .into_iter()
        .filter_map(|(more, last)| if more { last.map(|e| e.id.clone()) } else { None })
        .min();
    events.extend(messages);
    events.sort_by(|a, b| a.id.cmp(&b.id));
    let read = events.len();
    if let Some(bound) = &bound {
        events.retain(|e| e.id <= *bound);
    }
    events.truncate(limit);
    let more = events_more || messages_more || events.len() < read;
    (events, more)
}

/// The DynamoDB store in its event feed role: the name this file adapts the port under.
pub type DynamoEvents = DynamoStore;

#[async_trait]
impl EventFeed for DynamoEvents {
    async fn append_conversation_event(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        event: &LoggedEvent,
    ) -> StoreResult<()> {
        let pk = conversation_pk(tenant, conversation);
        let (logged, latest) =
            tokio::join!(self.put_item(event_item(pk.clone(), event)?), self.advance_latest_event(pk, &event.id));
        logged?;
        Ok(latest?)
    }

    async fn list_conversation_events(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        let pk = conversation_pk(tenant, conversation);
        let (events, messages) = tokio::join!(
            self.read_events(pk.clone(), after, limit, now),
            self.read_log(pk, "MSG#", "event", after, limit, now)
        );
        Ok(merge_logs(events?, messages?, limit))
    }

    async fn latest_conversation_events(
        &self,
        tenant: &TenantId,
        conversations: &[ConversationId],
    ) -> StoreResult<Vec<(ConversationId, EventId)>> {
        let keys = conversations.iter().map(|c| key(conversation_pk(tenant, c), HEAD_SK)).collect();
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
