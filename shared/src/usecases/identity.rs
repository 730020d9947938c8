//! Who is calling: token verification, tenant checks and just-in-time user provisioning.

use crate::auth::TokenVerifier;
use crate::auth::{constant_time_eq, VerifiedClaims};
use crate::config::Secret;
use crate::domain::{
    bot_key_hash, bot_key_tenant, ConversationId, DisplayName, Role, Tenant, TenantId, User, UserId, BOT_KEY_PREFIX,
};
use crate::ports::{BotStore, Clock, ErasedUserStore, TenantStore, UserStore};
use crate::runtime::DirectoryCache;
use crate::AppError;
use std::sync::Arc;

/// An authenticated caller, after every check that does not depend on the action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
    pub name: String,
    /// A guest may use this one conversation and nothing else.
    pub conversation_scope: Option<ConversationId>,
}

impl Identity {
    /// Staff and customers with a platform token (everyone but guests and bots: a bot speaks
    /// only in the conversations it was added to).
    pub fn require_signed_in(&self) -> Result<(), AppError> {
        match self.role {
            Role::Guest => Err(AppError::forbidden("guests cannot do this")),
            Role::Bot => Err(AppError::forbidden("bots act only in the conversations they were added to")),
            _ => Ok(()),
        }
    }

    pub fn require_role(&self, allowed: &[Role]) -> Result<(), AppError> {
        if !allowed.contains(&self.role) {
            return Err(AppError::forbidden("your role does not allow this"));
        }
        Ok(())
    }
}

/// The identity use cases, with the ports they use.
#[derive(Clone)]
pub struct IdentityUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) bots: Arc<dyn BotStore>,
    pub(crate) erased: Arc<dyn ErasedUserStore>,
    pub(crate) directory: Arc<DirectoryCache>,
    pub(crate) tokens: Arc<TokenVerifier>,
    pub(crate) platform_key: Secret,
}

impl IdentityUseCases {
    /// Verifies a bearer token, checks its tenant, and creates or refreshes the user record.
    pub async fn authenticate(&self, token: &str) -> Result<Identity, AppError> {
        if token.starts_with(BOT_KEY_PREFIX) {
            return self.authenticate_bot(token).await;
        }
        let claims = self.tokens.verify(token).await?;
        let tenant = self.tenant_of(&claims.tenant_id).await?.ok_or(AppError::Unauthorized("unknown tenant"))?;
        if !tenant.is_active() {
            return Err(AppError::forbidden("tenant suspended"));
        }
        let user = if claims.role == Role::Guest {
            // Guests are created with their session; a token for a vanished guest is void.
            self.user_of(&claims.tenant_id, &claims.user_id).await?.ok_or(AppError::Unauthorized("unknown guest"))?
        } else {
            self.provision(&claims, tenant.locale).await?
        };
        if user.suspended {
            return Err(AppError::forbidden("user suspended"));
        }
        Ok(Identity {
            tenant_id: claims.tenant_id,
            user_id: claims.user_id,
            role: claims.role,
            name: user.name.as_str().to_string(),
            conversation_scope: claims.conversation_scope,
        })
    }

    /// A bot's API key: its tenant (named in the key) active, the key's hash known, the bot not
    /// suspended.
    async fn authenticate_bot(&self, key: &str) -> Result<Identity, AppError> {
        let invalid = || AppError::Unauthorized("invalid API key");
        let tenant_id = bot_key_tenant(key).ok_or_else(invalid)?;
        let tenant = self.tenant_of(&tenant_id).await?.ok_or_else(invalid)?;
        if !tenant.is_active() {
            return Err(AppError::forbidden("tenant suspended"));
        }
        let found = self.bots.get_bot_key(&tenant_id, &bot_key_hash(key)).await?.ok_or_else(invalid)?;
        let user = self.user_of(&tenant_id, &found.bot_id).await?.ok_or_else(invalid)?;
        if user.suspended {
            return Err(AppError::forbidden("user suspended"));
        }
        Ok(Identity {
            tenant_id,
            user_id: user.id,
            role: Role::Bot,
            name: user.name.as_str().to_string(),
            conversation_scope: None,
        })
    }

    /// Just-in-time provisioning: the token's claims are the truth about a user. The record is
    /// written only when it is new or a claim changed, so most requests cost one read.
    async fn provision(&self, claims: &VerifiedClaims, tenant_locale: crate::domain::Locale) -> Result<User, AppError> {
        let existing = self.user_of(&claims.tenant_id, &claims.user_id).await?;
        // Someone new to the store may be someone erased: only the platform brings them back
        // (`PUT /v1/admin/users/{id}`), never a token of theirs. One read, on a first request.
        if existing.is_none() && self.erased.is_erased(&claims.tenant_id, &claims.user_id).await? {
            return Err(AppError::forbidden("user erased"));
        }
        let now = self.clock.now();
        // Claims the token carries win; those it leaves out keep their stored value.
        let name = match (&claims.name, &existing) {
            (Some(name), _) => name.clone(),
            (None, Some(user)) => user.name.clone(),
            // A user id is printable and at most 128 characters; a name takes 100.
            (None, None) => DisplayName::parse(&claims.user_id.as_str().chars().take(100).collect::<String>())?,
        };
        let wanted = User {
            tenant_id: claims.tenant_id.clone(),
            id: claims.user_id.clone(),
            name,
            email: claims.email.clone().or_else(|| existing.as_ref().and_then(|u| u.email.clone())),
            locale: claims.locale.or(existing.as_ref().map(|u| u.locale)).unwrap_or(tenant_locale),
            role: claims.role,
            created_at: existing.as_ref().map_or(now, |u| u.created_at),
            updated_at: existing.as_ref().map_or(now, |u| u.updated_at),
            // Only an admin suspends or reinstates: a token cannot.
            suspended: existing.as_ref().is_some_and(|u| u.suspended),
        };
        match existing {
            Some(user) if user == wanted => Ok(user),
            _ => {
                let user = User { updated_at: now, ..wanted };
                self.users.put_user(&user).await?;
                self.directory.keep_user(&user, now);
                Ok(user)
            }
        }
    }

    /// Whether a connection's caller, authenticated when it connected, may still act: their
    /// tenant is still active and they are not suspended. Checked before every action of a live
    /// connection, from this process's memory of tenants and users
    /// (`MISSIVE_DIRECTORY_CACHE_SECS`): a suspension made by this process counts at once, one
    /// made by another process within that bound.
    pub async fn still_allowed(&self, who: &Identity) -> Result<(), AppError> {
        let (tenant, user) = tokio::join!(self.tenant_of(&who.tenant_id), self.user_of(&who.tenant_id, &who.user_id));
        match tenant? {
            Some(tenant) if tenant.is_active() => {}
            Some(_) => return Err(AppError::forbidden("tenant suspended")),
            None => return Err(AppError::Unauthorized("unknown tenant")),
        }
        match user? {
            Some(user) if user.suspended => Err(AppError::forbidden("user suspended")),
            Some(_) => Ok(()),
            None => Err(AppError::Unauthorized("unknown user")),
        }
    }

    /// A tenant, from this process's short memory or the store.
    pub(crate) async fn tenant_of(&self, id: &TenantId) -> Result<Option<Tenant>, AppError> {
        let now = self.clock.now();
        if let Some(tenant) = self.directory.tenant(id, now) {
            return Ok(Some(tenant));
        }
        let tenant = self.tenants.get_tenant(id).await?;
        if let Some(t) = &tenant {
            self.directory.keep_tenant(t, now);
        }
        Ok(tenant)
    }

    /// A user, from this process's short memory or the store.
    async fn user_of(&self, tenant: &TenantId, id: &UserId) -> Result<Option<User>, AppError> {
        let now = self.clock.now();
        if let Some(user) = self.directory.user(tenant, id, now) {
            return Ok(Some(user));
        }
        let user = self.users.get_user(tenant, id).await?;
        if let Some(u) = &user {
            self.directory.keep_user(u, now);
        }
        Ok(user)
    }

    /// The platform operator, holding `MISSIVE_PLATFORM_KEY`.
    pub fn authenticate_platform(&self, key: &str) -> Result<(), AppError> {
        if constant_time_eq(key.as_bytes(), self.platform_key.expose().as_bytes()) {
            Ok(())
        } else {
            Err(AppError::Unauthorized("invalid platform key"))
        }
    }
}
