//! Retention: a tenant that sets `retentionDays` keeps its messages and notifications that
//! long. A `sweepRetention` job, once a day per tenant (and at once when the retention is set
//! or shortened), removes what is older: in each of the tenant's conversations (its index,
//! never a scan) the messages and replies, with their files, reactions, pins, logged events
//! and idempotency records — the conversation keeps its place, its preview goes once its
//! newest message does — then each person's notifications, in the bell and waiting for an
//! e-mail. Each step removes what is still
//! there, so a sweep retried after a failure part-way finishes the work.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

use super::attachments::AttachmentsUseCases;
use super::scheduling::SchedulingUseCases;
use crate::config::Limits;
use crate::domain::{
    ConversationId, Job, JobId, MessageId, NotificationId, SweepPosition, SweepRetention, Task, TenantId, UserId,
};
use crate::ports::{
    Clock, ConversationStore, MessageStore, NotificationStore, PendingEmailStore, PinStore, ReactionStore, TenantStore,
    UserStore,
};
use crate::AppError;

/// Records read or removed per call while sweeping.
const PAGE: usize = 100;

/// How often a tenant with a retention is swept.
const SWEEP_EVERY: Duration = Duration::days(1);

/// The retention use cases, with the ports they use.
#[derive(Clone)]
pub struct RetentionUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) messages: Arc<dyn MessageStore>,
    pub(crate) notifications: Arc<dyn NotificationStore>,
    pub(crate) pending_emails: Arc<dyn PendingEmailStore>,
    pub(crate) pins: Arc<dyn PinStore>,
    pub(crate) reactions: Arc<dyn ReactionStore>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) attachments: AttachmentsUseCases,
    pub(crate) scheduling: SchedulingUseCases,
    pub(crate) limits: Limits,
}

/// What one sweep removed, for its log line.
#[derive(Debug, Default)]
struct Swept {
    messages: usize,
    notifications: usize,
}

impl RetentionUseCases {
    /// A sweep now: the retention was set or shortened, and applies at once.
    pub async fn sweep_soon(&self, tenant: &TenantId) -> Result<(), AppError> {
        let now = self.clock.now();
        self.schedule_sweep(tenant, now, JobId::of("retention-now", &[&now.timestamp_millis().to_string()])).await
    }

    /// The `sweepRetention` job: what is older than the tenant's retention goes, for up to
    /// `Limits::background_step`; a sweep not done then queues its continuation. The next day's sweep is
    /// scheduled first, so that a sweep that fails for good does not end the daily chain. A
    /// tenant without a retention (any more) is left alone, and no next sweep is scheduled.
    pub async fn sweep(&self, tenant: &TenantId, job: &SweepRetention) -> Result<(), AppError> {
        let Some(days) = self.tenants.get_tenant(tenant).await?.and_then(|t| t.retention_days) else {
            return Ok(());
        };
        let now = self.clock.now();
        if job.resume.is_none() {
            // One next sweep a day whatever scheduled this one: named by the day it is due.
            let next = job.due_at.max(now) + SWEEP_EVERY;
            let next_id = JobId::of("retention", &[&next.format("%Y-%m-%d").to_string()]);
            self.schedule_sweep(tenant, next, next_id).await?;
        }
        let cutoff = now - Duration::days(i64::from(days));
        let started = Instant::now();
        let mut swept = Swept::default();
        let mut position = job.resume.clone().unwrap_or(SweepPosition::Conversations { after: None });
        // At least one page a job, however short the step.
        loop {
            position = match position {
                SweepPosition::Conversations { after } => {
                    let page = self.conversations.list_tenant_conversations(tenant, after.as_ref(), PAGE).await?;
                    for conversation in &page.items {
                        swept.messages += self.sweep_conversation(tenant, conversation, cutoff).await?;
                    }
                    match (page.next_cursor, page.items.last()) {
                        (Some(_), Some(last)) => SweepPosition::Conversations { after: Some(last.clone()) },
                        _ => SweepPosition::People { after: None },
                    }
                }
                SweepPosition::People { after } => {
                    let page = self.users.list_users(tenant, after.as_ref(), PAGE).await?;
                    for user in &page.items {
                        swept.notifications += self.sweep_notifications(tenant, &user.id, cutoff).await?;
                    }
                    match (page.next_cursor, page.items.last()) {
                        (Some(_), Some(last)) => SweepPosition::People { after: Some(last.id.clone()) },
                        _ => break,
                    }
                }
            };
            if started.elapsed() >= self.limits.background_step {
                // Named by the sweep and where it goes on: each continuation once.
                let at = match &position {
                    SweepPosition::Conversations { after } => {
                        format!("c-{}", after.as_ref().map_or("", |c| c.as_str()))
                    }
                    SweepPosition::People { after } => format!("p-{}", after.as_ref().map_or("", |u| u.as_str())),
                };
                let id = JobId::of("retention-on", &[&job.due_at.timestamp_millis().to_string(), &at]);
                let resume = SweepRetention { due_at: job.due_at, resume: Some(position) };
                self.scheduling.enqueue_at(Job::new(tenant, id, Task::SweepRetention(resume)), now).await?;
                tracing::info!(tenant = %tenant, messages = swept.messages, notifications = swept.notifications, "retention sweep goes on in another job");
                return Ok(());
            }
        }
        tracing::info!(tenant = %tenant, days, messages = swept.messages, notifications = swept.notifications, "retention sweep done");
        Ok(())
    }

    async fn schedule_sweep(&self, tenant: &TenantId, at: DateTime<Utc>, id: JobId) -> Result<(), AppError> {
        let job = Job::new(tenant, id, Task::SweepRetention(SweepRetention { due_at: at, resume: None }));
        self.scheduling.enqueue_at(job, at).await
    }

    /// One conversation's messages older than `cutoff`, with their reactions, pins and files;
    /// answers how many messages went.
    async fn sweep_conversation(
        &self,
        tenant: &TenantId,
        id: &ConversationId,
        cutoff: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let Some(conversation) = self.conversations.get_conversation(tenant, id).await? else { return Ok(0) };
        let before = first_id_at(cutoff)?;
        // Reactions and pins first: were the sweep cut short, no message would be left with
        // them pointing at it.
        self.reactions.remove_reactions_before(tenant, id, &before).await?;
        for pin in self.pins.list_pins(tenant, id).await? {
            if pin.message_id < before {
                self.pins.unpin_message(tenant, id, &pin.message_id).await?;
            }
        }
        let mut removed = 0;
        loop {
            let messages = self.messages.remove_messages_before(tenant, id, &before, PAGE).await?;
            for message in messages.iter().filter(|m| !m.attachments.is_empty()) {
                self.attachments.discard(&conversation, &message.id, &message.attachments).await;
            }
            removed += messages.len();
            if messages.len() < PAGE {
                return Ok(removed);
            }
        }
    }

    /// A person's notifications older than `cutoff`, in the bell and waiting for an e-mail;
    /// answers how many went from the bell.
    async fn sweep_notifications(
        &self,
        tenant: &TenantId,
        user: &UserId,
        cutoff: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        // By id, which is the time the notification is about (a message's, even when a retried
        // job wrote it again later), as in the bell. Waiting e-mails are few (sent within
        // minutes, or at the digest hour).
        let before = NotificationId::parse(first_ulid_at(cutoff))?;
        for pending in self.pending_emails.list_pending_emails(tenant, user, 1000).await? {
            if pending.notification.id < before {
                self.pending_emails.delete_pending_email(tenant, user, &pending.notification.id).await?;
            }
        }
        let mut removed = 0;
        loop {
            let page = self.notifications.list_notifications(tenant, user, false, Some(&before), PAGE).await?;
            if page.items.is_empty() {
                return Ok(removed);
            }
            for notification in &page.items {
                self.notifications.delete_notification(tenant, user, &notification.id).await?;
            }
            removed += page.items.len();
        }
    }
}

/// The smallest ULID of the millisecond `at`: every id made before `at` sorts below it.
fn first_ulid_at(at: DateTime<Utc>) -> String {
    ulid::Ulid::from_parts(u64::try_from(at.timestamp_millis()).unwrap_or(0), 0).to_string()
}

/// The smallest message id of the millisecond `at`.
fn first_id_at(at: DateTime<Utc>) -> Result<MessageId, AppError> {
    MessageId::parse(first_ulid_at(at))
}
