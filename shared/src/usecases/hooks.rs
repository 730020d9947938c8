//! Inbound hooks: a group's owner makes one (a bot of the group, named, and a secret shown
//! once); another system posts into the group through it with the secret — a message from that
//! bot, one a second at most per hook. The secret travels in a header, never in the URL, so
//! that no request log holds it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::audit::{Act, AuditUseCases};
use super::groups::GroupsUseCases;
use super::identity::Identity;
use super::messages::{MessagesUseCases, Outgoing};
use crate::domain::*;
use crate::ports::{BotStore, Clock, Ids, TenantStore, ThrottleStore, UserStore};
use crate::AppError;

/// The hooks use cases, with the ports they use.
#[derive(Clone)]
pub struct HooksUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) bots: Arc<dyn BotStore>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) throttles: Arc<dyn ThrottleStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) groups: GroupsUseCases,
    pub(crate) messages: MessagesUseCases,
    pub(crate) audit: AuditUseCases,
}

/// `POST /v1/conversations/{id}/hooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewHook {
    /// The name its messages are signed with ("Dispatch 18").
    pub name: String,
}

/// A hook just made, with its secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedHook {
    pub hook: HookView,
    /// Sent as `Authorization: Bearer {secret}` to `POST /v1/hooks/{id}`.
    pub secret: String,
}

/// `POST /v1/hooks/{id}`: what the system posts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HookMessage {
    pub body: String,
    /// Makes a repeated post one message (the system's own id of what it posts).
    pub client_message_id: Option<String>,
}

impl HooksUseCases {
    pub async fn create(
        &self,
        who: &Identity,
        conversation: &ConversationId,
        new: NewHook,
    ) -> Result<CreatedHook, AppError> {
        who.require_signed_in()?;
        let name = DisplayName::parse(&new.name)?;
        // Checked before the bot is made: a group, and its owner.
        self.groups.require_owner(who, conversation).await?;
        let tenant = self.tenants.get_tenant(&who.tenant_id).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        let now = self.clock.now();
        let suffix = self.ids.ulid().to_ascii_lowercase();
        let bot_id = UserId::parse(format!("hook-{suffix}"))?;
        let bot = User::bot(&who.tenant_id, bot_id, name.clone(), tenant.locale, now);
        self.users.put_user(&bot).await?;
        // The group's owner adds the bot as any member is added (the members hear of it).
        self.groups.add_members(who, conversation, &[bot.id.to_string()]).await?;
        let secret = format!("{HOOK_SECRET_PREFIX}{}", new_secret_hex());
        let hook = InboundHook {
            tenant_id: who.tenant_id.clone(),
            id: format!("{}.{suffix}", who.tenant_id),
            conversation_id: conversation.clone(),
            bot_id: bot.id.clone(),
            name: name.as_str().to_string(),
            secret_hash: bot_key_hash(&secret),
            created_by: who.user_id.clone(),
            created_at: now,
        };
        self.bots.put_hook(&hook).await?;
        tracing::info!(tenant = %who.tenant_id, hook = %hook.id, conversation = %conversation, "inbound hook created");
        let act = Act::on(AuditAction::HookCreated, &hook.id).with(json!({ "conversationId": conversation }));
        self.audit.record(&who.tenant_id, &AuditActor::of(who), vec![act]).await?;
        Ok(CreatedHook { hook: hook.view(), secret })
    }

    /// Stops the hook (its bot stays in the group, silent; the owner may remove it).
    pub async fn delete(&self, who: &Identity, conversation: &ConversationId, id: &str) -> Result<(), AppError> {
        who.require_signed_in()?;
        let hook = self.bots.get_hook(&who.tenant_id, id).await?.filter(|h| h.conversation_id == *conversation);
        let hook = hook.ok_or_else(|| AppError::not_found("hook"))?;
        // Whoever may change the group may stop its hooks.
        self.groups.require_owner(who, conversation).await?;
        self.bots.delete_hook(&who.tenant_id, &hook.id).await?;
        let act = Act::on(AuditAction::HookDeleted, &hook.id).with(json!({ "conversationId": conversation }));
        self.audit.record(&who.tenant_id, &AuditActor::of(who), vec![act]).await
    }

    /// A system posts through the hook: its secret checked, one message a second at most.
    pub async fn post(&self, id: &str, secret: Option<&str>, message: HookMessage) -> Result<Message, AppError> {
        let invalid = || AppError::Unauthorized("unknown hook or wrong secret");
        let tenant_id = hook_tenant(id).ok_or_else(invalid)?;
        let hook = self.bots.get_hook(&tenant_id, id).await?.ok_or_else(invalid)?;
        let secret = secret.ok_or_else(invalid)?;
        if !crate::auth::constant_time_eq(bot_key_hash(secret).as_bytes(), hook.secret_hash.as_bytes()) {
            return Err(invalid());
        }
        let tenant = self.tenants.get_tenant(&tenant_id).await?.ok_or_else(invalid)?;
        if !tenant.is_active() {
            return Err(AppError::forbidden("tenant suspended"));
        }
        let now = self.clock.now();
        let second = now.timestamp();
        let until = chrono::DateTime::from_timestamp(second + 1, 0).unwrap_or(now);
        if !self.throttles.try_claim(&tenant_id, &format!("hook:{}:{second}", hook.id), now, until).await? {
            return Err(AppError::RateLimited);
        }
        let who = Identity {
            tenant_id,
            user_id: hook.bot_id.clone(),
            role: Role::Bot,
            name: hook.name.clone(),
            conversation_scope: None,
        };
        let mut outgoing = Outgoing::text(message.body);
        if let Some(client_message_id) = message.client_message_id {
            outgoing = outgoing.resendable(client_message_id);
        }
        let (sent, _) = self.messages.send_message(&who, &hook.conversation_id, &outgoing, None).await?;
        Ok(sent.value)
    }
}
