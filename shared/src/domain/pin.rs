//! Pins: messages a conversation keeps in view, at most 50.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{MessageId, UserId};

/// Pins one conversation holds at most.
pub const MAX_PINS: usize = 50;

/// A pinned message: which, by whom, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pin {
    pub message_id: MessageId,
    pub pinned_by: UserId,
    pub pinned_at: DateTime<Utc>,
}
