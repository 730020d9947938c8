//! Conversations: creating them (idempotently where the product says so), reading them, and
//! the membership check that guards every conversation-scoped action.

use serde::{Deserialize, Serialize};

use super::Identity;
use crate::app::App;
use crate::domain::*;
use crate::ports::{Page, Upserted};
use crate::AppError;

/// A conversation as clients see it: the record and its members with their names.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub members: Vec<MemberView>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub user_id: UserId,
    pub name: String,
    pub role: MemberRole,
    pub joined_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize)]
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

/// Loads a conversation the caller belongs to. Another tenant's conversation, one the caller
/// is not a member of and (for a guest) any but its own all answer "not found", so that
/// nothing reveals which ids exist.
pub async fn require_member(
    app: &App,
    who: &Identity,
    id: &str,
) -> Result<(Conversation, Member), AppError> {
    let not_found = || AppError::not_found("conversation");
    let id = ConversationId::parse(id).map_err(|_| not_found())?;
    if who.conversation_scope.as_ref().is_some_and(|scope| *scope != id) {
        return Err(not_found());
    }
    let conversation = app.store.get_conversation(&who.tenant_id, &id).await?.ok_or_else(not_found)?;
    let member = app
        .store
        .get_member(&who.tenant_id, &id, &who.user_id)
        .await?
        .ok_or_else(not_found)?;
    Ok((conversation, member))
}

pub async fn create_conversation(
    app: &App,
    who: &Identity,
    new: NewConversation,
) -> Result<Upserted<ConversationView>, AppError> {
    who.require_signed_in()?;
    let now = app.clock.now();
    let id = app.ids.ulid();
    let member = |user_id: UserId, role| Member { user_id, role, joined_at: now };
    let base = |kind, title, storefront_id| Conversation {
        tenant_id: who.tenant_id.clone(),
        id: ConversationId::parse(id.clone()).expect("a ULID is a valid id"),
        kind,
        title,
        storefront_id,
        created_by: who.user_id.clone(),
        created_at: now,
        activity: id.clone(),
        last_activity_at: now,
        last_message: None,
    };
    let (conversation, members, unique_key) = match new {
        NewConversation::Direct { user_id } => {
            let other = existing_user(app, who, &user_id).await?;
            if other.id == who.user_id {
                return Err(AppError::invalid("invalid userId: a direct conversation needs another user"));
            }
            let key = Conversation::direct_pair_key(&who.user_id, &other.id);
            let members = vec![
                member(who.user_id.clone(), MemberRole::Member),
                member(other.id, MemberRole::Member),
            ];
            (base(ConversationKind::Direct, None, None), members, Some(key))
        }
        NewConversation::Group { title, member_ids } => {
            let title = parse_text("title", &title, 120)?;
            let mut members = vec![member(who.user_id.clone(), MemberRole::Owner)];
            for raw in member_ids {
                let user = existing_user(app, who, &raw).await?;
                if !members.iter().any(|m| m.user_id == user.id) {
                    members.push(member(user.id, MemberRole::Member));
                }
            }
            if members.len() > app.config.limits.max_group_members {
                return Err(AppError::invalid(format!(
                    "invalid memberIds: a group has at most {} members",
                    app.config.limits.max_group_members
                )));
            }
            (base(ConversationKind::Group, Some(title), None), members, None)
        }
        NewConversation::Storefront { storefront_id } => {
            let storefront = super::storefronts::find_storefront(app, &who.tenant_id, &storefront_id).await?;
            let key = Conversation::storefront_client_key(&storefront.id, &who.user_id);
            let members = storefront_members(&storefront, who.user_id.clone(), now);
            let title = Some(storefront.title.clone());
            (base(ConversationKind::Storefront, title, Some(storefront.id)), members, Some(key))
        }
    };
    let stored = app.store.create_conversation(&conversation, &members, unique_key.as_deref()).await?;
    Ok(Upserted { value: view(app, stored.value).await?, created: stored.created })
}

/// The members of a storefront conversation: the client (or guest) and the partner team.
pub fn storefront_members(
    storefront: &Storefront,
    client: UserId,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Member> {
    let mut members = vec![Member { user_id: client, role: MemberRole::Owner, joined_at: now }];
    for partner in &storefront.partner_ids {
        if !members.iter().any(|m| m.user_id == *partner) {
            members.push(Member { user_id: partner.clone(), role: MemberRole::Member, joined_at: now });
        }
    }
    members
}

async fn existing_user(app: &App, who: &Identity, raw: &str) -> Result<User, AppError> {
    let id = UserId::parse(raw)?;
    app.store
        .get_user(&who.tenant_id, &id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("user {id} not found")))
}

pub async fn get_conversation(app: &App, who: &Identity, id: &str) -> Result<ConversationView, AppError> {
    let (conversation, _) = require_member(app, who, id).await?;
    view(app, conversation).await
}

pub async fn list_conversations(
    app: &App,
    who: &Identity,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<Conversation>, AppError> {
    let limit = limit.clamp(1, super::users::MAX_PAGE);
    Ok(app.store.list_user_conversations(&who.tenant_id, &who.user_id, cursor, limit).await?)
}

async fn view(app: &App, conversation: Conversation) -> Result<ConversationView, AppError> {
    let members = app.store.list_members(&conversation.tenant_id, &conversation.id).await?;
    let ids: Vec<UserId> = members.iter().map(|m| m.user_id.clone()).collect();
    let users = app.store.get_users(&conversation.tenant_id, &ids).await?;
    let name_of = |id: &UserId| {
        users.iter().find(|u| u.id == *id).map_or_else(|| id.to_string(), |u| u.name.as_str().to_string())
    };
    let members = members
        .into_iter()
        .map(|m| MemberView { name: name_of(&m.user_id), user_id: m.user_id, role: m.role, joined_at: m.joined_at })
        .collect();
    Ok(ConversationView { conversation, members })
}
