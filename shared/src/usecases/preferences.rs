//! Notification preferences: what each user wants, per type and channel, and when e-mails
//! may go. A user who never set any has the defaults.

use super::identity::Identity;
use crate::domain::{Preferences, TenantId, UserId};
use crate::ports::PreferenceStore;
use crate::AppError;
use std::sync::Arc;

/// The preferences use cases, with the ports they use.
#[derive(Clone)]
pub struct PreferencesUseCases {
    pub(crate) preferences: Arc<dyn PreferenceStore>,
}

impl PreferencesUseCases {
    pub async fn load(&self, tenant: &TenantId, user: &UserId) -> Result<Preferences, AppError> {
        Ok(self.preferences.get_preferences(tenant, user).await?.unwrap_or_default())
    }

    pub async fn save(&self, tenant: &TenantId, user: &UserId, preferences: &Preferences) -> Result<(), AppError> {
        preferences.validate()?;
        self.preferences.put_preferences(tenant, user, preferences).await?;
        Ok(())
    }

    /// The caller's preferences, every channel given.
    pub async fn get(&self, who: &Identity) -> Result<Preferences, AppError> {
        let preferences = self.load(&who.tenant_id, &who.user_id).await?;
        Ok(Preferences { types: preferences.types.with_push_defaults(), ..preferences })
    }

    /// Replaces the caller's preferences (absent fields take their defaults).
    pub async fn put(&self, who: &Identity, preferences: Preferences) -> Result<Preferences, AppError> {
        let preferences = Preferences { types: preferences.types.with_push_defaults(), ..preferences };
        self.save(&who.tenant_id, &who.user_id, &preferences).await?;
        Ok(preferences)
    }
}
