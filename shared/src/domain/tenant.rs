use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{FileType, TenantId, TenantQuotas};

/// The languages Missive speaks to people. French is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    /// Reads a locale claim such as `en`, `en-GB` or `fr_FR`; anything else is French.
    pub fn from_tag(tag: &str) -> Locale {
        match tag.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("en") => Locale::En,
            _ => Locale::Fr,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TenantStatus {
    #[default]
    Active,
    Suspended,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Branding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_color: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub status: TenantStatus,
    pub locale: Locale,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_from: Option<String>,
    #[schema(required = true)]
    #[serde(default)]
    pub branding: Branding,
    #[schema(required = true)]
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// The largest file its members may upload, in bytes; absent, the platform's
    /// (`MISSIVE_MAX_UPLOAD_BYTES`, which it cannot exceed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_upload_bytes: Option<u64>,
    /// The file types its members may upload, among those Missive accepts; absent, all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_types: Option<Vec<FileType>>,
    /// How many days its messages (with their files, reactions and pins) and notifications are
    /// kept; absent, forever. A daily sweep removes what is older.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// Its own quotas; those it has not are the platform's (`MISSIVE_QUOTA_*`).
    #[schema(required = true)]
    #[serde(default)]
    pub quotas: TenantQuotas,
    pub created_at: DateTime<Utc>,
}

impl Tenant {
    /// An active French-speaking tenant with no branding, no sender and any origin.
    pub fn new(id: TenantId, name: impl Into<String>, created_at: DateTime<Utc>) -> Self {
        Self {
            id,
            name: name.into(),
            status: TenantStatus::Active,
            locale: Locale::Fr,
            email_from: None,
            branding: Branding::default(),
            allowed_origins: Vec::new(),
            max_upload_bytes: None,
            upload_types: None,
            retention_days: None,
            quotas: TenantQuotas::default(),
            created_at,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == TenantStatus::Active
    }

    /// A browser origin may use the public (guest) endpoints when the tenant lists it, or
    /// when the tenant lists no origin at all.
    pub fn allows_origin(&self, origin: Option<&str>) -> bool {
        match origin {
            None => true,
            Some(_) if self.allowed_origins.is_empty() => true,
            Some(o) => self.allowed_origins.iter().any(|a| a == o),
        }
    }
}

/// A tenant's offboarding: everything of it removed in the background, steps at a time. The
/// record outlives the tenant (it is kept apart from the tenant's data), as what tells the
/// platform the removal is done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Offboarding {
    pub tenant_id: TenantId,
    pub requested_at: DateTime<Utc>,
    /// Records removed from the store so far.
    pub records_removed: u64,
    /// Files removed from storage (uploads, thumbnails, exports), once the records are gone.
    pub files_removed: u64,
    /// When nothing of the tenant was left; absent while the removal runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_tags_default_to_french() {
        assert_eq!(Locale::from_tag("en-GB"), Locale::En);
        assert_eq!(Locale::from_tag("fr_FR"), Locale::Fr);
        assert_eq!(Locale::from_tag("de"), Locale::Fr);
        assert_eq!(Locale::from_tag(""), Locale::Fr);
    }
}
