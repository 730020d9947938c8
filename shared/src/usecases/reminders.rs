//! Reminders: a notification scheduled for a time, for some users or for a conversation's
//! members (as they are when it fires). Each is kept under its creator, with a
//! `fireReminder` job for its time.

use super::conversations::ConversationsUseCases;
use super::notifications::NotificationsUseCases;
use super::scheduling::SchedulingUseCases;
use crate::ports::{Clock, ConversationStore, Ids, ReminderStore, ScheduleStore, UserStore};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::sync::Arc;

use super::identity::Identity;
use super::notifications::{check_action_url, check_body, Draft, Once};
use crate::domain::*;
use crate::ports::Page;
use crate::AppError;

/// Reminders per page of a user's list: by default, and at most.
pub const DEFAULT_PAGE: usize = 50;
pub const MAX_PAGE: usize = 100;

const MAX_USERS: usize = 100;
/// Reminders are set at most this far ahead.
const MAX_AHEAD_DAYS: i64 = 366;

fn job_id(reminder: &ReminderId) -> JobId {
    JobId::of("reminder", &[reminder.as_str()])
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewReminder {
    pub at: DateTime<Utc>,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub users: Vec<UserId>,
    pub conversation_id: Option<String>,
    pub action_url: Option<String>,
    pub action_label: Option<String>,
}

/// The reminders use cases, with the ports they use.
#[derive(Clone)]
pub struct RemindersUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) reminders: Arc<dyn ReminderStore>,
    pub(crate) schedule: Arc<dyn ScheduleStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) conversation_cases: ConversationsUseCases,
    pub(crate) notifications: NotificationsUseCases,
    pub(crate) scheduling: SchedulingUseCases,
}

impl RemindersUseCases {
    /// Members remind themselves, or a conversation they belong to; admins may remind anyone
    /// in their tenant.
    pub async fn create(&self, who: &Identity, body: NewReminder) -> Result<Reminder, AppError> {
        who.require_signed_in()?;
        let now = self.clock.now();
        if body.at <= now || body.at > now + chrono::Duration::days(MAX_AHEAD_DAYS) {
            return Err(AppError::invalid(format!("at: a time in the future, at most {MAX_AHEAD_DAYS} days ahead")));
        }
        let mut users = body.users;
        users.sort();
        users.dedup();
        let conversation_id = match (&body.conversation_id, users.is_empty()) {
            (Some(_), false) => return Err(AppError::invalid("users: give users or a conversationId, not both")),
            (Some(id), true) => {
                Some(self.conversation_cases.require_member(who, &ConversationId::lookup(id)?).await?.0.id)
            }
            (None, true) => return Err(AppError::invalid("users: give users or a conversationId")),
            (None, false) => None,
        };
        if users.len() > MAX_USERS {
            return Err(AppError::invalid(format!("users: at most {MAX_USERS}")));
        }
        if who.role != Role::Admin && users.iter().any(|u| *u != who.user_id) {
            return Err(AppError::forbidden("only an admin may remind other users"));
        }
        let known = self.users.get_users(&who.tenant_id, &users).await?;
        if let Some(unknown) = users.iter().find(|u| !known.iter().any(|k| k.id == **u)) {
            return Err(AppError::invalid(format!("users: unknown user {unknown}")));
        }
        let reminder = Reminder {
            tenant_id: who.tenant_id.clone(),
            id: ReminderId::parse(self.ids.ulid())?,
            created_by: who.user_id.clone(),
            at: body.at,
            title: parse_text("title", &body.title, 200)?,
            body: check_body(&body.body)?,
            users,
            conversation_id,
            action_url: body.action_url.as_deref().map(check_action_url).transpose()?,
            action_label: body.action_label.as_deref().map(|l| parse_text("actionLabel", l, 60)).transpose()?,
            status: ReminderStatus::Pending,
            fired_at: None,
            created_at: now,
        };
        self.reminders.put_reminder(&reminder).await?;
        let fire = FireReminder { created_by: who.user_id.clone(), reminder_id: reminder.id.clone() };
        self.scheduling
            .enqueue_at(Job::new(&who.tenant_id, job_id(&reminder.id), Task::FireReminder(fire)), reminder.at)
            .await?;
        Ok(reminder)
    }

    /// The caller's reminders, in creation order, after `after` (the `nextCursor` of an earlier
    /// page) when given.
    pub async fn list(
        &self,
        who: &Identity,
        after: Option<&ReminderId>,
        limit: Option<usize>,
    ) -> Result<Page<Reminder>, AppError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        Ok(self.reminders.list_reminders(&who.tenant_id, &who.user_id, after, limit).await?)
    }

    /// Cancels one of the caller's reminders. If its job is on a queue already, the job finds
    /// the reminder gone and does nothing.
    pub async fn delete(&self, who: &Identity, id: &ReminderId) -> Result<(), AppError> {
        if !self.reminders.delete_reminder(&who.tenant_id, &who.user_id, id).await? {
            return Err(AppError::not_found("reminder"));
        }
        self.schedule.take_scheduled_job(&who.tenant_id, &job_id(id)).await?;
        Ok(())
    }

    /// The `fireReminder` job: a `reminder` notification to each recipient, once.
    pub async fn fire(&self, tenant: &TenantId, fire: &FireReminder) -> Result<(), AppError> {
        let Some(mut reminder) = self.reminders.get_reminder(tenant, &fire.created_by, &fire.reminder_id).await? else {
            return Ok(());
        };
        if reminder.status == ReminderStatus::Fired {
            return Ok(());
        }
        let users: Vec<UserId> = match &reminder.conversation_id {
            Some(conversation) => {
                self.conversations.list_members(tenant, conversation).await?.into_iter().map(|m| m.user_id).collect()
            }
            None => reminder.users.clone(),
        };
        let draft = Draft {
            kind: NotificationType::Reminder,
            title: reminder.title.clone(),
            body: reminder.body.clone(),
            action_url: reminder.action_url.clone(),
            action_label: reminder.action_label.clone(),
            conversation_id: None,
            message_id: None,
            priority: Priority::Normal,
        };
        let key = job_id(&reminder.id);
        self.notifications
            .notify_users(tenant, &users, &draft, Some(Once { key: key.as_str(), about: reminder.at }))
            .await?;
        reminder.status = ReminderStatus::Fired;
        reminder.fired_at = Some(self.clock.now());
        Ok(self.reminders.put_reminder(&reminder).await?)
    }
}
