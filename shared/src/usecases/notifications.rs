//! In-app notifications: creating them (for users, per their preferences), the bell
//! (listing, unread counter, marking read), and the `message` notifications of members who
//! were offline when a message arrived.

use super::delivery::DeliveryUseCases;
use super::effects::EffectsUseCases;
use super::email_queue::EmailQueueUseCases;
use super::preferences::PreferencesUseCases;
use super::pushes::PushesUseCases;
use super::webhook_events::{event_id as webhook_event_id, WebhookEventsUseCases};
use crate::metrics::Metrics;
use crate::ports::{Clock, ConversationStore, Ids, JobQueue, MessageStore, NotificationStore, TenantStore, UserStore};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::identity::Identity;
use crate::domain::*;
use crate::metrics::Metric;
use crate::ports::Page;
use crate::protocol::Event;
use crate::AppError;

pub const DEFAULT_PAGE: usize = 20;
pub const MAX_PAGE: usize = 100;
/// Recipients of one `POST /v1/notifications`.
pub const MAX_RECIPIENTS: usize = 100;
/// A `message` notification shows this much of the message.
const PREVIEW_CHARS: usize = 140;

/// What a notification says, before it has a recipient and an id.
#[derive(Clone, Debug)]
pub struct Draft {
    pub kind: NotificationType,
    pub title: String,
    pub body: String,
    pub action_url: Option<String>,
    pub action_label: Option<String>,
    pub conversation_id: Option<ConversationId>,
    pub message_id: Option<MessageId>,
    pub priority: Priority,
}

/// What makes a job's notifications once-only: each user's under the key `{key}:{user}`.
#[derive(Clone, Copy, Debug)]
pub struct Once<'a> {
    pub key: &'a str,
    /// The time of what the notifications are about (a message, a reminder's due time): their
    /// ids are made from it and the key, the same in every run of the job.
    pub about: chrono::DateTime<chrono::Utc>,
}

/// The notifications use cases, with the ports they use.
#[derive(Clone)]
pub struct NotificationsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) messages: Arc<dyn MessageStore>,
    pub(crate) notifications: Arc<dyn NotificationStore>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) metrics: Metrics,
    pub(crate) delivery: DeliveryUseCases,
    pub(crate) effects: EffectsUseCases,
    pub(crate) email_queue: EmailQueueUseCases,
    pub(crate) preferences: PreferencesUseCases,
    pub(crate) pushes: PushesUseCases,
    pub(crate) webhook_events: WebhookEventsUseCases,
}

impl NotificationsUseCases {
    /// Notifies each user as their preferences say: into the bell with a `notification.new`
    /// event, and/or on the way to an e-mail. With `once`, each user's notification happens at
    /// most once, however often the caller (a job) runs: a run that was cut short after the
    /// notification was written and before the effect was marked done writes the same
    /// notification (same id, same pending e-mail) again, and the user may get its
    /// `notification.new` twice — one notification, which clients keep once by id.
    pub async fn notify_users(
        &self,
        tenant: &TenantId,
        users: &[UserId],
        draft: &Draft,
        once: Option<Once<'_>>,
    ) -> Result<Vec<Notification>, AppError> {
        let mut created = Vec::with_capacity(users.len());
        for user in users {
            let notified = match once {
                Some(Once { key, about }) => {
                    let key = format!("{key}:{user}");
                    let id = NotificationId::stable(about, &key);
                    self.effects.once(tenant, &key, self.notify_one(tenant, user, draft, id)).await?
                }
                None => Some(self.notify_one(tenant, user, draft, NotificationId::parse(self.ids.ulid())?).await?),
            };
            created.extend(notified);
        }
        Ok(created)
    }

    async fn notify_one(
        &self,
        tenant: &TenantId,
        user: &UserId,
        draft: &Draft,
        id: NotificationId,
    ) -> Result<Notification, AppError> {
        let prefs = self.preferences.load(tenant, user).await?;
        let channels = prefs.types.of(draft.kind);
        let notification = Notification {
            tenant_id: tenant.clone(),
            id,
            user_id: user.clone(),
            kind: draft.kind,
            title: draft.title.clone(),
            body: draft.body.clone(),
            action_url: draft.action_url.clone(),
            action_label: draft.action_label.clone(),
            conversation_id: draft.conversation_id.clone(),
            message_id: draft.message_id.clone(),
            priority: draft.priority,
            created_at: self.clock.now(),
            read_at: None,
        };
        if channels.in_app {
            self.notifications.put_notification(&notification).await?;
            self.metrics.count(Metric::NotificationsCreated, 1, Some(tenant), self.clock.now());
            let event = Event::NotificationNew { notification: &notification, cursor: None };
            self.delivery.publish_to_users(tenant, std::slice::from_ref(user), event).await?;
        }
        if prefs.emails(draft.kind) {
            self.email_queue.queue(&prefs, &notification, channels.in_app).await?;
        }
        if prefs.pushes(draft.kind) {
            self.pushes.queue(&notification, channels.in_app).await?;
        }
        let kind = WebhookEventType::NotificationCreated;
        let data = serde_json::json!({ "notification": &notification });
        self.webhook_events.publish(tenant, kind, webhook_event_id(kind, notification.id.as_str()), data).await;
        tracing::info!(tenant = %tenant, notification = %notification.id, kind = draft.kind.as_str(), in_app = channels.in_app, "notified");
        Ok(notification)
    }

    /// Members who had no live connection when a message arrived (the sender aside) get a
    /// `message` notification, made by a worker so that the sender's answer does not wait.
    /// A failure here is logged, not returned: the message is stored and delivered already.
    pub async fn message_reached_offline(
        &self,
        tenant: &TenantId,
        message: &MessageRef,
        offline: &[UserId],
        origin: &str,
    ) {
        // The mentioned get a `mention` instead (`members_mentioned`).
        let users: Vec<UserId> =
            offline.iter().filter(|u| **u != message.sender_id && !message.mentions.contains(u)).cloned().collect();
        if users.is_empty() {
            return;
        }
        let notice = NotifyMessage {
            conversation_id: message.conversation_id.clone(),
            message_id: message.message_id.clone(),
            users,
            mentioned: Vec::new(),
        };
        let job = Job::new(tenant, JobId::of("notify", &[origin]), Task::NotifyMessage(notice));
        if let Err(e) = self.jobs.enqueue(&job, None).await {
            tracing::error!(tenant = %tenant, message = %message.message_id, error = %e, "could not queue the offline members' notifications");
        }
    }

    /// A message mentions members (but its sender): a `notifyMessage` job tells them, online or
    /// not. Its id is the message's: however often the send runs, one job.
    pub async fn members_mentioned(&self, tenant: &TenantId, message: &MessageRef) {
        let mentioned: Vec<UserId> = message.mentions.iter().filter(|u| **u != message.sender_id).cloned().collect();
        if mentioned.is_empty() {
            return;
        }
        let notice = NotifyMessage {
            conversation_id: message.conversation_id.clone(),
            message_id: message.message_id.clone(),
            users: Vec::new(),
            mentioned,
        };
        let job = Job::new(tenant, JobId::of("mention", &[message.message_id.as_str()]), Task::NotifyMessage(notice));
        if let Err(e) = self.jobs.enqueue(&job, None).await {
            tracing::error!(tenant = %tenant, message = %message.message_id, error = %e, "could not queue the mentions' notifications");
        }
    }

    /// The `notifyMessage` job: a `message` notification for each offline member still in the
    /// conversation, a `mention` for each member mentioned, unless the message was deleted
    /// meanwhile.
    pub async fn notify_message(&self, tenant: &TenantId, notice: &NotifyMessage) -> Result<(), AppError> {
        let Some(message) = self.messages.get_message(tenant, &notice.conversation_id, &notice.message_id).await?
        else {
            return Ok(());
        };
        if message.deleted_at.is_some() {
            return Ok(());
        }
        let Some(conversation) = self.conversations.get_conversation(tenant, &notice.conversation_id).await? else {
            return Ok(());
        };
        let title = match (&conversation.kind, &conversation.title) {
            (ConversationKind::Direct, _) | (_, None) => message.sender_name.clone(),
            (_, Some(title)) => format!("{} · {title}", message.sender_name),
        };
        let draft = Draft {
            kind: NotificationType::Message,
            title,
            body: preview(&message.summary()),
            action_url: None,
            action_label: None,
            conversation_id: Some(conversation.id.clone()),
            message_id: Some(message.id.clone()),
            priority: Priority::Normal,
        };
        for (users, kind, key) in [
            (&notice.users, NotificationType::Message, format!("msg:{}", message.id)),
            (&notice.mentioned, NotificationType::Mention, format!("mention:{}", message.id)),
        ] {
            let mut members = Vec::with_capacity(users.len());
            let now = self.clock.now();
            for user in users {
                match self.conversations.get_member(tenant, &conversation.id, user).await? {
                    // A member who muted the conversation is not told of its messages (mentions still come).
                    Some(member) if kind == NotificationType::Message && member.muted_at(now) => {}
                    Some(_) => members.push(user.clone()),
                    None => {}
                }
            }
            let draft = Draft { kind, ..draft.clone() };
            self.notify_users(tenant, &members, &draft, Some(Once { key: &key, about: message.created_at })).await?;
        }
        Ok(())
    }

    /// The caller's notifications, newest first, older than `before` (the `nextCursor` of an
    /// earlier page) when given.
    pub async fn list(
        &self,
        who: &Identity,
        unread_only: bool,
        before: Option<&NotificationId>,
        limit: Option<usize>,
    ) -> Result<NotificationPage, AppError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let Page { items, next_cursor } =
            self.notifications.list_notifications(&who.tenant_id, &who.user_id, unread_only, before, limit).await?;
        Ok(NotificationPage { notifications: items, next_cursor })
    }

    pub async fn unread_count(&self, who: &Identity) -> Result<u64, AppError> {
        Ok(self.notifications.count_unread_notifications(&who.tenant_id, &who.user_id).await?)
    }

    /// Marks one of the caller's notifications read (again is fine).
    pub async fn mark_read(&self, who: &Identity, id: &NotificationId) -> Result<Notification, AppError> {
        let mut notification = self
            .notifications
            .get_notification(&who.tenant_id, &who.user_id, id)
            .await?
            .ok_or_else(|| AppError::not_found("notification"))?;
        if notification.read_at.is_none() {
            notification.read_at = Some(self.clock.now());
            self.notifications.put_notification(&notification).await?;
        }
        Ok(notification)
    }

    /// Marks every unread notification of the caller read; returns how many.
    pub async fn mark_all_read(&self, who: &Identity) -> Result<u64, AppError> {
        let now = self.clock.now();
        let mut marked = 0;
        loop {
            // Each pass reads the unread index from its start: what was marked left it.
            let page =
                self.notifications.list_notifications(&who.tenant_id, &who.user_id, true, None, MAX_PAGE).await?;
            for mut notification in page.items {
                notification.read_at = Some(now);
                self.notifications.put_notification(&notification).await?;
                marked += 1;
            }
            if page.next_cursor.is_none() {
                return Ok(marked);
            }
        }
    }

    pub async fn create(&self, by: Notifier<'_>, body: NewNotifications) -> Result<Vec<Notification>, AppError> {
        let tenant = match by {
            Notifier::Admin(who) => {
                who.require_role(&[Role::Admin])?;
                who.tenant_id.clone()
            }
            Notifier::Platform => {
                let id = body
                    .tenant_id
                    .as_deref()
                    .ok_or_else(|| AppError::invalid("tenantId: required with the platform key"))?;
                let tenant = TenantId::lookup(id)?;
                self.tenants.get_tenant(&tenant).await?.ok_or_else(|| AppError::not_found("tenant"))?;
                tenant
            }
        };
        if body.users.is_empty() || body.users.len() > MAX_RECIPIENTS {
            return Err(AppError::invalid(format!("users: between 1 and {MAX_RECIPIENTS} user ids")));
        }
        let mut users = body.users;
        users.sort();
        users.dedup();
        let known = self.users.get_users(&tenant, &users).await?;
        if let Some(unknown) = users.iter().find(|u| !known.iter().any(|k| k.id == **u)) {
            return Err(AppError::invalid(format!("users: unknown user {unknown}")));
        }
        let draft = Draft {
            kind: body.kind,
            title: parse_text("title", &body.title, 200)?,
            body: check_body(&body.body)?,
            action_url: body.action_url.as_deref().map(check_action_url).transpose()?,
            action_label: body.action_label.as_deref().map(|l| parse_text("actionLabel", l, 60)).transpose()?,
            conversation_id: None,
            message_id: None,
            priority: body.priority,
        };
        self.notify_users(&tenant, &users, &draft, None).await
    }
}

fn preview(text: &str) -> String {
    let mut chars = text.chars();
    let cut: String = chars.by_ref().take(PREVIEW_CHARS).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPage {
    pub notifications: Vec<Notification>,
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// `POST /v1/notifications`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewNotifications {
    /// Required with the platform key (which belongs to no tenant); ignored for an admin.
    pub tenant_id: Option<String>,
    pub users: Vec<UserId>,
    #[serde(rename = "type")]
    pub kind: NotificationType,
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub action_url: Option<String>,
    pub action_label: Option<String>,
    /// `critical` (a call-out): skips the recipients' quiet hours and digests on every channel,
    /// pushed with high urgency. Absent: `normal`.
    #[serde(default)]
    pub priority: Priority,
}

/// Who may create notifications: a tenant admin for their tenant, or the platform.
pub enum Notifier<'a> {
    Admin(&'a Identity),
    Platform,
}

/// A notification's text: up to 2,000 characters, line breaks allowed, no other control
/// characters.
pub fn check_body(body: &str) -> Result<String, AppError> {
    let body = body.trim();
    if body.chars().count() > 2000 || body.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid("body: at most 2000 characters, no control characters but line breaks"));
    }
    Ok(body.to_string())
}

/// A link a notification opens: absolute http(s) or a path on the platform's own site.
pub fn check_action_url(url: &str) -> Result<String, AppError> {
    let url = url.trim();
    let scheme_ok =
        url.starts_with("https://") || url.starts_with("http://") || (url.starts_with('/') && !url.starts_with("//"));
    if !scheme_ok || url.len() > 2000 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(AppError::invalid("actionUrl: an http(s) URL or a path starting with /"));
    }
    Ok(url.to_string())
}
