//! Background jobs: what a queue worker is asked to do, one typed task per kind. A job's id
//! names what it does, so that the same work asked twice is one job; its effect happens once
//! under that id, however often the queue delivers it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ConnectionId, ConversationId, JobId, LoggedEvent, MessageId, MessageRef, Notification, ReminderId, TenantId,
    UploadId, UserId, WebhookEventType,
};

/// The background queues (an SQS standard queue each, with a dead-letter queue).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueName {
    /// Live delivery's background work: a large audience's events, read and typing summaries,
    /// presence — on a queue of its own, so that a backlog of notifications or e-mails never
    /// holds it up.
    Fanout,
    Notifications,
    Emails,
}

impl QueueName {
    pub const ALL: [QueueName; 3] = [QueueName::Fanout, QueueName::Notifications, QueueName::Emails];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueName::Fanout => "fanout",
            QueueName::Notifications => "notifications",
            QueueName::Emails => "emails",
        }
    }

    pub fn parse(name: &str) -> Option<QueueName> {
        QueueName::ALL.into_iter().find(|q| q.as_str() == name)
    }
}

/// A unit of background work: on the wire `{"id", "tenantId", "kind", "payload"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: JobId,
    pub tenant_id: TenantId,
    #[serde(flatten)]
    pub task: Task,
}

impl Job {
    pub fn new(tenant_id: &TenantId, id: JobId, task: Task) -> Self {
        Self { id, tenant_id: tenant_id.clone(), task }
    }

    /// The queue that carries this kind of job.
    pub fn queue(&self) -> QueueName {
        self.task.queue()
    }
}

/// What a job does, with its typed payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "camelCase")]
pub enum Task {
    FanOut(FanOut),
    NotifyMessage(NotifyMessage),
    SendEmails(SendEmails),
    PushNotification(PushNotification),
    DeliverWebhook(DeliverWebhook),
    EmitWebhookEvent(EmitWebhookEvent),
    FireReminder(FireReminder),
    AnnouncePresence(AnnouncePresence),
    Summarize(Summarize),
    MakeThumbnail(MakeThumbnail),
    DiscardFiles(DiscardFiles),
    ExpireUpload(ExpireUpload),
    ExportUser(ExportUser),
    DiscardExport(DiscardExport),
    EraseUser(EraseUser),
    SweepRetention(SweepRetention),
    OffboardTenant(OffboardTenant),
}

impl Task {
    pub fn queue(&self) -> QueueName {
        match self {
            Task::SendEmails(_) => QueueName::Emails,
            // Webhooks, like pushes, reach others' servers (each attempt 10 s at most): on the
            // notifications' queue and concurrency cap, never live delivery's.
            // Files' background work shares the notifications' queue and concurrency cap: it is
            // never live delivery's (the fan-out queue), and it is light but for the odd large
            // image, whose decoding is bounded (`Limits::max_image_pixels`).
            Task::NotifyMessage(_)
            | Task::PushNotification(_)
            | Task::DeliverWebhook(_)
            | Task::EmitWebhookEvent(_)
            | Task::FireReminder(_)
            | Task::MakeThumbnail(_)
            | Task::DiscardFiles(_)
            | Task::ExpireUpload(_)
            | Task::ExportUser(_)
            | Task::DiscardExport(_)
            | Task::EraseUser(_)
            | Task::SweepRetention(_)
            | Task::OffboardTenant(_) => QueueName::Notifications,
            Task::FanOut(_) | Task::AnnouncePresence(_) | Task::Summarize(_) => QueueName::Fanout,
        }
    }

    /// The kind's name, as on the wire and in logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Task::FanOut(_) => "fanOut",
            Task::NotifyMessage(_) => "notifyMessage",
            Task::SendEmails(_) => "sendEmails",
            Task::PushNotification(_) => "pushNotification",
            Task::DeliverWebhook(_) => "deliverWebhook",
            Task::EmitWebhookEvent(_) => "emitWebhookEvent",
            Task::FireReminder(_) => "fireReminder",
            Task::AnnouncePresence(_) => "announcePresence",
            Task::Summarize(_) => "summarize",
            Task::MakeThumbnail(_) => "makeThumbnail",
            Task::DiscardFiles(_) => "discardFiles",
            Task::ExpireUpload(_) => "expireUpload",
            Task::ExportUser(_) => "exportUser",
            Task::DiscardExport(_) => "discardExport",
            Task::EraseUser(_) => "eraseUser",
            Task::SweepRetention(_) => "sweepRetention",
            Task::OffboardTenant(_) => "offboardTenant",
        }
    }

    /// Whether running the job twice would do its effect twice. A fan-out's pushes, a
    /// presence signal and a summary are at least once anyway (clients drop what they have
    /// seen, and a summary states what is, not what changed), so they run without an
    /// idempotency record; so do a thumbnail and an export (made again, each is the same), a
    /// deletion, an erasure, a retention sweep and an offboarding's step (each removes what is
    /// still there). A
    /// push keeps one record per device instead (`usecases::pushes`): a retry after one
    /// device's failure pushes to that one only.
    pub fn needs_idempotency_record(&self) -> bool {
        !matches!(
            self,
            Task::FanOut(_)
                | Task::PushNotification(_)
                | Task::AnnouncePresence(_)
                | Task::Summarize(_)
                | Task::MakeThumbnail(_)
                | Task::DiscardFiles(_)
                | Task::ExpireUpload(_)
                | Task::ExportUser(_)
                | Task::DiscardExport(_)
                | Task::EraseUser(_)
                | Task::SweepRetention(_)
                | Task::OffboardTenant(_)
        )
    }
}

/// A large group's event, published by a worker: into each user's feed, then to their
/// connections.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FanOut {
    pub users: Vec<UserId>,
    pub event: LoggedEvent,
    pub skip: Option<ConnectionId>,
    /// When the event is a new message: who sent what, for the offline members' notifications.
    #[serde(default)]
    pub message: Option<MessageRef>,
}

/// A message reached members who had no live connection: each gets a `message`
/// notification (and, later, maybe an e-mail).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyMessage {
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    /// Offline members, told of the message.
    pub users: Vec<UserId>,
    /// Mentioned members, online or not: told they were mentioned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentioned: Vec<UserId>,
}

/// E-mail what is waiting for a user: now (`digest: false`) or as their digest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendEmails {
    pub user_id: UserId,
    pub digest: bool,
}

/// Push a notification to its user's devices, unless they are online, have read it meanwhile,
/// or are in their quiet hours (then it waits for their end; a critical one does not).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushNotification {
    pub notification: Notification,
    /// Whether the bell holds it (its read state is then the notification's).
    pub in_app: bool,
}

/// One attempt at delivering an event to a webhook endpoint (`usecases::webhooks`); a failed
/// one arranges the next attempt itself, for up to 24 hours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverWebhook {
    pub webhook_id: String,
    pub delivery_id: String,
}

/// An event one of the tenant's webhook endpoints hears of: a delivery to each that does
/// (`usecases::webhook_events`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmitWebhookEvent {
    pub kind: WebhookEventType,
    pub event_id: String,
    pub data: serde_json::Value,
}

/// Fires a reminder: a `reminder` notification to each of its recipients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FireReminder {
    pub created_by: UserId,
    pub reminder_id: ReminderId,
}

/// A user came online (their first connection) or went offline (their last one closed):
/// those who share one of their recent conversations hear of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnnouncePresence {
    pub user_id: UserId,
    pub online: bool,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A large group's read receipts or typing of the last window, summarized for every member
/// (`usecases::signals`). `since` is when the window opened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summarize {
    pub conversation_id: ConversationId,
    pub kind: SignalKind,
    pub since: DateTime<Utc>,
}

/// An upload was stored: if it is an image Missive decodes, make its thumbnail. Queued by
/// S3's event on AWS (`workers::s3_events`), by the local runtime's upload route locally.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MakeThumbnail {
    pub conversation_id: ConversationId,
    pub upload_id: UploadId,
}

/// A deleted message's files: their bytes, their thumbnails and their records go.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscardFiles {
    pub conversation_id: ConversationId,
    pub upload_ids: Vec<UploadId>,
    /// Their size, for the tenant's storage metric (0 for uploads no message attached).
    #[serde(default)]
    pub bytes: u64,
}

/// An upload's day is over: unless a message attached it, its file and thumbnail go.
/// Scheduled as the upload is declared, for just after it expires (no message can attach it
/// then).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpireUpload {
    pub conversation_id: ConversationId,
    pub upload_id: UploadId,
}

/// Makes a person's export: their data as JSON Lines, stored for a day
/// (`usecases::exports`). Made again from the start if retried: the same file, written over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportUser {
    pub export_id: String,
    pub user_id: UserId,
}

/// An export's day is over: its file goes (its record expires by itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscardExport {
    pub export_id: String,
}

/// Erases what is left of a person once their record is gone (`usecases::erasure`): each
/// step finds only what is still there, so a retried job finishes the work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EraseUser {
    pub user_id: UserId,
    /// When the erasure was asked for: the same person may be created again and erased again.
    pub requested_at: DateTime<Utc>,
}

/// A tenant's retention sweep: what is older than its retention goes. Each step removes what
/// is still there, so a retried sweep finishes the work; the sweep schedules the next one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepRetention {
    /// When it was scheduled for (one sweep a day, whatever asked for it).
    pub due_at: DateTime<Utc>,
    /// Where a sweep that ran out of time goes on; absent, from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<SweepPosition>,
}

/// How far a retention sweep went: the tenant's conversations after one, then its people
/// (their notifications) after one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "camelCase")]
pub enum SweepPosition {
    Conversations { after: Option<ConversationId> },
    People { after: Option<UserId> },
}

/// A step of a tenant's offboarding: some of its records removed, then the next step queued,
/// until nothing is left; then its files and push credentials, and the offboarding's record
/// says it is done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffboardTenant {
    /// The tenant as it was when its offboarding was asked for (its record goes last: the
    /// steps after that still know its origins).
    pub tenant: super::Tenant,
    pub requested_at: DateTime<Utc>,
    /// This step's number (each step is a job of its own).
    pub step: u32,
}

/// What a summary is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignalKind {
    Read,
    Typing,
}

impl SignalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Read => "read",
            SignalKind::Typing => "typing",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reads_as_its_kind_and_typed_payload() {
        let json = r#"{"id":"reminder:01K","tenantId":"demo","kind":"fireReminder","payload":{"createdBy":"ada","reminderId":"01K"}}"#;
        let job: Job = serde_json::from_str(json).unwrap();
        assert_eq!(job.queue(), QueueName::Notifications);
        let Task::FireReminder(fire) = &job.task else { panic!("{job:?}") };
        assert_eq!(fire.reminder_id.as_str(), "01K");
        let back: serde_json::Value = serde_json::to_value(&job).unwrap();
        assert_eq!(back, serde_json::from_str::<serde_json::Value>(json).unwrap());
        assert!(serde_json::from_str::<Job>(r#"{"id":"x","tenantId":"demo","kind":"nope","payload":{}}"#).is_err());
    }
}
