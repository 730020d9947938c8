use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Attachment, ClientMessageId, ConversationId, MessageId, Reaction, TenantId, UserId};
use crate::AppError;

/// A message's text: 1..=4000 characters (Unicode scalar values), not only white space.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX_CHARS: usize = 4000;

    pub fn parse(s: impl Into<String>) -> Result<Self, AppError> {
        let s = s.into();
        if s.trim().is_empty() {
            return Err(AppError::invalid("invalid body: a message cannot be empty"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(AppError::invalid("invalid body: a message has at most 4000 characters"));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for MessageBody {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::parse(s)
    }
}
impl From<MessageBody> for String {
    fn from(b: MessageBody) -> String {
        b.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    User,
    System,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub tenant_id: TenantId,
    pub conversation_id: ConversationId,
    pub id: MessageId,
    pub sender_id: UserId,
    pub sender_name: String,
    /// The members its text mentions (`<@userId>`), in the order first mentioned; absent when
    /// none. A mention of someone not in the conversation stays plain text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<UserId>,
    /// `true` when a bot sent it (a bot's API key, or an inbound hook); absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sender_bot: bool,
    /// Null once the message is deleted (the tombstone keeps its place, not its text), and for
    /// a message of attachments only: `deletedAt` tells which.
    #[schema(required = true)]
    pub body: Option<MessageBody>,
    /// The files the message carries, in the order the sender attached them; absent when none
    /// (and once the message is deleted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<ClientMessageId>,
    pub kind: MessageKind,
    /// For `system` messages: what happened, for clients that word it themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<GroupChange>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    #[serde(default)]
    pub edited_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    #[serde(default)]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Its reactions, by emoji in the order they were first used, `me` for the reader's own —
    /// in pages of history and search (absent when none). Kept apart from the message (never
    /// stored with it); `reaction.updated` tells of changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// A reply: the id of its thread's first message (a reply to a reply joins its root's
    /// thread: threads are one level). Absent for a message of the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<MessageId>,
    /// A reply also shown in the conversation (`true`: in its history, its unread count and its
    /// preview); otherwise a reply is in its thread only. Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub also_in_conversation: bool,
    /// On a thread's first message: how many replies it has (deleted ones included, as the
    /// conversation's count includes its deleted messages); absent before the first. This and
    /// the next two are kept apart from the message (never stored with it, so that an edit and
    /// a reply never race on one record).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reply_count: u64,
    /// On a thread's first message: when the latest reply was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reply_at: Option<DateTime<Utc>>,
    /// On a thread's first message: who replied, each once, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reply_user_ids: Vec<UserId>,
}

/// What a thread's first message says of its replies, as a store keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadSummary {
    pub reply_count: u64,
    pub last_reply_at: Option<DateTime<Utc>>,
    pub reply_user_ids: Vec<UserId>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ThreadSummary {
    /// The summary after one more reply, by `sender` at `at`.
    pub fn with_reply(mut self, sender: &UserId, at: DateTime<Utc>) -> Self {
        self.reply_count += 1;
        self.last_reply_at = Some(self.last_reply_at.map_or(at, |last| last.max(at)));
        if let Err(at) = self.reply_user_ids.binary_search(sender) {
            self.reply_user_ids.insert(at, sender.clone());
        }
        self
    }
}

impl Message {
    /// The message once its sender is erased: a tombstone of no one — no text, files,
    /// mentions, system line or client id, its sender [`UserId::erased`] without a name. It
    /// keeps its place (and its thread's summary, kept apart).
    pub fn erased(&self, now: DateTime<Utc>) -> Message {
        Message {
            sender_id: UserId::erased(),
            sender_name: String::new(),
            mentions: Vec::new(),
            body: None,
            attachments: Vec::new(),
            client_message_id: None,
            system: None,
            edited_at: None,
            deleted_at: Some(self.deleted_at.unwrap_or(now)),
            ..self.clone()
        }
    }

    /// A reply shown in its thread only: it has no place in the conversation's history.
    pub fn in_thread_only(&self) -> bool {
        self.parent_id.is_some() && !self.also_in_conversation
    }

    /// Of `users`, those a reply in this message's thread is news to: who started the thread
    /// and who replied in it.
    pub fn thread_participants(&self, users: &[UserId]) -> Vec<UserId> {
        let takes_part = |u: &UserId| *u == self.sender_id || self.reply_user_ids.contains(u);
        users.iter().filter(|u| takes_part(u)).cloned().collect()
    }

    /// The message as a store keeps it: without what is kept apart (its thread's summary, its
    /// reactions).
    pub fn as_stored(&self) -> Message {
        Message { reactions: Vec::new(), ..self.clone() }.with_thread(ThreadSummary::default())
    }

    /// Its thread's summary (empty when nobody replied).
    pub fn thread(&self) -> ThreadSummary {
        ThreadSummary {
            reply_count: self.reply_count,
            last_reply_at: self.last_reply_at,
            reply_user_ids: self.reply_user_ids.clone(),
        }
    }

    /// The message with its thread's summary as read.
    pub fn with_thread(self, thread: ThreadSummary) -> Message {
        let ThreadSummary { reply_count, last_reply_at, reply_user_ids } = thread;
        Message { reply_count, last_reply_at, reply_user_ids, ..self }
    }

    /// What a conversation list or a notification shows of the message: its text, or for a
    /// message of attachments only, their names after a paperclip (which reads the same in
    /// every language). Empty once deleted.
    pub fn summary(&self) -> String {
        match (&self.body, self.attachments.is_empty()) {
            (Some(body), _) => body.as_str().to_string(),
            (None, false) => {
                let names: Vec<&str> = self.attachments.iter().map(|a| a.name.as_str()).collect();
                format!("📎 {}", names.join(", "))
            }
            (None, true) => String::new(),
        }
    }
}

/// What a `system` message (and its `conversation.updated`) says happened to a group, for
/// clients that word it themselves: who did it, and to whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum GroupChange {
    #[serde(rename_all = "camelCase")]
    Renamed { actor_id: UserId, title: String },
    #[serde(rename_all = "camelCase")]
    Added { actor_id: UserId, user_ids: Vec<UserId> },
    #[serde(rename_all = "camelCase")]
    Removed { actor_id: UserId, user_ids: Vec<UserId> },
    /// The actor left: `user_ids` is themself.
    #[serde(rename_all = "camelCase")]
    Left { actor_id: UserId, user_ids: Vec<UserId> },
    /// The actor pinned a message (any conversation, not only groups).
    #[serde(rename_all = "camelCase")]
    Pinned { actor_id: UserId, message_id: MessageId },
    #[serde(rename_all = "camelCase")]
    Unpinned { actor_id: UserId, message_id: MessageId },
}

/// What a conversation list shows of the newest message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessagePreview {
    pub id: MessageId,
    pub sender_id: UserId,
    pub sender_name: String,
    pub body: String,
    pub kind: MessageKind,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    #[serde(default)]
    pub deleted: bool,
}

impl MessagePreview {
    const MAX_CHARS: usize = 200;

    pub fn of(m: &Message) -> Self {
        Self {
            id: m.id.clone(),
            sender_id: m.sender_id.clone(),
            sender_name: m.sender_name.clone(),
            body: m.summary().chars().take(Self::MAX_CHARS).collect(),
            kind: m.kind,
            created_at: m.created_at,
            deleted: m.deleted_at.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_one_to_four_thousand_characters() {
        assert!(MessageBody::parse("").is_err());
        assert!(MessageBody::parse("  \n ").is_err());
        assert!(MessageBody::parse("é".repeat(4000)).is_ok());
        assert!(MessageBody::parse("é".repeat(4001)).is_err());
    }
}

/// The user ids a text mentions as `<@userId>` that are among `members`, each once, in the
/// order first mentioned.
pub fn mentions_in(text: &str, members: &[UserId]) -> Vec<UserId> {
    let mut found: Vec<UserId> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<@") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find('>') else { break };
        let candidate = &rest[..end];
        if let Some(member) = members.iter().find(|m| m.as_str() == candidate) {
            if !found.contains(member) {
                found.push(member.clone());
            }
        }
    }
    found
}

#[cfg(test)]
mod mention_tests {
    use super::*;

    #[test]
    fn members_mentioned_are_found_once_and_others_left_as_text() {
        let members: Vec<UserId> = ["ann", "ben", "ben-2"].iter().map(|u| UserId::parse(*u).unwrap()).collect();
        let found = mentions_in("<@ben> et <@ben-2>, puis <@ben> encore ; <@nobody>, <@ann, <@>", &members);
        assert_eq!(found.iter().map(UserId::as_str).collect::<Vec<_>>(), ["ben", "ben-2"]);
        assert!(mentions_in("no mention here", &members).is_empty());
    }
}
