//! Notification preferences: what each user wants, per type and channel, and when e-mails
//! may go. A user who never set any has the defaults.

use super::identity::Identity;
use crate::app::App;
use crate::domain::{Preferences, TenantId, UserId};
use crate::AppError;

pub async fn load(app: &App, tenant: &TenantId, user: &UserId) -> Result<Preferences, AppError> {
    Ok(app.ports.preferences.get_preferences(tenant, user).await?.unwrap_or_default())
}

pub async fn save(app: &App, tenant: &TenantId, user: &UserId, preferences: &Preferences) -> Result<(), AppError> {
    preferences.validate()?;
    app.ports.preferences.put_preferences(tenant, user, preferences).await?;
    Ok(())
}

pub async fn get(app: &App, who: &Identity) -> Result<Preferences, AppError> {
    load(app, &who.tenant_id, &who.user_id).await
}

/// Replaces the caller's preferences (absent fields take their defaults).
pub async fn put(app: &App, who: &Identity, preferences: Preferences) -> Result<Preferences, AppError> {
    save(app, &who.tenant_id, &who.user_id, &preferences).await?;
    Ok(preferences)
}
