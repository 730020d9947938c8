//! Erasing a person (GDPR's right to erasure). At the admin's request their record goes at once
//! — with it their connections, event feed and last-seen time — and a marker keeps a token of
//! theirs from bringing them back until the platform creates them again; a background job then
//! erases the rest: in each conversation they are in, their reactions are taken back, their
//! messages become tombstones of no one (conversations stay readable for the others), the
//! other members' notifications of those messages go, and their membership goes; then their
//! notifications, preferences, waiting e-mails, reminders and devices. `user.erased` tells the
//! tenant's webhooks when it is done. Their id goes too: from their sends' idempotency records,
//! the threads they replied in, the pins they made (pinned by no one now) and their direct
//! conversations' pair keys. What is left: events already logged (a conversation's, a
//! member's feed), which expire within 7 days, and the audit log's record of the erasure.

use std::collections::HashSet;
use std::sync::Arc;

use super::audit::{Act, AuditUseCases};
use super::authored::Authored;
use super::email_queue::mail_check_claim;
use super::messages::MessagesUseCases;
use super::users::UserAdmin;
use super::webhook_events::{event_id as webhook_event_id, WebhookEventsUseCases};
use crate::domain::{
    AuditAction, Conversation, ConversationId, ConversationKind, EraseUser, Job, JobId, MessageId, Notification,
    NotificationId, Pin, Role, Task, TenantId, UserId, WebhookEventType, MAX_DEVICES,
};
use crate::ports::{
    Clock, ConversationStore, DeviceStore, ErasedUserStore, JobQueue, MessageStore, NotificationStore,
    PendingEmailStore, PinStore, PreferenceStore, ReactionKey, ReactionStore, ReminderStore, ThrottleStore, UserStore,
};
use crate::runtime::DirectoryCache;
use crate::AppError;

/// Records read per call while erasing.
const PAGE: usize = 100;

/// What an erasure request answers: the person is gone, the rest follows.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Erasure {
    pub user_id: UserId,
    pub erased_at: chrono::DateTime<chrono::Utc>,
}

/// The erasure use cases, with the ports they use.
#[derive(Clone)]
pub struct ErasureUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) devices: Arc<dyn DeviceStore>,
    pub(crate) erased: Arc<dyn ErasedUserStore>,
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) messages: Arc<dyn MessageStore>,
    pub(crate) notifications: Arc<dyn NotificationStore>,
    pub(crate) pins: Arc<dyn PinStore>,
    pub(crate) pending_emails: Arc<dyn PendingEmailStore>,
    pub(crate) preferences: Arc<dyn PreferenceStore>,
    pub(crate) reactions: Arc<dyn ReactionStore>,
    pub(crate) reminders: Arc<dyn ReminderStore>,
    pub(crate) throttles: Arc<dyn ThrottleStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) directory: Arc<DirectoryCache>,
    pub(crate) audit: AuditUseCases,
    pub(crate) message_cases: MessagesUseCases,
    pub(crate) webhook_events: WebhookEventsUseCases,
}

impl ErasureUseCases {
    /// Erases `user`: their record now, the rest by an `eraseUser` job; audited. An admin
    /// cannot erase themself (another admin, or the platform, can), nor a bot (revoked instead).
    pub async fn request_erasure(
        &self,
        by: UserAdmin<'_>,
        tenant: Option<&str>,
        user: &UserId,
    ) -> Result<Erasure, AppError> {
        let (tenant, actor) = by.tenant(tenant)?;
        if matches!(&by, UserAdmin::TenantAdmin(who) if who.user_id == *user) {
            return Err(AppError::invalid("an admin cannot erase themself: another admin, or the platform, can"));
        }
        let record = self.users.get_user(&tenant, user).await?.ok_or_else(|| AppError::not_found("user"))?;
        if record.role == Role::Bot {
            return Err(AppError::invalid("a bot is not a person: revoke its key (POST /v1/bots/{id}/revoke)"));
        }
        let now = self.clock.now();
        // The marker first: from then on no token of theirs provisions them again.
        self.erased.mark_erased(&tenant, user, now).await?;
        self.users.delete_user(&tenant, user).await?;
        self.directory.forget_user(&tenant, user);
        let id = JobId::of("erase", &[user.as_str(), &now.timestamp_millis().to_string()]);
        let task = Task::EraseUser(EraseUser { user_id: user.clone(), requested_at: now });
        self.jobs.enqueue(&Job::new(&tenant, id, task), None).await?;
        self.audit.record(&tenant, &actor, vec![Act::on(AuditAction::UserErased, user.as_str())]).await?;
        tracing::info!(tenant = %tenant, "user erasure started");
        Ok(Erasure { user_id: user.clone(), erased_at: now })
    }

    /// The `eraseUser` job. Every step removes what is still there, so a retry after a failure
    /// part-way finishes the work; `user.erased` once all of it is done.
    pub async fn erase(&self, tenant: &TenantId, job: &EraseUser) -> Result<(), AppError> {
        let user = &job.user_id;
        for conversation in self.conversations.list_user_conversation_ids(tenant, user).await? {
            self.erase_from_conversation(tenant, &conversation, user).await?;
        }
        self.notifications.delete_user_notifications(tenant, user).await?;
        self.preferences.delete_preferences(tenant, user).await?;
        loop {
            let waiting = self.pending_emails.list_pending_emails(tenant, user, PAGE).await?;
            if waiting.is_empty() {
                break;
            }
            for pending in waiting {
                self.pending_emails.delete_pending_email(tenant, user, &pending.notification.id).await?;
            }
        }
        loop {
            let reminders = self.reminders.list_reminders(tenant, user, None, PAGE).await?.items;
            if reminders.is_empty() {
                break;
            }
            // A reminder's scheduled firing then finds nothing to fire.
            for reminder in reminders {
                self.reminders.delete_reminder(tenant, user, &reminder.id).await?;
            }
        }
        for device in self.devices.list_devices(tenant, user, MAX_DEVICES).await? {
            self.devices.delete_device(tenant, user, &device.id).await?;
        }
        // Their e-mail check's claim (it names them; others lapse within minutes).
        self.throttles.release_claim(tenant, &mail_check_claim(user)).await?;
        // A connection opened between the request and now (its token was checked before).
        self.users.delete_user(tenant, user).await?;
        // One event per erasure, however often the job runs; named by a hash (a user id may
        // hold what a header cannot).
        use sha2::Digest;
        let erasure = format!("{user}:{}", job.requested_at.timestamp_millis());
        let hash: String = sha2::Sha256::digest(erasure.as_bytes())[..16].iter().map(|b| format!("{b:02x}")).collect();
        let event_id = webhook_event_id(WebhookEventType::UserErased, &hash);
        let data = serde_json::json!({ "userId": user });
        self.webhook_events.publish(tenant, WebhookEventType::UserErased, event_id, data).await;
        tracing::info!(tenant = %tenant, "user erased");
        Ok(())
    }

    /// In one conversation: their reactions taken back (the counts stay exact), their messages
    /// and replies made tombstones of no one, then their membership removed.
    async fn erase_from_conversation(
        &self,
        tenant: &TenantId,
        conversation_id: &ConversationId,
        user: &UserId,
    ) -> Result<(), AppError> {
        let Some(conversation) = self.conversations.get_conversation(tenant, conversation_id).await? else {
            return Ok(());
        };
        let at = self.clock.now();
        for (message, emoji) in self.reactions.reactions_by(tenant, conversation_id, user).await? {
            let key = ReactionKey { tenant, conversation: conversation_id, message: &message, user, at };
            // Taking a reaction back never meets the emoji limit.
            let _ = self.reactions.set_reaction(&key, &emoji, false).await?;
        }
        let mut erased: HashSet<MessageId> = HashSet::new();
        let mut pages = Authored::new(self.messages.as_ref(), tenant, conversation_id, user);
        while let Some(page) = pages.next_page().await? {
            for message in page {
                erased.insert(message.id.clone());
                // The thread they replied in no longer names them among its repliers: before
                // the reply stops being theirs, so that a retried erasure still finds it.
                if let Some(root) = &message.parent_id {
                    self.messages.forget_replier(tenant, conversation_id, root, user).await?;
                }
                self.message_cases.erase_sender(&conversation, message).await?;
            }
        }
        // Their pins stay (the others' conversation keeps them), pinned by no one.
        for pin in self.pins.list_pins(tenant, conversation_id).await? {
            if pin.pinned_by == *user {
                self.pins.unpin_message(tenant, conversation_id, &pin.message_id).await?;
                let anonymous = Pin { pinned_by: UserId::erased(), ..pin };
                self.pins.pin_message(tenant, conversation_id, &anonymous).await?;
            }
        }
        // A direct or storefront conversation of theirs is no longer the pair's: should the
        // platform create them again, theirs would be a new one.
        let unique = match (&conversation.kind, &conversation.storefront_id) {
            (ConversationKind::Direct, _) => {
                let other = conversation.participants.iter().find(|p| p.user_id != *user);
                other.map(|other| Conversation::direct_pair_key(user, &other.user_id))
            }
            (ConversationKind::Storefront, Some(storefront)) if conversation.created_by == *user => {
                Some(Conversation::storefront_client_key(storefront, user))
            }
            _ => None,
        };
        if let Some(unique) = unique {
            self.conversations.forget_unique_key(tenant, &unique).await?;
        }
        if conversation.participants.iter().any(|p| p.user_id == *user) || conversation.created_by == *user {
            let mut anonymous = conversation.clone();
            for participant in anonymous.participants.iter_mut().filter(|p| p.user_id == *user) {
                participant.user_id = UserId::erased();
                participant.name = String::new();
            }
            if anonymous.created_by == *user {
                anonymous.created_by = UserId::erased();
            }
            self.conversations.update_conversation(&anonymous).await?;
        }
        if !erased.is_empty() {
            for member in self.conversations.list_members(tenant, conversation_id).await? {
                if member.user_id != *user {
                    self.forget_quotes(tenant, &member.user_id, conversation_id, &erased).await?;
                }
            }
        }
        self.conversations.remove_member(&conversation, user).await?;
        Ok(())
    }

    /// Another member's notifications of the erased person's messages (which quote their name
    /// and words), in the bell and waiting for an e-mail. Read through: the bell has no index
    /// by message — the erasure's one cost that grows with the others' notifications.
    async fn forget_quotes(
        &self,
        tenant: &TenantId,
        member: &UserId,
        conversation: &ConversationId,
        erased: &HashSet<MessageId>,
    ) -> Result<(), AppError> {
        let quotes = |n: &Notification| {
            n.conversation_id.as_ref() == Some(conversation)
                && n.message_id.as_ref().is_some_and(|m| erased.contains(m))
        };
        let mut before = None;
        loop {
            let page = self.notifications.list_notifications(tenant, member, false, before.as_ref(), PAGE).await?;
            for notification in page.items.iter().filter(|n| quotes(n)) {
                self.notifications.delete_notification(tenant, member, &notification.id).await?;
            }
            match page.next_cursor {
                Some(cursor) => before = Some(NotificationId::parse(cursor)?),
                None => break,
            }
        }
        // Waiting e-mails are few (sent within minutes, or at the digest hour).
        for pending in self.pending_emails.list_pending_emails(tenant, member, 1000).await? {
            if quotes(&pending.notification) {
                self.pending_emails.delete_pending_email(tenant, member, &pending.notification.id).await?;
            }
        }
        Ok(())
    }
}
