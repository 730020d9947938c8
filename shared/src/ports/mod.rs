//! The ports: what the use cases need from the outside world, one small trait per role.
//! One adapter set implements them for AWS (DynamoDB, API Gateway, SQS, SES), one for the
//! local runtime (redb, its own sockets, an in-process queue, an outbox). No AWS type
//! appears here; every value crossing a port is typed.
//!
//! Every storage method is a key lookup or a query on one key prefix (an index on
//! DynamoDB): nothing here reads a whole table.

mod audit;
mod bots;
mod clock;
mod connections;
mod conversations;
mod devices;
mod directory;
mod effects;
mod events;
mod files;
mod mail;
mod messages;
mod notifications;
mod pins;
mod privacy;
mod push;
mod push_services;
mod queue;
mod reactions;
mod reminders;
mod schedule;
mod throttles;
mod usage;
mod webhook_sender;
mod webhooks;

pub use audit::AuditStore;
pub use bots::BotStore;
pub use clock::{Clock, Ids};
pub use connections::{ConnectionStore, Disconnected};
pub use conversations::{ConversationStore, InboxEntry};
pub use devices::DeviceStore;
pub use directory::{StorefrontStore, TenantStore, UserStore};
pub use effects::{EffectClaim, EffectStore};
pub use events::EventFeed;
pub use files::{Disposition, FileError, FileKey, FileStore, Peek, UploadForm, UploadGrant, UploadStore};
pub use mail::{Email, MailError, Mailer};
pub use messages::{AttachmentTaken, HistoryRange, HistorySlice, MessageStore};
pub use notifications::{NotificationStore, PendingEmailStore, PreferenceStore};
pub use pins::{PinOutcome, PinStore};
pub use privacy::{ErasedUserStore, ExportStore, TenantRemoval};
pub use push::{Push, PushError};
pub use push_services::{DevicePush, PushCredentialStore, PushService, PushServiceError, Urgency};
pub use queue::{JobQueue, QueueError, QueueStats, MAX_DELAY, MAX_RECEIVES};
pub use reactions::{ReactionChange, ReactionKey, ReactionStore, TooManyEmoji};
pub use reminders::ReminderStore;
pub use schedule::{due_sort_key, ScheduleStore, ScheduledJob};
pub use throttles::ThrottleStore;
pub use usage::{UsageStore, UsageTake};
pub use webhook_sender::{WebhookAnswer, WebhookRequest, WebhookSendError, WebhookSender};
pub use webhooks::WebhookStore;

use crate::error::StoreError;

pub type StoreResult<T> = Result<T, StoreError>;

/// One page of a listing and the opaque cursor of the next page, if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The result of a write that is idempotent on a key: the stored record, and whether this
/// call created it (`false`: it existed already and is returned unchanged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upserted<T> {
    pub value: T,
    pub created: bool,
}

/// Whether the store answers at all (`GET /v1/health`).
#[async_trait::async_trait]
pub trait StoreHealth: Send + Sync {
    /// A cheap read that proves the store answers.
    async fn health(&self) -> StoreResult<()>;
}

/// Every storage port at once: what one backend (redb, DynamoDB) provides. `Ports::new`
/// (app.rs) hands it to each role's field, through which use cases reach it.
pub trait Store:
    StoreHealth
    + TenantStore
    + UserStore
    + StorefrontStore
    + ConversationStore
    + MessageStore
    + ReactionStore
    + PinStore
    + EventFeed
    + ConnectionStore
    + NotificationStore
    + PreferenceStore
    + PendingEmailStore
    + ReminderStore
    + UploadStore
    + DeviceStore
    + WebhookStore
    + BotStore
    + AuditStore
    + ExportStore
    + ErasedUserStore
    + ScheduleStore
    + EffectStore
    + ThrottleStore
    + UsageStore
    + TenantRemoval
{
}

impl<T> Store for T where
    T: StoreHealth
        + TenantStore
        + UserStore
        + StorefrontStore
        + ConversationStore
        + MessageStore
        + ReactionStore
        + PinStore
        + EventFeed
        + ConnectionStore
        + NotificationStore
        + PreferenceStore
        + PendingEmailStore
        + ReminderStore
        + UploadStore
        + DeviceStore
        + WebhookStore
        + BotStore
        + AuditStore
        + ExportStore
        + ErasedUserStore
        + ScheduleStore
        + EffectStore
        + ThrottleStore
        + UsageStore
        + TenantRemoval
        + ?Sized
{
}
