//! What a member chooses for themself — a conversation muted until a time, or archived until
//! its next message — and what waits for them across everything: the unread totals.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::conversations::ConversationsUseCases;
use super::identity::Identity;
use crate::domain::*;
use crate::AppError;

/// How far ahead a conversation may be muted ("until I unmute it" is a date this far).
const MAX_MUTE_DAYS: i64 = 3660;
/// The conversations the totals count at most (a page of 100, ten times).
const MAX_COUNTED: usize = 1000;

/// A member's settings of one conversation, replaced whole.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MySettings {
    /// No `message` notifications until then (mentions still come); null or absent: not muted.
    #[serde(default)]
    #[schema(required = true)]
    pub muted_until: Option<DateTime<Utc>>,
    /// Out of the conversation list (listed with `archived=true`) until its next message.
    #[serde(default)]
    pub archived: bool,
}

/// Unread messages, and the conversations they are in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnreadMessages {
    pub conversations: u64,
    pub messages: u64,
}

/// What waits for the caller.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnreadTotals {
    /// Conversations with unread messages (muted ones left out).
    pub conversations: u64,
    /// Unread messages in them.
    pub messages: u64,
    /// Unread notifications in the bell.
    pub notifications: u64,
}

impl ConversationsUseCases {
    /// Replaces the caller's settings of a conversation they are in.
    pub async fn set_my_settings(
        &self,
        who: &Identity,
        id: &ConversationId,
        settings: MySettings,
    ) -> Result<MySettings, AppError> {
        let (conversation, _) = self.require_member(who, id).await?;
        let now = self.clock.now();
        if let Some(until) = settings.muted_until {
            if until <= now || until > now + chrono::Duration::days(MAX_MUTE_DAYS) {
                return Err(AppError::invalid("invalid mutedUntil: a time in the future, within ten years"));
            }
        }
        let archived = settings.archived.then_some(conversation.activity.as_str());
        let found = self
            .conversations
            .set_member_settings(&who.tenant_id, &conversation.id, &who.user_id, settings.muted_until, archived)
            .await?;
        if !found {
            return Err(AppError::not_found("conversation"));
        }
        Ok(settings)
    }

    /// The caller's settings of a conversation.
    pub async fn my_settings(&self, who: &Identity, id: &ConversationId) -> Result<MySettings, AppError> {
        let (conversation, member) = self.require_member(who, id).await?;
        let muted_until = member.muted_until.filter(|until| *until > self.clock.now());
        Ok(MySettings { muted_until, archived: member.archived_in(&conversation) })
    }

    /// Unread messages and the conversations they are in, across the caller's conversations
    /// (each member's count follows from the conversation's message count and their read
    /// position: exact, however messages and reads raced) — muted ones left out. Reads the
    /// caller's conversations a page of 100 at a time, up to 1,000.
    pub async fn unread_messages(&self, who: &Identity) -> Result<UnreadMessages, AppError> {
        let now = self.clock.now();
        let mut totals = UnreadMessages::default();
        let mut cursor: Option<String> = None;
        let mut counted = 0;
        loop {
            let page = self
                .conversations
                .list_user_conversations(
                    &who.tenant_id,
                    &who.user_id,
                    cursor.as_deref(),
                    super::conversations::MAX_PAGE,
                )
                .await?;
            for entry in &page.items {
                let unread = entry.conversation.unread_for(&entry.member);
                if unread > 0 && !entry.member.muted_at(now) {
                    totals.conversations += 1;
                    totals.messages += unread;
                }
            }
            counted += page.items.len();
            match page.next_cursor {
                Some(next) if counted < MAX_COUNTED => cursor = Some(next),
                _ => return Ok(totals),
            }
        }
    }
}
