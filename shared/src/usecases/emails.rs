//! Notification e-mails: what waits to be sent, when it goes (now, after the unread delay,
//! after quiet hours, in the digest), and how it reads (templates in the recipient's
//! language with the tenant's branding and a one-click unsubscribe link).
//!
//! Each notification that should be e-mailed waits as a `PendingEmail` document in the
//! user's `mail/{user}` collection. A `sendEmails` job sends what is due in one e-mail and
//! removes it; notifications read meanwhile are dropped without an e-mail.

use chrono::{DateTime, Utc};
use minijinja::Environment;
use serde::Serialize;

use super::preferences;
use crate::app::App;
use crate::domain::*;
use crate::jobs::{self, SendEmails, SEND_EMAILS};
use crate::ports::{Email, MailError, QueueName};
use crate::usecases::scheduling::enqueue_at;
use crate::AppError;

/// Waiting e-mails read per job; more wait for the next one.
const MAX_PER_EMAIL: usize = 50;

fn collection(user: &UserId) -> String {
    format!("mail/{user}")
}

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
        "base.html", "base.txt", "message.html", "message.txt", "mention.html", "mention.txt", "reminder.html",
        "reminder.txt", "event.html", "event.txt", "system.html", "system.txt", "digest.html", "digest.txt"
    );
    env
});

fn render_template(name: &str, context: &minijinja::Value) -> Result<String, AppError> {
    TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| AppError::internal(anyhow::anyhow!("rendering {name}: {e:#}")))
}

/// A notification is on its way to an e-mail: it waits in the user's mail collection, and
/// a `sendEmails` job is arranged as the preferences say.
pub async fn queue(app: &App, prefs: &Preferences, notification: &Notification, in_app: bool) -> Result<(), AppError> {
    let (tenant, user) = (&notification.tenant_id, &notification.user_id);
    let pending = PendingEmail { notification: notification.clone(), in_app };
    let doc = serde_json::to_string(&pending).map_err(AppError::internal)?;
    app.store.put_doc(tenant, &collection(user), &notification.id, &doc, None).await?;
    let now = app.clock.now();
    match prefs.email_mode {
        EmailMode::Off => Ok(()),
        EmailMode::Digest => schedule_digest(app, tenant, user, now).await,
        EmailMode::Immediate if notification.kind == NotificationType::Message => {
            // One check per user and delay window: later messages ride the same e-mail.
            let at = now + delay(app)?;
            if app.store.try_claim(tenant, &format!("mailcheck:{user}"), now, at).await? {
                schedule_send(app, tenant, user, &format!("mail:{user}:{}", notification.id), at).await?;
            }
            Ok(())
        }
        EmailMode::Immediate => schedule_send(app, tenant, user, &format!("mail:{user}:{}", notification.id), now).await,
    }
}

fn delay(app: &App) -> Result<chrono::Duration, AppError> {
    chrono::Duration::from_std(app.config.limits.message_email_delay).map_err(AppError::internal)
}

async fn schedule_send(app: &App, tenant: &TenantId, user: &UserId, id: &str, at: DateTime<Utc>) -> Result<(), AppError> {
    let job = jobs::job(tenant, id.to_string(), SEND_EMAILS, &SendEmails { user_id: user.clone(), digest: false })?;
    enqueue_at(app, QueueName::Emails, job, at).await
}

/// Arranges the user's next digest (at the next multiple of the digest interval), once.
async fn schedule_digest(app: &App, tenant: &TenantId, user: &UserId, now: DateTime<Utc>) -> Result<(), AppError> {
    let interval = app.config.limits.digest_interval.as_millis().max(1) as i64;
    let next = (now.timestamp_millis() / interval + 1) * interval;
    let at = DateTime::<Utc>::from_timestamp_millis(next).ok_or_else(|| AppError::internal(anyhow::anyhow!("digest time overflow")))?;
    let id = format!("digest:{user}:{next}");
    if app.store.try_claim(tenant, &id, now, at).await? {
        let job = jobs::job(tenant, id, SEND_EMAILS, &SendEmails { user_id: user.clone(), digest: true })?;
        enqueue_at(app, QueueName::Emails, job, at).await?;
    }
    Ok(())
}

/// The `sendEmails` job: one e-mail with what is due for the user, unless their preferences
/// or quiet hours say otherwise.
pub async fn send_pending(app: &App, tenant_id: &TenantId, send: &SendEmails, job_id: &str) -> Result<(), AppError> {
    let user_id = &send.user_id;
    let now = app.clock.now();
    let prefs = preferences::load(app, tenant_id, user_id).await?;
    let waiting = app.store.list_docs(tenant_id, &collection(user_id), None, MAX_PER_EMAIL).await?;
    let waiting: Vec<PendingEmail> =
        waiting.items.iter().map(|d| serde_json::from_str(d)).collect::<Result<_, _>>().map_err(AppError::internal)?;
    if waiting.is_empty() {
        return Ok(());
    }
    let (Some(tenant), Some(user)) = (app.store.get_tenant(tenant_id).await?, app.store.get_user(tenant_id, user_id).await?) else {
        return drop_all(app, tenant_id, user_id, &waiting).await;
    };
    if user.email.is_none() || prefs.email_mode == EmailMode::Off {
        return drop_all(app, tenant_id, user_id, &waiting).await;
    }
    if !send.digest && prefs.email_mode == EmailMode::Digest {
        return schedule_digest(app, tenant_id, user_id, now).await;
    }
    if let Some(end) = prefs.quiet_hours.as_ref().and_then(|q| q.ends_after(now)) {
        tracing::info!(job = %job_id, until = %end, "quiet hours: the e-mail waits");
        let job = jobs::job(tenant_id, format!("{job_id}:after:{}", end.timestamp()), SEND_EMAILS, send)?;
        return enqueue_at(app, QueueName::Emails, job, end).await;
    }

    let mut due = Vec::new();
    let mut young = Vec::new();
    let mut settled = Vec::new();
    for pending in waiting {
        let n = &pending.notification;
        if !prefs.emails(n.kind) || still_read(app, &pending).await? {
            settled.push(n.id.clone());
        } else if !send.digest && n.kind == NotificationType::Message && n.created_at + delay(app)? > now {
            young.push(n.clone());
        } else {
            due.push(n.clone());
        }
    }
    if due.is_empty() {
        // Only recent messages, which may still be read in time: a later check decides.
        if let Some(latest) = young.iter().map(|n| n.created_at).max() {
            schedule_send(app, tenant_id, user_id, &format!("{job_id}:next"), latest + delay(app)?).await?;
        }
    } else {
        // An e-mail goes anyway: the unread recent messages ride along rather than make
        // another one moments later.
        due.extend(young);
    }
    if !due.is_empty() {
        let email = render(app, &tenant, &user, &due, send.digest, job_id)?;
        match app.mailer.send(&email).await {
            Ok(provider_id) => tracing::info!(job = %job_id, provider_id, count = due.len(), "e-mail sent"),
            // A refused address will be refused again: drop these instead of retrying.
            Err(MailError::Rejected(reason)) => tracing::warn!(job = %job_id, reason, "e-mail rejected, dropped"),
            Err(MailError::Failed(e)) => return Err(AppError::internal(e.context("sending an e-mail"))),
        }
        settled.extend(due.into_iter().map(|n| n.id));
    }
    for id in settled {
        app.store.delete_doc(tenant_id, &collection(user_id), &id).await?;
    }
    Ok(())
}

/// Whether a waiting notification was read since, so that no e-mail is needed: a message
/// by the conversation's read marker, anything else in the bell.
async fn still_read(app: &App, pending: &PendingEmail) -> Result<bool, AppError> {
    let n = &pending.notification;
    if let (Some(conversation), Some(message)) = (&n.conversation_id, &n.message_id) {
        let member = app.store.get_member(&n.tenant_id, conversation, &n.user_id).await?;
        return Ok(match member {
            None => true,
            Some(m) => m.last_read_message_id.as_ref().is_some_and(|read| read >= message),
        });
    }
    if !pending.in_app {
        return Ok(false);
    }
    let stored = app.store.get_notification(&n.tenant_id, &n.user_id, &n.id).await?;
    Ok(stored.is_none_or(|s| s.read_at.is_some()))
}

async fn drop_all(app: &App, tenant: &TenantId, user: &UserId, waiting: &[PendingEmail]) -> Result<(), AppError> {
    for pending in waiting {
        app.store.delete_doc(tenant, &collection(user), &pending.notification.id).await?;
    }
    Ok(())
}

#[derive(Serialize)]
struct Item {
    title: String,
    body: String,
    action_url: Option<String>,
    action_label: Option<String>,
    when: String,
}

/// Renders the e-mail for `items`: the type's template when they share one, else the digest.
pub fn render(app: &App, tenant: &Tenant, user: &User, items: &[Notification], digest: bool, id: &str) -> Result<Email, AppError> {
    let template = match items.first() {
        Some(first) if !digest && items.iter().all(|n| n.kind == first.kind) => first.kind.as_str(),
        _ => "digest",
    };
    let brand = tenant.branding.display_name.clone().unwrap_or_else(|| tenant.name.clone());
    let first_title = items.first().map(|n| n.title.as_str()).unwrap_or_default();
    let subject = Email::header_safe(&crate::i18n::email_subject(user.locale, template, items.len(), first_title, &brand));
    let token = app.tokens.unsubscribe_token(&tenant.id, &user.id, app.clock.now())?;
    let unsubscribe_url = format!("{}/v1/email/unsubscribe?token={token}", app.config.public_url);
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
    let address = tenant.email_from.clone().unwrap_or_else(|| app.config.email_from.clone());
    Ok(Email {
        id: id.to_string(),
        from: sender(&brand, &address),
        to: Email::header_safe(user.email.as_deref().unwrap_or_default()),
        subject,
        html: render_template(&format!("{template}.html"), &context)?,
        text: render_template(&format!("{template}.txt"), &context)?,
        unsubscribe_url: Some(unsubscribe_url),
    })
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

/// `GET`/`POST /v1/email/unsubscribe?token=`: turns the user's e-mails off; returns their
/// locale for the confirmation page.
pub async fn unsubscribe(app: &App, token: &str) -> Result<Locale, AppError> {
    let (tenant, user) = app.tokens.verify_unsubscribe(token)?;
    let mut prefs = preferences::load(app, &tenant, &user).await?;
    prefs.email_mode = EmailMode::Off;
    preferences::save(app, &tenant, &user, &prefs).await?;
    tracing::info!(tenant = %tenant, "a user unsubscribed from e-mails");
    let stored = app.store.get_user(&tenant, &user).await?;
    Ok(stored.map(|u| u.locale).unwrap_or_default())
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
