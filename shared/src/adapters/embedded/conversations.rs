//! Conversations, members, and each user's memberships, from which their list is computed
//! in the order of the conversations' current activity.

use std::ops::Bound;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redb::ReadableTable;

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its conversations role: the name this file adapts the port under.
pub type EmbeddedConversations = EmbeddedStore;

#[async_trait]
impl ConversationStore for EmbeddedConversations {
    async fn create_conversation(
        &self,
        conversation: &Conversation,
        members: &[Member],
        unique: Option<&str>,
    ) -> StoreResult<Upserted<Conversation>> {
        let (conversation_tenant, conversation_id) = (conversation.tenant_id.clone(), conversation.id.clone());
        let conversation = conversation.clone();
        let members = members.to_vec();
        let unique = unique.map(|u| unique_key(&conversation.tenant_id, u));
        let created = self
            .writing(move |t| {
                let tenant = &conversation.tenant_id;
                if let Some(u) = &unique {
                    if let Some(existing_id) = read::<ConversationId>(t, u)? {
                        let existing = read(t, &conversation_key(tenant, &existing_id))?
                            .context("a unique key points to a missing conversation")?;
                        return Ok(Upserted { value: existing, created: false });
                    }
                    write(t, u, &conversation.id)?;
                }
                write(t, &conversation_key(tenant, &conversation.id), &conversation)?;
                write(t, &tenant_conversation_key(tenant, &conversation.id), &conversation.id)?;
                for m in &members {
                    write(t, &member_key(tenant, &conversation.id, &m.user_id), m)?;
                    t.insert(membership_key(tenant, &m.user_id, &conversation.id).as_str(), &[][..])?;
                }
                Ok(Upserted { value: conversation.clone(), created: true })
            })
            .await?;
        self.member_ids.forget(&conversation_key(&conversation_tenant, &conversation_id));
        Ok(created)
    }
    async fn list_tenant_conversations(
        &self,
        tenant: &TenantId,
        after: Option<&ConversationId>,
        limit: usize,
    ) -> StoreResult<Page<ConversationId>> {
        let index = prefix(&["T", tenant.as_str(), "CONVS"]);
        let page = self.page::<ConversationId>(index, after.map(ConversationId::as_str), limit, false).await?;
        Ok(Page { items: page.items.into_iter().map(|(_, id)| id).collect(), next_cursor: page.next_cursor })
    }
    async fn update_conversation(&self, conversation: &Conversation) -> StoreResult<()> {
        let conversation = conversation.clone();
        self.writing(move |t| {
            let k = conversation_key(&conversation.tenant_id, &conversation.id);
            let stored: Conversation = read(t, &k)?.context("updating a missing conversation")?;
            // Activity and preview belong to the messages; only the details change here.
            let updated = Conversation {
                activity: stored.activity,
                last_activity_at: stored.last_activity_at,
                last_message: stored.last_message,
                message_count: stored.message_count,
                ..conversation.clone()
            };
            write(t, &k, &updated)
        })
        .await
    }
    async fn put_members(&self, conversation: &Conversation, members: &[Member]) -> StoreResult<()> {
        let (tenant, id) = (conversation.tenant_id.clone(), conversation.id.clone());
        let members = members.to_vec();
        let cached = conversation_key(&tenant, &id);
        self.writing(move |t| {
            for m in &members {
                write(t, &member_key(&tenant, &id, &m.user_id), m)?;
                t.insert(membership_key(&tenant, &m.user_id, &id).as_str(), &[][..])?;
            }
            Ok(())
        })
        .await?;
        self.member_ids.forget(&cached);
        Ok(())
    }
    async fn forget_unique_key(&self, tenant: &TenantId, key: &str) -> StoreResult<()> {
        let k = unique_key(tenant, key);
        self.writing(move |t| {
            t.remove(k.as_str())?;
            Ok(())
        })
        .await
    }
    async fn remove_member(&self, conversation: &Conversation, user: &UserId) -> StoreResult<bool> {
        let (tenant, id, user) = (conversation.tenant_id.clone(), conversation.id.clone(), user.clone());
        let cached = conversation_key(&tenant, &id);
        let removed = self
            .writing(move |t| {
                let removed = t.remove(member_key(&tenant, &id, &user).as_str())?.is_some();
                t.remove(membership_key(&tenant, &user, &id).as_str())?;
                Ok(removed)
            })
            .await?;
        self.member_ids.forget(&cached);
        Ok(removed)
    }
    async fn get_conversation_with_member_ids(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
    ) -> StoreResult<Option<(Conversation, Arc<[UserId]>)>> {
        let cached = conversation_key(tenant, conversation);
        let began = self.member_ids.epoch();
        let kept = self.member_ids.lookup(std::slice::from_ref(&cached)).pop().flatten();
        let (tenant, id) = (tenant.clone(), conversation.clone());
        let (found, read) = self
            .reading(move |t| {
                let Some(found) = read::<Conversation>(t, &conversation_key(&tenant, &id))? else {
                    return Ok((None, None));
                };
                if let Some(ids) = kept {
                    return Ok((Some((found, ids)), None));
                }
                let p = prefix(&["T", tenant.as_str(), "CONV", id.as_str(), "MEMBER"]);
                let rows =
                    scan(t, Bound::Included(p.as_str()), Bound::Excluded(prefix_end(&p).as_str()), false, usize::MAX)?;
                // The key ends with the member's id: nothing of the record is decoded.
                let ids: Arc<[UserId]> = rows
                    .iter()
                    .map(|(k, _)| UserId::parse(&k[p.len()..]).map_err(|e| anyhow::anyhow!("a member key: {e}")))
                    .collect::<anyhow::Result<_>>()?;
                Ok((Some((found, ids.clone())), Some(ids)))
            })
            .await?;
        if let Some(ids) = read {
            self.member_ids.keep(began, vec![(cached, ids)]);
        }
        Ok(found)
    }
    async fn get_conversation(&self, tenant: &TenantId, id: &ConversationId) -> StoreResult<Option<Conversation>> {
        self.get(conversation_key(tenant, id)).await
    }
    async fn get_member(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Option<Member>> {
        self.get(member_key(tenant, conversation, user)).await
    }
    async fn list_members(&self, tenant: &TenantId, conversation: &ConversationId) -> StoreResult<Vec<Member>> {
        let p = prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "MEMBER"]);
        self.reading(move |t| {
            let end = prefix_end(&p);
            scan(t, Bound::Included(&p), Bound::Excluded(&end), false, usize::MAX)?
                .into_iter()
                .map(|(_, v)| decode(&v))
                .collect()
        })
        .await
    }
    async fn list_user_conversations(
        &self,
        tenant: &TenantId,
        user: &UserId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<InboxEntry>> {
        let p = prefix(&["T", tenant.as_str(), "MEMBERSHIP", user.as_str()]);
        let (tenant, user, cursor) = (tenant.clone(), user.clone(), cursor.map(str::to_string));
        self.reading(move |t| {
            let end = prefix_end(&p);
            let mut entries = Vec::new();
            for (k, _) in scan(t, Bound::Included(&p), Bound::Excluded(&end), false, usize::MAX)? {
                let id = ConversationId::parse(&k[p.len()..]).map_err(|e| anyhow::anyhow!("{e}"))?;
                let conversation =
                    read(t, &conversation_key(&tenant, &id))?.context("a membership without its conversation")?;
                let member = read(t, &member_key(&tenant, &id, &user))?.context("a membership without its member")?;
                entries.push(InboxEntry { conversation, member });
            }
            Ok(InboxEntry::page(entries, cursor.as_deref(), limit))
        })
        .await
    }
    async fn list_user_conversation_ids(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<ConversationId>> {
        let p = prefix(&["T", tenant.as_str(), "MEMBERSHIP", user.as_str()]);
        self.reading(move |t| {
            let end = prefix_end(&p);
            scan(t, Bound::Included(&p), Bound::Excluded(&end), false, usize::MAX)?
                .into_iter()
                .map(|(k, _)| ConversationId::parse(&k[p.len()..]).map_err(|e| anyhow::anyhow!("{e}")))
                .collect()
        })
        .await
    }
    async fn mark_read(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<(Member, u64)>> {
        let (tenant, conversation, user, message) =
            (tenant.clone(), conversation.clone(), user.clone(), message.clone());
        self.writing(move |t| {
            let k = member_key(&tenant, &conversation, &user);
            let Some(mut member) = read::<Member>(t, &k)? else { return Ok(None) };
            if member.last_read_message_id.as_ref().is_some_and(|last| *last >= message) {
                return Ok(None);
            }
            let stored: Conversation =
                read(t, &conversation_key(&tenant, &conversation))?.context("reading a missing conversation")?;
            let after = message_key(&tenant, &conversation, message.as_str());
            let end = prefix_end(&prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "MSG"]));
            let unread =
                t.range::<&str>((Bound::Excluded(after.as_str()), Bound::Excluded(end.as_str())))?.count() as u64;
            member.last_read_message_id = Some(message.clone());
            member.last_read_at = Some(at);
            member.read_count = stored.message_count.saturating_sub(unread);
            write(t, &k, &member)?;
            Ok(Some((member, unread)))
        })
        .await
    }
    async fn set_member_settings(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        muted_until: Option<DateTime<Utc>>,
        archived_activity: Option<&str>,
    ) -> StoreResult<bool> {
        let k = member_key(tenant, conversation, user);
        let archived_activity = archived_activity.map(str::to_string);
        self.writing(move |t| {
            let Some(mut member) = read::<Member>(t, &k)? else { return Ok(false) };
            member.muted_until = muted_until;
            member.archived_activity = archived_activity.clone();
            write(t, &k, &member)?;
            Ok(true)
        })
        .await
    }

    async fn set_typing(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        until: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        let k = member_key(tenant, conversation, user);
        self.writing(move |t| {
            if let Some(mut member) = read::<Member>(t, &k)? {
                member.typing_until = until;
                write(t, &k, &member)?;
            }
            Ok(())
        })
        .await
    }
}
