//! Notifications on their way to an e-mail: what waits, and when its e-mail is due (now,
//! after the unread delay, in the digest). The sending itself is [`super::email_sending`].
//!
//! Each notification that should be e-mailed waits as a `PendingEmail` under its user. A
//! `sendEmails` job sends what is due in one e-mail and removes it; notifications read
//! meanwhile are dropped without an e-mail.

use chrono::{DateTime, Utc};

use super::preferences;
use super::scheduling::enqueue_at;
use crate::app::App;
use crate::domain::*;
use crate::AppError;

/// A notification is on its way to an e-mail: it waits for it, and a `sendEmails` job is
/// arranged as the preferences say.
pub async fn queue(app: &App, prefs: &Preferences, notification: &Notification, in_app: bool) -> Result<(), AppError> {
    let (tenant, user) = (&notification.tenant_id, &notification.user_id);
    app.ports.pending_emails.put_pending_email(&PendingEmail { notification: notification.clone(), in_app }).await?;
    let now = app.ports.clock.now();
    let job_id = JobId::of("mail", &[user.as_str(), notification.id.as_str()]);
    match prefs.email_mode {
        EmailMode::Off => Ok(()),
        EmailMode::Digest => schedule_digest(app, tenant, user, now).await,
        EmailMode::Immediate if notification.kind == NotificationType::Message => {
            // One check per user and delay window: later messages ride the same e-mail.
            let at = now + message_delay(app)?;
            let check = format!("mailcheck:{user}");
            if app.ports.throttles.try_claim(tenant, &check, now, at).await? {
                if let Err(e) = schedule_send(app, tenant, user, job_id, at).await {
                    // Claimed and not arranged: give the claim up, so that the retry arranges
                    // the check rather than leave the e-mail waiting for the next message's.
                    if let Err(release) = app.ports.throttles.release_claim(tenant, &check).await {
                        tracing::warn!(tenant = %tenant, error = %release, "could not give up an e-mail check's claim");
                    }
                    return Err(e);
                }
            }
            Ok(())
        }
        EmailMode::Immediate => schedule_send(app, tenant, user, job_id, now).await,
    }
}

/// How long a message waits, unread, before it is e-mailed.
pub fn message_delay(app: &App) -> Result<chrono::Duration, AppError> {
    chrono::Duration::from_std(app.config.limits.message_email_delay).map_err(AppError::internal)
}

/// Arranges a `sendEmails` job (not a digest) for `at`.
pub async fn schedule_send(
    app: &App,
    tenant: &TenantId,
    user: &UserId,
    id: JobId,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let task = Task::SendEmails(SendEmails { user_id: user.clone(), digest: false });
    enqueue_at(app, Job::new(tenant, id, task), at).await
}

/// Arranges the user's next digest (at the next multiple of the digest interval), once.
pub async fn schedule_digest(app: &App, tenant: &TenantId, user: &UserId, now: DateTime<Utc>) -> Result<(), AppError> {
    let interval = app.config.limits.digest_interval.as_millis().max(1) as i64;
    let next = (now.timestamp_millis() / interval + 1) * interval;
    let at = DateTime::<Utc>::from_timestamp_millis(next)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("digest time overflow")))?;
    let id = JobId::of("digest", &[user.as_str(), &next.to_string()]);
    if app.ports.throttles.try_claim(tenant, id.as_str(), now, at).await? {
        let task = Task::SendEmails(SendEmails { user_id: user.clone(), digest: true });
        enqueue_at(app, Job::new(tenant, id, task), at).await?;
    }
    Ok(())
}

/// `GET`/`POST /v1/email/unsubscribe?token=`: turns the user's e-mails off; returns their
/// locale for the confirmation page.
pub async fn unsubscribe(app: &App, token: &str) -> Result<Locale, AppError> {
    let (tenant, user) = app.services.tokens.verify_unsubscribe(token)?;
    let mut prefs = preferences::load(app, &tenant, &user).await?;
    prefs.email_mode = EmailMode::Off;
    preferences::save(app, &tenant, &user, &prefs).await?;
    tracing::info!(tenant = %tenant, "a user unsubscribed from e-mails");
    let stored = app.ports.users.get_user(&tenant, &user).await?;
    Ok(stored.map(|u| u.locale).unwrap_or_default())
}
