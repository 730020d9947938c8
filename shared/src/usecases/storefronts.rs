//! Storefronts and the guest sessions opened from their public pages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::conversations::{storefront_members, ConversationView};
use super::Identity;
use crate::app::App;
use crate::domain::*;
use crate::AppError;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewStorefront {
    pub title: String,
    /// The partners who answer; a partner creating a storefront is always one of them.
    pub partner_ids: Option<Vec<String>>,
    pub id: Option<String>,
}

pub async fn create_storefront(app: &App, who: &Identity, new: NewStorefront) -> Result<Storefront, AppError> {
    who.require_role(&[Role::Partner, Role::Admin])?;
    let mut partner_ids = Vec::new();
    if who.role == Role::Partner {
        partner_ids.push(who.user_id.clone());
    }
    for raw in new.partner_ids.unwrap_or_default() {
        let id = UserId::parse(raw)?;
        let user = app
            .store
            .get_user(&who.tenant_id, &id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user {id} not found")))?;
        if !matches!(user.role, Role::Partner | Role::Admin) {
            return Err(AppError::invalid(format!("invalid partnerIds: {id} is not a partner")));
        }
        if !partner_ids.contains(&user.id) {
            partner_ids.push(user.id);
        }
    }
    if partner_ids.is_empty() {
        return Err(AppError::invalid("invalid partnerIds: a storefront needs at least one partner"));
    }
    let id = match new.id {
        Some(id) => StorefrontId::parse(id)?,
        None => StorefrontId::parse(app.ids.ulid())?,
    };
    if app.store.storefront_tenant(&id).await?.is_some() {
        return Err(AppError::Conflict(format!("storefront {id} exists already")));
    }
    let storefront = Storefront {
        tenant_id: who.tenant_id.clone(),
        id,
        title: parse_text("title", &new.title, 200)?,
        partner_ids,
        created_at: app.clock.now(),
    };
    app.store.put_storefront(&storefront).await?;
    Ok(storefront)
}

pub async fn get_storefront(app: &App, who: &Identity, id: &str) -> Result<Storefront, AppError> {
    who.require_role(&[Role::Partner, Role::Admin])?;
    find_storefront(app, &who.tenant_id, id).await
}

pub async fn find_storefront(app: &App, tenant: &TenantId, id: &str) -> Result<Storefront, AppError> {
    let not_found = || AppError::not_found("storefront");
    let id = StorefrontId::parse(id).map_err(|_| not_found())?;
    app.store.get_storefront(tenant, &id).await?.ok_or_else(not_found)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGuestSession {
    pub name: String,
    pub email: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuestSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub storefront: PublicStorefront,
    pub conversation: ConversationView,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicStorefront {
    pub id: StorefrontId,
    pub title: String,
}

/// An anonymous visitor opens a chat on a storefront: a guest user, its storefront
/// conversation with the partner team, and a token for that one conversation.
pub async fn open_guest_session(
    app: &App,
    storefront_id: &str,
    origin: Option<&str>,
    new: NewGuestSession,
) -> Result<GuestSession, AppError> {
    let not_found = || AppError::not_found("storefront");
    let sf_id = StorefrontId::parse(storefront_id).map_err(|_| not_found())?;
    let tenant_id = app.store.storefront_tenant(&sf_id).await?.ok_or_else(not_found)?;
    let tenant = app.store.get_tenant(&tenant_id).await?.ok_or_else(not_found)?;
    if !tenant.is_active() {
        return Err(not_found());
    }
    if !tenant.allows_origin(origin) {
        return Err(AppError::forbidden("origin not allowed"));
    }
    let storefront = app.store.get_storefront(&tenant_id, &sf_id).await?.ok_or_else(not_found)?;
    let now = app.clock.now();
    let guest = User {
        tenant_id: tenant_id.clone(),
        id: UserId::parse(format!("guest-{}", app.ids.ulid().to_ascii_lowercase()))?,
        name: DisplayName::parse(&new.name)?,
        email: new.email.map(|e| super::tenants::check_email("email", &e)).transpose()?,
        locale: tenant.locale,
        role: Role::Guest,
        created_at: now,
        updated_at: now,
    };
    app.store.put_user(&guest).await?;
    let members = storefront_members(&storefront, guest.id.clone(), now);
    let conversation = Conversation::new(
        tenant_id.clone(),
        ConversationId::parse(app.ids.ulid())?,
        ConversationKind::Storefront,
        Some(storefront.title.clone()),
        Some(storefront.id.clone()),
        guest.id.clone(),
        now,
        super::conversations::participants(app, &tenant_id, &members).await?,
    );
    app.store.create_conversation(&conversation, &members, None).await?;
    let expires_at = now
        + chrono::Duration::from_std(app.config.limits.guest_token_ttl).map_err(AppError::internal)?;
    let token = app.tokens.mint_guest(&tenant_id, &guest.id, &guest.name, &conversation.id, expires_at)?;
    let who = Identity {
        tenant_id,
        user_id: guest.id.clone(),
        role: Role::Guest,
        name: guest.name.as_str().into(),
        conversation_scope: Some(conversation.id.clone()),
    };
    let conversation = super::conversations::get_conversation(app, &who, conversation.id.as_str()).await?;
    Ok(GuestSession {
        token,
        expires_at,
        user: guest,
        storefront: PublicStorefront { id: storefront.id, title: storefront.title },
        conversation,
    })
}
