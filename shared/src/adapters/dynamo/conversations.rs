//! Conversations (`META`, with `activity` and `messageCount` beside the record) and members
//! (`M#`, indexed in GSI1 under their user: a user's memberships, from which their list is
//! computed in the order of the conversations' current activity).

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::codec::*;
use super::keys::*;
use super::ops::MAX_TRANSACTION_ITEMS;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

#[async_trait]
impl ConversationStore for DynamoStore {
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
        writes.push(self.put(self.conversation_item(conversation)?, Some("attribute_not_exists(PK)"))?);
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
    async fn update_conversation(&self, conversation: &Conversation) -> StoreResult<()> {
        let tenant = &conversation.tenant_id;
        let pk = conversation_pk(tenant, &conversation.id);
        let stored =
            self.get_conversation(tenant, &conversation.id).await?.context("updating a missing conversation")?;
        // Activity, preview and count belong to the messages; only the details change here.
        let updated = Conversation {
            activity: stored.activity.clone(),
            last_activity_at: stored.last_activity_at,
            last_message: stored.last_message.clone(),
            message_count: stored.message_count,
            ..conversation.clone()
        };
        let snapshot = serde_json::to_string(&updated).map_err(anyhow::Error::from)?;
        // Conditional on the activity read: a message landing meanwhile wrote a newer
        // snapshot, and the details are written again on top of that one.
        let raced = self.write_snapshot(pk, &snapshot, &stored.activity).await?;
        if raced {
            return Box::pin(self.update_conversation(conversation)).await;
        }
        Ok(())
    }
    async fn put_members(&self, conversation: &Conversation, members: &[Member]) -> StoreResult<()> {
        let items = members.iter().map(|m| self.member_item(conversation, m)).collect::<anyhow::Result<Vec<_>>>()?;
        Ok(self.batch_put(items).await?)
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
        let item = self.get_item(key(conversation_pk(tenant, id), META_SK)).await?;
        Ok(item.as_ref().map(conversation_from).transpose()?)
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
        let metas = self.batch_get(ids.iter().map(|c| key(conversation_pk(tenant, c), META_SK)).collect()).await?;
        let mut conversations: std::collections::HashMap<ConversationId, Conversation> =
            std::collections::HashMap::new();
        for item in &metas {
            let conversation = conversation_from(item)?;
            conversations.insert(conversation.id.clone(), conversation);
        }
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
        let counting = async {
            let mut unread = 0u64;
            let mut start = None;
            loop {
                let out = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
                    .expression_attribute_values(":pk", s(pk.clone()))
                    .expression_attribute_values(":lo", s(format!("{}!", message_sk(message.as_str()))))
                    .expression_attribute_values(":hi", s("MSG#~"))
                    .select(aws_sdk_dynamodb::types::Select::Count)
                    .set_exclusive_start_key(start)
                    .send()
                    .await?;
                unread += out.count as u64;
                match out.last_evaluated_key {
                    Some(next) => start = Some(next),
                    None => return Ok::<_, anyhow::Error>(unread),
                }
            }
        };
        let (unread, stored) = tokio::join!(counting, self.get_conversation(tenant, conversation));
        let Some(stored) = stored? else { return Ok(None) };
        let unread = unread?;
        let read_count = stored.message_count.saturating_sub(unread);
        let moved = self.move_read_marker(tenant, conversation, user, message, at, read_count).await?;
        Ok(moved.map(|member| (member, unread)))
    }
}

/// The conversation of a member item (found under its user in GSI1).
fn membership_conversation(tenant: &TenantId, item: &Item) -> anyhow::Result<ConversationId> {
    let pk = text(item, "PK")?;
    let id = pk.strip_prefix(&format!("T#{tenant}#C#")).context("a membership of another partition")?;
    ConversationId::parse(id).map_err(|e| anyhow!("{e}"))
}

impl DynamoStore {
    /// Writes a conversation's snapshot into its `META` item, only where `activity` is still
    /// `activity`. `true` when it had moved on (a message landed meanwhile).
    pub(super) async fn write_snapshot(&self, pk: String, snapshot: &str, activity: &str) -> StoreResult<bool> {
        let written = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, META_SK)))
            .update_expression("SET #data = :snapshot")
            .condition_expression("attribute_exists(PK) AND activity = :activity")
            .expression_attribute_names("#data", "data")
            .expression_attribute_values(":snapshot", s(snapshot))
            .expression_attribute_values(":activity", s(activity))
            .send()
            .await;
        match written {
            Ok(_) => Ok(false),
            Err(e) if is_condition_failure(&e) => Ok(true),
            Err(e) => Err(StoreError(e.into())),
        }
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
        let mut item =
            with_data(key(conversation_pk(&conversation.tenant_id, &conversation.id), META_SK), conversation)?;
        item.insert("activity".into(), s(&conversation.activity));
        item.insert("messageCount".into(), n(conversation.message_count));
        Ok(item)
    }
    /// Moves an item's activity forward, never back: of two racing messages, the newer
    /// one's preview wins whatever the order the writes land in. `set` and `add` are further
    /// attributes to set or add to in the same write.
    pub(super) async fn advance(
        &self,
        key: Item,
        activity: &str,
        set: Vec<(&str, AttributeValue)>,
        add: Vec<(&str, AttributeValue)>,
    ) -> anyhow::Result<bool> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression("attribute_exists(PK) AND activity < :activity")
            .expression_attribute_values(":activity", s(activity));
        let mut sets = vec!["activity = :activity".to_string()];
        for (i, (name, value)) in set.into_iter().enumerate() {
            sets.push(format!("#s{i} = :s{i}"));
            request = request
                .expression_attribute_names(format!("#s{i}"), name)
                .expression_attribute_values(format!(":s{i}"), value);
        }
        let mut expression = format!("SET {}", sets.join(", "));
        let adds: Vec<String> = add
            .into_iter()
            .enumerate()
            .map(|(i, (name, value))| {
                request = request
                    .clone()
                    .expression_attribute_names(format!("#a{i}"), name)
                    .expression_attribute_values(format!(":a{i}"), value);
                format!("#a{i} :a{i}")
            })
            .collect();
        if !adds.is_empty() {
            expression.push_str(&format!(" ADD {}", adds.join(", ")));
        }
        match request.update_expression(expression).send().await {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
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
