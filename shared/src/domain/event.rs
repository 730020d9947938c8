//! Events as Missive keeps and passes them on: a published event in a user's missed-event
//! feed, and the ephemeral typing signal.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ConversationId, EventId, MessageId, UserId};

/// An event as a user's missed-event feed keeps it: its id (the `cursor` clients sync from)
/// and the frame exactly as it was pushed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedEvent {
    pub id: EventId,
    pub frame: String,
    pub expires_at: DateTime<Utc>,
}

/// Which message an event announces, for the notifications of those who missed it live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub sender_id: UserId,
    /// The members the message mentions: they get a `mention` notification instead of a
    /// `message` one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<UserId>,
}

/// A typing signal's state. Never stored: it only passes to live connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypingState {
    Start,
    Stop,
}
