//! Missed-event recovery: every event a user was sent after a cursor, in order.

use serde::Serialize;

use super::identity::Identity;
use crate::app::App;
use crate::domain::EventId;
use crate::AppError;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPage {
    /// The events, oldest first, each exactly as it was pushed (with its `cursor`).
    pub events: Vec<serde_json::Value>,
    /// Where the next sync starts: the last event's cursor, or `since` when none came.
    pub cursor: String,
    /// More events follow: sync again from `cursor`.
    pub more: bool,
}

/// The caller's events after `since` (a cursor from an event or an ack; `0` for everything
/// still kept). A cursor older than the retention period answers `sync_expired`-style 410 so
/// the client reloads instead of trusting an incomplete feed.
pub async fn sync(app: &App, who: &Identity, since: &str) -> Result<SyncPage, AppError> {
    let since = since.trim();
    let after = match since {
        "0" => None,
        cursor => {
            let invalid = || AppError::invalid("invalid since: expected a cursor");
            let ulid = ulid::Ulid::from_string(cursor).map_err(|_| invalid())?;
            let age_ms = app.clock.now().timestamp_millis() - ulid.timestamp_ms() as i64;
            if age_ms > app.config.limits.event_retention.as_millis() as i64 {
                return Err(AppError::Gone(
                    "this cursor is older than the events kept: reload, then sync from a new cursor".into(),
                ));
            }
            Some(EventId::parse(cursor).map_err(|_| invalid())?)
        }
    };
    let limit = app.config.limits.max_sync_events;
    let (logged, more) =
        app.store.list_events(&who.tenant_id, &who.user_id, after.as_ref(), limit, app.clock.now()).await?;
    let cursor = logged.last().map_or_else(|| since.to_string(), |e| e.id.to_string());
    let events = logged
        .iter()
        .filter(|e| who.conversation_scope.is_none() || in_scope(who, &e.frame))
        .map(|e| serde_json::from_str(&e.frame).map_err(AppError::internal))
        .collect::<Result<_, _>>()?;
    Ok(SyncPage { events, cursor, more })
}

/// A guest's feed only ever holds its one conversation's events; this keeps it so even if
/// a guest id were reused.
fn in_scope(who: &Identity, frame: &str) -> bool {
    let scope = who.conversation_scope.as_ref().map(|c| c.as_str());
    serde_json::from_str::<serde_json::Value>(frame)
        .ok()
        .and_then(|v| v.get("conversationId").and_then(|c| c.as_str().map(str::to_string)))
        .as_deref()
        == scope
}
