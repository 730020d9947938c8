//! Each user's missed-event feed (`EV#`), expiring by TTL.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::ports::*;

#[async_trait]
impl EventFeed for DynamoStore {
    async fn append_events(&self, tenant: &TenantId, users: &[UserId], event: &LoggedEvent) -> StoreResult<()> {
        let items = users
            .iter()
            .map(|u| {
                let mut item = with_data(key(user_pk(tenant, u), event_sk(event.id.as_str())), event)?;
                item.insert("ttl".into(), AttributeValue::N(event.expires_at.timestamp().to_string()));
                Ok(item)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(self.batch_put(items).await?)
    }
    async fn list_events(
        &self,
        tenant: &TenantId,
        user: &UserId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        let values = vec![
            (":pk", user_pk(tenant, user)),
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
