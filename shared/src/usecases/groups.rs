//! Managing a group: rename, add and remove members, leave. Each change leaves a `system`
//! message in the conversation and sends `conversation.updated`.

use super::conversations::distinct_ids;
use super::conversations::ConversationsUseCases;
use super::delivery::DeliveryUseCases;
use super::identity::Identity;
use super::webhook_events::{event_id as webhook_event_id, WebhookEventsUseCases};
use crate::domain::*;
use crate::i18n::{group_change, GroupChangeText};
use crate::ports::{Clock, ConversationStore, Ids, MessageStore, TenantStore};
use crate::protocol::Event;
use crate::AppError;
use std::sync::Arc;

/// The groups use cases, with the ports they use.
#[derive(Clone)]
pub struct GroupsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) messages: Arc<dyn MessageStore>,
    pub(crate) tenants: Arc<dyn TenantStore>,
    pub(crate) conversation_cases: ConversationsUseCases,
    pub(crate) delivery: DeliveryUseCases,
    pub(crate) webhook_events: WebhookEventsUseCases,
}

impl GroupsUseCases {
    /// Loads a group the caller belongs to; with `owner`, the caller must own it.
    /// Whether `who` may change the group (its owner).
    pub async fn require_owner(&self, who: &Identity, id: &ConversationId) -> Result<(), AppError> {
        self.group(who, id, true).await.map(|_| ())
    }

    async fn group(
        &self,
        who: &Identity,
        id: &ConversationId,
        owner: bool,
    ) -> Result<(Conversation, Member), AppError> {
        let (conversation, member) = self.conversation_cases.require_member(who, id).await?;
        if conversation.kind != ConversationKind::Group {
            return Err(AppError::invalid("only a group can be changed"));
        }
        if owner && member.role != MemberRole::Owner {
            return Err(AppError::forbidden("only the group's owner can do this"));
        }
        Ok((conversation, member))
    }

    pub async fn rename(&self, who: &Identity, id: &ConversationId, title: &str) -> Result<ConversationView, AppError> {
        let (mut conversation, _) = self.group(who, id, true).await?;
        let title = parse_text("title", title, 120)?;
        conversation.title = Some(title.clone());
        self.conversations.update_conversation(&conversation).await?;
        let system = GroupChange::Renamed { actor_id: who.user_id.clone(), title: title.clone() };
        let text = |locale| group_change(locale, &GroupChangeText::Renamed { actor: &who.name, title: &title });
        self.announce(who, &conversation, system, text, &[]).await
    }

    pub async fn add_members(
        &self,
        who: &Identity,
        id: &ConversationId,
        user_ids: &[String],
    ) -> Result<ConversationView, AppError> {
        let (mut conversation, _) = self.group(who, id, true).await?;
        let current = self.conversations.list_members(&who.tenant_id, &conversation.id).await?;
        let now = self.clock.now();
        let ids = distinct_ids(user_ids)?;
        let new_ids: Vec<&UserId> = ids.iter().filter(|id| !current.iter().any(|m| m.user_id == **id)).collect();
        // The size first: a request naming thousands is refused before it is read.
        self.conversation_cases.check_group_size(current.len() + new_ids.len())?;
        self.conversation_cases.existing_users(&who.tenant_id, &ids).await?;
        if new_ids.is_empty() {
            return Err(AppError::invalid("invalid userIds: no one to add"));
        }
        let added: Vec<Member> =
            new_ids.into_iter().map(|id| Member::new(id.clone(), MemberRole::Member, now)).collect();
        self.conversations.put_members(&conversation, &added).await?;
        let new_people = self.conversation_cases.participants(&who.tenant_id, &added).await?;
        conversation.participants.extend(new_people.iter().cloned());
        self.conversations.update_conversation(&conversation).await?;
        let names: Vec<String> = new_people.iter().map(|p| p.name.clone()).collect();
        let user_ids = added.iter().map(|m| m.user_id.clone()).collect();
        let system = GroupChange::Added { actor_id: who.user_id.clone(), user_ids };
        let text = |locale| group_change(locale, &GroupChangeText::Added { actor: &who.name, names: &names });
        self.announce(who, &conversation, system, text, &[]).await
    }

    /// Removes `user_id`: the owner removes anyone, anyone removes themself (leaves). When the
    /// last owner leaves, the longest-standing member becomes owner.
    pub async fn remove_member(
        &self,
        who: &Identity,
        id: &ConversationId,
        target: &UserId,
    ) -> Result<ConversationView, AppError> {
        let leaving = *target == who.user_id;
        let (mut conversation, _) = self.group(who, id, !leaving).await?;
        let target = target.clone();
        if !self.conversations.remove_member(&conversation, &target).await? {
            return Err(AppError::not_found("member"));
        }
        let name = conversation
            .participants
            .iter()
            .find(|p| p.user_id == target)
            .map_or_else(|| target.to_string(), |p| p.name.clone());
        conversation.participants.retain(|p| p.user_id != target);
        let remaining = self.conversations.list_members(&who.tenant_id, &conversation.id).await?;
        if !remaining.is_empty() && !remaining.iter().any(|m| m.role == MemberRole::Owner) {
            let mut heir = remaining.iter().min_by_key(|m| m.joined_at).cloned().expect("not empty");
            heir.role = MemberRole::Owner;
            self.conversations.put_members(&conversation, &[heir]).await?;
        }
        self.conversations.update_conversation(&conversation).await?;
        let (actor_id, user_ids) = (who.user_id.clone(), vec![target.clone()]);
        let system = if leaving {
            GroupChange::Left { actor_id, user_ids }
        } else {
            GroupChange::Removed { actor_id, user_ids }
        };
        let text = |locale| {
            if leaving {
                group_change(locale, &GroupChangeText::Left { name: &name })
            } else {
                group_change(locale, &GroupChangeText::Removed { actor: &who.name, name: &name })
            }
        };
        // The removed member hears of it once more, and then nothing from this conversation.
        self.announce(who, &conversation, system, text, &[target]).await
    }

    /// Leaves the system message, then sends `conversation.updated` to the members and to
    /// `also` (members who just left).
    pub(crate) async fn announce(
        &self,
        who: &Identity,
        conversation: &Conversation,
        system: GroupChange,
        text: impl Fn(Locale) -> String,
        also: &[UserId],
    ) -> Result<ConversationView, AppError> {
        let tenant = self.tenants.get_tenant(&who.tenant_id).await?.ok_or_else(|| AppError::not_found("tenant"))?;
        let message = Message {
            tenant_id: who.tenant_id.clone(),
            conversation_id: conversation.id.clone(),
            id: MessageId::parse(self.ids.ulid())?,
            sender_id: who.user_id.clone(),
            sender_name: who.name.clone(),
            sender_bot: false,
            mentions: Vec::new(),
            body: Some(MessageBody::parse(text(tenant.locale))?),
            attachments: Vec::new(),
            client_message_id: None,
            kind: MessageKind::System,
            system: Some(system.clone()),
            created_at: self.clock.now(),
            edited_at: None,
            deleted_at: None,
            reactions: Vec::new(),
            parent_id: None,
            also_in_conversation: false,
            reply_count: 0,
            last_reply_at: None,
            reply_user_ids: Vec::new(),
        };
        let logged = self.delivery.message_event(&message)?;
        let appended = self.messages.append_message(conversation, &message, &logged, &[]).await?;
        appended.map_err(|_| AppError::internal(anyhow::anyhow!("a system message attaches nothing")))?;
        let view = self.conversation_cases.get_view(conversation.clone()).await?;
        let members: Vec<UserId> = view.members.iter().map(|m| m.user_id.clone()).collect();
        self.delivery.push_to_members(conversation, &members, logged, None, None).await?;
        let event = || Event::ConversationUpdated { conversation: &view, change: &system, cursor: None };
        self.delivery.publish_to_conversation(conversation, &members, event(), None, None).await?;
        if !also.is_empty() {
            // Those who just left are no longer members: the news goes to their own feed.
            self.delivery.publish_to_users(&who.tenant_id, also, event()).await?;
        }
        let kind = match &system {
            GroupChange::Added { .. } => WebhookEventType::MemberAdded,
            GroupChange::Removed { .. } | GroupChange::Left { .. } => WebhookEventType::MemberRemoved,
            _ => WebhookEventType::ConversationUpdated,
        };
        // The change's own message names it: the same event however often it is told.
        let data = serde_json::json!({ "conversation": &view, "change": &system });
        self.webhook_events.publish(&who.tenant_id, kind, webhook_event_id(kind, message.id.as_str()), data).await;
        Ok(view)
    }
}
