//! Conversations: creating them (idempotently where the product says so), reading them, and
//! the membership check that guards every conversation-scoped action.

use super::delivery::DeliveryUseCases;
use super::storefronts::StorefrontsUseCases;
use super::webhook_events::{event_id as webhook_event_id, WebhookEventsUseCases};
use crate::config::Limits;
use crate::ports::{Clock, ConversationStore, Ids, UserStore};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::identity::Identity;
use crate::domain::*;
use crate::ports::{Page, Upserted};
use crate::protocol::Event;
use crate::AppError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum NewConversation {
    Direct {
        #[serde(rename = "userId")]
        user_id: String,
    },
    Group {
        title: String,
        #[serde(rename = "memberIds")]
        member_ids: Vec<String>,
    },
    /// A signed-in client opening the chat card of a storefront.
    Storefront {
        #[serde(rename = "storefrontId")]
        storefront_id: String,
    },
}

/// The conversations use cases, with the ports they use.
#[derive(Clone)]
pub struct ConversationsUseCases {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) conversations: Arc<dyn ConversationStore>,
    pub(crate) ids: Arc<dyn Ids>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) limits: Limits,
    pub(crate) delivery: DeliveryUseCases,
    pub(crate) storefronts: StorefrontsUseCases,
    pub(crate) webhook_events: WebhookEventsUseCases,
}

impl ConversationsUseCases {
    /// Loads a conversation the caller belongs to. Another tenant's conversation, one the caller
    /// is not a member of and (for a guest) any but its own all answer "not found", so that
    /// nothing reveals which ids exist.
    pub async fn require_member(
        &self,
        who: &Identity,
        id: &ConversationId,
    ) -> Result<(Conversation, Member), AppError> {
        check_scope(who, id)?;
        self.conversations
            .get_membership(&who.tenant_id, id, &who.user_id)
            .await?
            .ok_or_else(|| AppError::not_found("conversation"))
    }

    pub async fn create_conversation(
        &self,
        who: &Identity,
        new: NewConversation,
    ) -> Result<Upserted<ConversationView>, AppError> {
        who.require_signed_in()?;
        let now = self.clock.now();
        let me = || Member::new(who.user_id.clone(), MemberRole::Member, now);
        let (kind, title, storefront_id, members, unique_key) = match new {
            NewConversation::Direct { user_id } => {
                let other = self.existing_user(who, &user_id).await?;
                if other.id == who.user_id {
                    return Err(AppError::invalid("invalid userId: a direct conversation needs another user"));
                }
                let key = Conversation::direct_pair_key(&who.user_id, &other.id);
                let members = vec![me(), Member::new(other.id, MemberRole::Member, now)];
                (ConversationKind::Direct, None, None, members, Some(key))
            }
            NewConversation::Group { title, member_ids } => {
                let title = parse_text("title", &title, 120)?;
                let mut members = vec![Member::new(who.user_id.clone(), MemberRole::Owner, now)];
                let others: Vec<UserId> =
                    distinct_ids(&member_ids)?.into_iter().filter(|id| *id != who.user_id).collect();
                self.check_group_size(members.len() + others.len())?;
                self.existing_users(&who.tenant_id, &others).await?;
                members.extend(others.into_iter().map(|id| Member::new(id, MemberRole::Member, now)));
                (ConversationKind::Group, Some(title), None, members, None)
            }
            NewConversation::Storefront { storefront_id } => {
                let storefront =
                    self.storefronts.find_storefront(&who.tenant_id, &StorefrontId::lookup(&storefront_id)?).await?;
                let key = Conversation::storefront_client_key(&storefront.id, &who.user_id);
                let members = storefront_members(&storefront, who.user_id.clone(), now);
                (ConversationKind::Storefront, Some(storefront.title), Some(storefront.id), members, Some(key))
            }
        };
        let conversation = Conversation::new(
            who.tenant_id.clone(),
            ConversationId::parse(self.ids.ulid())?,
            kind,
            title,
            storefront_id,
            who.user_id.clone(),
            now,
            self.participants(&who.tenant_id, &members).await?,
        );
        let stored = self.conversations.create_conversation(&conversation, &members, unique_key.as_deref()).await?;
        let view = self.get_view(stored.value).await?;
        if stored.created {
            let event = Event::ConversationCreated { conversation: &view, cursor: None };
            self.delivery.publish_to_members(&view.conversation, event, None).await?;
            self.conversation_created(&view).await;
        }
        Ok(Upserted { value: view, created: stored.created })
    }

    /// `conversation.created` for the tenant's webhooks.
    pub(crate) async fn conversation_created(&self, view: &ConversationView) {
        let kind = WebhookEventType::ConversationCreated;
        let id = webhook_event_id(kind, view.conversation.id.as_str());
        let data = serde_json::json!({ "conversation": view });
        self.webhook_events.publish(&view.conversation.tenant_id, kind, id, data).await;
    }

    pub fn check_group_size(&self, members: usize) -> Result<(), AppError> {
        let max = self.limits.max_group_members;
        if members > max {
            return Err(AppError::invalid(format!("invalid memberIds: a group has at most {max} members")));
        }
        Ok(())
    }

    /// The participants' names, read in one batch.
    pub async fn participants(&self, tenant: &TenantId, members: &[Member]) -> Result<Vec<Participant>, AppError> {
        let ids: Vec<UserId> = members.iter().map(|m| m.user_id.clone()).collect();
        let users = self.users.get_users(tenant, &ids).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                let name =
                    users.iter().find(|u| u.id == id).map_or_else(|| id.to_string(), |u| u.name.as_str().to_string());
                Participant { user_id: id, name }
            })
            .collect())
    }

    /// Checks that every one of `ids` is a user of the tenant, in one batch read (a group of a
    /// thousand is one request's work, not a thousand reads); 404 names the first one missing.
    pub async fn existing_users(&self, tenant: &TenantId, ids: &[UserId]) -> Result<(), AppError> {
        let found = self.users.get_users(tenant, ids).await?;
        let known: std::collections::HashSet<&UserId> = found.iter().map(|u| &u.id).collect();
        match ids.iter().find(|id| !known.contains(id)) {
            Some(missing) => Err(AppError::NotFound(format!("user {missing} not found"))),
            None => Ok(()),
        }
    }

    async fn existing_user(&self, who: &Identity, raw: &str) -> Result<User, AppError> {
        let id = UserId::parse(raw)?;
        self.users
            .get_user(&who.tenant_id, &id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user {id} not found")))
    }

    pub async fn get_conversation(&self, who: &Identity, id: &ConversationId) -> Result<ConversationView, AppError> {
        let (conversation, _) = self.require_member(who, id).await?;
        self.get_view(conversation).await
    }

    /// The caller's conversations, latest activity first, each with its unread count. `kind`
    /// and `q` (titles and participants' names, case- and accent-insensitive) filter the list
    /// as it is read, so a filtered page may read up to `MAX_FILTER_READ` entries.
    pub async fn list_conversations(
        &self,
        who: &Identity,
        filter: &ListFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<ConversationListItem>, AppError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let q = SearchQuery::parse(filter.q.as_deref())?;
        // Archived conversations are listed apart (`archived=true`), until a newer message.
        let archived = filter.archived.unwrap_or(false);
        let matches = |c: &Conversation, m: &Member| {
            m.archived_in(c) == archived
                && filter.kind.is_none_or(|k| c.kind == k)
                && q.as_ref().is_none_or(|q| {
                    c.title.as_deref().is_some_and(|t| q.matches(t))
                        || c.participants.iter().any(|p| q.matches(&p.name))
                })
        };
        let filtered = filter.kind.is_some() || q.is_some() || archived;
        let batch = if filtered { MAX_PAGE } else { limit };
        let mut items = Vec::new();
        let mut cursor = cursor.map(str::to_string);
        let mut read = 0;
        loop {
            let page = self
                .conversations
                .list_user_conversations(&who.tenant_id, &who.user_id, cursor.as_deref(), batch)
                .await?;
            let more = page.next_cursor.is_some();
            let in_page = page.items.len();
            for (i, entry) in page.items.into_iter().enumerate() {
                read += 1;
                cursor = Some(entry.cursor());
                if matches(&entry.conversation, &entry.member) {
                    items.push(ConversationListItem {
                        unread_count: entry.conversation.unread_for(&entry.member),
                        muted_until: entry.member.muted_until.filter(|until| *until > self.clock.now()),
                        archived,
                        last_read_message_id: entry.member.last_read_message_id,
                        conversation: entry.conversation,
                    });
                    if items.len() == limit {
                        // The page is full: the next one starts after this entry, if any is left.
                        let left = more || i + 1 < in_page;
                        return Ok(Page { items, next_cursor: if left { cursor } else { None } });
                    }
                }
            }
            if !more {
                return Ok(Page { items, next_cursor: None });
            }
            if read >= MAX_FILTER_READ {
                return Ok(Page { items, next_cursor: cursor });
            }
        }
    }

    /// A conversation with its members' names and read markers.
    pub async fn get_view(&self, conversation: Conversation) -> Result<ConversationView, AppError> {
        let members = self.conversations.list_members(&conversation.tenant_id, &conversation.id).await?;
        let ids: Vec<UserId> = members.iter().map(|m| m.user_id.clone()).collect();
        let users = self.users.get_users(&conversation.tenant_id, &ids).await?;
        let name_of = |id: &UserId| {
            users.iter().find(|u| u.id == *id).map_or_else(|| id.to_string(), |u| u.name.as_str().to_string())
        };
        let members = members
            .into_iter()
            .map(|m| MemberView {
                name: name_of(&m.user_id),
                user_id: m.user_id,
                role: m.role,
                joined_at: m.joined_at,
                last_read_message_id: m.last_read_message_id,
                last_read_at: m.last_read_at,
            })
            .collect();
        Ok(ConversationView { conversation, members })
    }
}

/// A guest's session is for one conversation: any other is not found.
pub fn check_scope(who: &Identity, id: &ConversationId) -> Result<(), AppError> {
    match &who.conversation_scope {
        Some(scope) if scope != id => Err(AppError::not_found("conversation")),
        _ => Ok(()),
    }
}

/// The members of a storefront conversation: the client (or guest) and the partner team.
pub fn storefront_members(storefront: &Storefront, client: UserId, now: chrono::DateTime<chrono::Utc>) -> Vec<Member> {
    let mut members = vec![Member::new(client, MemberRole::Owner, now)];
    for partner in &storefront.partner_ids {
        if !members.iter().any(|m| m.user_id == *partner) {
            members.push(Member::new(partner.clone(), MemberRole::Member, now));
        }
    }
    members
}

/// `raw` as user ids, each once, in their first order.
pub fn distinct_ids(raw: &[String]) -> Result<Vec<UserId>, AppError> {
    let mut ids: Vec<UserId> = Vec::with_capacity(raw.len());
    for r in raw {
        let id = UserId::parse(r.as_str())?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// One line of the conversation list.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationListItem {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub unread_count: u64,
    /// The caller muted it until then (absent when not muted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted_until: Option<DateTime<Utc>>,
    /// The caller archived it (only in `archived=true` listings).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
    #[schema(required = true)]
    pub last_read_message_id: Option<MessageId>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListFilter {
    pub kind: Option<ConversationKind>,
    pub q: Option<String>,
    /// `true`: the caller's archived conversations only; otherwise they are left out.
    pub archived: Option<bool>,
}

/// The largest page of conversations.
pub const MAX_PAGE: usize = 100;

/// How many entries a filtered listing reads at most to fill one page; what it has not
/// read yet is behind the returned cursor.
const MAX_FILTER_READ: usize = 1000;
