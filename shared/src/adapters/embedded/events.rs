//! Each user's missed-event feed.

use std::ops::Bound;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

#[async_trait]
impl EventFeed for EmbeddedStore {
    async fn append_events(&self, tenant: &TenantId, users: &[UserId], event: &LoggedEvent) -> StoreResult<()> {
        let keys: Vec<String> = users.iter().map(|u| event_key(tenant, u, event.id.as_str())).collect();
        let event = event.clone();
        self.writing(move |t| {
            for k in &keys {
                write(t, k, &event)?;
            }
            Ok(())
        })
        .await
    }
    async fn list_events(
        &self,
        tenant: &TenantId,
        user: &UserId,
        after: Option<&EventId>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)> {
        let p = prefix(&["T", tenant.as_str(), "EV", user.as_str()]);
        let from = format!("{p}{}", after.map_or("0", EventId::as_str));
        self.reading(move |t| {
            let end = prefix_end(&p);
            let mut events = Vec::new();
            let mut more = false;
            let range = t.range::<&str>((Bound::Excluded(from.as_str()), Bound::Excluded(end.as_str())))?;
            for entry in range {
                let (_, v) = entry?;
                let event: LoggedEvent = decode(v.value())?;
                if event.expires_at <= now {
                    continue;
                }
                if events.len() == limit {
                    more = true;
                    break;
                }
                events.push(event);
            }
            Ok((events, more))
        })
        .await
    }
}
