//! The audit log: who did which administrative act in a tenant, and when — for its admins and
//! the platform operator to answer "who changed this?".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::UserId;

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AuditActor {
    /// The platform operator, with its key.
    Platform,
    /// One of the tenant's admins (their name as it was then).
    #[serde(rename_all = "camelCase")]
    User { user_id: UserId, name: String },
}

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum AuditAction {
    #[serde(rename = "tenant.created")]
    TenantCreated,
    /// Its name, language, sender, branding, origins or upload limits (`details.fields`).
    #[serde(rename = "tenant.updated")]
    TenantUpdated,
    #[serde(rename = "tenant.suspended")]
    TenantSuspended,
    #[serde(rename = "tenant.reactivated")]
    TenantReactivated,
    /// Its phones' push credentials (`details.services`: those set; never a key).
    #[serde(rename = "tenant.push_credentials_set")]
    PushCredentialsSet,
    #[serde(rename = "user.created")]
    UserCreated,
    /// Their name, e-mail address or language (`details.fields`).
    #[serde(rename = "user.updated")]
    UserUpdated,
    /// `details.from`, `details.to`.
    #[serde(rename = "user.role_changed")]
    UserRoleChanged,
    #[serde(rename = "user.suspended")]
    UserSuspended,
    #[serde(rename = "user.reinstated")]
    UserReinstated,
    /// An export of their data was asked for (`details.exportId`).
    #[serde(rename = "user.exported")]
    UserExported,
    /// Erased: their record at once, the rest of their data by a job (`user.erased` webhook
    /// event when done).
    #[serde(rename = "user.erased")]
    UserErased,
    #[serde(rename = "webhook.created")]
    WebhookCreated,
    #[serde(rename = "webhook.updated")]
    WebhookUpdated,
    #[serde(rename = "webhook.deleted")]
    WebhookDeleted,
    #[serde(rename = "webhook.secret_rotated")]
    WebhookSecretRotated,
    #[serde(rename = "moderation.updated")]
    ModerationUpdated,
    #[serde(rename = "bot.created")]
    BotCreated,
    #[serde(rename = "bot.key_rotated")]
    BotKeyRotated,
    #[serde(rename = "bot.key_revoked")]
    BotKeyRevoked,
    #[serde(rename = "hook.created")]
    HookCreated,
    #[serde(rename = "hook.deleted")]
    HookDeleted,
}

/// One act of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Sorts the newest first; the cursor of the next page.
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    pub action: AuditAction,
    /// What it was done to: a user's id, a webhook's, a bot's, a hook's; absent when it is the
    /// tenant itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// What changed, as the action says (field names, a role's before and after, a URL) —
    /// never a secret, a key or a message's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl AuditEntry {
    /// How long an act stays in the log: thirteen months, a year's review and its margin.
    pub const KEPT_DAYS: i64 = 400;

    /// An id that sorts newest first: the log is read in id order.
    pub fn new_id(at: DateTime<Utc>) -> String {
        super::newest_first_id(at)
    }
}
