//! Guest sessions: an anonymous visitor of a storefront's public page opens a chat with the
//! partner team, with a token for that one conversation.

use super::conversations::ConversationsUseCases;
use crate::auth::TokenVerifier;
use crate::config::Limits;
use crate::ports::{Clock, ConversationStore, Ids, StorefrontStore, TenantStore, UserStore};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::conversations::storefront_members;
use super::identity::Identity;
use super::tenants::check_email;
use super::webhook_events::{event_id as webhook_event_id, WebhookEventsUseCases};
use crate::domain::*;
use crate::AppError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGuestSession {
    pub name: String,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GuestSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub storefront: PublicStorefront,
    pub conversation: ConversationView,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicStorefront {
    pub id: StorefrontId,
    pub title: String,
}

/// The guests use cases, with the ports they use.
#[derive(Clone)]
pub struct GuestsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) storefronts: Arc<dyn StorefrontStore>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) tokens: Arc<TokenVerifier>,
    pub(crate) limits: Limits,
    pub(crate) conversation_cases: ConversationsUseCases,
    pub(crate) webhook_events: WebhookEventsUseCases,
}

impl GuestsUseCases {
    /// An anonymous visitor opens a chat on a storefront: a guest user, its storefront
    /// conversation with the partner team, and a token for that one conversation.
    pub async fn open_guest_session(
        &self,
        sf_id: &StorefrontId,
        origin: Option<&str>,
        new: NewGuestSession,
    ) -> Result<GuestSession, AppError> {
        let not_found = || AppError::not_found("storefront");
        let tenant_id = self.storefronts.storefront_tenant(sf_id).await?.ok_or_else(not_found)?;
        let tenant = self.tenants.get_tenant(&tenant_id).await?.ok_or_else(not_found)?;
        if !tenant.is_active() {
            return Err(not_found());
        }
        if !tenant.allows_origin(origin) {
            return Err(AppError::forbidden("origin not allowed"));
        }
        let storefront = self.storefronts.get_storefront(&tenant_id, sf_id).await?.ok_or_else(not_found)?;
        let now = self.clock.now();
        let guest = User {
            tenant_id: tenant_id.clone(),
            id: UserId::parse(format!("guest-{}", self.ids.ulid().to_ascii_lowercase()))?,
            name: DisplayName::parse(&new.name)?,
            email: new.email.map(|e| check_email("email", &e)).transpose()?,
            locale: tenant.locale,
            role: Role::Guest,
            created_at: now,
            updated_at: now,
            suspended: false,
        };
        self.users.put_user(&guest).await?;
        let members = storefront_members(&storefront, guest.id.clone(), now);
        let conversation = Conversation::new(
            tenant_id.clone(),
            ConversationId::parse(self.ids.ulid())?,
            ConversationKind::Storefront,
            Some(storefront.title.clone()),
            Some(storefront.id.clone()),
            guest.id.clone(),
            now,
            self.conversation_cases.participants(&tenant_id, &members).await?,
        );
        self.conversations.create_conversation(&conversation, &members, None).await?;
        let expires_at = now + chrono::Duration::from_std(self.limits.guest_token_ttl).map_err(AppError::internal)?;
        let token = self.tokens.mint_guest(&tenant_id, &guest.id, &guest.name, &conversation.id, expires_at)?;
        let who = Identity {
            tenant_id,
            user_id: guest.id.clone(),
            role: Role::Guest,
            name: guest.name.as_str().into(),
            conversation_scope: Some(conversation.id.clone()),
        };
        let conversation = self.conversation_cases.get_conversation(&who, &conversation.id).await?;
        let kind = WebhookEventType::StorefrontSessionCreated;
        let data = serde_json::json!({
            "storefrontId": storefront.id,
            "conversationId": conversation.conversation.id,
            "guest": { "id": guest.id, "name": guest.name, "email": guest.email },
        });
        let event = webhook_event_id(kind, guest.id.as_str());
        self.webhook_events.publish(&who.tenant_id, kind, event, data).await;
        Ok(GuestSession {
            token,
            expires_at,
            user: guest,
            storefront: PublicStorefront { id: storefront.id, title: storefront.title },
            conversation,
        })
    }
}
