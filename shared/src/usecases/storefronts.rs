//! Storefronts: a partner's public page, where clients and guests open a chat with the
//! partner team (see [`super::guests`]).

use crate::ports::{Clock, Ids, StorefrontStore, UserStore};
use serde::Deserialize;
use std::sync::Arc;

use super::identity::Identity;
use crate::domain::*;
use crate::AppError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewStorefront {
    pub title: String,
    /// The partners who answer; a partner creating a storefront is always one of them.
    pub partner_ids: Option<Vec<String>>,
    pub id: Option<String>,
}

/// The storefronts use cases, with the ports they use.
#[derive(Clone)]
pub struct StorefrontsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) storefronts: Arc<dyn StorefrontStore>,
    pub(crate) users: Arc<dyn UserStore>,
}

impl StorefrontsUseCases {
    pub async fn create_storefront(&self, who: &Identity, new: NewStorefront) -> Result<Storefront, AppError> {
        who.require_role(&[Role::Partner, Role::Admin])?;
        let mut partner_ids = Vec::new();
        if who.role == Role::Partner {
            partner_ids.push(who.user_id.clone());
        }
        for raw in new.partner_ids.unwrap_or_default() {
            let id = UserId::parse(raw)?;
            let user = self
                .users
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
            None => StorefrontId::parse(self.ids.ulid())?,
        };
        if self.storefronts.storefront_tenant(&id).await?.is_some() {
            return Err(AppError::Conflict(format!("storefront {id} exists already")));
        }
        let storefront = Storefront {
            tenant_id: who.tenant_id.clone(),
            id,
            title: parse_text("title", &new.title, 200)?,
            partner_ids,
            created_at: self.clock.now(),
        };
        self.storefronts.put_storefront(&storefront).await?;
        Ok(storefront)
    }

    pub async fn get_storefront(&self, who: &Identity, id: &StorefrontId) -> Result<Storefront, AppError> {
        who.require_role(&[Role::Partner, Role::Admin])?;
        self.find_storefront(&who.tenant_id, id).await
    }

    pub async fn find_storefront(&self, tenant: &TenantId, id: &StorefrontId) -> Result<Storefront, AppError> {
        self.storefronts.get_storefront(tenant, id).await?.ok_or_else(|| AppError::not_found("storefront"))
    }
}
