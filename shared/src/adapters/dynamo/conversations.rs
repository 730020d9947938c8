//! Conversations (`META`: the details; `HEAD`: activity, preview, message count and latest
//! event, which every message moves) and members (`M#`, indexed in GSI1 under their user: a
//! user's memberships, from which their list is computed in the order of the conversations'
//! current activity).

use std::collections::HashMap;

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::ops::{all_pages, count_all, MAX_TRANSACTION_ITEMS};
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

/// The DynamoDB store in its conversations role: the name this file adapts the port under.
pub type DynamoConversations = DynamoStore;

#[async_trait]
impl ConversationStore for DynamoConversations {
    async fn create_conversation(
        &self,
        conversation: &Conversation,
        members: &[Member],
        unique: Option<&str>,
    ) -> StoreResult<Upserted<Conversation>> {
        let tenant = &conversation.tenant_id;
        let mut writes = Vec::new();
        if let Some(u) = unique {
            let mut item = key(unique_pk(tenant, u), "UNIQ");
            item.insert("conversationId".into(), s(conversation.id.as_str()));
            writes.push(self.put(item, Some("attribute_not_exists(PK)"))?);
        }
        let mut details = self.conversation_item(conversation)?;
        if let Some(u) = unique {
            // Kept beside the details: an offboarding frees the key with the conversation.
            details.insert("uniqueKey".into(), s(u));
        }
        writes.push(self.put(details, Some("attribute_not_exists(PK)"))?);
        writes.push(self.put(head_item(conversation_pk(tenant, &conversation.id), conversation)?, None)?);
        let indexed = key(tenant_conversations_pk(tenant), tenant_conversation_sk(&conversation.id));
        writes.push(self.put(indexed, None)?);
        let member_items: Vec<Item> =
            members.iter().map(|m| self.member_item(conversation, m)).collect::<anyhow::Result<_>>()?;
        // As many members as fit go into the transaction; a larger group's other members
        // follow in batches, before the creation is acknowledged.
        let room = MAX_TRANSACTION_ITEMS - writes.len();
        let (first, rest) = member_items.split_at(member_items.len().min(room));
        for item in first {
            writes.push(self.put(item.clone(), None)?);
        }
        match self.client.transact_write_items().set_transact_items(Some(writes)).send().await {
            Ok(_) => {}
            Err(e) if unique.is_some() && transaction_condition_failed(&e) => {
                let u = unique.unwrap_or_default();
                let pointer = self.get_item(key(unique_pk(tenant, u), "UNIQ")).await?.context("unique key vanished")?;
                let id = ConversationId::parse(text(&pointer, "conversationId")?).map_err(|e| anyhow!("{e}"))?;
                let existing = self
                    .get_conversation(tenant, &id)
                    .await?
                    .context("a unique key points to a missing conversation")?;
                return Ok(Upserted { value: existing, created: false });
            }
            Err(e) => return Err(StoreError(e.into())),
        }
        self.batch_put(rest.to_vec()).await?;
        Ok(Upserted { value: conversation.clone(), created: true })
    }
    async fn list_tenant_conversations(
        &self,
        tenant: &TenantId,
        after: Option<&ConversationId>,
        limit: usize,
    ) -> StoreResult<Page<ConversationId>> {
        let pk = tenant_conversations_pk(tenant);
        let start = after.map(|c| key(pk.clone(), tenant_conversation_sk(c)));
        let mut items = self.query(None, "PK = :pk", vec![(":pk", pk.clone())], true, limit, start).await?;
        let more = items.len() > limit;
        items.truncate(limit);
        let ids = items
            .iter()
            .map(|item| {
                let sk = text(item, "SK")?;
                let id = sk.strip_prefix("C#").context("not a conversation's index item")?;
                ConversationId::parse(id).map_err(|e| anyhow!("{e}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let next_cursor = if more { ids.last().map(|c| c.to_string()) } else { None };
        Ok(Page { items: ids, next_cursor })
    }
    async fn update_conversation(&self, conversation: &Conversation) -> StoreResult<()> {
        // Only the details: activity, preview and count live in the head, which messages move.
        let pk = conversation_pk(&conversation.tenant_id, &conversation.id);
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, META_SK)))
            .update_expression("SET #data = :data")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#data", "data")
            .expression_attribute_values(
                ":data",
                s(serde_json::to_string(&details(conversation)).map_err(anyhow::Error::from)?),
            )
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(())
    }
    async fn put_members(&self, conversation: &Conversation, members: &[Member]) -> StoreResult<()> {
        let items = members.iter().map(|m| self.member_item(conversation, m)).collect::<anyhow::Result<Vec<_>>>()?;
        Ok(self.batch_put(items).await?)
    }
    async fn forget_unique_key(&self, tenant: &TenantId, unique: &str) -> StoreResult<()> {
        let pointer = key(unique_pk(tenant, unique), "UNIQ");
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(pointer))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        // The conversation's details kept the key (for an offboarding): it names the pair.
        let Some(id) = deleted.attributes.as_ref().and_then(|a| text(a, "conversationId").ok()) else { return Ok(()) };
        let id = ConversationId::parse(id).map_err(|e| anyhow!("{e}"))?;
        let forgotten = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(conversation_pk(tenant, &id), META_SK)))
            .update_expression("REMOVE uniqueKey")
            .condition_expression("uniqueKey = :key")
            .expression_attribute_values(":key", s(unique))
            .send()
            .await;
        match forgotten {
            Err(e) if !is_condition_failure(&e) => Err(StoreError(e.into())),
            _ => Ok(()),
        }
    }
    async fn remove_member(&self, conversation: &Conversation, user: &UserId) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(conversation_pk(&conversation.tenant_id, &conversation.id), member_sk(user))))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(anyhow::Error::from)?;
        Ok(out.attributes.is_some())
    }
    async fn get_conversation(&self, tenant: &TenantId, id: &ConversationId) -> StoreResult<Option<Conversation>> {
        Ok(self.read_conversations(tenant, std::slice::from_ref(id)).await?.remove(id))
    }
    async fn get_member(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Option<Member>> {
        let item = self.get_item(key(conversation_pk(tenant, conversation), member_sk(user))).await?;
        Ok(item.as_ref().map(member_from).transpose()?)
    }
    async fn list_members(&self, tenant: &TenantId, conversation: &ConversationId) -> StoreResult<Vec<Member>> {
        let items = self.query_all(conversation_pk(tenant, conversation), "M#").await?;
        Ok(items.iter().map(member_from).collect::<anyhow::Result<_>>()?)
    }
    async fn get_membership(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
    ) -> StoreResult<Option<(Conversation, Member)>> {
        // The conversation's two items and the member's, in one call.
        let pk = conversation_pk(tenant, conversation);
        let member_key = member_sk(user);
        let items = self
            .batch_get(vec![key(pk.clone(), HEAD_SK), key(pk.clone(), META_SK), key(pk, member_key.clone())])
            .await?;
        let find = |sk: &str| items.iter().find(|i| text(i, "SK").is_ok_and(|k| k == sk));
        let (Some(head), Some(meta), Some(member)) = (find(HEAD_SK), find(META_SK), find(&member_key)) else {
            return Ok(None);
        };
        Ok(Some((conversation_from(meta, head)?, member_from(member)?)))
    }
    async fn get_conversation_with_members(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
    ) -> StoreResult<Option<(Conversation, Vec<Member>)>> {
        // `HEAD` < `M#…` < `META`: one Query reads them all (a page holds thousands of members).
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :head AND :meta")
            .expression_attribute_values(":pk", s(conversation_pk(tenant, conversation)))
            .expression_attribute_values(":head", s(HEAD_SK))
            .expression_attribute_values(":meta", s(META_SK));
        let items = all_pages(request).await?;
        let (Some(head), Some(meta)) = (items.first(), items.last()) else { return Ok(None) };
        if text(head, "SK")? != HEAD_SK || text(meta, "SK")? != META_SK {
            return Ok(None);
        }
        let members = items[1..items.len() - 1].iter().map(member_from).collect::<anyhow::Result<_>>()?;
        Ok(Some((conversation_from(meta, head)?, members)))
    }
    async fn list_user_conversations(
        &self,
        tenant: &TenantId,
        user: &UserId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<InboxEntry>> {
        let memberships = self.query_index_all("GSI1", user_pk(tenant, user)).await?;
        let ids: Vec<ConversationId> =
            memberships.iter().map(|m| membership_conversation(tenant, m)).collect::<anyhow::Result<_>>()?;
        let mut conversations = self.read_conversations(tenant, &ids).await?;
        let mut entries = Vec::with_capacity(memberships.len());
        for (item, id) in memberships.iter().zip(&ids) {
            if let Some(conversation) = conversations.remove(id) {
                entries.push(InboxEntry { conversation, member: member_from(item)? });
            }
        }
        Ok(InboxEntry::page(entries, cursor, limit))
    }
    async fn list_user_conversation_ids(&self, tenant: &TenantId, user: &UserId) -> StoreResult<Vec<ConversationId>> {
        let memberships = self.query_index_all("GSI1", user_pk(tenant, user)).await?;
        Ok(memberships.iter().map(|m| membership_conversation(tenant, m)).collect::<anyhow::Result<_>>()?)
    }
    async fn mark_read(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<(Member, u64)>> {
        // The messages after the new marker (one counting query, bounded by what is unread),
        // and the conversation's count, at the same time.
        let pk = conversation_pk(tenant, conversation);
        let counting = count_all(
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
                .expression_attribute_values(":pk", s(pk.clone()))
                .expression_attribute_values(":lo", s(format!("{}!", message_sk(message.as_str()))))
                .expression_attribute_values(":hi", s("MSG#~")),
        );
        let (unread, stored) = tokio::join!(counting, self.get_conversation(tenant, conversation));
        let Some(stored) = stored? else { return Ok(None) };
        let unread = unread?;
        let read_count = stored.message_count.saturating_sub(unread);
        let moved = self.move_read_marker(tenant, conversation, user, message, at, read_count).await?;
        Ok(moved.map(|member| (member, unread)))
    }
    async fn set_member_settings(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        muted_until: Option<DateTime<Utc>>,
        archived_activity: Option<&str>,
    ) -> StoreResult<bool> {
        let mut set = Vec::new();
        let mut remove = Vec::new();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(conversation_pk(tenant, conversation), member_sk(user))))
            .condition_expression("attribute_exists(PK)");
        match muted_until {
            Some(until) => {
                set.push("mutedUntil = :muted");
                request = request.expression_attribute_values(":muted", s(until.to_rfc3339()));
            }
            None => remove.push("mutedUntil"),
        }
        match archived_activity {
            Some(activity) => {
                set.push("archivedActivity = :archived");
                request = request.expression_attribute_values(":archived", s(activity));
            }
            None => remove.push("archivedActivity"),
        }
        let mut expression = String::new();
        if !set.is_empty() {
            expression.push_str(&format!("SET {} ", set.join(", ")));
        }
        if !remove.is_empty() {
            expression.push_str(&format!("REMOVE {}", remove.join(", ")));
        }
        match request.update_expression(expression.trim()).send().await {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(StoreError(e.into())),
        }
    }

    async fn set_typing(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        until: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        // The member's own item, beside its record: never the conversation's head.
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(conversation_pk(tenant, conversation), member_sk(user))))
            .condition_expression("attribute_exists(PK)");
        let request = match until {
            Some(until) => request
                .update_expression("SET typingUntil = :until")
                .expression_attribute_values(":until", s(until.to_rfc3339())),
            None => request.update_expression("REMOVE typingUntil"),
        };
        match request.send().await {
            Err(e) if !is_condition_failure(&e) => Err(StoreError(e.into())),
            _ => Ok(()),
        }
    }
}

/// The conversation of a member item (found under its user in GSI1).
fn membership_conversation(tenant: &TenantId, item: &Item) -> anyhow::Result<ConversationId> {
    let pk = text(item, "PK")?;
    let id = pk.strip_prefix(&format!("T#{tenant}#C#")).context("a membership of another partition")?;
    ConversationId::parse(id).map_err(|e| anyhow!("{e}"))
}

impl DynamoStore {
    /// Conversations by id, each from its two items (two keys a conversation, 50 a call);
    /// missing ones are left out.
    pub(super) async fn read_conversations(
        &self,
        tenant: &TenantId,
        ids: &[ConversationId],
    ) -> anyhow::Result<HashMap<ConversationId, Conversation>> {
        let keys = ids
            .iter()
            .flat_map(|c| [key(conversation_pk(tenant, c), HEAD_SK), key(conversation_pk(tenant, c), META_SK)])
            .collect();
        let items = self.batch_get(keys).await?;
        let mut heads: HashMap<&str, &Item> = HashMap::new();
        let mut metas = Vec::with_capacity(ids.len());
        for item in &items {
            match text(item, "SK")? {
                HEAD_SK => {
                    heads.insert(text(item, "PK")?, item);
                }
                _ => metas.push(item),
            }
        }
        let mut conversations = HashMap::with_capacity(metas.len());
        for meta in metas {
            if let Some(head) = heads.get(text(meta, "PK")?) {
                let conversation = conversation_from(meta, head)?;
                conversations.insert(conversation.id.clone(), conversation);
            }
        }
        Ok(conversations)
    }

    pub(super) fn member_item(&self, conversation: &Conversation, member: &Member) -> anyhow::Result<Item> {
        let mut item = with_data(
            key(conversation_pk(&conversation.tenant_id, &conversation.id), member_sk(&member.user_id)),
            member,
        )?;
        // GSI1: the user's memberships; their list reads the conversations' current state.
        item.insert("GSI1PK".into(), s(user_pk(&conversation.tenant_id, &member.user_id)));
        item.insert("GSI1SK".into(), s(conversation.id.as_str()));
        item.insert("readCount".into(), n(member.read_count));
        if let Some(id) = &member.last_read_message_id {
            item.insert("lastReadMessageId".into(), s(id.as_str()));
        }
        if let Some(at) = &member.last_read_at {
            item.insert("lastReadAt".into(), s(at.to_rfc3339()));
        }
        Ok(item)
    }
    pub(super) fn conversation_item(&self, conversation: &Conversation) -> anyhow::Result<Item> {
        with_data(key(conversation_pk(&conversation.tenant_id, &conversation.id), META_SK), &details(conversation))
    }
    /// A member's read marker moves to `message` if it is newer, with `read_count` as their
    /// read position.
    pub(super) async fn move_read_marker(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
        read_count: u64,
    ) -> anyhow::Result<Option<Member>> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(conversation_pk(tenant, conversation), member_sk(user))))
            .update_expression("SET lastReadMessageId = :m, lastReadAt = :at, readCount = :n")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(lastReadMessageId) OR lastReadMessageId < :m)",
            )
            .expression_attribute_values(":m", s(message.as_str()))
            .expression_attribute_values(":at", s(at.to_rfc3339()))
            .expression_attribute_values(":n", n(read_count))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => Ok(Some(member_from(&out.attributes.unwrap_or_default())?)),
            Err(e) if is_condition_failure(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// What `META` keeps of a conversation: its details, without the preview the head keeps (a
/// copy here would hold a message's text after it was deleted).
fn details(conversation: &Conversation) -> Conversation {
    Conversation { last_message: None, ..conversation.clone() }
}
