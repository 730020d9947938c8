//! Tenants, managed by the platform operator.

use crate::ports::{Clock, Ids, TenantStore};
use crate::runtime::DirectoryCache;
use serde::Deserialize;
use std::sync::Arc;

use super::audit::{Act, AuditUseCases};
use super::offboarding::OffboardingUseCases;
use super::retention::RetentionUseCases;
use crate::config::Limits;
use crate::domain::{
    parse_text, AuditAction, AuditActor, Branding, FileType, Locale, Tenant, TenantId, TenantQuotas, TenantStatus,
};
use crate::ports::Upserted;
use crate::AppError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTenant {
    pub name: String,
    pub id: Option<String>,
    pub locale: Option<Locale>,
    pub email_from: Option<String>,
    pub branding: Option<Branding>,
    pub allowed_origins: Option<Vec<String>>,
    /// The largest file its members may upload, in bytes (at most the platform's).
    pub max_upload_bytes: Option<u64>,
    /// The file types its members may upload, among those Missive accepts.
    pub upload_types: Option<Vec<String>>,
    /// Days its messages and notifications are kept (1 to 3650); absent, forever.
    pub retention_days: Option<u32>,
    /// Its own quotas (those left out, or `0`, are the platform's).
    pub quotas: Option<TenantQuotas>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantPatch {
    pub name: Option<String>,
    pub status: Option<TenantStatus>,
    pub locale: Option<Locale>,
    pub email_from: Option<String>,
    pub branding: Option<Branding>,
    pub allowed_origins: Option<Vec<String>>,
    pub max_upload_bytes: Option<u64>,
    pub upload_types: Option<Vec<String>>,
    /// Days its messages and notifications are kept (1 to 3650); `0`: forever again.
    pub retention_days: Option<u32>,
    /// The quotas it names are set; `0` goes back to the platform's.
    pub quotas: Option<TenantQuotas>,
}

/// The tenants use cases, with the ports they use.
#[derive(Clone)]
pub struct TenantsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) directory: Arc<DirectoryCache>,
    pub(crate) limits: Limits,
    pub(crate) audit: AuditUseCases,
    pub(crate) retention: RetentionUseCases,
    pub(crate) offboarding: OffboardingUseCases,
}

impl TenantsUseCases {
    /// Creates a tenant; with an id that exists already, the existing tenant comes back with
    /// `created: false` (the HTTP layer answers 409).
    pub async fn create_tenant(&self, new: NewTenant) -> Result<Upserted<Tenant>, AppError> {
        let id = match new.id {
            Some(id) => TenantId::parse(id)?,
            None => TenantId::parse(self.ids.ulid().to_ascii_lowercase())?,
        };
        // An id is free again once its offboarding is done, not while it runs.
        if self.offboarding.running(&id).await?.is_some() {
            return Err(AppError::Conflict(format!("tenant {id} is being offboarded")));
        }
        let tenant = Tenant {
            id,
            name: parse_text("name", &new.name, 200)?,
            status: TenantStatus::Active,
            locale: new.locale.unwrap_or_default(),
            email_from: new.email_from.map(|e| check_email("emailFrom", &e)).transpose()?,
            branding: check_branding(new.branding.unwrap_or_default())?,
            allowed_origins: check_origins(new.allowed_origins.unwrap_or_default())?,
            max_upload_bytes: new.max_upload_bytes.map(|max| self.check_max_upload(max)).transpose()?,
            upload_types: new.upload_types.map(check_upload_types).transpose()?,
            retention_days: new.retention_days.map(check_retention).transpose()?,
            quotas: new.quotas.map(|q| TenantQuotas::default().patched(&q)).unwrap_or_default(),
            created_at: self.clock.now(),
        };
        let created = self.tenants.create_tenant(&tenant).await?;
        if created.created {
            let act = Act::on_tenant(AuditAction::TenantCreated);
            self.audit.record(&created.value.id, &AuditActor::Platform, vec![act]).await?;
            if created.value.retention_days.is_some() {
                self.retention.sweep_soon(&created.value.id).await?;
            }
        }
        Ok(created)
    }

    pub async fn update_tenant(&self, id: &TenantId, patch: TenantPatch) -> Result<Tenant, AppError> {
        // Its removal works from the tenant as it was asked for (its origins among others).
        if self.offboarding.running(id).await?.is_some() {
            return Err(AppError::Conflict("the tenant is being offboarded".into()));
        }
        let before = self.tenants.get_tenant(id).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        let mut tenant = before.clone();
        if let Some(name) = patch.name {
            tenant.name = parse_text("name", &name, 200)?;
        }
        if let Some(status) = patch.status {
            tenant.status = status;
        }
        if let Some(locale) = patch.locale {
            tenant.locale = locale;
        }
        if let Some(email) = patch.email_from {
            tenant.email_from = Some(check_email("emailFrom", &email)?);
        }
        if let Some(branding) = patch.branding {
            tenant.branding = check_branding(branding)?;
        }
        if let Some(origins) = patch.allowed_origins {
            tenant.allowed_origins = check_origins(origins)?;
        }
        if let Some(max) = patch.max_upload_bytes {
            tenant.max_upload_bytes = Some(self.check_max_upload(max)?);
        }
        if let Some(types) = patch.upload_types {
            tenant.upload_types = Some(check_upload_types(types)?);
        }
        if let Some(days) = patch.retention_days {
            tenant.retention_days = (days > 0).then(|| check_retention(days)).transpose()?;
        }
        if let Some(quotas) = patch.quotas {
            tenant.quotas = tenant.quotas.patched(&quotas);
        }
        self.tenants.put_tenant(&tenant).await?;
        // This process sees the change at once; others within `directory_cache_ttl`.
        self.directory.forget_tenant(&tenant.id);
        self.audit.record(&tenant.id, &AuditActor::Platform, tenant_acts(&before, &tenant)).await?;
        // A shorter retention applies now, not at the next daily sweep.
        if tenant.retention_days.is_some() && tenant.retention_days != before.retention_days {
            self.retention.sweep_soon(&tenant.id).await?;
        }
        Ok(tenant)
    }

    /// A tenant's own upload limit: 1 byte to the platform's.
    fn check_max_upload(&self, max: u64) -> Result<u64, AppError> {
        let platform = self.limits.max_upload_bytes;
        match (1..=platform).contains(&max) {
            true => Ok(max),
            false => Err(AppError::invalid(format!("maxUploadBytes: expected 1 to {platform}"))),
        }
    }

    /// Whether some tenant lists `origin` among its allowed origins (a browser's request from it,
    /// before anyone signed in, may then be answered).
    pub async fn some_tenant_allows(&self, origin: &str) -> Result<bool, AppError> {
        Ok(self.tenants.origin_allowed(origin).await?)
    }
}

/// The longest retention a tenant may set: ten years.
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// A retention of 1 day to ten years.
fn check_retention(days: u32) -> Result<u32, AppError> {
    match (1..=MAX_RETENTION_DAYS).contains(&days) {
        true => Ok(days),
        false => Err(AppError::invalid(format!("retentionDays: expected 1 to {MAX_RETENTION_DAYS}"))),
    }
}

/// A tenant's own upload types: at least one, each one Missive accepts.
fn check_upload_types(types: Vec<String>) -> Result<Vec<FileType>, AppError> {
    if types.is_empty() {
        return Err(AppError::invalid("uploadTypes: at least one type"));
    }
    let parsed = types.into_iter().map(|t| {
        FileType::parse(t.as_str()).map_err(|_| AppError::invalid(format!("uploadTypes: {t} is not accepted")))
    });
    parsed.collect()
}

/// A plausible address with nothing that could break a mail header.
pub fn check_email(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim();
    let ok = v.len() <= 254
        && v.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        && !v.chars().any(|c| c.is_control() || c.is_whitespace() || "<>,;\"".contains(c));
    if ok {
        Ok(v.to_string())
    } else {
        Err(AppError::invalid(format!("invalid {field}: expected an e-mail address")))
    }
}

fn check_branding(b: Branding) -> Result<Branding, AppError> {
    Ok(Branding {
        display_name: b.display_name.map(|n| parse_text("branding.displayName", &n, 200)).transpose()?,
        logo_url: b.logo_url.map(|u| check_url("branding.logoUrl", &u)).transpose()?,
        primary_color: b
            .primary_color
            .map(|c| {
                let hex = c.strip_prefix('#').unwrap_or("");
                if (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    Ok(c)
                } else {
                    Err(AppError::invalid("invalid branding.primaryColor: expected #rrggbb"))
                }
            })
            .transpose()?,
    })
}

fn check_url(field: &str, value: &str) -> Result<String, AppError> {
    let ok = (value.starts_with("https://") || value.starts_with("http://"))
        && value.len() <= 2048
        && !value.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok {
        Ok(value.to_string())
    } else {
        Err(AppError::invalid(format!("invalid {field}: expected an http(s) URL")))
    }
}

/// The most origins a tenant lists (they are indexed for CORS preflights).
pub const MAX_ALLOWED_ORIGINS: usize = 20;

/// Origins as browsers send them (`https://shop.example` or with a port: no path), each once.
fn check_origins(origins: Vec<String>) -> Result<Vec<String>, AppError> {
    let mut checked: Vec<String> = Vec::new();
    for origin in origins {
        let origin = check_url("allowedOrigins", &origin)?.trim_end_matches('/').to_string();
        let host = origin.split_once("://").map_or("", |(_, rest)| rest);
        if host.is_empty() || host.contains(['/', '?', '#']) {
            return Err(AppError::invalid(format!(
                "invalid allowedOrigins: `{origin}` is not an origin (scheme://host[:port], no path)"
            )));
        }
        if !checked.contains(&origin) {
            checked.push(origin);
        }
    }
    if checked.len() > MAX_ALLOWED_ORIGINS {
        return Err(AppError::invalid(format!("invalid allowedOrigins: at most {MAX_ALLOWED_ORIGINS}")));
    }
    Ok(checked)
}

/// What a change of a tenant did, for its audit log: a suspension or a reactivation, and the
/// other fields changed (by name).
fn tenant_acts(before: &Tenant, after: &Tenant) -> Vec<Act> {
    let mut acts = Vec::new();
    match (before.status, after.status) {
        (TenantStatus::Active, TenantStatus::Suspended) => acts.push(Act::on_tenant(AuditAction::TenantSuspended)),
        (TenantStatus::Suspended, TenantStatus::Active) => acts.push(Act::on_tenant(AuditAction::TenantReactivated)),
        _ => {}
    }
    let fields: Vec<&str> = [
        ("name", before.name != after.name),
        ("locale", before.locale != after.locale),
        ("emailFrom", before.email_from != after.email_from),
        ("branding", before.branding != after.branding),
        ("allowedOrigins", before.allowed_origins != after.allowed_origins),
        ("maxUploadBytes", before.max_upload_bytes != after.max_upload_bytes),
        ("uploadTypes", before.upload_types != after.upload_types),
        ("retentionDays", before.retention_days != after.retention_days),
        ("quotas", before.quotas != after.quotas),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    if !fields.is_empty() {
        acts.push(Act::on_tenant(AuditAction::TenantUpdated).with(serde_json::json!({ "fields": fields })));
    }
    acts
}
