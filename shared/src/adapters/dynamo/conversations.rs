//! Conversations (`META`), members (`M#`) and each member's inbox entry, which is the member
//! item itself, indexed in GSI1 by activity with a snapshot of the conversation.

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;

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
        // Activity and preview belong to the messages; only the details change here.
        let updated = Conversation {
            activity: stored.activity.clone(),
            last_activity_at: stored.last_activity_at,
            last_message: stored.last_message.clone(),
            ..conversation.clone()
        };
        let snapshot = serde_json::to_string(&updated).map_err(anyhow::Error::from)?;
        let members = self.list_members(tenant, &conversation.id).await?;
        // Conditional on the activity read: a message landing meanwhile wrote a newer
        // snapshot, and the details are written again on top of that one.
        let raced = self.write_snapshots(pk, &members, &snapshot, &stored.activity).await?;
        if raced {
            return Box::pin(self.update_conversation(conversation)).await;
        }
        Ok(())
    }
    async fn put_members(&self, conversation: &Conversation, members: &[Member]) -> StoreResult<()> {
        let current = self
            .get_conversation(&conversation.tenant_id, &conversation.id)
            .await?
            .context("members of a missing conversation")?;
        let items = members.iter().map(|m| self.member_item(&current, m)).collect::<anyhow::Result<Vec<_>>>()?;
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
        self.get_data(key(conversation_pk(tenant, id), META_SK)).await
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
        let start = match cursor {
            Some(c) => {
                let (activity, conversation) = c.split_once('.').context("bad cursor")?;
                let conversation = ConversationId::parse(conversation).map_err(|e| anyhow!("bad cursor: {e}"))?;
                let mut k = key(conversation_pk(tenant, &conversation), member_sk(user));
                k.insert("GSI1PK".into(), s(user_pk(tenant, user)));
                k.insert("GSI1SK".into(), s(inbox_sk(activity, &conversation)));
                Some(k)
            }
            None => None,
        };
        let mut items =
            self.query(Some("GSI1"), "GSI1PK = :pk", vec![(":pk", user_pk(tenant, user))], false, limit, start).await?;
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = if more { items.last().map(inbox_cursor).transpose()? } else { None };
        let entries = items
            .iter()
            .map(|i| {
                let conversation = serde_json::from_str(text(i, "conv")?).context("decoding an inbox entry")?;
                Ok(InboxEntry { conversation, member: member_from(i)? })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Page { items: entries, next_cursor })
    }
    async fn mark_read(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Member>> {
        // Others' messages after the new marker: one counting query, bounded by what is unread.
        let mut unread = 0u64;
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
                .filter_expression("sender <> :me")
                .expression_attribute_values(":pk", s(conversation_pk(tenant, conversation)))
                .expression_attribute_values(":lo", s(format!("{}!", message_sk(message.as_str()))))
                .expression_attribute_values(":hi", s("MSG#~"))
                .expression_attribute_values(":me", s(user.as_str()))
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(anyhow::Error::from)?;
            unread += out.count as u64;
            match out.last_evaluated_key {
                Some(next) => start = Some(next),
                None => break,
            }
        }
        Ok(self.move_read_marker(tenant, conversation, user, message, at, unread).await?)
    }
}

impl DynamoStore {
    /// Writes a conversation's snapshot into its `META` item and each member's inbox entry,
    /// each only where `activity` is still `activity`. `true` when some item had moved on.
    pub(super) async fn write_snapshots(
        &self,
        pk: String,
        members: &[Member],
        snapshot: &str,
        activity: &str,
    ) -> StoreResult<bool> {
        let mut sort_keys = vec![(META_SK.to_string(), "data")];
        sort_keys.extend(members.iter().map(|m| (member_sk(&m.user_id), "conv")));
        let writes = sort_keys.into_iter().map(|(sk, attribute)| {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(pk.clone(), sk)))
                .update_expression("SET #a = :snapshot")
                .condition_expression("attribute_exists(PK) AND activity = :activity")
                .expression_attribute_names("#a", attribute)
                .expression_attribute_values(":snapshot", s(snapshot))
                .expression_attribute_values(":activity", s(activity))
                .send()
        });
        let mut raced = false;
        for result in join_all(writes).await {
            match result {
                Ok(_) => {}
                Err(e) if is_condition_failure(&e) => raced = true,
                Err(e) => return Err(StoreError(e.into())),
            }
        }
        Ok(raced)
    }
    pub(super) fn member_item(&self, conversation: &Conversation, member: &Member) -> anyhow::Result<Item> {
        let mut item = with_data(
            key(conversation_pk(&conversation.tenant_id, &conversation.id), member_sk(&member.user_id)),
            member,
        )?;
        item.insert("GSI1PK".into(), s(user_pk(&conversation.tenant_id, &member.user_id)));
        item.insert("GSI1SK".into(), s(inbox_sk(&conversation.activity, &conversation.id)));
        item.insert("activity".into(), s(&conversation.activity));
        // The inbox reads conversations from the index alone, so each member item carries
        // the conversation as it was at its latest activity.
        item.insert("conv".into(), s(serde_json::to_string(conversation)?));
        item.insert("unread".into(), n(member.unread_count));
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
    /// A member's read marker moves to `message` if it is newer, with `unread` as the new count.
    pub(super) async fn move_read_marker(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        user: &UserId,
        message: &MessageId,
        at: DateTime<Utc>,
        unread: u64,
    ) -> anyhow::Result<Option<Member>> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(conversation_pk(tenant, conversation), member_sk(user))))
            .update_expression("SET lastReadMessageId = :m, lastReadAt = :at, unread = :n")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(lastReadMessageId) OR lastReadMessageId < :m)",
            )
            .expression_attribute_values(":m", s(message.as_str()))
            .expression_attribute_values(":at", s(at.to_rfc3339()))
            .expression_attribute_values(":n", n(unread))
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
