//! Conversation logs (`T|{tenant}|CONV|{conversation}|EV|{cursor}`) and user feeds
//! (`T|{tenant}|EV|{user}|{cursor}`): events in cursor order under one prefix each.

use std::ops::Bound;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redb::ReadableTable;

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

fn log_prefix(tenant: &TenantId, conversation: &ConversationId) -> String {
    prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "EV"])
}

pub(super) fn feed_prefix(tenant: &TenantId, user: &UserId) -> String {
    prefix(&["T", tenant.as_str(), "EV", user.as_str()])
}

/// The events under `p` after `after`, oldest first, at most `limit`, the expired skipped;
/// `true` when more follow.
fn read_events(
    t: &impl ReadableTable<&'static str, &'static [u8]>,
    p: &str,
    after: Option<&str>,
    limit: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<(Vec<LoggedEvent>, bool)> {
    let from = format!("{p}{}", after.unwrap_or("0"));
    let end = prefix_end(p);
    let mut events = Vec::new();
    for entry in t.range::<&str>((Bound::Excluded(from.as_str()), Bound::Excluded(end.as_str())))? {
        let (_, v) = entry?;
        let event: LoggedEvent = decode(v.value())?;
        if event.expires_at <= now {
            continue;
        }
        if events.len() == limit {
            return Ok((events, true));
        }
        events.push(event);
    }
    Ok((events, false))
}

/// The embedded store in its event feed role: the name this file adapts the port under.
pub type EmbeddedEvents = EmbeddedStore;

#[async_trait]
impl EventFeed for EmbeddedEvents {
    async fn append_conversation_event(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        event: &LoggedEvent,
    ) -> StoreResult<()> {
        self.put(conversation_event_key(tenant, conversation, &event.id), event.clone()).await
    }

    async fn list_conversation_events(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        let p = log_prefix(tenant, conversation);
        let after = after.map(|a| a.to_string());
        self.reading(move |t| read_events(t, &p, after.as_deref(), limit, now)).await
    }

    async fn latest_conversation_events(
        &self,
        tenant: &TenantId,
        conversations: &[ConversationId],
    ) -> StoreResult<Vec<(ConversationId, EventId)>> {
        let logs: Vec<(ConversationId, String)> =
            conversations.iter().map(|c| (c.clone(), log_prefix(tenant, c))).collect();
        self.reading(move |t| {
            let mut latest = Vec::new();
            for (conversation, p) in logs {
                let end = prefix_end(&p);
                let newest = scan(t, Bound::Included(p.as_str()), Bound::Excluded(end.as_str()), true, 1)?;
                if let Some((k, _)) = newest.first() {
                    let id = EventId::parse(&k[p.len()..]).map_err(|e| anyhow::anyhow!("{e}"))?;
                    latest.push((conversation, id));
                }
            }
            Ok(latest)
        })
        .await
    }

    async fn append_user_events(&self, tenant: &TenantId, users: &[UserId], event: &LoggedEvent) -> StoreResult<()> {
        let keys: Vec<String> = users.iter().map(|u| format!("{}{}", feed_prefix(tenant, u), event.id)).collect();
        let event = event.clone();
        self.writing(move |t| {
            for k in &keys {
                write(t, k, &event)?;
            }
            Ok(())
        })
        .await
    }

    async fn list_user_events(
        &self,
        tenant: &TenantId,
        user: &UserId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        let p = feed_prefix(tenant, user);
        let after = after.map(|a| a.to_string());
        self.reading(move |t| read_events(t, &p, after.as_deref(), limit, now)).await
    }
}
