//! Sending notification e-mails: the `sendEmails` job, which takes what waits for a user
//! (see [`super::email_queue`]) and sends it as one e-mail unless preferences, quiet hours or
//! reading in time say otherwise; and how an e-mail reads (templates in the recipient's
//! language with the tenant's branding and a one-click unsubscribe link).

use super::email_queue::EmailQueueUseCases;
use super::preferences::PreferencesUseCases;
use super::quotas::QuotaUseCases;
use super::scheduling::SchedulingUseCases;
use super::seen::was_read;
use super::webhook_events::{event_id as webhook_event_id, WebhookEventsUseCases};
use crate::auth::TokenVerifier;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::ports::{Clock, ConversationStore, Mailer, NotificationStore, PendingEmailStore, TenantStore, UserStore};
use minijinja::Environment;
use serde::Serialize;
use std::sync::Arc;

use crate::domain::*;
use crate::metrics::Metric;
use crate::ports::{Email, MailError};
use crate::AppError;

/// Waiting e-mails read per job; more wait for the next one.
const MAX_PER_EMAIL: usize = 50;

/// How long an e-mail waits when the provider pauses its tenant's sending before it is tried
/// again (SES lifts a pause once the tenant's reputation is reviewed: hours, not seconds).
const PAUSED_RETRY: chrono::Duration = chrono::Duration::hours(1);

/// The e-mail templates, one pair (HTML, text) per notification type and the digest,
/// compiled on first use: only the functions that send e-mails pay for it, once.
static TEMPLATES: std::sync::LazyLock<Environment<'static>> = std::sync::LazyLock::new(|| {
    let mut env = Environment::new();
    macro_rules! add {
        ($($name:literal),*) => {
            $(env.add_template($name, include_str!(concat!("../../templates/email/", $name))).expect("e-mail templates compile");)*
        };
    }
    add!(
        "base.html",
        "base.txt",
        "message.html",
        "message.txt",
        "mention.html",
        "mention.txt",
        "reminder.html",
        "reminder.txt",
        "event.html",
        "event.txt",
        "system.html",
        "system.txt",
        "digest.html",
        "digest.txt"
    );
    env
});

fn render_template(name: &str, context: &minijinja::Value) -> Result<String, AppError> {
    TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| AppError::internal(anyhow::anyhow!("rendering {name}: {e:#}")))
}

/// The email sending use cases, with the ports they use.
#[derive(Clone)]
pub struct EmailSendingUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) notifications: Arc<dyn NotificationStore>,
    pub(crate) pending_emails: Arc<dyn PendingEmailStore>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) metrics: Metrics,
    pub(crate) tokens: Arc<TokenVerifier>,
    pub(crate) config: Arc<Config>,
    pub(crate) email_queue: EmailQueueUseCases,
    pub(crate) preferences: PreferencesUseCases,
    pub(crate) scheduling: SchedulingUseCases,
    pub(crate) webhook_events: WebhookEventsUseCases,
    pub(crate) quotas: QuotaUseCases,
}

impl EmailSendingUseCases {
    /// The `sendEmails` job: one e-mail with what is due for the user, unless their preferences
    /// or quiet hours say otherwise.
    pub async fn send_pending(&self, tenant_id: &TenantId, send: &SendEmails, job_id: &JobId) -> Result<(), AppError> {
        let user_id = &send.user_id;
        let now = self.clock.now();
        let prefs = self.preferences.load(tenant_id, user_id).await?;
        let waiting = self.pending_emails.list_pending_emails(tenant_id, user_id, MAX_PER_EMAIL).await?;
        if waiting.is_empty() {
            return Ok(());
        }
        let (Some(tenant), Some(user)) =
            (self.tenants.get_tenant(tenant_id).await?, self.users.get_user(tenant_id, user_id).await?)
        else {
            return self.drop_all(tenant_id, user_id, &waiting).await;
        };
        if user.email.is_none() || prefs.email_mode == EmailMode::Off {
            return self.drop_all(tenant_id, user_id, &waiting).await;
        }
        // A critical notification waiting goes now, and what waits with it rides along.
        let critical = waiting.iter().any(|p| p.notification.priority == Priority::Critical);
        if !send.digest && !critical && prefs.email_mode == EmailMode::Digest {
            return self.email_queue.schedule_digest(tenant_id, user_id, now).await;
        }
        if let Some(end) = prefs.quiet_hours.as_ref().and_then(|q| q.ends_after(now)).filter(|_| !critical) {
            tracing::info!(job = %job_id, until = %end, "quiet hours: the e-mail waits");
            let job = Job::new(
                tenant_id,
                job_id.derived(&format!("after:{}", end.timestamp())),
                Task::SendEmails(send.clone()),
            );
            return self.scheduling.enqueue_at(job, end).await;
        }

        let mut due = Vec::new();
        let mut young = Vec::new();
        let mut settled = Vec::new();
        for pending in waiting {
            let n = &pending.notification;
            if !prefs.emails(n.kind) || was_read(&*self.conversations, &*self.notifications, n, pending.in_app).await? {
                settled.push(n.id.clone());
            } else if !send.digest
                && n.kind == NotificationType::Message
                && n.created_at + self.email_queue.message_delay()? > now
            {
                young.push(n.clone());
            } else {
                due.push(n.clone());
            }
        }
        if due.is_empty() {
            // Only recent messages, which may still be read in time: a later check decides.
            if let Some(latest) = young.iter().map(|n| n.created_at).max() {
                self.email_queue
                    .schedule_send(
                        tenant_id,
                        user_id,
                        job_id.derived("next"),
                        latest + self.email_queue.message_delay()?,
                    )
                    .await?;
            }
        } else {
            // An e-mail goes anyway: the unread recent messages ride along rather than make
            // another one moments later.
            due.extend(young);
        }
        if !due.is_empty() {
            let email = self.render(&tenant, &user, &due, send.digest, job_id)?;
            let (metrics, now) = (&self.metrics, self.clock.now());
            // Over the tenant's e-mails for the day, the e-mail waits for the next (the
            // notifications are in the bell meanwhile); nothing is dropped.
            match self.quotas.take(tenant_id, Quota::EmailsPerDay, 1).await {
                Err(AppError::QuotaExceeded { .. }) => {
                    let tomorrow = Quota::EmailsPerDay.window(now).end;
                    tracing::info!(job = %job_id, until = %tomorrow, "the tenant's e-mails for the day are sent: the e-mail waits");
                    let next = job_id.derived(&format!("quota:{}", tomorrow.timestamp()));
                    let job = Job::new(tenant_id, next, Task::SendEmails(send.clone()));
                    return self.scheduling.enqueue_at(job, tomorrow).await;
                }
                taken => taken?,
            }
            match self.mailer.send_email(&email).await {
                Ok(provider_id) => {
                    metrics.count(Metric::EmailsSent, 1, Some(tenant_id), now);
                    tracing::info!(job = %job_id, provider_id, count = due.len(), "e-mail sent")
                }
                // A refused address will be refused again: drop these instead of retrying.
                Err(MailError::Rejected(reason)) => {
                    metrics.count(Metric::EmailsFailed, 1, Some(tenant_id), now);
                    tracing::warn!(job = %job_id, reason, "e-mail rejected, dropped");
                    let kind = WebhookEventType::EmailFailed;
                    let notifications: Vec<&NotificationId> = due.iter().map(|n| &n.id).collect();
                    let data =
                        serde_json::json!({ "userId": user_id, "reason": reason, "notificationIds": notifications });
                    self.webhook_events.publish(tenant_id, kind, webhook_event_id(kind, job_id.as_str()), data).await;
                }
                // The provider pauses this tenant's sending (on SES, its own reputation): the
                // e-mail waits and tries again later, as often as it takes; nothing is dropped,
                // and other tenants' e-mails go on.
                Err(MailError::Paused(reason)) => {
                    metrics.count(Metric::EmailsPaused, 1, Some(tenant_id), now);
                    self.quotas.give_back(tenant_id, Quota::EmailsPerDay, 1, now).await;
                    let later = now + PAUSED_RETRY;
                    tracing::warn!(job = %job_id, reason, until = %later, "the tenant's sending is paused: the e-mail waits");
                    let next = job_id.derived(&format!("paused:{}", later.timestamp()));
                    let job = Job::new(tenant_id, next, Task::SendEmails(send.clone()));
                    return self.scheduling.enqueue_at(job, later).await;
                }
                Err(MailError::Failed(e)) => {
                    metrics.count(Metric::EmailsFailed, 1, Some(tenant_id), now);
                    self.quotas.give_back(tenant_id, Quota::EmailsPerDay, 1, now).await;
                    return Err(AppError::internal(e.context("sending an e-mail")));
                }
            }
            settled.extend(due.into_iter().map(|n| n.id));
        }
        for id in settled {
            self.pending_emails.delete_pending_email(tenant_id, user_id, &id).await?;
        }
        Ok(())
    }

    async fn drop_all(&self, tenant: &TenantId, user: &UserId, waiting: &[PendingEmail]) -> Result<(), AppError> {
        for pending in waiting {
            self.pending_emails.delete_pending_email(tenant, user, &pending.notification.id).await?;
        }
        Ok(())
    }

    /// Renders the e-mail for `items`: the type's template when they share one, else the digest.
    pub fn render(
        &self,
        tenant: &Tenant,
        user: &User,
        items: &[Notification],
        digest: bool,
        id: &JobId,
    ) -> Result<Email, AppError> {
        let template = match items.first() {
            Some(first) if !digest && items.iter().all(|n| n.kind == first.kind) => first.kind.as_str(),
            _ => "digest",
        };
        let brand = tenant.branding.display_name.clone().unwrap_or_else(|| tenant.name.clone());
        let first_title = items.first().map(|n| n.title.as_str()).unwrap_or_default();
        let subject =
            Email::header_safe(&crate::i18n::email_subject(user.locale, template, items.len(), first_title, &brand));
        let token = self.tokens.unsubscribe_token(&tenant.id, &user.id, self.clock.now())?;
        let (public_url, default_from) = self.config.require_email_settings().map_err(AppError::internal)?;
        let unsubscribe_url = format!("{public_url}/v1/email/unsubscribe?token={token}");
        let items: Vec<Item> = items
            .iter()
            .map(|n| Item {
                title: n.title.clone(),
                body: n.body.clone(),
                action_url: n.action_url.clone(),
                action_label: n.action_label.clone(),
                when: n.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            })
            .collect();
        let context = minijinja::context! {
            lang => match user.locale { Locale::Fr => "fr", Locale::En => "en" },
            t => crate::i18n::email_texts(user.locale),
            subject => &subject,
            brand => &brand,
            color => tenant.branding.primary_color.as_deref().filter(|c| is_colour(c)).unwrap_or("#4f46e5"),
            logo_url => tenant.branding.logo_url.as_deref().filter(|u| u.starts_with("https://")),
            items => &items,
            unsubscribe_url => &unsubscribe_url,
        };
        let address = tenant.email_from.as_deref().unwrap_or(default_from);
        Ok(Email {
            id: id.clone(),
            tenant: tenant.id.clone(),
            from: sender(&brand, address),
            to: Email::header_safe(user.email.as_deref().unwrap_or_default()),
            subject,
            html: render_template(&format!("{template}.html"), &context)?,
            text: render_template(&format!("{template}.txt"), &context)?,
            unsubscribe_url: Some(unsubscribe_url),
        })
    }
}

#[derive(Serialize)]
struct Item {
    title: String,
    body: String,
    action_url: Option<String>,
    action_label: Option<String>,
    when: String,
}

/// `"Brand" <address>`, the brand quoted so that no character of it acts as syntax; an
/// address that names itself already (`Name <a@b>`) is kept.
fn sender(brand: &str, address: &str) -> String {
    let address = Email::header_safe(address);
    if address.contains('<') {
        return address;
    }
    let name: String = Email::header_safe(brand).chars().filter(|c| *c != '"' && *c != '\\').collect();
    format!("\"{name}\" <{address}>")
}

/// A CSS colour the templates may use as is: `#rgb` or `#rrggbb`.
fn is_colour(c: &str) -> bool {
    (c.len() == 7 || c.len() == 4) && c.starts_with('#') && c[1..].chars().all(|h| h.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_in_both_languages_and_escapes_html() {
        for locale in [Locale::Fr, Locale::En] {
            for kind in ["message", "mention", "reminder", "event", "system", "digest"] {
                let context = minijinja::context! {
                    lang => "fr",
                    t => crate::i18n::email_texts(locale),
                    subject => "s",
                    brand => "Brigade",
                    color => "#4f46e5",
                    items => vec![minijinja::context! { title => "<b>Alerte</b>", body => "Caserne", action_url => "https://x.test/1", when => "now" }],
                    unsubscribe_url => "https://x.test/u",
                };
                let html = render_template(&format!("{kind}.html"), &context).unwrap();
                assert!(html.contains("&lt;b&gt;Alerte") && html.contains("Brigade"), "{kind}.html: {html}");
                // minijinja escapes `/` too: the link is the URL once the attribute is decoded.
                assert!(html.contains(r#"href="https:&#x2f;&#x2f;x.test&#x2f;u""#), "{kind}.html: {html}");
                let text = render_template(&format!("{kind}.txt"), &context).unwrap();
                assert!(text.contains("<b>Alerte</b>") && text.contains("https://x.test/1"), "{kind}.txt");
                let intro = crate::i18n::email_texts(locale)[format!("intro_{kind}")].as_str().unwrap().to_string();
                assert!(text.contains(&intro), "{kind}.txt says its intro");
            }
        }
    }
}
