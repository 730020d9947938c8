//! The ports: what the use cases need from the outside world. One adapter set implements
//! them for AWS, one for the local runtime. No AWS type appears here.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;

use crate::error::StoreError;

pub type StoreResult<T> = Result<T, StoreError>;

/// One page of a listing and the opaque cursor of the next page, if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Which slice of a conversation's history to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryRange {
    /// The newest messages.
    Latest,
    /// Messages older than this id, newest first up to the limit.
    Before(String),
    /// Messages newer than this id, oldest first up to the limit.
    After(String),
}

/// Messages in ascending id order, and whether more exist beyond the page in the direction
/// that was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistorySlice {
    pub messages: Vec<Message>,
    pub more: bool,
}

/// One line of a user's conversation list: the conversation and the user's membership (read
/// marker, unread count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxEntry {
    pub conversation: Conversation,
    pub member: Member,
}

impl InboxEntry {
    /// The cursor that continues a listing after this entry: `{activity}.{conversationId}`,
    /// understood by every adapter's `list_user_conversations`.
    pub fn cursor(&self) -> String {
        format!("{}.{}", self.conversation.activity, self.conversation.id)
    }
}

/// An event as a user's missed-event feed keeps it: its id (a ULID, the `cursor` clients
/// sync from) and the frame exactly as it was pushed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedEvent {
    pub id: String,
    pub frame: String,
    pub expires_at: DateTime<Utc>,
}

/// The result of a write that is idempotent on a key: the stored record, and whether this
/// call created it (`false`: it existed already and is returned unchanged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upserted<T> {
    pub value: T,
    pub created: bool,
}

/// Persistent state. Every method is a key lookup or a query on one key prefix (an index on
/// DynamoDB): nothing here reads a whole table.
#[async_trait]
pub trait Store: Send + Sync {
    /// A cheap read that proves the store answers.
    async fn health(&self) -> StoreResult<()>;

    /// Creates a tenant; `created: false` (and the existing tenant) if the id is taken.
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<Upserted<Tenant>>;
    async fn put_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    async fn get_tenant(&self, id: &TenantId) -> StoreResult<Option<Tenant>>;

    async fn put_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<User>>;
    /// Several users at once (one batch read on DynamoDB); unknown ids are left out.
    async fn get_users(&self, tenant: &TenantId, ids: &[UserId]) -> StoreResult<Vec<User>>;
    /// The tenant directory in user-id order.
    async fn list_users(
        &self,
        tenant: &TenantId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<User>>;

    /// Stores a storefront and the tenant-less pointer that lets the public guest endpoint
    /// find its tenant.
    async fn put_storefront(&self, storefront: &Storefront) -> StoreResult<()>;
    async fn get_storefront(
        &self,
        tenant: &TenantId,
        id: &StorefrontId,
    ) -> StoreResult<Option<Storefront>>;
    async fn storefront_tenant(&self, id: &StorefrontId) -> StoreResult<Option<TenantId>>;

    /// Creates a conversation with its members, atomically. With a `unique_key`, a second
    /// creation under the same key returns the first conversation instead.
    async fn create_conversation(
        &self,
        conversation: &Conversation,
        members: &[Member],
        unique_key: Option<&str>,
    ) -> StoreResult<Upserted<Conversation>>;
    /// Replaces a conversation's details (title, participants), wherever lists show them.
    async fn update_conversation(&self, conversation: &Conversation) -> StoreResult<()>;
    /// Adds members (or rewrites existing ones, e.g. a new owner) to a conversation and to
    /// their conversation lists.
    async fn put_members(&self, conversation: &Conversation, members: &[Member]) -> StoreResult<()>;
    /// Removes a member from a conversation and from their list; `false` if not a member.
    async fn remove_member(&self, conversation: &Conversation, user: &UserId) -> StoreResult<bool>;
    async fn get_conversation(
        &self,
        tenant: &TenantId,
        id: &ConversationId,
    ) -> StoreResult<Option<Conversation>>;
    async fn get_member(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Option<Member>>;
    async fn list_members(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
    ) -> StoreResult<Vec<Member>>;
    /// A user's conversations, most recent activity first, with the user's membership.
    async fn list_user_conversations(
        &self,
        tenant: &TenantId,
        user: &UserId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<InboxEntry>>;

    /// Appends a message and moves the conversation's activity: every other member has one
    /// more unread message, the sender's read marker moves to it. With a `client_message_id`,
    /// a second append by the same sender in the same conversation returns the first message
    /// and changes nothing.
    async fn append_message(&self, message: &Message) -> StoreResult<Upserted<Message>>;
    /// Replaces a stored message (an edit, a deletion's tombstone). When it is the
    /// conversation's newest, the conversation's preview follows. `false` if it does not exist.
    async fn update_message(&self, message: &Message) -> StoreResult<bool>;
    async fn get_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>>;
    /// Moves a member's read marker forward to `message` (never back) and recounts their
    /// unread messages. `None` when the marker was already there or further.
    async fn mark_read(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Member>>;
    async fn list_messages(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice>;

    /// Adds one event to the feed of each of `users`.
    async fn append_events(&self, tenant: &TenantId, users: &[UserId], event: &LoggedEvent) -> StoreResult<()>;
    /// A user's events after `after` (an event id, or "0" for the oldest kept), oldest
    /// first, at most `limit`; expired ones are skipped. `true` when more follow.
    async fn list_events(
        &self,
        tenant: &TenantId,
        user: &UserId,
        after: &str,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreResult<(Vec<LoggedEvent>, bool)>;

    /// Counts one hit on `key` in the current fixed window of `window` (windows start at
    /// multiples of `window` since the epoch) and returns the hits so far in that window.
    /// Rate limits and throttles; the counts expire with their window.
    async fn count_hit(&self, tenant: &TenantId, key: &str, window: std::time::Duration, now: DateTime<Utc>) -> StoreResult<u64>;

    /// Takes `key` until `until` if nobody holds it at `now`; `false` when it is taken. Throttles
    /// ("at most one per interval"), across every instance.
    async fn try_claim(&self, tenant: &TenantId, key: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<bool>;

    /// When each user was last seen connected (set when their last connection closes).
    async fn put_last_seen(&self, tenant: &TenantId, user: &UserId, at: DateTime<Utc>) -> StoreResult<()>;
    /// Last-seen times of several users at once; users never seen are left out.
    async fn get_last_seen(&self, tenant: &TenantId, users: &[UserId]) -> StoreResult<Vec<(UserId, DateTime<Utc>)>>;

    async fn put_connection(&self, connection: &Connection) -> StoreResult<()>;
    async fn delete_connection(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &ConnectionId,
    ) -> StoreResult<()>;
    /// The user's connections that have not expired at `now`.
    async fn list_user_connections(
        &self,
        tenant: &TenantId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Connection>>;

    /// Small JSON documents in named collections (a user's preferences, reminders, e-mails
    /// waiting): one key each, listed in id order within their collection.
    async fn put_doc(&self, tenant: &TenantId, collection: &str, id: &str, doc: &str, expires_at: Option<DateTime<Utc>>) -> StoreResult<()>;
    async fn get_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<Option<String>>;
    /// Documents after `after` (an id) in id order, at most `limit`; the cursor is the last id.
    async fn list_docs(&self, tenant: &TenantId, collection: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<String>>;
    /// `false` when it did not exist.
    async fn delete_doc(&self, tenant: &TenantId, collection: &str, id: &str) -> StoreResult<bool>;

    /// Creates or replaces a notification; unread ones are also in the user's unread index.
    async fn put_notification(&self, notification: &Notification) -> StoreResult<()>;
    async fn get_notification(&self, tenant: &TenantId, user: &UserId, id: &str) -> StoreResult<Option<Notification>>;
    /// A user's notifications, newest first, older than `before` (an id) when given.
    async fn list_notifications(
        &self,
        tenant: &TenantId,
        user: &UserId,
        unread_only: bool,
        before: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<Notification>>;
    async fn count_unread_notifications(&self, tenant: &TenantId, user: &UserId) -> StoreResult<u64>;

    /// Keeps a job until it is due (past SQS's 15-minute delay). Same id, same entry.
    async fn schedule_job(&self, scheduled: &ScheduledJob) -> StoreResult<()>;
    /// Jobs due at `now`, every tenant, earliest first, at most `limit`: the scheduler's query.
    async fn list_due_jobs(&self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<ScheduledJob>>;
    /// Removes a scheduled job; `true` only for the one caller that removed it, so that a
    /// scheduler running twice enqueues it once.
    async fn take_scheduled_job(&self, tenant: &TenantId, job_id: &str) -> StoreResult<bool>;

    /// Starts a job's effect: `Acquired` (a lease until `lease_until`), `Done` (it happened
    /// already), or `Busy` (another worker holds an unexpired lease).
    async fn begin_effect(&self, tenant: &TenantId, key: &str, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> StoreResult<EffectClaim>;
    /// Records the effect as done, remembered until `keep_until`.
    async fn finish_effect(&self, tenant: &TenantId, key: &str, keep_until: DateTime<Utc>) -> StoreResult<()>;
    /// Gives a lease up after a failure, so that a retry need not wait for it to expire.
    async fn release_effect(&self, tenant: &TenantId, key: &str) -> StoreResult<()>;
}

/// A job waiting in the store until `due_at`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledJob {
    pub queue: QueueName,
    pub job: Job,
    pub due_at: DateTime<Utc>,
}

/// How due times sort as text in the due index: fixed-width UTC with milliseconds.
pub fn due_sort_key(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// See [`Store::begin_effect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectClaim {
    Acquired,
    Done,
    Busy,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The connection is gone (API Gateway's 410): forget it.
    #[error("connection gone")]
    Gone,
    #[error("push failed: {0:#}")]
    Failed(anyhow::Error),
}

/// Sends one frame to one live WebSocket connection.
#[async_trait]
pub trait Push: Send + Sync {
    async fn send(&self, connection: &ConnectionId, frame: &str) -> Result<(), PushError>;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// New ids. ULIDs, monotonic within a process, so that messages sent in the same
/// millisecond still sort in the order they were accepted.
pub trait Ids: Send + Sync {
    fn ulid(&self) -> String;
}

#[derive(Default)]
pub struct UlidIds(std::sync::Mutex<ulid::Generator>);

impl Ids for UlidIds {
    fn ulid(&self) -> String {
        let mut generator = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // The generator only fails when 80 random bits overflow within one millisecond;
        // a fresh ULID is then still unique, just not monotonic for that one id.
        generator
            .generate()
            .unwrap_or_else(|_| ulid::Ulid::new())
            .to_string()
    }
}

/// The background queues (an SQS standard queue each, with a dead-letter queue).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueName {
    Notifications,
    Emails,
}

impl QueueName {
    pub const ALL: [QueueName; 2] = [QueueName::Notifications, QueueName::Emails];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueName::Notifications => "notifications",
            QueueName::Emails => "emails",
        }
    }

    pub fn parse(name: &str) -> Option<QueueName> {
        QueueName::ALL.into_iter().find(|q| q.as_str() == name)
    }
}

/// A unit of background work. Its id makes its effect happen once, however often the queue
/// delivers it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub tenant_id: TenantId,
    /// What to do, e.g. `deliverNotification`, `sendEmail`.
    pub kind: String,
    pub payload: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
#[error("queue failure: {0:#}")]
pub struct QueueError(#[from] pub anyhow::Error);

/// One queue's depth, as `GET /v1/admin/queues` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueStats {
    pub name: String,
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
    pub dead_lettered: u64,
    /// Age of the oldest job waiting (visible or delayed), when the queue can tell.
    pub oldest_age_seconds: Option<u64>,
    /// Age of the oldest dead-lettered job.
    pub oldest_dead_letter_age_seconds: Option<u64>,
}

#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Enqueues a job, visible after `delay` (at most 15 minutes, SQS's limit).
    async fn send(&self, queue: QueueName, job: &Job, delay: Option<std::time::Duration>) -> Result<(), QueueError>;
    /// Enqueues several jobs at once (SQS batches of ten).
    async fn send_batch(&self, queue: QueueName, jobs: &[Job]) -> Result<(), QueueError>;
    async fn stats(&self, queue: QueueName) -> Result<QueueStats, QueueError>;
    /// Moves every dead-lettered job back to its queue; returns how many moved.
    async fn redrive(&self, queue: QueueName) -> Result<u64, QueueError>;
    /// Makes a received job, which failed, visible again after `delay` (its backoff).
    async fn retry_later(&self, queue: QueueName, receipt: &str, delay: std::time::Duration) -> Result<(), QueueError>;
}

/// An e-mail ready to send: both parts rendered, the headers already safe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// Missive's id for this e-mail (the job that sends it), for tracing and support.
    pub id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// The one-click unsubscribe URL (`List-Unsubscribe`, RFC 8058), when there is one.
    pub unsubscribe_url: Option<String>,
}

impl Email {
    /// Removes what could break out of a header: CR, LF and every other control character.
    pub fn header_safe(value: &str) -> String {
        value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The provider refused this message (bad address, unverified sender): retrying will not help.
    #[error("rejected: {0}")]
    Rejected(String),
    #[error("mail failure: {0:#}")]
    Failed(anyhow::Error),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends an e-mail and returns the provider's message id.
    async fn send(&self, email: &Email) -> Result<String, MailError>;
}
