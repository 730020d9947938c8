//! Inbound hooks: a secret URL bound to one group, through which another system (a dispatch
//! system posting call-outs) posts messages as a named bot of that group.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ConversationId, TenantId, UserId};

/// The prefix of every hook secret.
pub const HOOK_SECRET_PREFIX: &str = "whk_";

/// A hook: where it posts, as whom, and the hash of its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundHook {
    pub tenant_id: TenantId,
    /// `{tenant}.{ulid}`: the tenant is found from the id alone.
    pub id: String,
    pub conversation_id: ConversationId,
    /// The bot the hook posts as (a member of the group).
    pub bot_id: UserId,
    pub name: String,
    /// SHA-256 (hex) of the secret.
    pub secret_hash: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// A hook as it is shown: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HookView {
    pub id: String,
    pub conversation_id: ConversationId,
    pub bot_id: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl InboundHook {
    pub fn view(&self) -> HookView {
        HookView {
            id: self.id.clone(),
            conversation_id: self.conversation_id.clone(),
            bot_id: self.bot_id.clone(),
            name: self.name.clone(),
            created_at: self.created_at,
        }
    }
}

/// The tenant a hook id names.
pub fn hook_tenant(id: &str) -> Option<TenantId> {
    TenantId::parse(id.split_once('.')?.0).ok()
}
