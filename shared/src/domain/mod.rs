//! The domain: validated values and the records Missive keeps. Nothing here knows about
//! storage, HTTP or AWS.

mod audit;
mod bot;
mod conversation;
mod device;
mod event;
mod export;
mod hook;
mod ids;
mod job;
mod message;
mod moderation;
mod notification;
mod pin;
mod push_credentials;
mod quota;
mod reaction;
mod tenant;
mod text;
mod upload;
mod user;
mod webhook;

pub use audit::{AuditAction, AuditActor, AuditEntry};
pub use bot::{bot_key_hash, bot_key_tenant, new_bot_key, new_secret_hex, Bot, BotKey, BotView, BOT_KEY_PREFIX};
pub use conversation::{
    Conversation, ConversationKind, ConversationView, Member, MemberRole, MemberView, Participant, ReadState,
    Storefront,
};
pub use device::{Device, DeviceView, PushTarget, WebPushKeys, WebPushSubscription, MAX_DEVICES};
pub use event::{LoggedEvent, MessageRef, TypingState};
pub use export::{Export, ExportStatus};
pub use hook::{hook_tenant, HookView, InboundHook, HOOK_SECRET_PREFIX};
pub use ids::{
    newest_first_id, ClientMessageId, ConnectionId, ConversationId, EventId, JobId, MessageId, NotificationId,
    ReminderId, StorefrontId, TenantId, UploadId, UserId,
};
pub use job::{
    AnnouncePresence, DeliverWebhook, DiscardExport, DiscardFiles, EmitWebhookEvent, EraseUser, ExpireUpload,
    ExportUser, FanOut, FireReminder, Job, MakeThumbnail, NotifyMessage, OffboardTenant, PushNotification, QueueName,
    SendEmails, SignalKind, Summarize, SweepPosition, SweepRetention, Task,
};
pub use message::{mentions_in, GroupChange, Message, MessageBody, MessageKind, MessagePreview, ThreadSummary};
pub use moderation::{
    check_rules, ContactKind, HookFailure, Judgement, ModerationAction, ModerationPolicy, ModerationReason,
    ModerationRule, ModerationView, Moderator, PreSendHook, MASK,
};
pub use notification::{
    Channels, EmailMode, Notification, NotificationType, PendingEmail, Preferences, Priority, QuietHours, Reminder,
    ReminderStatus, TypeChannels,
};
pub use pin::{Pin, MAX_PINS};
pub use push_credentials::{
    ApnsEnvironment, ApnsKey, ApnsView, FcmServiceAccount, FcmView, PushCredentials, PushCredentialsView,
};
pub use quota::{connection_slot, live_connection_slots, Quota, TenantQuotas, Window};
pub use reaction::{Emoji, Reaction, MAX_REACTIONS_PER_MESSAGE};
pub use tenant::{Branding, Locale, Offboarding, Tenant, TenantStatus};
pub use text::{fold, SearchQuery};
pub use upload::{
    Attachment, Dimensions, FileName, FileType, Upload, ALLOWED_TYPES, DOWNLOAD_LINK_VALIDITY, MAX_ATTACHMENTS,
    THUMBNAIL_SIZE, UNATTACHED_UPLOAD_TTL, UPLOAD_FORM_VALIDITY,
};
pub use user::{Connection, DisplayName, Role, User};

/// Checks a free-text field (a title, a name): trimmed, 1..=max characters, no control
/// characters (so it can never break a header or a log line).
pub fn parse_text(field: &str, value: &str, max: usize) -> Result<String, crate::AppError> {
    let value = value.trim();
    let len = value.chars().count();
    if len == 0 || len > max || value.chars().any(char::is_control) {
        return Err(crate::AppError::invalid(format!(
            "invalid {field}: expected 1 to {max} characters without control characters"
        )));
    }
    Ok(value.to_string())
}
pub use webhook::{
    check_url as check_webhook_url, forbidden_address, new_secret as new_webhook_secret,
    signature as webhook_signature, url_host, Attempt, DeliveryStatus, Disabled, SigningSecret, Webhook,
    WebhookDelivery, WebhookEventType, WebhookView, DELIVERY_RETENTION_DAYS, DISABLE_AFTER_FAILING_DAYS, MAX_WEBHOOKS,
    RETRY_FOR_HOURS, SECRET_OVERLAP_HOURS, WEBHOOK_TIMEOUT,
};
