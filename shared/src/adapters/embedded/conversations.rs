//! Conversations, members, and each user's inbox: keys ordered by activity.

use std::ops::Bound;

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

#[async_trait]
impl ConversationStore for EmbeddedStore {
    async fn create_conversation(
        &self,
        conversation: &Conversation,
        members: &[Member],
        unique: Option<&str>,
    ) -> StoreResult<Upserted<Conversation>> {
        let conversation = conversation.clone();
        let members = members.to_vec();
        let unique = unique.map(|u| unique_key(&conversation.tenant_id, u));
        self.writing(move |t| {
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
            for m in &members {
                write(t, &member_key(tenant, &conversation.id, &m.user_id), m)?;
                let inbox = inbox_key(tenant, &m.user_id, &conversation.activity, &conversation.id);
                t.insert(inbox.as_str(), &[][..])?;
            }
            Ok(Upserted { value: conversation, created: true })
        })
        .await
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
                ..conversation
            };
            write(t, &k, &updated)
        })
        .await
    }
    async fn put_members(&self, conversation: &Conversation, members: &[Member]) -> StoreResult<()> {
        let (tenant, id) = (conversation.tenant_id.clone(), conversation.id.clone());
        let members = members.to_vec();
        self.writing(move |t| {
            let current: Conversation =
                read(t, &conversation_key(&tenant, &id))?.context("members of a missing conversation")?;
            for m in &members {
                write(t, &member_key(&tenant, &id, &m.user_id), m)?;
                t.insert(inbox_key(&tenant, &m.user_id, &current.activity, &id).as_str(), &[][..])?;
            }
            Ok(())
        })
        .await
    }
    async fn remove_member(&self, conversation: &Conversation, user: &UserId) -> StoreResult<bool> {
        let (tenant, id, user) = (conversation.tenant_id.clone(), conversation.id.clone(), user.clone());
        self.writing(move |t| {
            let current: Conversation =
                read(t, &conversation_key(&tenant, &id))?.context("members of a missing conversation")?;
            let removed = t.remove(member_key(&tenant, &id, &user).as_str())?.is_some();
            t.remove(inbox_key(&tenant, &user, &current.activity, &id).as_str())?;
            Ok(removed)
        })
        .await
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
        let p = prefix(&["T", tenant.as_str(), "INBOX", user.as_str()]);
        let user = user.clone();
        let cursor = cursor.map(inbox_cursor_to_suffix);
        let tenant = tenant.clone();
        self.reading(move |t| {
            let end = prefix_end(&p);
            let from = format!("{p}{}", cursor.as_deref().unwrap_or_default());
            let to = if cursor.is_some() { Bound::Excluded(from.as_str()) } else { Bound::Excluded(end.as_str()) };
            let mut rows = scan(t, Bound::Included(&p), to, true, limit + 1)?;
            let more = rows.len() > limit;
            rows.truncate(limit);
            let next_cursor = if more { rows.last().map(|(k, _)| inbox_suffix_to_cursor(&k[p.len()..])) } else { None };
            let mut items = Vec::with_capacity(rows.len());
            for (k, _) in rows {
                let (_, conv) = k[p.len()..].split_once(SEP).context("malformed inbox key")?;
                let id = ConversationId::parse(conv).map_err(|e| anyhow::anyhow!("{e}"))?;
                let conversation =
                    read(t, &conversation_key(&tenant, &id))?.context("inbox entry without conversation")?;
                let member = read(t, &member_key(&tenant, &id, &user))?.context("inbox entry without membership")?;
                items.push(InboxEntry { conversation, member });
            }
            Ok(Page { items, next_cursor })
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
    ) -> StoreResult<Option<Member>> {
        let (tenant, conversation, user, message) =
            (tenant.clone(), conversation.clone(), user.clone(), message.clone());
        self.writing(move |t| {
            let k = member_key(&tenant, &conversation, &user);
            let Some(mut member) = read::<Member>(t, &k)? else { return Ok(None) };
            if member.last_read_message_id.as_ref().is_some_and(|last| *last >= message) {
                return Ok(None);
            }
            let after = message_key(&tenant, &conversation, message.as_str());
            let end = prefix_end(&prefix(&["T", tenant.as_str(), "CONV", conversation.as_str(), "MSG"]));
            let newer = scan(t, Bound::Excluded(after.as_str()), Bound::Excluded(end.as_str()), false, usize::MAX)?;
            let mut unread = 0;
            for (_, v) in newer {
                if decode::<Message>(&v)?.sender_id != user {
                    unread += 1;
                }
            }
            member.last_read_message_id = Some(message);
            member.last_read_at = Some(at);
            member.unread_count = unread;
            write(t, &k, &member)?;
            Ok(Some(member))
        })
        .await
    }
}
