//! Guest sessions: an anonymous visitor of a storefront's public page opens a chat with the
//! partner team, with a token for that one conversation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::conversations::{get_conversation, participants, storefront_members};
use super::identity::Identity;
use super::tenants::check_email;
use crate::app::App;
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

/// An anonymous visitor opens a chat on a storefront: a guest user, its storefront
/// conversation with the partner team, and a token for that one conversation.
pub async fn open_guest_session(
    app: &App,
    sf_id: &StorefrontId,
    origin: Option<&str>,
    new: NewGuestSession,
) -> Result<GuestSession, AppError> {
    let not_found = || AppError::not_found("storefront");
    let tenant_id = app.ports.storefronts.storefront_tenant(sf_id).await?.ok_or_else(not_found)?;
    let tenant = app.ports.tenants.get_tenant(&tenant_id).await?.ok_or_else(not_found)?;
    if !tenant.is_active() {
        return Err(not_found());
    }
    if !tenant.allows_origin(origin) {
        return Err(AppError::forbidden("origin not allowed"));
    }
    let storefront = app.ports.storefronts.get_storefront(&tenant_id, sf_id).await?.ok_or_else(not_found)?;
    let now = app.ports.clock.now();
    let guest = User {
        tenant_id: tenant_id.clone(),
        id: UserId::parse(format!("guest-{}", app.ports.ids.ulid().to_ascii_lowercase()))?,
        name: DisplayName::parse(&new.name)?,
        email: new.email.map(|e| check_email("email", &e)).transpose()?,
        locale: tenant.locale,
        role: Role::Guest,
        created_at: now,
        updated_at: now,
        suspended: false,
    };
    app.ports.users.put_user(&guest).await?;
    let members = storefront_members(&storefront, guest.id.clone(), now);
    let conversation = Conversation::new(
        tenant_id.clone(),
        ConversationId::parse(app.ports.ids.ulid())?,
        ConversationKind::Storefront,
        Some(storefront.title.clone()),
        Some(storefront.id.clone()),
        guest.id.clone(),
        now,
        participants(app, &tenant_id, &members).await?,
    );
    app.ports.conversations.create_conversation(&conversation, &members, None).await?;
    let expires_at = now + chrono::Duration::from_std(app.config.limits.guest_token_ttl).map_err(AppError::internal)?;
    let token = app.services.tokens.mint_guest(&tenant_id, &guest.id, &guest.name, &conversation.id, expires_at)?;
    let who = Identity {
        tenant_id,
        user_id: guest.id.clone(),
        role: Role::Guest,
        name: guest.name.as_str().into(),
        conversation_scope: Some(conversation.id.clone()),
    };
    let conversation = get_conversation(app, &who, &conversation.id).await?;
    Ok(GuestSession {
        token,
        expires_at,
        user: guest,
        storefront: PublicStorefront { id: storefront.id, title: storefront.title },
        conversation,
    })
}
