use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ConversationId, MessageId, MessagePreview, StorefrontId, TenantId, UserId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConversationKind {
    Direct,
    Group,
    Storefront,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    Owner,
    Member,
}

/// A member of a conversation, with their read position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: UserId,
    pub role: MemberRole,
    pub joined_at: DateTime<Utc>,
    /// The newest message this member has read; it only moves forward.
    #[serde(default)]
    pub last_read_message_id: Option<MessageId>,
    #[serde(default)]
    pub last_read_at: Option<DateTime<Utc>>,
    /// How many of the conversation's messages this member has read or sent: the
    /// conversation's message count when the marker last moved. Unread messages are the
    /// count since ([`Conversation::unread_for`]), so a new message writes nothing per member.
    #[serde(default)]
    pub read_count: u64,
    /// Until when this member is typing, in a group whose typing goes out as summaries
    /// (`usecases::signals`); `None` when they are not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typing_until: Option<DateTime<Utc>>,
    /// No `message` notifications for this member until then (mentions still come).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted_until: Option<DateTime<Utc>>,
    /// Archived by this member: the conversation's activity then. It stays out of their list
    /// while no newer message came (a new message changes the activity: it is back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_activity: Option<String>,
}

impl Member {
    /// Whether the member muted the conversation past `now`.
    pub fn muted_at(&self, now: DateTime<Utc>) -> bool {
        self.muted_until.is_some_and(|until| until > now)
    }

    /// Whether the member archived the conversation and nothing newer came since.
    pub fn archived_in(&self, conversation: &Conversation) -> bool {
        self.archived_activity.as_deref() == Some(conversation.activity.as_str())
    }

    pub fn new(user_id: UserId, role: MemberRole, joined_at: DateTime<Utc>) -> Self {
        Self {
            user_id,
            role,
            joined_at,
            last_read_message_id: None,
            last_read_at: None,
            read_count: 0,
            typing_until: None,
            muted_until: None,
            archived_activity: None,
        }
    }
}

/// Who is in a conversation, as lists show it (names as of when they joined).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub user_id: UserId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub tenant_id: TenantId,
    pub id: ConversationId,
    pub kind: ConversationKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storefront_id: Option<StorefrontId>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    /// The newest message id, or the conversation id while it has no message: both are
    /// ULIDs, so this orders a user's conversations by latest activity.
    pub activity: String,
    pub last_activity_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<MessagePreview>,
    #[schema(required = true)]
    #[serde(default)]
    pub participants: Vec<Participant>,
    /// Messages in the conversation so far (system messages included).
    #[schema(required = true)]
    #[serde(default)]
    pub message_count: u64,
}

impl Conversation {
    /// A new conversation without messages: its activity is its own id (a ULID).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        tenant_id: TenantId,
        id: ConversationId,
        kind: ConversationKind,
        title: Option<String>,
        storefront_id: Option<StorefrontId>,
        created_by: UserId,
        created_at: DateTime<Utc>,
        participants: Vec<Participant>,
    ) -> Self {
        Self {
            tenant_id,
            activity: id.to_string(),
            id,
            kind,
            title,
            storefront_id,
            created_by,
            created_at,
            last_activity_at: created_at,
            last_message: None,
            participants,
            message_count: 0,
        }
    }

    /// How many messages `member` has not read: those since their read position.
    pub fn unread_for(&self, member: &Member) -> u64 {
        self.message_count.saturating_sub(member.read_count)
    }

    /// The key that makes creation idempotent: one direct conversation per pair of users,
    /// one storefront conversation per storefront and client. Groups have none.
    pub fn direct_pair_key(a: &UserId, b: &UserId) -> String {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        format!("direct:{lo}:{hi}")
    }
    pub fn storefront_client_key(storefront: &StorefrontId, client: &UserId) -> String {
        format!("storefront:{storefront}:{client}")
    }
    pub fn last_message_id(&self) -> Option<&MessageId> {
        self.last_message.as_ref().map(|m| &m.id)
    }
}

/// A partner's public page, answered by its partner team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Storefront {
    pub tenant_id: TenantId,
    pub id: StorefrontId,
    pub title: String,
    pub partner_ids: Vec<UserId>,
    pub created_at: DateTime<Utc>,
}

/// A conversation as clients see it: the record and its members with their names.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub members: Vec<MemberView>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub user_id: UserId,
    pub name: String,
    pub role: MemberRole,
    pub joined_at: DateTime<Utc>,
    #[schema(required = true)]
    pub last_read_message_id: Option<MessageId>,
    #[schema(required = true)]
    pub last_read_at: Option<DateTime<Utc>>,
}

/// A member's read state after `markRead`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadState {
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    #[schema(required = true)]
    pub last_read_message_id: Option<MessageId>,
    #[schema(required = true)]
    pub last_read_at: Option<DateTime<Utc>>,
    pub unread_count: u64,
}
