//! Missed-event recovery: every event a user was sent after a cursor, in order — from the
//! user's own feed and from the logs of their conversations that changed since the cursor.

use crate::config::Limits;
use crate::metrics::Metrics;
use crate::ports::{Clock, ConversationStore, EventFeed};
use serde::Serialize;
use std::sync::Arc;

use super::identity::Identity;
use crate::domain::{ConversationId, EventId, LoggedEvent};
use crate::metrics::Metric;
use crate::AppError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncPage {
    /// The events, oldest first, each exactly as it was pushed (with its `cursor`).
    #[schema(schema_with = pushed_events)]
    pub events: Vec<serde_json::Value>,
    /// Where the next sync starts: the last event's cursor, but on the last page never later
    /// than `sync_settle` ago (nor earlier than `since`) — see `resume_cursor`.
    pub cursor: String,
    /// More events follow: sync again from `cursor`.
    pub more: bool,
}

/// Kept as the frames they were pushed as, whose schema is the protocol's `Event`.
fn pushed_events() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new().items(utoipa::openapi::Ref::from_schema_name("Event")).build()
}

/// The sync use cases, with the ports they use.
#[derive(Clone)]
pub struct SyncUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) events: Arc<dyn EventFeed>,
    pub(crate) metrics: Metrics,
    pub(crate) limits: Limits,
}

impl SyncUseCases {
    /// The caller's events after `since` (a cursor from an event or an ack; `0` for everything
    /// still kept). A cursor older than the retention period answers `sync_expired`-style 410 so
    /// the client reloads instead of trusting an incomplete feed.
    ///
    /// Each source (the user's feed; each conversation whose latest event is after `since`)
    /// gives its first `limit` events after `since`; the first `limit` of their union, in cursor
    /// order, are the first `limit` events of all, so pages never skip one.
    pub async fn sync(&self, who: &Identity, since: &str) -> Result<SyncPage, AppError> {
        let since = since.trim();
        let after = match since {
            "0" => None,
            cursor => {
                let invalid = || AppError::invalid("invalid since: expected a cursor");
                let ulid = ulid::Ulid::from_string(cursor).map_err(|_| invalid())?;
                let age_ms = self.clock.now().timestamp_millis() - ulid.timestamp_ms() as i64;
                if age_ms > self.limits.event_retention.as_millis() as i64 {
                    return Err(AppError::Gone(
                        "this cursor is older than the events kept: reload, then sync from a new cursor".into(),
                    ));
                }
                Some(EventId::parse(cursor).map_err(|_| invalid())?)
            }
        };
        let (tenant, now, limit) = (&who.tenant_id, self.clock.now(), self.limits.max_sync_events);
        self.metrics.count(Metric::SyncRequests, 1, Some(tenant), now);
        let (mut events, mut more) =
            self.events.list_user_events(tenant, &who.user_id, after.as_ref(), limit, now).await?;
        let conversations = self.changed_conversations(who, after.as_ref()).await?;
        for conversation in &conversations {
            let (logged, left) =
                self.events.list_conversation_events(tenant, conversation, after.as_ref(), limit, now).await?;
            events.extend(logged);
            more |= left;
        }
        events.sort_by(|a, b| a.id.cmp(&b.id));
        if events.len() > limit {
            events.truncate(limit);
            more = true;
        }
        let cursor = self.resume_cursor(since, events.last().map(|e| e.id.as_str()), more);
        let events = events.iter().map(frame).collect::<Result<_, _>>()?;
        Ok(SyncPage { events, cursor, more })
    }

    /// Where the next sync starts. An event takes its cursor when its publication starts and is
    /// readable once written: one still being written can end up below cursors already synced.
    /// So the last page's cursor stays `sync_settle` behind the present — the events after it
    /// come again in the next sync (same cursors: the client drops them) and one written late is
    /// among them. A page with more after it ends on its last event, so paging always advances.
    fn resume_cursor(&self, since: &str, last: Option<&str>, more: bool) -> String {
        let Some(last) = last else { return since.to_string() };
        if more {
            return last.to_string();
        }
        let settle_ms = self.limits.sync_settle.as_millis() as i64;
        let horizon_ms = (self.clock.now().timestamp_millis() - settle_ms).max(0) as u64;
        // The lowest ULID of that millisecond: every event that started after it sorts above.
        let horizon = ulid::Ulid::from_parts(horizon_ms, 0).to_string();
        let settled = if horizon.as_str() < last { horizon } else { last.to_string() };
        if since != "0" && settled.as_str() < since {
            since.to_string()
        } else {
            settled
        }
    }

    /// The caller's conversations whose latest event is after `after` (a guest's one
    /// conversation at most).
    async fn changed_conversations(
        &self,
        who: &Identity,
        after: Option<&EventId>,
    ) -> Result<Vec<ConversationId>, AppError> {
        let mine: Vec<ConversationId> = match &who.conversation_scope {
            // A guest's one conversation, while they are still in it.
            Some(scope) => match self.conversations.get_member(&who.tenant_id, scope, &who.user_id).await? {
                Some(_) => vec![scope.clone()],
                None => Vec::new(),
            },
            None => self.conversations.list_user_conversation_ids(&who.tenant_id, &who.user_id).await?,
        };
        if mine.is_empty() {
            return Ok(mine);
        }
        let latest = self.events.latest_conversation_events(&who.tenant_id, &mine).await?;
        Ok(latest.into_iter().filter(|(_, last)| after.is_none_or(|a| last > a)).map(|(c, _)| c).collect())
    }
}

fn frame(event: &LoggedEvent) -> Result<serde_json::Value, AppError> {
    serde_json::from_str(&event.frame).map_err(AppError::internal)
}
