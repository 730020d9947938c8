//! A person's data export (GDPR's right of access): asked for by an admin, made in the
//! background as JSON Lines, downloadable for a day.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{TenantId, UserId};

/// Where an export stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportStatus {
    /// Asked for; the job has not finished yet.
    Pending,
    /// Made: downloadable until `expiresAt`.
    Ready,
}

/// One export of one person's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    /// A ULID.
    pub id: String,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub status: ExportStatus,
    pub requested_at: DateTime<Utc>,
    #[schema(required = true)]
    #[serde(default)]
    pub ready_at: Option<DateTime<Utc>>,
    /// When the file and this record go: a day after it was made (a pending export, a week
    /// after it was asked for).
    pub expires_at: DateTime<Utc>,
    /// Its JSON Lines, once made.
    #[serde(default)]
    pub lines: u64,
    /// Its size in bytes, once made.
    #[serde(default)]
    pub bytes: u64,
}

impl Export {
    /// How long a made export can be downloaded.
    pub const DOWNLOADABLE: Duration = Duration::hours(24);
    /// How long a record of an export still being made is kept: a job that never finished
    /// (its retries dead-lettered) does not leave it forever.
    pub const PENDING_KEPT: Duration = Duration::days(7);

    pub fn pending(id: String, tenant_id: TenantId, user_id: UserId, now: DateTime<Utc>) -> Self {
        Self {
            id,
            tenant_id,
            user_id,
            status: ExportStatus::Pending,
            requested_at: now,
            ready_at: None,
            expires_at: now + Self::PENDING_KEPT,
            lines: 0,
            bytes: 0,
        }
    }

    /// The export once its file is stored.
    pub fn ready(self, lines: u64, bytes: u64, now: DateTime<Utc>) -> Self {
        Self {
            status: ExportStatus::Ready,
            ready_at: Some(now),
            expires_at: now + Self::DOWNLOADABLE,
            lines,
            bytes,
            ..self
        }
    }

    /// The name a browser saves it under.
    pub fn file_name(&self) -> String {
        format!("missive-export-{}-{}.jsonl", self.user_id, self.id)
    }
}
