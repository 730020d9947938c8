//! Messages (`MSG#`), their idempotency records (`CMID#`), and what a new message moves:
//! the conversation's activity and every member's inbox entry and unread count.

use anyhow::Context;
use async_trait::async_trait;

use super::codec::*;
use super::keys::*;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

#[async_trait]
impl MessageStore for DynamoStore {
    async fn append_message(&self, message: &Message, event: &LoggedEvent) -> StoreResult<Upserted<Message>> {
        let tenant = &message.tenant_id;
        let pk = conversation_pk(tenant, &message.conversation_id);
        let mut message_item = with_data(key(pk.clone(), message_sk(message.id.as_str())), message)?;
        message_item.insert("sender".into(), s(message.sender_id.as_str()));
        let stored = match &message.client_message_id {
            None => self.put_item(message_item).await,
            Some(cmid) => {
                let mut dedupe = key(pk.clone(), client_message_sk(&message.sender_id, cmid));
                dedupe.insert("messageId".into(), s(message.id.as_str()));
                let result = self
                    .client
                    .transact_write_items()
                    .transact_items(self.put(message_item, Some("attribute_not_exists(PK)"))?)
                    .transact_items(self.put(dedupe, Some("attribute_not_exists(PK)"))?)
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(e) if transaction_condition_failed(&e) => {
                        let pointer =
                            self.get_item(key(pk.clone(), client_message_sk(&message.sender_id, cmid))).await?;
                        let first_id =
                            text(pointer.as_ref().context("idempotency record vanished")?, "messageId")?.to_string();
                        let first: Message = self
                            .get_data(key(pk.clone(), message_sk(&first_id)))
                            .await?
                            .context("an idempotency record points to a missing message")?;
                        return Ok(Upserted { value: first, created: false });
                    }
                    Err(e) => Err(StoreError(e.into())),
                }
            }
        };
        stored?;

        // The message is stored; now, all at once, its event goes into the conversation's
        // log, and its conversation and every member's inbox move forward.
        let logged = self.append_conversation_event(tenant, &message.conversation_id, event);
        let (logged, moved) = tokio::join!(logged, self.move_forward(message));
        logged?;
        moved?;
        Ok(Upserted { value: message.clone(), created: true })
    }
    async fn update_message(&self, message: &Message) -> StoreResult<bool> {
        let tenant = &message.tenant_id;
        let pk = conversation_pk(tenant, &message.conversation_id);
        let mut item = with_data(key(pk.clone(), message_sk(message.id.as_str())), message)?;
        item.insert("sender".into(), s(message.sender_id.as_str()));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        match put {
            Ok(_) => {}
            Err(e) if is_condition_failure(&e) => return Ok(false),
            Err(e) => return Err(StoreError(e.into())),
        }
        let Some(mut conversation) = self.get_conversation(tenant, &message.conversation_id).await? else {
            return Ok(true);
        };
        if conversation.last_message_id() != Some(&message.id) {
            return Ok(true);
        }
        // The newest message changed: its preview changes in the conversation and in every
        // member's inbox entry, unless a newer message got there meanwhile.
        conversation.last_message = Some(MessagePreview::of(message));
        let snapshot = serde_json::to_string(&conversation).map_err(anyhow::Error::from)?;
        self.write_snapshot(pk, &snapshot, &conversation.activity).await?;
        Ok(true)
    }
    async fn get_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> StoreResult<Option<Message>> {
        self.get_data(key(conversation_pk(tenant, conversation), message_sk(id.as_str()))).await
    }
    async fn list_messages(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        range: &HistoryRange,
        limit: usize,
    ) -> StoreResult<HistorySlice> {
        let pk = conversation_pk(tenant, conversation);
        // BETWEEN is inclusive: the cursor's own message is read (one more) and dropped.
        let (condition, values, forward, skip) = match range {
            HistoryRange::Latest => {
                ("PK = :pk AND begins_with(SK, :lo)", vec![(":pk", pk), (":lo", "MSG#".to_string())], false, None)
            }
            HistoryRange::Before(id) => (
                "PK = :pk AND SK BETWEEN :lo AND :hi",
                vec![(":pk", pk), (":lo", "MSG#".to_string()), (":hi", message_sk(id.as_str()))],
                false,
                Some(message_sk(id.as_str())),
            ),
            HistoryRange::After(id) => (
                "PK = :pk AND SK BETWEEN :lo AND :hi",
                vec![(":pk", pk), (":lo", message_sk(id.as_str())), (":hi", "MSG#~".to_string())],
                true,
                Some(message_sk(id.as_str())),
            ),
        };
        let wanted = limit + usize::from(skip.is_some());
        let items = self.query(None, condition, values, forward, wanted, None).await?;
        let mut messages = Vec::with_capacity(items.len());
        for item in &items {
            if skip.as_deref() == Some(text(item, "SK")?) {
                continue;
            }
            messages.push(data::<Message>(item)?);
        }
        let more = messages.len() > limit;
        messages.truncate(limit);
        if !forward {
            messages.reverse();
        }
        Ok(HistorySlice { messages, more })
    }
}

impl DynamoStore {
    /// After a new message: the conversation's activity and preview (if it is the newest) and
    /// its message count, then the sender's read marker and position — and nothing for the
    /// other members, whose unread count follows from the message count.
    async fn move_forward(&self, message: &Message) -> anyhow::Result<()> {
        let tenant = &message.tenant_id;
        let pk = conversation_pk(tenant, &message.conversation_id);
        let mut conversation = self
            .get_conversation(tenant, &message.conversation_id)
            .await?
            .context("message for a missing conversation")?;
        conversation.activity = message.id.to_string();
        conversation.last_activity_at = message.created_at;
        conversation.last_message = Some(MessagePreview::of(message));
        let snapshot = serde_json::to_string(&conversation).map_err(anyhow::Error::from)?;
        let preview =
            self.advance(key(pk.clone(), META_SK), &conversation.activity, vec![("data", s(snapshot))], vec![]);
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk.clone(), META_SK)))
            .update_expression("ADD messageCount :one")
            .expression_attribute_values(":one", n(1))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send();
        let (preview, counted) = tokio::join!(preview, counted);
        preview?;
        let count: u64 = counted?
            .attributes
            .as_ref()
            .and_then(|a| a.get("messageCount"))
            .and_then(|v| v.as_n().ok())
            .context("no message count")?
            .parse()?;
        let marker = self
            .move_read_marker(tenant, &conversation.id, &message.sender_id, &message.id, message.created_at, count)
            .await?;
        if marker.is_none() {
            // A newer message of the sender's moved the marker first; the position still counts
            // this one, unless that newer one counted further.
            let moved = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(pk, member_sk(&message.sender_id))))
                .update_expression("SET readCount = :n")
                .condition_expression("attribute_exists(PK) AND (attribute_not_exists(readCount) OR readCount < :n)")
                .expression_attribute_values(":n", n(count))
                .send()
                .await;
            if let Err(e) = moved {
                if !is_condition_failure(&e) {
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }
}
