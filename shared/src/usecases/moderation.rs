//! A tenant's moderation: its admins set the rules and the pre-send hook; every message and
//! edit a person sends passes through [`ModerationUseCases::screen`] before it is stored.
//! Bots and inbound hooks are the platform's own voice and are not screened.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::audit::{Act, AuditUseCases};
use super::identity::Identity;
use super::webhooks::signed_request;
use crate::domain::*;
use crate::metrics::{Metric, Metrics};
use crate::ports::{Clock, Ids, TenantStore, WebhookSendError, WebhookSender};
use crate::runtime::DirectoryCache;
use crate::AppError;

/// How long the pre-send hook has to answer; then the tenant's fail-open or fail-closed applies.
pub const PRE_SEND_HOOK_TIMEOUT: Duration = Duration::from_millis(1500);

/// What a tenant admin sets.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModerationInput {
    #[serde(default)]
    pub rules: Vec<ModerationRule>,
    #[serde(default)]
    pub pre_send_hook: Option<PreSendHook>,
}

/// The policy saved, and the hook's signing secret when this save set a hook where there was
/// none (shown this once).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavedModeration {
    pub moderation: ModerationView,
    #[schema(required = true)]
    pub pre_send_hook_secret: Option<String>,
}

/// A text to try against the rules.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModerationTrial {
    pub body: String,
    pub kind: ConversationKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TrialAction {
    Accept,
    Mask,
    Block,
}

/// What the rules would do to a text (the pre-send hook is not asked).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrialOutcome {
    pub action: TrialAction,
    /// The text as it would be stored (masked where the rules mask).
    pub body: String,
    pub reasons: Vec<ModerationReason>,
}

/// What the pre-send hook answers.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase", tag = "action")]
enum HookVerdict {
    Accept,
    Reject {
        #[serde(default)]
        reason: Option<String>,
    },
    Modify {
        body: String,
    },
}

/// The moderation use cases, with the ports they use.
#[derive(Clone)]
pub struct ModerationUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) directory: Arc<DirectoryCache>,
    pub(crate) sender: Arc<dyn WebhookSender>,
    pub(crate) metrics: Metrics,
    pub(crate) loopback_allowed: bool,
    pub(crate) audit: AuditUseCases,
}

impl ModerationUseCases {
    /// The tenant's policy (an empty one while never set).
    pub async fn policy(&self, who: &Identity) -> Result<ModerationView, AppError> {
        who.require_role(&[Role::Admin])?;
        let policy = self.tenants.get_moderation(&who.tenant_id).await?;
        Ok(policy.map(|p| p.view()).unwrap_or(ModerationView { rules: vec![], pre_send_hook: None, updated_at: None }))
    }

    /// Replaces the tenant's policy. A hook set where there was none gets a new signing secret,
    /// answered this once; a hook kept (its URL changed or not) keeps its secret.
    pub async fn set_policy(&self, who: &Identity, input: ModerationInput) -> Result<SavedModeration, AppError> {
        who.require_role(&[Role::Admin])?;
        check_rules(&input.rules)?;
        let hook = match input.pre_send_hook {
            Some(hook) => Some(PreSendHook {
                url: check_webhook_url(&hook.url, self.loopback_allowed)
                    .map_err(|e| AppError::invalid(format!("preSendHook.{e}")))?,
                failure: hook.failure,
            }),
            None => None,
        };
        let before = self.tenants.get_moderation(&who.tenant_id).await?;
        let kept_secret = before.and_then(|p| p.hook_secret).filter(|_| hook.is_some());
        let new_secret = match (&hook, &kept_secret) {
            (Some(_), None) => Some(new_webhook_secret()),
            _ => None,
        };
        let policy = ModerationPolicy {
            tenant_id: who.tenant_id.clone(),
            rules: input.rules,
            pre_send_hook: hook,
            hook_secret: kept_secret.or_else(|| new_secret.clone()),
            updated_at: self.clock.now(),
        };
        self.tenants.put_moderation(&policy).await?;
        self.directory.forget_moderator(&who.tenant_id);
        tracing::info!(tenant = %who.tenant_id, rules = policy.rules.len(), hook = policy.pre_send_hook.is_some(), "moderation set");
        let hook_host = policy.pre_send_hook.as_ref().map(|h| url_host(&h.url));
        let act = Act::on_tenant(AuditAction::ModerationUpdated)
            .with(json!({ "rules": policy.rules.len(), "preSendHookHost": hook_host }));
        self.audit.record(&who.tenant_id, &AuditActor::of(who), vec![act]).await?;
        Ok(SavedModeration { moderation: policy.view(), pre_send_hook_secret: new_secret })
    }

    /// What the rules would make of a text in a conversation of that kind.
    pub async fn try_rules(&self, who: &Identity, trial: ModerationTrial) -> Result<TrialOutcome, AppError> {
        who.require_role(&[Role::Admin])?;
        let body = MessageBody::parse(&trial.body)?;
        let moderator = self.moderator(&who.tenant_id).await?;
        Ok(match moderator.judge(trial.kind, body.as_str()) {
            Judgement::Accept => TrialOutcome { action: TrialAction::Accept, body: trial.body, reasons: vec![] },
            Judgement::Mask { text, reasons } => TrialOutcome { action: TrialAction::Mask, body: text, reasons },
            Judgement::Block { reason } => {
                TrialOutcome { action: TrialAction::Block, body: trial.body, reasons: vec![reason] }
            }
        })
    }

    /// A person's text on its way into a conversation: as it will be stored (masked where the
    /// rules mask, changed where the pre-send hook changed it), or `moderated` when a rule or
    /// the hook refuses it. `moderator` is the tenant's ([`Self::moderator`], read alongside
    /// the conversation).
    pub async fn screen(
        &self,
        moderator: &Moderator,
        who: &Identity,
        conversation: &Conversation,
        body: Option<MessageBody>,
    ) -> Result<Option<MessageBody>, AppError> {
        let Some(body) = body else { return Ok(None) };
        if who.role == Role::Bot || moderator.is_idle() {
            return Ok(Some(body));
        }
        let tenant = &who.tenant_id;
        let body = match moderator.judge(conversation.kind, body.as_str()) {
            Judgement::Accept => body,
            Judgement::Block { reason } => {
                self.metrics.count(Metric::MessagesBlocked, 1, Some(tenant), self.clock.now());
                tracing::info!(tenant = %tenant, conversation = %conversation.id, reason = reason.as_str(), "message blocked");
                return Err(AppError::Moderated { reason, message: reason.refusal().into() });
            }
            Judgement::Mask { text, reasons } => {
                self.metrics.count(Metric::MessagesMasked, 1, Some(tenant), self.clock.now());
                tracing::info!(tenant = %tenant, conversation = %conversation.id, reasons = ?reasons, "message masked");
                MessageBody::parse(&text)?
            }
        };
        match &moderator.hook {
            Some((hook, secret)) => self.ask_hook(who, conversation, hook, secret, body).await.map(Some),
            None => Ok(Some(body)),
        }
    }

    /// Asks the tenant's pre-send hook about `body`, signed as webhooks are.
    async fn ask_hook(
        &self,
        who: &Identity,
        conversation: &Conversation,
        hook: &PreSendHook,
        secret: &str,
        body: MessageBody,
    ) -> Result<MessageBody, AppError> {
        let now = self.clock.now();
        let id = format!("msg_presend_{}", self.ids.ulid());
        let payload = json!({
            "type": "message.presend",
            "timestamp": now,
            "data": {
                "conversationId": conversation.id,
                "conversationKind": conversation.kind,
                "senderId": who.user_id,
                "senderName": who.name,
                "senderRole": who.role,
                "body": body.as_str(),
            },
        })
        .to_string();
        let request = signed_request(&hook.url, std::iter::once(secret), &id, now.timestamp(), &payload);
        let verdict = match self.sender.ask(&request, PRE_SEND_HOOK_TIMEOUT).await {
            Ok(answer) if (200..300).contains(&answer.status) => serde_json::from_str::<HookVerdict>(&answer.body)
                .map_err(|e| format!("an answer it could not read: {e}")),
            Ok(answer) => Err(format!("status {}", answer.status)),
            Err(WebhookSendError::Refused(why) | WebhookSendError::NoAnswer(why)) => Err(why),
        };
        let tenant = &who.tenant_id;
        let failed = |why: String| {
            self.metrics.count(Metric::PreSendHookFailures, 1, Some(tenant), self.clock.now());
            tracing::warn!(tenant = %tenant, failure = ?hook.failure, why = %why, "pre-send hook failed");
            match hook.failure {
                HookFailure::Open => Ok(body.clone()),
                HookFailure::Closed => Err(AppError::Moderated {
                    reason: ModerationReason::Hook,
                    message: "message not sent: moderation is unavailable, try again in a moment".into(),
                }),
            }
        };
        match verdict {
            Ok(HookVerdict::Accept) => Ok(body),
            Ok(HookVerdict::Modify { body: changed }) => match MessageBody::parse(&changed) {
                Ok(changed) => Ok(changed),
                Err(e) => failed(format!("a modified body Missive would not store: {e}")),
            },
            Ok(HookVerdict::Reject { reason }) => {
                self.metrics.count(Metric::MessagesBlocked, 1, Some(tenant), self.clock.now());
                tracing::info!(tenant = %tenant, conversation = %conversation.id, "message refused by the pre-send hook");
                // The tenant's own words to its user, kept to a sentence.
                let message = reason
                    .map(|r| r.chars().filter(|c| !c.is_control()).take(300).collect::<String>())
                    .filter(|r| !r.trim().is_empty())
                    .unwrap_or_else(|| ModerationReason::Hook.refusal().into());
                Err(AppError::Moderated { reason: ModerationReason::Hook, message })
            }
            Err(why) => failed(why),
        }
    }

    /// The tenant's policy, compiled: from this process's memory, or read and compiled once
    /// per `Limits::directory_cache_ttl` (a change made in another process is seen within it).
    pub(crate) async fn moderator(&self, tenant: &TenantId) -> Result<Arc<Moderator>, AppError> {
        let now = self.clock.now();
        if let Some(moderator) = self.directory.moderator(tenant, now) {
            return Ok(moderator);
        }
        let moderator =
            Arc::new(self.tenants.get_moderation(tenant).await?.map(|p| Moderator::of(&p)).unwrap_or_default());
        self.directory.keep_moderator(tenant, moderator.clone(), now);
        Ok(moderator)
    }
}
