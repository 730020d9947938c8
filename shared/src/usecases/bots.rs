//! A tenant admin's bots: each a user of the tenant (role `bot`) with an API key shown once,
//! kept as its hash, replaced or revoked. A bot calls the REST API with its key, in the
//! conversations it was added to (a member adds it like anyone; a direct conversation with it
//! is a chatbot's).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::{Act, AuditUseCases};
use super::identity::Identity;
use crate::domain::*;
use crate::ports::{BotStore, Clock, TenantStore, UserStore};
use crate::AppError;

/// Bots one tenant keeps.
pub const MAX_BOTS: usize = 100;

/// The bots use cases, with the ports they use.
#[derive(Clone)]
pub struct BotsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) bots: Arc<dyn BotStore>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) audit: AuditUseCases,
}

/// `POST /v1/bots`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBot {
    /// Its user id (letters, digits, `-`, `_`): members add it to conversations by it.
    pub id: String,
    pub name: String,
}

/// A bot just made, with its API key: shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedBot {
    pub bot: BotView,
    /// `mbk.{tenant}.{secret}`: the bearer token of its REST calls.
    pub api_key: String,
}

/// A bot's new key: shown this once; the previous one no longer works.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BotApiKey {
    pub api_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BotList {
    pub bots: Vec<BotView>,
}

impl BotsUseCases {
    pub async fn create(&self, who: &Identity, new: NewBot) -> Result<CreatedBot, AppError> {
        who.require_role(&[Role::Admin])?;
        let id = UserId::parse(new.id)?;
        let name = DisplayName::parse(&new.name)?;
        if self.bots.list_bots(&who.tenant_id, MAX_BOTS).await?.len() >= MAX_BOTS {
            return Err(AppError::invalid(format!("at most {MAX_BOTS} bots per tenant")));
        }
        if self.users.get_user(&who.tenant_id, &id).await?.is_some() {
            return Err(AppError::Conflict(format!("a user {id} exists already")));
        }
        let tenant = self.tenants.get_tenant(&who.tenant_id).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        let now = self.clock.now();
        let user = User::bot(&who.tenant_id, id.clone(), name, tenant.locale, now);
        self.users.put_user(&user).await?;
        let (api_key, hash) = new_bot_key(&who.tenant_id);
        self.bots.put_bot_key(&who.tenant_id, &hash, &BotKey { bot_id: id.clone(), created_at: now }).await?;
        let bot = Bot {
            tenant_id: who.tenant_id.clone(),
            id,
            key_hash: Some(hash),
            created_by: who.user_id.clone(),
            created_at: now,
        };
        self.bots.put_bot(&bot).await?;
        tracing::info!(tenant = %who.tenant_id, bot = %bot.id, "bot created");
        self.audit
            .record(&who.tenant_id, &AuditActor::of(who), vec![Act::on(AuditAction::BotCreated, bot.id.as_str())])
            .await?;
        Ok(CreatedBot { bot: view(&bot, &user), api_key })
    }

    pub async fn list(&self, who: &Identity) -> Result<BotList, AppError> {
        who.require_role(&[Role::Admin])?;
        let bots = self.bots.list_bots(&who.tenant_id, MAX_BOTS).await?;
        let ids: Vec<UserId> = bots.iter().map(|b| b.id.clone()).collect();
        let users = self.users.get_users(&who.tenant_id, &ids).await?;
        let views =
            bots.iter().filter_map(|bot| users.iter().find(|u| u.id == bot.id).map(|user| view(bot, user))).collect();
        Ok(BotList { bots: views })
    }

    /// A new key; the previous one stops working at once.
    pub async fn rotate_key(&self, who: &Identity, id: &str) -> Result<BotApiKey, AppError> {
        let mut bot = self.load(who, id).await?;
        let (api_key, hash) = new_bot_key(&who.tenant_id);
        let key = BotKey { bot_id: bot.id.clone(), created_at: self.clock.now() };
        self.bots.put_bot_key(&who.tenant_id, &hash, &key).await?;
        let previous = bot.key_hash.replace(hash);
        self.bots.put_bot(&bot).await?;
        if let Some(previous) = previous {
            self.bots.delete_bot_key(&who.tenant_id, &previous).await?;
        }
        tracing::info!(tenant = %who.tenant_id, bot = %bot.id, "bot key replaced");
        let act = Act::on(AuditAction::BotKeyRotated, bot.id.as_str());
        self.audit.record(&who.tenant_id, &AuditActor::of(who), vec![act]).await?;
        Ok(BotApiKey { api_key })
    }

    /// The bot's key stops working at once (keys are looked up at every request, never
    /// remembered); a new one is made with `rotate_key`.
    pub async fn revoke_key(&self, who: &Identity, id: &str) -> Result<(), AppError> {
        let mut bot = self.load(who, id).await?;
        if let Some(previous) = bot.key_hash.take() {
            self.bots.delete_bot_key(&who.tenant_id, &previous).await?;
            self.bots.put_bot(&bot).await?;
            tracing::info!(tenant = %who.tenant_id, bot = %bot.id, "bot key revoked");
            let act = Act::on(AuditAction::BotKeyRevoked, bot.id.as_str());
            self.audit.record(&who.tenant_id, &AuditActor::of(who), vec![act]).await?;
        }
        Ok(())
    }

    async fn load(&self, who: &Identity, id: &str) -> Result<Bot, AppError> {
        who.require_role(&[Role::Admin])?;
        let id = UserId::parse(id.to_string()).map_err(|_| AppError::not_found("bot"))?;
        self.bots.get_bot(&who.tenant_id, &id).await?.ok_or_else(|| AppError::not_found("bot"))
    }
}

fn view(bot: &Bot, user: &User) -> BotView {
    BotView {
        id: bot.id.clone(),
        name: user.name.as_str().to_string(),
        has_key: bot.key_hash.is_some(),
        created_at: bot.created_at,
    }
}
