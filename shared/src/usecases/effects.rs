//! Effects that happen once. Background jobs are delivered at least once; what they do must
//! happen exactly once. Each effect runs under an idempotency record keyed by what it is
//! (`EffectStore::begin_effect`): a lease while it runs, "done" for a week after. A repeated
//! run finds "done" and does nothing; one running at the same time finds the other's lease
//! and fails, to be retried later.

use crate::ports::{Clock, EffectStore};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::TenantId;
use crate::ports::EffectClaim;
use crate::AppError;

/// How long a running effect holds its lease: longer than a worker's timeout (30 s), so that
/// a second delivery waits rather than runs alongside.
const LEASE: Duration = Duration::from_secs(120);
/// How long a done effect is remembered: longer than SQS keeps a message (4 days by default).
const REMEMBER_DONE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The effects use cases, with the ports they use.
#[derive(Clone)]
pub struct EffectsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) effects: Arc<dyn EffectStore>,
}

impl EffectsUseCases {
    /// Runs `effect` under the idempotency record `key`: `None` when it happened already; an
    /// error when another worker is running it (try again later) or when it fails (its lease is
    /// given up so that a retry need not wait for it).
    pub async fn once<T>(
        &self,
        tenant: &TenantId,
        key: &str,
        effect: impl Future<Output = Result<T, AppError>>,
    ) -> Result<Option<T>, AppError> {
        let now = self.clock.now();
        let lease_until = now + chrono::Duration::from_std(LEASE).map_err(AppError::internal)?;
        match self.effects.begin_effect(tenant, key, now, lease_until).await? {
            EffectClaim::Done => return Ok(None),
            EffectClaim::Busy => return Err(AppError::internal(anyhow::anyhow!("{key} is running elsewhere"))),
            EffectClaim::Acquired => {}
        }
        match effect.await {
            Ok(value) => {
                let keep = self.clock.now() + chrono::Duration::from_std(REMEMBER_DONE).map_err(AppError::internal)?;
                self.effects.finish_effect(tenant, key, keep).await?;
                Ok(Some(value))
            }
            Err(e) => {
                if let Err(release) = self.effects.release_effect(tenant, key).await {
                    tracing::warn!(key, error = %release, "could not release a failed effect's lease");
                }
                Err(e)
            }
        }
    }
}
