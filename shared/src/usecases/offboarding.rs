//! A tenant's offboarding: the platform removes a customer that leaves, and everything of it.
//! Asked for a suspended tenant only (its people are already refused), it runs in the
//! background as `offboardTenant` steps — each removes a few thousand records (walking the
//! tenant's keys, never a scan), records its progress and queues the next — then deletes the
//! tenant's files and push credentials and marks the offboarding done. Its record, kept apart
//! from the tenant's data, is what the platform reads (`GET /v1/admin/tenants/{id}/offboarding`).
//! A step that keeps failing is dead-lettered like any job; redriving the notifications queue's
//! dead letters (`POST /v1/admin/queues/notifications/redrive`) resumes the offboarding where it
//! was.

use std::sync::Arc;
use std::time::Instant;

use crate::config::Limits;
use crate::domain::{Job, JobId, OffboardTenant, Offboarding, Task, TenantId, TenantStatus};
use crate::ports::{Clock, FileStore, JobQueue, PushCredentialStore, TenantRemoval, TenantStore};
use crate::runtime::DirectoryCache;
use crate::AppError;

/// Records removed per store call.
const BUDGET: usize = 500;
/// Files removed per storage call (S3 lists and deletes 1,000 a call).
const FILES_PER_CALL: usize = 1000;

/// Where a tenant's offboarding stands, as the platform reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OffboardingState {
    /// Never asked for: the tenant is there.
    None,
    /// Its records are being removed.
    Running,
    /// Nothing of the tenant is left.
    Done,
}

/// A tenant's offboarding as the platform reads it: its state, and the record once asked for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OffboardingStatus {
    pub tenant_id: TenantId,
    pub state: OffboardingState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Records removed from the store so far.
    pub records_removed: u64,
    /// Files removed from storage, once the records are gone.
    pub files_removed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<Offboarding> for OffboardingStatus {
    fn from(o: Offboarding) -> Self {
        let state = if o.completed_at.is_some() { OffboardingState::Done } else { OffboardingState::Running };
        Self {
            tenant_id: o.tenant_id,
            state,
            requested_at: Some(o.requested_at),
            records_removed: o.records_removed,
            files_removed: o.files_removed,
            completed_at: o.completed_at,
        }
    }
}

/// The offboarding use cases, with the ports they use.
#[derive(Clone)]
pub struct OffboardingUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) files: Arc<dyn FileStore>,
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) push_credentials: Arc<dyn PushCredentialStore>,
    pub(crate) removal: Arc<dyn TenantRemoval>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) directory: Arc<DirectoryCache>,
    pub(crate) limits: Limits,
}

impl OffboardingUseCases {
    /// Starts removing a suspended tenant (409 for an active one: suspend it first). Asked again
    /// while it runs, answers the same offboarding.
    pub async fn request(&self, id: &TenantId) -> Result<OffboardingStatus, AppError> {
        if let Some(running) = self.running(id).await? {
            return Ok(running.into());
        }
        let tenant = self.tenants.get_tenant(id).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        if tenant.status != TenantStatus::Suspended {
            return Err(AppError::Conflict("suspend the tenant first: only a suspended tenant is offboarded".into()));
        }
        let now = self.clock.now();
        let offboarding = Offboarding {
            tenant_id: id.clone(),
            requested_at: now,
            records_removed: 0,
            files_removed: 0,
            completed_at: None,
        };
        self.removal.put_offboarding(&offboarding).await?;
        self.queue_step(OffboardTenant { tenant, requested_at: now, step: 0 }).await?;
        tracing::info!(tenant = %id, "tenant offboarding started");
        Ok(offboarding.into())
    }

    /// How the tenant's offboarding goes: `none` for a tenant never offboarded, 404 for no
    /// tenant and no offboarding.
    pub async fn status(&self, id: &TenantId) -> Result<OffboardingStatus, AppError> {
        if let Some(offboarding) = self.removal.get_offboarding(id).await? {
            return Ok(offboarding.into());
        }
        self.tenants.get_tenant(id).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        Ok(OffboardingStatus {
            tenant_id: id.clone(),
            state: OffboardingState::None,
            requested_at: None,
            records_removed: 0,
            files_removed: 0,
            completed_at: None,
        })
    }

    /// Whether the tenant was offboarded and its id not used again (its jobs still queued then
    /// find nothing).
    pub async fn done(&self, id: &TenantId) -> Result<bool, AppError> {
        let offboarded = self.removal.get_offboarding(id).await?.is_some_and(|o| o.completed_at.is_some());
        Ok(offboarded && self.tenants.get_tenant(id).await?.is_none())
    }

    /// The offboarding running for the tenant, if any: a suspended tenant stays so until done.
    pub async fn running(&self, id: &TenantId) -> Result<Option<Offboarding>, AppError> {
        Ok(self.removal.get_offboarding(id).await?.filter(|o| o.completed_at.is_none()))
    }

    /// The `offboardTenant` job: records removed for a while, the progress recorded, and the
    /// next step queued — or, once nothing is left, the files and push credentials, and done.
    pub async fn step(&self, job: &OffboardTenant) -> Result<(), AppError> {
        let id = &job.tenant.id;
        let Some(mut offboarding) = self.running(id).await? else { return Ok(()) };
        if offboarding.requested_at != job.requested_at {
            return Ok(());
        }
        let started = Instant::now();
        let (mut records_left, mut files_left) = (true, true);
        // At least one call a step, however short the step; a call that found nothing left of
        // its kind moves on to the next kind at once.
        loop {
            let removed = if records_left {
                let removed = self.removal.remove_tenant_records(&job.tenant, BUDGET).await?;
                offboarding.records_removed += removed;
                records_left = removed > 0;
                removed
            } else if files_left {
                // Then its files, once no record names them any more.
                let removed = self.files.delete_tenant_files(id, FILES_PER_CALL).await?;
                offboarding.files_removed += removed;
                files_left = removed > 0;
                removed
            } else {
                break;
            };
            if removed > 0 && started.elapsed() >= self.limits.background_step {
                break;
            }
        }
        if records_left || files_left {
            self.removal.put_offboarding(&offboarding).await?;
            return self.queue_step(OffboardTenant { step: job.step + 1, ..job.clone() }).await;
        }
        self.push_credentials.delete_push_credentials(id).await.map_err(AppError::internal)?;
        offboarding.completed_at = Some(self.clock.now());
        self.removal.put_offboarding(&offboarding).await?;
        self.directory.forget_tenant(id);
        tracing::info!(tenant = %id, records = offboarding.records_removed, files = offboarding.files_removed, "tenant offboarded");
        Ok(())
    }

    async fn queue_step(&self, step: OffboardTenant) -> Result<(), AppError> {
        let name = [step.requested_at.timestamp_millis().to_string(), step.step.to_string()];
        let id = JobId::of("offboard", &[&name[0], &name[1]]);
        let job = Job::new(&step.tenant.id.clone(), id, Task::OffboardTenant(step));
        Ok(self.jobs.enqueue(&job, None).await?)
    }
}
