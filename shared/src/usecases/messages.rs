//! Sending messages and reading history.

use super::attachments::AttachmentsUseCases;
use super::conversations::ConversationsUseCases;
use super::delivery::DeliveryUseCases;
use super::moderation::ModerationUseCases;
use super::notifications::NotificationsUseCases;
use super::quotas::QuotaUseCases;
use super::reactions::attach_reactions;
use super::webhook_events::{event_id as webhook_event_id, WebhookEventsUseCases};
use crate::metrics::Metrics;
use crate::ports::{Clock, ConversationStore, Ids, MessageStore, ReactionStore};
use serde::Serialize;
use std::sync::Arc;

use super::conversations::check_scope;
use super::identity::Identity;
use crate::domain::*;
use crate::metrics::Metric;
use crate::ports::{AttachmentTaken, HistoryRange, HistorySlice, Upserted};
use crate::protocol::Event;
use crate::AppError;

pub const DEFAULT_HISTORY_PAGE: usize = 50;
pub const MAX_HISTORY_PAGE: usize = 100;

/// What a member sends: text, files (the ids of their uploads), or both; with its
/// `client_message_id`, a resend that cannot become a second message.
#[derive(Clone, Debug, Default)]
pub struct Outgoing {
    pub body: Option<String>,
    pub attachments: Vec<String>,
    pub client_message_id: Option<String>,
    /// A reply: the message it answers (its thread's first message, or another reply).
    pub parent_id: Option<String>,
    /// A reply also shown in the conversation.
    pub also_in_conversation: bool,
}

impl Outgoing {
    /// A message of text only.
    pub fn text(body: impl Into<String>) -> Self {
        Self { body: Some(body.into()), ..Self::default() }
    }

    /// The same, safe to resend under `client_message_id`.
    pub fn resendable(self, client_message_id: impl Into<String>) -> Self {
        Self { client_message_id: Some(client_message_id.into()), ..self }
    }

    fn checked_body(&self) -> Result<Option<MessageBody>, AppError> {
        body_of(self.body.as_deref(), !self.attachments.is_empty())
    }

    /// The message it answers, if it is a reply: `alsoInConversation` means nothing without.
    fn checked_parent(&self) -> Result<Option<MessageId>, AppError> {
        match &self.parent_id {
            Some(id) => {
                MessageId::parse(id.as_str()).map(Some).map_err(|_| AppError::invalid("parentId: not a message id"))
            }
            None if self.also_in_conversation => Err(AppError::invalid(
                "alsoInConversation: only a reply (with parentId) can also be shown in the conversation",
            )),
            None => Ok(None),
        }
    }
}

/// A message's text: required without attachments, optional (empty or blank is none) with them.
fn body_of(text: Option<&str>, with_attachments: bool) -> Result<Option<MessageBody>, AppError> {
    match text {
        Some(text) if with_attachments && text.trim().is_empty() => Ok(None),
        Some(text) => Ok(Some(MessageBody::parse(text)?)),
        None if with_attachments => Ok(None),
        None => Err(AppError::invalid("invalid body: a message needs a body or attachments")),
    }
}

/// The messages use cases, with the ports they use.
#[derive(Clone)]
pub struct MessagesUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) messages: Arc<dyn MessageStore>,
    pub(crate) reactions: Arc<dyn ReactionStore>,
    pub(crate) metrics: Metrics,
    pub(crate) attachments: AttachmentsUseCases,
    pub(crate) conversation_cases: ConversationsUseCases,
    pub(crate) delivery: DeliveryUseCases,
    pub(crate) moderation: ModerationUseCases,
    pub(crate) notifications: NotificationsUseCases,
    pub(crate) webhook_events: WebhookEventsUseCases,
    pub(crate) quotas: QuotaUseCases,
}

impl MessagesUseCases {
    /// Stores a message, then delivers `message.new` to every live connection of every member
    /// except `from_connection` (the sending socket, which gets the ack instead). A repeated
    /// `client_message_id` returns the first message, stores nothing, and pushes the first
    /// message's `message.new` again: the first send may have been stored and then cut short
    /// (its function timed out, crashed or met a fault) before its push, and a client resends
    /// precisely when it did not hear back. Recipients who had it drop it (same cursor).
    ///
    /// Three store round trips whatever the group: the conversation with its members; the
    /// message's write; then the members' connections. The connections are read after the write:
    /// a connection opened before the read gets the push, one opened after it finds the message
    /// in its `sync` — read at the same time as the write, a connection opened in between and
    /// syncing before the write landed would get neither.
    pub async fn send_message(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        outgoing: &Outgoing,
        from_connection: Option<&ConnectionId>,
    ) -> Result<(Upserted<Message>, Option<EventId>), AppError> {
        check_scope(who, conversation_id)?;
        let body = outgoing.checked_body()?;
        let client_message_id = outgoing.client_message_id.as_deref().map(ClientMessageId::parse).transpose()?;
        let parent_id = outgoing.checked_parent()?;
        let not_found = || AppError::not_found("conversation");
        // The uploads are checked (their records, then their bytes), and the tenant's moderation
        // found (in this process's memory but once in a while), while the conversation is read:
        // a message without attachments reads nothing more. The tenant's quota is taken
        // meanwhile (from this process's lease, most of the time: no read either).
        let quota_taken_at = self.clock.now();
        let (quota, conversation, uploads, moderator, parent) = tokio::join!(
            self.quotas.take_message(&who.tenant_id),
            self.conversations.get_conversation_with_member_ids(&who.tenant_id, conversation_id),
            self.attachments.check_attachments(
                who,
                conversation_id,
                &outgoing.attachments,
                client_message_id.is_some()
            ),
            self.moderation.moderator(&who.tenant_id),
            self.find_parent(who, conversation_id, parent_id.as_ref())
        );
        let (conversation, users) = conversation?.ok_or_else(not_found)?;
        if !users.contains(&who.user_id) {
            return Err(not_found());
        }
        quota?;
        let root = self.thread_root(&conversation, parent?).await?;
        // Refused before anything is stored; masked as it will be stored and shown.
        let moderator = moderator?;
        let body = self.moderation.screen(&moderator, who, &conversation, body).await?;
        let attachables = uploads?;
        let mentions = body.as_ref().map(|b| mentions_in(b.as_str(), &users)).unwrap_or_default();
        let message = Message {
            tenant_id: who.tenant_id.clone(),
            conversation_id: conversation.id.clone(),
            id: MessageId::parse(self.ids.ulid())?,
            sender_id: who.user_id.clone(),
            sender_name: who.name.clone(),
            sender_bot: who.role == Role::Bot,
            mentions,
            body,
            attachments: attachables.iter().map(|a| a.attachment.clone()).collect(),
            client_message_id,
            kind: MessageKind::User,
            system: None,
            created_at: self.clock.now(),
            edited_at: None,
            deleted_at: None,
            reactions: Vec::new(),
            parent_id: root.as_ref().map(|r| r.id.clone()),
            also_in_conversation: root.is_some() && outgoing.also_in_conversation,
            reply_count: 0,
            last_reply_at: None,
            reply_user_ids: Vec::new(),
        };
        let uploads: Vec<Upload> =
            attachables.into_iter().map(|a| Upload { message_id: Some(message.id.clone()), ..a.upload }).collect();
        // Its `message.new` goes into the conversation's log with the message itself.
        let event = self.delivery.message_event(&message)?;
        let stored = self.messages.append_message(&conversation, &message, &event, &uploads).await?;
        let stored = stored.map_err(|AttachmentTaken(id)| {
            AppError::invalid(format!("attachment {id}: already attached to a message, or expired"))
        })?;
        if !stored.created {
            // A repeated send (its clientMessageId stored already) is no new message.
            self.quotas.put_back_message(&who.tenant_id, quota_taken_at);
        }
        let event = if stored.created {
            tracing::info!(
                tenant = %who.tenant_id, conversation = %conversation.id, message = %stored.value.id, "message stored"
            );
            self.metrics.count(Metric::MessagesSent, 1, Some(&who.tenant_id), self.clock.now());
            let bytes: u64 = message.attachments.iter().map(|a| a.size).sum();
            if bytes > 0 {
                self.metrics.count(Metric::FileBytesAttached, bytes, Some(&who.tenant_id), self.clock.now());
            }
            event
        } else {
            tracing::info!(
                tenant = %who.tenant_id, conversation = %conversation.id, message = %stored.value.id,
                "message sent again, pushed again"
            );
            self.delivery.message_event(&stored.value)?
        };
        let reference = MessageRef {
            conversation_id: conversation.id.clone(),
            message_id: stored.value.id.clone(),
            sender_id: stored.value.sender_id.clone(),
            mentions: stored.value.mentions.clone(),
        };
        let published =
            self.delivery.push_to_members(&conversation, &users, event, from_connection, Some(&reference)).await?;
        // The mentioned hear of it whether they are online or not (once per message however
        // often this runs); the offline others below.
        self.notifications.members_mentioned(&conversation.tenant_id, &reference).await;
        if let Some(offline) = &published.offline {
            // A reply in its thread only is news to the thread's participants alone.
            let offline = match &root {
                Some(root) if stored.value.in_thread_only() => root.thread_participants(offline),
                _ => offline.clone(),
            };
            // Notified once per member and message however often this runs (`notify_message`).
            self.notifications
                .message_reached_offline(&conversation.tenant_id, &reference, &offline, published.cursor.as_str())
                .await;
        }
        if stored.created && !stored.value.attachments.is_empty() {
            let made = self.attachments.images_made_meanwhile(&stored.value).await?;
            self.show_images(&conversation, &stored.value.id, Some(stored.value.clone()), &made).await?;
        }
        // A repeat publishes it again: its first send may have been cut short before this; the
        // event's id makes it one event.
        self.message_event(WebhookEventType::MessageCreated, stored.value.id.as_str(), &stored.value).await;
        // A repeat's answer says that nothing new was stored: no cursor.
        let cursor = stored.created.then_some(published.cursor);
        Ok((stored, cursor))
    }

    /// One page of history. The membership check and the page's read run at the same time (one
    /// round trip); the page is dropped unless the caller is a member.
    pub async fn history(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        before: Option<&str>,
        after: Option<&str>,
        limit: Option<usize>,
    ) -> Result<HistoryPage, AppError> {
        let (membership, page) = tokio::join!(
            self.conversation_cases.require_member(who, conversation_id),
            self.history_of(who, conversation_id, before, after, limit)
        );
        membership?;
        self.with_reactions(who, conversation_id, page?).await
    }

    /// The page's messages with their reactions (a second round trip: the page's ids first).
    async fn with_reactions(
        &self,
        who: &Identity,
        conversation: &ConversationId,
        mut page: HistoryPage,
    ) -> Result<HistoryPage, AppError> {
        attach_reactions(self.reactions.as_ref(), who, conversation, &mut page.messages).await?;
        Ok(page)
    }

    /// Messages whose text, or a file's name, contains `q` (case- and accent-insensitive),
    /// newest first as they are found, walking the conversation back from `before` (or its
    /// newest message). Deleted messages never match. One request reads at most
    /// `MAX_SEARCH_SCAN` messages: a search that stops early returns `olderCursor` to continue
    /// from.
    pub async fn search(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        q: &str,
        before: Option<&str>,
        limit: Option<usize>,
    ) -> Result<HistoryPage, AppError> {
        // Found first (its early returns end the block), then given its reactions.
        let found: Result<HistoryPage, AppError> = async {
            let (conversation, _) = self.conversation_cases.require_member(who, conversation_id).await?;
            let Some(query) = SearchQuery::parse(Some(q))? else {
                return self.history_of(who, &conversation.id, before, None, limit).await;
            };
            let limit = limit.unwrap_or(DEFAULT_HISTORY_PAGE).clamp(1, MAX_HISTORY_PAGE);
            let mut range = match before {
                Some(b) => HistoryRange::Before(check_cursor("before", b)?),
                None => HistoryRange::Latest,
            };
            let mut found: Vec<Message> = Vec::new();
            let mut scanned = 0;
            loop {
                let slice =
                    self.messages.list_messages(&who.tenant_id, &conversation.id, &range, MAX_HISTORY_PAGE).await?;
                let Some(oldest) = slice.messages.first().map(|m| m.id.clone()) else {
                    return Ok(HistoryPage { messages: found, older_cursor: None, newer_cursor: None });
                };
                for m in slice.messages.iter().rev() {
                    scanned += 1;
                    let named = || m.attachments.iter().any(|a| query.matches(a.name.as_str()));
                    if m.body.as_ref().is_some_and(|b| query.matches(b.as_str())) || named() {
                        found.insert(0, m.clone());
                        if found.len() == limit {
                            let more = slice.more || m.id != oldest;
                            return Ok(HistoryPage {
                                messages: found,
                                older_cursor: more.then(|| m.id.clone()),
                                newer_cursor: None,
                            });
                        }
                    }
                }
                if !slice.more {
                    return Ok(HistoryPage { messages: found, older_cursor: None, newer_cursor: None });
                }
                if scanned >= MAX_SEARCH_SCAN {
                    return Ok(HistoryPage { messages: found, older_cursor: Some(oldest), newer_cursor: None });
                }
                range = HistoryRange::Before(oldest);
            }
        }
        .await;
        self.with_reactions(who, conversation_id, found?).await
    }

    async fn history_of(
        &self,
        who: &Identity,
        conversation: &ConversationId,
        before: Option<&str>,
        after: Option<&str>,
        limit: Option<usize>,
    ) -> Result<HistoryPage, AppError> {
        let (range, limit) = page_request(before, after, limit)?;
        let slice = self.messages.list_messages(&who.tenant_id, conversation, &range, limit).await?;
        Ok(HistoryPage::of(&range, slice))
    }

    /// Replaces the text of one's own message; `message.updated` reaches the members. A
    /// message with attachments may lose its text; its files stay.
    pub async fn edit_message(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        body: &str,
        from_connection: Option<&ConnectionId>,
    ) -> Result<(Message, Option<EventId>), AppError> {
        let (member, moderator) = tokio::join!(
            self.conversation_cases.require_member(who, conversation_id),
            self.moderation.moderator(&who.tenant_id)
        );
        let (conversation, _) = member?;
        // An edit passes the same moderation as a send (a blank text is left to the checks below).
        let moderator = moderator?;
        let screened = match MessageBody::parse(body) {
            Ok(text) => self.moderation.screen(&moderator, who, &conversation, Some(text)).await?,
            Err(_) => None,
        };
        let body = screened.as_ref().map_or(body, MessageBody::as_str);
        // Who may be mentioned: read only when the text mentions someone.
        let members = if body.contains("<@") { Some(self.delivery.member_ids(&conversation).await?) } else { None };
        let now = self.clock.now();
        let edit = |message: &Message| {
            if message.sender_id != who.user_id || message.kind == MessageKind::System {
                return Err(AppError::forbidden("only the sender can edit a message"));
            }
            if message.deleted_at.is_some() {
                return Err(AppError::Conflict("the message is deleted".into()));
            }
            let body = body_of(Some(body), !message.attachments.is_empty())?;
            // Mentions follow the text (no one is notified again: an edit is not news).
            let mentions = match (&body, &members) {
                (Some(text), Some(members)) => mentions_in(text.as_str(), members),
                _ => Vec::new(),
            };
            Ok(Some(Message { body, mentions, edited_at: Some(now), ..message.clone() }))
        };
        let edited =
            self.change_message(&conversation, message_id, None, Change::Edited, from_connection, edit).await?;
        let version = format!("{}_{}", edited.0.id, edited.0.edited_at.map_or(0, |at| at.timestamp_millis()));
        self.message_event(WebhookEventType::MessageUpdated, &version, &edited.0).await;
        Ok(edited)
    }

    /// Deletes a message, keeping its tombstone (no text, no attachments) in history;
    /// `message.deleted` reaches the members. The sender, the group's owner and the tenant's
    /// admins may delete. Deleting a deleted message returns its tombstone and tells no one.
    pub async fn delete_message(
        &self,
        who: &Identity,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        from_connection: Option<&ConnectionId>,
    ) -> Result<(Message, Option<EventId>), AppError> {
        let (conversation, member) = self.conversation_cases.require_member(who, conversation_id).await?;
        let now = self.clock.now();
        let delete = |message: &Message| {
            let allowed = message.sender_id == who.user_id
                || (member.role == MemberRole::Owner && conversation.kind == ConversationKind::Group)
                || who.role == Role::Admin;
            if !allowed {
                return Err(AppError::forbidden("only the sender, the group's owner or an admin can delete a message"));
            }
            if message.deleted_at.is_some() {
                return Ok(None);
            }
            Ok(Some(Message { body: None, attachments: Vec::new(), deleted_at: Some(now), ..message.clone() }))
        };
        let found = self.find_message(&conversation, message_id).await?;
        let attachments = found.attachments.clone();
        let deleted = self
            .change_message(&conversation, message_id, Some(found), Change::Deleted, from_connection, delete)
            .await?;
        if deleted.1.is_some() && !attachments.is_empty() {
            self.attachments.discard(&conversation, message_id, &attachments).await;
        }
        if deleted.1.is_some() {
            self.message_event(WebhookEventType::MessageDeleted, deleted.0.id.as_str(), &deleted.0).await;
        }
        Ok(deleted)
    }

    /// An erased person's message becomes a tombstone of no one ([`Message::erased`]): written
    /// as a deletion is (over the message as read, again if another change landed first),
    /// `message.deleted` to the members, its files discarded. Nothing when its sender is
    /// already no one.
    pub async fn erase_sender(&self, conversation: &Conversation, message: Message) -> Result<(), AppError> {
        let (now, id, attachments) = (self.clock.now(), message.id.clone(), message.attachments.clone());
        let erase = |m: &Message| Ok((m.sender_id == message.sender_id).then(|| m.erased(now)));
        let (erased, changed) =
            self.change_message(conversation, &id, Some(message.clone()), Change::Deleted, None, erase).await?;
        if changed.is_some() {
            if !attachments.is_empty() {
                self.attachments.discard(conversation, &id, &attachments).await;
            }
            self.message_event(WebhookEventType::MessageDeleted, erased.id.as_str(), &erased).await;
        }
        Ok(())
    }

    /// `message.created|updated|deleted` for the tenant's webhooks (`id` names this version).
    async fn message_event(&self, kind: WebhookEventType, id: &str, message: &Message) {
        let data = serde_json::json!({ "message": message });
        self.webhook_events.publish(&message.tenant_id, kind, webhook_event_id(kind, id), data).await;
    }

    /// A thumbnail was made for one of a message's images: the message's attachment gets the
    /// image's size, and its members `message.updated`. Nothing when the message is gone.
    pub async fn show_image(
        &self,
        tenant: &TenantId,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        made: (UploadId, Dimensions),
    ) -> Result<(), AppError> {
        let Some(conversation) = self.conversations.get_conversation(tenant, conversation_id).await? else {
            return Ok(());
        };
        match self.show_images(&conversation, message_id, None, &[made]).await {
            Err(AppError::NotFound(_)) => Ok(()),
            other => other,
        }
    }

    /// The sizes of images whose thumbnails are made, into the message's attachments that lack
    /// them; `message.updated` when that changed anything (a deleted message has none left).
    async fn show_images(
        &self,
        conversation: &Conversation,
        id: &MessageId,
        read: Option<Message>,
        made: &[(UploadId, Dimensions)],
    ) -> Result<(), AppError> {
        if made.is_empty() {
            return Ok(());
        }
        let show = |message: &Message| {
            let mut shown = message.clone();
            let mut changed = false;
            for attachment in shown.attachments.iter_mut().filter(|a| !a.thumbnail) {
                if let Some((_, image)) = made.iter().find(|(id, _)| *id == attachment.id) {
                    attachment.show(*image);
                    changed = true;
                }
            }
            Ok(changed.then_some(shown))
        };
        self.change_message(conversation, id, read, Change::Edited, None, show).await?;
        Ok(())
    }

    async fn find_message(&self, conversation: &Conversation, id: &MessageId) -> Result<Message, AppError> {
        let found = self.messages.get_message(&conversation.tenant_id, &conversation.id, id).await?;
        found.ok_or_else(|| AppError::not_found("message"))
    }

    /// Changes a message as stored: `change` is given the message (`read`, or read now) and
    /// answers what it becomes (`None`: nothing to do). It is written only over the message it
    /// was made from — made again from the message read again when another change landed in
    /// between (an edit racing a deletion, or a thumbnail) — then reaches the members.
    async fn change_message(
        &self,
        conversation: &Conversation,
        id: &MessageId,
        read: Option<Message>,
        kind: Change,
        from_connection: Option<&ConnectionId>,
        change: impl Fn(&Message) -> Result<Option<Message>, AppError>,
    ) -> Result<(Message, Option<EventId>), AppError> {
        let mut current = match read {
            Some(message) => message,
            None => self.find_message(conversation, id).await?,
        };
        for _ in 0..MAX_CHANGE_ATTEMPTS {
            let Some(changed) = change(&current)? else { return Ok((current, None)) };
            if self.messages.update_message(&current, &changed).await? {
                let conversation_id = conversation.id.as_str();
                let frame = match kind {
                    Change::Deleted => Event::MessageDeleted { conversation_id, message: &changed, cursor: None },
                    Change::Edited => Event::MessageUpdated { conversation_id, message: &changed, cursor: None },
                };
                let cursor = self.delivery.publish_to_members(conversation, frame, from_connection).await?;
                return Ok((changed, Some(cursor)));
            }
            current = self.find_message(conversation, id).await?;
        }
        Err(AppError::Conflict("the message kept changing meanwhile: try again".into()))
    }
}

/// How often a change to a message is made again over changes that landed in between.
const MAX_CHANGE_ATTEMPTS: usize = 5;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Pass as `before` for the previous (older) page; null when nothing older exists.
    #[schema(required = true)]
    pub older_cursor: Option<MessageId>,
    /// Pass as `after` for the next (newer) page; null when nothing newer exists.
    #[schema(required = true)]
    pub newer_cursor: Option<MessageId>,
}

impl HistoryPage {
    /// A page of what was read, with the cursors to the pages either side of it.
    pub(super) fn of(range: &HistoryRange, slice: HistorySlice) -> Self {
        let first = slice.messages.first().map(|m| m.id.clone());
        let last = slice.messages.last().map(|m| m.id.clone());
        let (older_cursor, newer_cursor) = match range {
            HistoryRange::Latest => (first.filter(|_| slice.more), None),
            HistoryRange::Before(_) => (first.filter(|_| slice.more), last),
            HistoryRange::After(_) => (first, last.filter(|_| slice.more)),
        };
        HistoryPage { messages: slice.messages, older_cursor, newer_cursor }
    }
}

/// What a page request asks for: its range (`before` or `after` a cursor, or the newest) and
/// its size.
pub(super) fn page_request(
    before: Option<&str>,
    after: Option<&str>,
    limit: Option<usize>,
) -> Result<(HistoryRange, usize), AppError> {
    let range = match (before, after) {
        (Some(_), Some(_)) => return Err(AppError::invalid("use either `before` or `after`, not both")),
        (Some(b), None) => HistoryRange::Before(check_cursor("before", b)?),
        (None, Some(a)) => HistoryRange::After(check_cursor("after", a)?),
        (None, None) => HistoryRange::Latest,
    };
    Ok((range, limit.unwrap_or(DEFAULT_HISTORY_PAGE).clamp(1, MAX_HISTORY_PAGE)))
}

/// How many messages one search request reads at most; the rest is behind `olderCursor`.
const MAX_SEARCH_SCAN: usize = 5000;

/// A history cursor is a message's id (a ULID); `after=0` starts at the first message.
fn check_cursor(name: &str, value: &str) -> Result<MessageId, AppError> {
    let invalid = || AppError::invalid(format!("invalid {name}: expected a message id"));
    if !(name == "after" && value == "0") {
        ulid::Ulid::from_string(value).map_err(|_| invalid())?;
    }
    MessageId::parse(value).map_err(|_| invalid())
}

enum Change {
    Edited,
    Deleted,
}
