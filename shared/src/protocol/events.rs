//! What the server pushes unasked: the events of conversations, notifications, reading,
//! typing and presence. Those kept for `sync` carry their `cursor`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{ConversationView, GroupChange, Message, MessageId, Notification, Reaction, TypingState, UserId};

/// One member's read marker in a `read.summary`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadMark {
    pub user_id: UserId,
    pub last_read_message_id: MessageId,
    pub last_read_at: DateTime<Utc>,
}

/// One member typing, in a `typing.summary`: shown for `expires_in_ms` unless a later summary
/// says otherwise.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Typer {
    pub user_id: UserId,
    pub name: String,
    pub expires_in_ms: u64,
}

// Built by the use cases without a cursor; publishing gives it one (`with_cursor`).
/// What the server pushes, tagged by `type`. An event kept in a conversation's or a user's
/// feed carries its `cursor` there: the position `sync` resumes from.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type")]
pub enum Event<'a> {
    #[serde(rename = "message.new", rename_all = "camelCase")]
    MessageNew {
        conversation_id: &'a str,
        message: &'a Message,
        /// Its position in its feed: `sync` resumes after it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = true, value_type = String)]
        cursor: Option<&'a str>,
    },
    #[serde(rename = "message.updated", rename_all = "camelCase")]
    MessageUpdated {
        conversation_id: &'a str,
        message: &'a Message,
        /// Its position in its feed: `sync` resumes after it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = true, value_type = String)]
        cursor: Option<&'a str>,
    },
    /// Someone reacted to a message, or took their reaction back: the message's counts after
    /// it (`me` always false: each reader knows their own from `userId`, `emoji` and `on`).
    #[serde(rename = "reaction.updated", rename_all = "camelCase")]
    ReactionUpdated {
        conversation_id: &'a str,
        message_id: &'a str,
        user_id: &'a str,
        emoji: &'a str,
        on: bool,
        reactions: &'a [Reaction],
        /// Its position in its feed: `sync` resumes after it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = true, value_type = String)]
        cursor: Option<&'a str>,
    },
    #[serde(rename = "message.deleted", rename_all = "camelCase")]
    MessageDeleted {
        conversation_id: &'a str,
        message: &'a Message,
        /// Its position in its feed: `sync` resumes after it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = true, value_type = String)]
        cursor: Option<&'a str>,
    },
    #[serde(rename = "notification.new", rename_all = "camelCase")]
    NotificationNew {
        notification: &'a Notification,
        /// Its position in its feed: `sync` resumes after it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = true, value_type = String)]
        cursor: Option<&'a str>,
    },
    /// A member's read marker moved (in a group small enough for each read to be pushed).
    #[serde(rename = "read", rename_all = "camelCase")]
    Read {
        conversation_id: &'a str,
        user_id: &'a str,
        message_id: &'a str,
        read_at: DateTime<Utc>,
        /// Its position in its feed: `sync` resumes after it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = true, value_type = String)]
        cursor: Option<&'a str>,
    },
    /// A large group's read markers that moved in the last window.
    #[serde(rename = "read.summary", rename_all = "camelCase")]
    ReadSummary {
        conversation_id: &'a str,
        reads: &'a [ReadMark],
        /// Its position in its feed: `sync` resumes after it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = true, value_type = String)]
        cursor: Option<&'a str>,
    },
    /// Someone started or stopped typing (in a group small enough for each to be pushed).
    #[serde(rename = "typing", rename_all = "camelCase")]
    Typing {
        conversation_id: &'a str,
        user_id: &'a str,
        name: &'a str,
        state: TypingState,
        /// With `start`: how long to show it unless told otherwise; `null` with `stop`.
        #[schema(required = true)]
        expires_in_ms: Option<u64>,
    },
    /// Who is typing in a large group now; an empty list: nobody any more.
    #[serde(rename = "typing.summary", rename_all = "camelCase")]
    TypingSummary { conversation_id: &'a str, typing: &'a [Typer] },
    /// Someone who shares a conversation with the recipient came online or went offline.
    #[serde(rename = "presence", rename_all = "camelCase")]
    Presence {
        user_id: &'a str,
        online: bool,
        /// When their last connection closed; `null` while online.
        #[schema(required = true)]
        last_seen_at: Option<DateTime<Utc>>,
    },
    /// A conversation the recipient is a member of was created.
    #[serde(rename = "conversation.created", rename_all = "camelCase")]
    ConversationCreated {
        conversation: &'a ConversationView,
        /// Its position in its feed: `sync` resumes after it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = true, value_type = String)]
        cursor: Option<&'a str>,
    },
    /// A group changed: renamed, members added, removed or gone. The recipient may be one who
    /// just left it (`conversation.members` no longer lists them).
    #[serde(rename = "conversation.updated", rename_all = "camelCase")]
    ConversationUpdated {
        conversation: &'a ConversationView,
        change: &'a GroupChange,
        /// Its position in its feed: `sync` resumes after it.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = true, value_type = String)]
        cursor: Option<&'a str>,
    },
}

impl<'a> Event<'a> {
    /// The event as a feed keeps it: with the cursor it was given there. Events that are never
    /// kept (typing, presence) are left as they are.
    pub fn with_cursor<'b>(self, at: &'b str) -> Event<'b>
    where
        'a: 'b,
    {
        let mut event: Event<'b> = self;
        match &mut event {
            Event::MessageNew { cursor, .. }
            | Event::MessageUpdated { cursor, .. }
            | Event::ReactionUpdated { cursor, .. }
            | Event::MessageDeleted { cursor, .. }
            | Event::NotificationNew { cursor, .. }
            | Event::Read { cursor, .. }
            | Event::ReadSummary { cursor, .. }
            | Event::ConversationCreated { cursor, .. }
            | Event::ConversationUpdated { cursor, .. } => *cursor = Some(at),
            Event::Typing { .. } | Event::TypingSummary { .. } | Event::Presence { .. } => {}
        }
        event
    }

    /// The frame. An event that feeds keep is serialized once it has its cursor
    /// ([`Event::with_cursor`]): the schema promises one.
    pub fn to_json(&self) -> String {
        debug_assert!(self.cursor_given(), "a kept event is serialized before it has its cursor");
        serde_json::to_string(self).expect("events always serialize")
    }

    /// False for an event that feeds keep and that has no cursor yet.
    fn cursor_given(&self) -> bool {
        match self {
            Event::MessageNew { cursor, .. }
            | Event::MessageUpdated { cursor, .. }
            | Event::ReactionUpdated { cursor, .. }
            | Event::MessageDeleted { cursor, .. }
            | Event::NotificationNew { cursor, .. }
            | Event::Read { cursor, .. }
            | Event::ReadSummary { cursor, .. }
            | Event::ConversationCreated { cursor, .. }
            | Event::ConversationUpdated { cursor, .. } => cursor.is_some(),
            Event::Typing { .. } | Event::TypingSummary { .. } | Event::Presence { .. } => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_event_carries_its_cursor_after_its_fields() {
        let event = Event::Presence { user_id: "u1", online: true, last_seen_at: None };
        assert_eq!(
            event.with_cursor("01J").to_json(),
            r#"{"type":"presence","userId":"u1","online":true,"lastSeenAt":null}"#
        );
        let marks = [];
        let summary = Event::ReadSummary { conversation_id: "c1", reads: &marks, cursor: None };
        assert_eq!(
            summary.with_cursor("01J").to_json(),
            r#"{"type":"read.summary","conversationId":"c1","reads":[],"cursor":"01J"}"#
        );
    }
}
