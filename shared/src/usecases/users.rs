//! The tenant directory and users created ahead of their first connection.

use super::audit::{Act, AuditUseCases};
use super::presence::PresenceUseCases;
use crate::ports::{Clock, ErasedUserStore, TenantStore, UserStore};
use crate::runtime::DirectoryCache;
use serde::Deserialize;
use std::sync::Arc;

use super::identity::Identity;
use crate::domain::{AuditAction, AuditActor, DisplayName, Locale, Role, Tenant, TenantId, User, UserId};
use crate::ports::Page;
use crate::AppError;

pub const MAX_PAGE: usize = 100;

/// A directory entry: the user, whether they are online, when they were last seen.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryEntry {
    #[serde(flatten)]
    pub user: User,
    pub online: bool,
    #[schema(required = true)]
    pub last_seen_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The users use cases, with the ports they use.
#[derive(Clone)]
pub struct UsersUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) erased: Arc<dyn ErasedUserStore>,
    pub(crate) directory: Arc<DirectoryCache>,
    pub(crate) presence: PresenceUseCases,
    pub(crate) audit: AuditUseCases,
}

impl UsersUseCases {
    /// The directory, filtered by `q` (case-insensitive, on name and id).
    pub async fn list_users(
        &self,
        who: &Identity,
        q: Option<&str>,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Page<DirectoryEntry>, AppError> {
        who.require_signed_in()?;
        let q = crate::domain::SearchQuery::parse(q)?;
        let page = self.users.list_users(&who.tenant_id, after, limit.clamp(1, MAX_PAGE)).await?;
        let users: Vec<User> = page
            .items
            .into_iter()
            .filter(|u| q.as_ref().is_none_or(|q| q.matches(u.name.as_str()) || q.matches(u.id.as_str())))
            .collect();
        let ids: Vec<UserId> = users.iter().map(|u| u.id.clone()).collect();
        let presence = self.presence.presence_of(who, &ids).await?;
        let items = users
            .into_iter()
            .zip(presence)
            .map(|(user, (online, last_seen_at))| DirectoryEntry { user, online, last_seen_at })
            .collect();
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    pub async fn upsert_user(
        &self,
        by: UserAdmin<'_>,
        id: &UserId,
        body: UserUpsert,
    ) -> Result<(User, bool), AppError> {
        let (tenant_id, actor) = by.tenant(body.tenant_id.as_deref())?;
        let tenant = self.tenants.get_tenant(&tenant_id).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        let role = body.role.unwrap_or(Role::Member);
        if role == Role::Guest {
            return Err(AppError::invalid("invalid role: guests are created by storefront sessions"));
        }
        if role == Role::Bot {
            return Err(AppError::invalid("invalid role: bots are created by POST /v1/bots"));
        }
        let existing = self.users.get_user(&tenant_id, id).await?;
        let now = self.clock.now();
        let user = User {
            tenant_id,
            id: id.clone(),
            name: DisplayName::parse(&body.name)?,
            email: body.email.map(|e| super::tenants::check_email("email", &e)).transpose()?,
            locale: body.locale.unwrap_or(tenant.locale),
            role,
            created_at: existing.as_ref().map_or(now, |u| u.created_at),
            updated_at: now,
            suspended: body.suspended.unwrap_or_else(|| existing.as_ref().is_some_and(|u| u.suspended)),
        };
        if existing.is_none() {
            // The platform (or an admin) brings back someone erased: their tokens work again.
            self.erased.unmark_erased(&user.tenant_id, &user.id).await?;
        }
        self.users.put_user(&user).await?;
        self.directory.keep_user(&user, now);
        self.audit.record(&user.tenant_id, &actor, user_acts(existing.as_ref(), &user)).await?;
        Ok((user, existing.is_none()))
    }

    /// The caller's own record and their tenant's.
    pub async fn me(&self, who: &Identity) -> Result<(User, Tenant), AppError> {
        let user =
            self.users.get_user(&who.tenant_id, &who.user_id).await?.ok_or_else(|| AppError::not_found("user"))?;
        let tenant = self.tenants.get_tenant(&who.tenant_id).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        Ok((user, tenant))
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserUpsert {
    pub name: String,
    pub email: Option<String>,
    pub locale: Option<Locale>,
    pub role: Option<Role>,
    /// Required with the platform key; a tenant admin can only write their own tenant.
    pub tenant_id: Option<String>,
    /// Suspends the user (or lifts it with `false`); absent, it stays as it was.
    pub suspended: Option<bool>,
}

/// Who may manage users: create them ahead of time, export their data.
pub enum UserAdmin<'a> {
    TenantAdmin(&'a Identity),
    Platform,
}

impl UserAdmin<'_> {
    /// The tenant the admin acts in — a tenant admin's own (naming another is refused), the
    /// one the platform key names — and who they are, for the audit log.
    pub fn tenant(&self, named: Option<&str>) -> Result<(TenantId, AuditActor), AppError> {
        match self {
            UserAdmin::TenantAdmin(who) => {
                who.require_role(&[Role::Admin])?;
                if named.is_some_and(|t| t != who.tenant_id.as_str()) {
                    return Err(AppError::forbidden("admins manage their own tenant only"));
                }
                Ok((who.tenant_id.clone(), AuditActor::of(who)))
            }
            UserAdmin::Platform => {
                let tenant = named.ok_or_else(|| AppError::invalid("missing field `tenantId`"))?;
                Ok((TenantId::parse(tenant)?, AuditActor::Platform))
            }
        }
    }
}

/// What an admin's upsert of a user did, for the audit log: a creation, or each change of role,
/// of suspension, and of the rest (by field name). Nothing when nothing changed.
fn user_acts(before: Option<&User>, after: &User) -> Vec<Act> {
    let target = after.id.as_str();
    let Some(before) = before else {
        let details = serde_json::json!({ "role": after.role, "suspended": after.suspended });
        return vec![Act::on(AuditAction::UserCreated, target).with(details)];
    };
    let mut acts = Vec::new();
    if before.role != after.role {
        let details = serde_json::json!({ "from": before.role, "to": after.role });
        acts.push(Act::on(AuditAction::UserRoleChanged, target).with(details));
    }
    match (before.suspended, after.suspended) {
        (false, true) => acts.push(Act::on(AuditAction::UserSuspended, target)),
        (true, false) => acts.push(Act::on(AuditAction::UserReinstated, target)),
        _ => {}
    }
    let fields: Vec<&str> = [
        ("name", before.name != after.name),
        ("email", before.email != after.email),
        ("locale", before.locale != after.locale),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    if !fields.is_empty() {
        acts.push(Act::on(AuditAction::UserUpdated, target).with(serde_json::json!({ "fields": fields })));
    }
    acts
}
