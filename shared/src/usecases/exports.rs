//! A person's data, exported (GDPR's right of access): an admin asks, a background job writes
//! what the person can see of their own as JSON Lines to a temporary file, then streams it to
//! file storage; the admin downloads it through a signed link for a day, then it goes.
//!
//! Each line is `{"type": …, "data": …}`, in this order: `export` (what this is), `user`,
//! `preferences`, each `device` (never its keys), `reminder`, `notification` (a message's or a
//! mention's without its title and text: those are another's name and words), `conversation`
//! (with the person's own membership, never the other members), then each `message` the
//! person sent in the conversations they are in (replies in a thread included; not the
//! group's system lines), without others' reactions and repliers.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use super::audit::{Act, AuditUseCases};
use super::authored::Authored;
use super::scheduling::SchedulingUseCases;
use super::users::UserAdmin;
use crate::domain::{
    AuditAction, ConversationId, ConversationKind, DeviceView, DiscardExport, Export, ExportStatus, ExportUser, Job,
    JobId, Member, Message, MessageKind, NotificationId, NotificationType, StorefrontId, Task, TenantId, UserId,
    MAX_DEVICES,
};
use crate::ports::{
    Clock, ConversationStore, DeviceStore, Disposition, ExportStore, FileKey, FileStore, Ids, JobQueue, MessageStore,
    NotificationStore, PreferenceStore, ReminderStore, UserStore,
};
use crate::AppError;

/// Records read per call while an export is written: what it holds in memory at most.
const PAGE: usize = 100;
const CONTENT_TYPE: &str = "application/x-ndjson";

/// An export as an admin reads it: with its link once it is ready.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportView {
    #[serde(flatten)]
    pub export: Export,
    /// Downloads the JSON Lines until `expiresAt`; null until the export is ready.
    #[schema(required = true)]
    pub url: Option<String>,
}

/// A conversation of the person, as the export shows it: what it is and their own place in
/// it, never the other members.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportedConversation {
    id: ConversationId,
    kind: ConversationKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    storefront_id: Option<StorefrontId>,
    created_at: DateTime<Utc>,
    created_by_them: bool,
    membership: Member,
}

/// The exports use cases, with the ports they use.
#[derive(Clone)]
pub struct ExportsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) devices: Arc<dyn DeviceStore>,
    pub(crate) exports: Arc<dyn ExportStore>,
    pub(crate) files: Arc<dyn FileStore>,
    pub(crate) jobs: Arc<dyn JobQueue>,
    pub(crate) messages: Arc<dyn MessageStore>,
    pub(crate) notifications: Arc<dyn NotificationStore>,
    pub(crate) preferences: Arc<dyn PreferenceStore>,
    pub(crate) reminders: Arc<dyn ReminderStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) audit: AuditUseCases,
    pub(crate) scheduling: SchedulingUseCases,
}

impl ExportsUseCases {
    /// Asks for an export of `user`'s data: recorded as pending, made by a job, audited.
    pub async fn request_export(
        &self,
        by: UserAdmin<'_>,
        tenant: Option<&str>,
        user: &UserId,
    ) -> Result<Export, AppError> {
        let (tenant, actor) = by.tenant(tenant)?;
        self.users.get_user(&tenant, user).await?.ok_or_else(|| AppError::not_found("user"))?;
        let export = Export::pending(self.ids.ulid(), tenant.clone(), user.clone(), self.clock.now());
        self.exports.put_export(&export).await?;
        let task = Task::ExportUser(ExportUser { export_id: export.id.clone(), user_id: user.clone() });
        self.jobs.enqueue(&Job::new(&tenant, JobId::of("export", &[export.id.as_str()]), task), None).await?;
        let act = Act::on(AuditAction::UserExported, user.as_str()).with(serde_json::json!({ "exportId": export.id }));
        self.audit.record(&tenant, &actor, vec![act]).await?;
        Ok(export)
    }

    /// An export, with its download link once ready; gone a day after it was made.
    pub async fn get_export(&self, by: UserAdmin<'_>, tenant: Option<&str>, id: &str) -> Result<ExportView, AppError> {
        let (tenant, _) = by.tenant(tenant)?;
        if id.is_empty() || id.len() > 26 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::not_found("export")); // not an id this server made
        }
        let export = self.exports.get_export(&tenant, id).await?.ok_or_else(|| AppError::not_found("export"))?;
        let url = match export.status {
            ExportStatus::Pending => None,
            ExportStatus::Ready => {
                let key = FileKey::export(&tenant, &export.id);
                let disposition = Disposition::Attachment { file_name: export.file_name() };
                Some(self.files.download_url(&key, CONTENT_TYPE, &disposition, export.expires_at).await?)
            }
        };
        Ok(ExportView { export, url })
    }

    /// The `exportUser` job: the file written, stored, the record ready, its end scheduled.
    /// Retried, it is made again from the start (the same file, stored over).
    pub async fn make_export(&self, tenant: &TenantId, job: &ExportUser) -> Result<(), AppError> {
        let Some(export) = self.exports.get_export(tenant, &job.export_id).await? else {
            return Ok(()); // expired before its turn came: nobody can download it any more
        };
        if export.status == ExportStatus::Ready {
            return Ok(());
        }
        let temp = tempfile::NamedTempFile::new().map_err(AppError::internal)?;
        let file = tokio::fs::File::from_std(temp.reopen().map_err(AppError::internal)?);
        let mut out = Lines { out: tokio::io::BufWriter::new(file), lines: 0, bytes: 0 };
        self.write_export(&mut out, &export).await?;
        out.out.flush().await.map_err(AppError::internal)?;
        let key = FileKey::export(tenant, &export.id);
        self.files.write_file(&key, temp.path(), CONTENT_TYPE).await?;
        let ready = export.ready(out.lines, out.bytes, self.clock.now());
        let discard = Task::DiscardExport(DiscardExport { export_id: ready.id.clone() });
        let discard = Job::new(tenant, JobId::of("discard-export", &[ready.id.as_str()]), discard);
        self.scheduling.enqueue_at(discard, ready.expires_at).await?;
        self.exports.put_export(&ready).await?;
        tracing::info!(tenant = %tenant, export = %ready.id, lines = ready.lines, bytes = ready.bytes, "export made");
        Ok(())
    }

    /// The `discardExport` job: the file goes (its record expires by itself).
    pub async fn discard_export(&self, tenant: &TenantId, job: &DiscardExport) -> Result<(), AppError> {
        Ok(self.files.delete(&[FileKey::export(tenant, &job.export_id)]).await?)
    }

    async fn write_export(&self, out: &mut Lines, export: &Export) -> Result<(), AppError> {
        let (tenant, user) = (&export.tenant_id, &export.user_id);
        let header = serde_json::json!({
            "exportId": export.id, "tenantId": tenant, "userId": user,
            "requestedAt": export.requested_at, "madeAt": self.clock.now(),
        });
        out.line("export", &header).await?;
        if let Some(record) = self.users.get_user(tenant, user).await? {
            out.line("user", &record).await?;
        }
        if let Some(preferences) = self.preferences.get_preferences(tenant, user).await? {
            out.line("preferences", &preferences).await?;
        }
        for device in self.devices.list_devices(tenant, user, MAX_DEVICES).await? {
            out.line("device", &DeviceView::from(&device)).await?;
        }
        let mut after = None;
        loop {
            let page = self.reminders.list_reminders(tenant, user, after.as_ref(), PAGE).await?;
            for reminder in &page.items {
                out.line("reminder", reminder).await?;
            }
            match page.next_cursor {
                Some(cursor) => after = Some(crate::domain::ReminderId::parse(cursor)?),
                None => break,
            }
        }
        let mut before = None;
        loop {
            let page = self.notifications.list_notifications(tenant, user, false, before.as_ref(), PAGE).await?;
            for mut notification in page.items {
                if matches!(notification.kind, NotificationType::Message | NotificationType::Mention) {
                    // Another's words and name: the export keeps where and when, not what.
                    notification.title = String::new();
                    notification.body = String::new();
                }
                out.line("notification", &notification).await?;
            }
            match page.next_cursor {
                Some(cursor) => before = Some(NotificationId::parse(cursor)?),
                None => break,
            }
        }
        let conversations = self.conversations.list_user_conversation_ids(tenant, user).await?;
        for id in &conversations {
            if let Some((conversation, membership)) = self.conversations.get_membership(tenant, id, user).await? {
                let exported = ExportedConversation {
                    id: conversation.id,
                    kind: conversation.kind,
                    title: conversation.title,
                    storefront_id: conversation.storefront_id,
                    created_at: conversation.created_at,
                    created_by_them: conversation.created_by == *user,
                    membership,
                };
                out.line("conversation", &exported).await?;
            }
        }
        for id in &conversations {
            self.write_messages(out, tenant, id, user).await?;
        }
        Ok(())
    }

    /// The person's messages in one conversation, newest first, and their replies in its
    /// threads (not the groups' system lines).
    async fn write_messages(
        &self,
        out: &mut Lines,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> Result<(), AppError> {
        let mut pages = Authored::new(self.messages.as_ref(), tenant, conversation, user);
        while let Some(page) = pages.next_page().await? {
            for message in page.iter().filter(|m| m.kind == MessageKind::User) {
                out.line("message", &their_own(message)).await?;
            }
        }
        Ok(())
    }
}

/// A message of theirs without what others did to it (reactions, who replied).
fn their_own(message: &Message) -> Message {
    let mut own = message.as_stored();
    own.reply_count = message.reply_count;
    own.last_reply_at = message.last_reply_at;
    own
}

/// The export's file, a line at a time.
struct Lines {
    out: tokio::io::BufWriter<tokio::fs::File>,
    lines: u64,
    bytes: u64,
}

impl Lines {
    async fn line<T: Serialize>(&mut self, kind: &str, data: &T) -> Result<(), AppError> {
        let mut line =
            serde_json::to_vec(&serde_json::json!({ "type": kind, "data": data })).map_err(AppError::internal)?;
        line.push(b'\n');
        self.out.write_all(&line).await.map_err(AppError::internal)?;
        self.lines += 1;
        self.bytes += line.len() as u64;
        Ok(())
    }
}
