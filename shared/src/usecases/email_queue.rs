//! Notifications on their way to an e-mail: what waits, and when its e-mail is due (now,
//! after the unread delay, in the digest). The sending itself is [`super::email_sending`].
//!
//! Each notification that should be e-mailed waits as a `PendingEmail` under its user. A
//! `sendEmails` job sends what is due in one e-mail and removes it; notifications read
//! meanwhile are dropped without an e-mail.

use super::preferences::PreferencesUseCases;
use super::scheduling::SchedulingUseCases;
use crate::auth::TokenVerifier;
use crate::config::Limits;
use crate::ports::{Clock, PendingEmailStore, ThrottleStore, UserStore};
use chrono::{DateTime, Utc};
use std::sync::Arc;

use crate::domain::*;
use crate::AppError;

/// The email queue use cases, with the ports they use.
#[derive(Clone)]
pub struct EmailQueueUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) pending_emails: Arc<dyn PendingEmailStore>,
    pub(crate) throttles: Arc<dyn ThrottleStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) tokens: Arc<TokenVerifier>,
    pub(crate) limits: Limits,
    pub(crate) preferences: PreferencesUseCases,
    pub(crate) scheduling: SchedulingUseCases,
}

impl EmailQueueUseCases {
    /// A notification is on its way to an e-mail: it waits for it, and a `sendEmails` job is
    /// arranged as the preferences say.
    pub async fn queue(&self, prefs: &Preferences, notification: &Notification, in_app: bool) -> Result<(), AppError> {
        let (tenant, user) = (&notification.tenant_id, &notification.user_id);
        self.pending_emails.put_pending_email(&PendingEmail { notification: notification.clone(), in_app }).await?;
        let now = self.clock.now();
        let job_id = JobId::of("mail", &[user.as_str(), notification.id.as_str()]);
        match prefs.email_mode {
            EmailMode::Off => Ok(()),
            // A call-out does not wait for a digest or a delay: its e-mail is due now.
            _ if notification.priority == Priority::Critical => self.schedule_send(tenant, user, job_id, now).await,
            EmailMode::Digest => self.schedule_digest(tenant, user, now).await,
            EmailMode::Immediate if notification.kind == NotificationType::Message => {
                // One check per user and delay window: later messages ride the same e-mail.
                let at = now + self.message_delay()?;
                let check = mail_check_claim(user);
                if self.throttles.try_claim(tenant, &check, now, at).await? {
                    if let Err(e) = self.schedule_send(tenant, user, job_id, at).await {
                        // Claimed and not arranged: give the claim up, so that the retry arranges
                        // the check rather than leave the e-mail waiting for the next message's.
                        if let Err(release) = self.throttles.release_claim(tenant, &check).await {
                            tracing::warn!(tenant = %tenant, error = %release, "could not give up an e-mail check's claim");
                        }
                        return Err(e);
                    }
                }
                Ok(())
            }
            EmailMode::Immediate => self.schedule_send(tenant, user, job_id, now).await,
        }
    }

    /// How long a message waits, unread, before it is e-mailed.
    pub fn message_delay(&self) -> Result<chrono::Duration, AppError> {
        chrono::Duration::from_std(self.limits.message_email_delay).map_err(AppError::internal)
    }

    /// Arranges a `sendEmails` job (not a digest) for `at`.
    pub async fn schedule_send(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: JobId,
        at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let task = Task::SendEmails(SendEmails { user_id: user.clone(), digest: false });
        self.scheduling.enqueue_at(Job::new(tenant, id, task), at).await
    }

    /// Arranges the user's next digest (at the next multiple of the digest interval), once.
    pub async fn schedule_digest(&self, tenant: &TenantId, user: &UserId, now: DateTime<Utc>) -> Result<(), AppError> {
        let interval = self.limits.digest_interval.as_millis().max(1) as i64;
        let next = (now.timestamp_millis() / interval + 1) * interval;
        let at = DateTime::<Utc>::from_timestamp_millis(next)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("digest time overflow")))?;
        let id = JobId::of("digest", &[user.as_str(), &next.to_string()]);
        if self.throttles.try_claim(tenant, id.as_str(), now, at).await? {
            let task = Task::SendEmails(SendEmails { user_id: user.clone(), digest: true });
            self.scheduling.enqueue_at(Job::new(tenant, id, task), at).await?;
        }
        Ok(())
    }

    /// `GET`/`POST /v1/email/unsubscribe?token=`: turns the user's e-mails off; returns their
    /// locale for the confirmation page.
    pub async fn unsubscribe(&self, token: &str) -> Result<Locale, AppError> {
        let (tenant, user) = self.tokens.verify_unsubscribe(token)?;
        let mut prefs = self.preferences.load(&tenant, &user).await?;
        prefs.email_mode = EmailMode::Off;
        self.preferences.save(&tenant, &user, &prefs).await?;
        tracing::info!(tenant = %tenant, "a user unsubscribed from e-mails");
        let stored = self.users.get_user(&tenant, &user).await?;
        Ok(stored.map(|u| u.locale).unwrap_or_default())
    }
}

/// The claim that spaces a person's e-mail checks (it names them: an erasure releases it).
pub(crate) fn mail_check_claim(user: &UserId) -> String {
    format!("mailcheck:{user}")
}
