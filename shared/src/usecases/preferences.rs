//! Notification preferences: what each user wants, per type and channel, and when e-mails
//! may go. A user who never set any has the defaults.

use super::Identity;
use crate::app::App;
use crate::domain::{Preferences, TenantId, UserId};
use crate::AppError;

/// The document collection of preferences, one document per user.
const COLLECTION: &str = "prefs";

pub async fn load(app: &App, tenant: &TenantId, user: &UserId) -> Result<Preferences, AppError> {
    match app.store.get_doc(tenant, COLLECTION, user.as_str()).await? {
        Some(doc) => serde_json::from_str(&doc).map_err(AppError::internal),
        None => Ok(Preferences::default()),
    }
}

pub async fn save(app: &App, tenant: &TenantId, user: &UserId, preferences: &Preferences) -> Result<(), AppError> {
    preferences.validate()?;
    let doc = serde_json::to_string(preferences).map_err(AppError::internal)?;
    app.store.put_doc(tenant, COLLECTION, user.as_str(), &doc, None).await?;
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
