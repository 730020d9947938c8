//! Pins on DynamoDB: one item per pinned message (`PIN#{messageId}`), and the conversation's
//! pin count on its `HEAD` (`pinCount`), raised in the same transaction on condition that it
//! is below the limit — exact however many pin at once.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};

use super::codec::*;
use super::keys::*;
use super::ops::all_pages;
use super::DynamoStore;
use crate::domain::*;
use crate::error::StoreError;
use crate::ports::*;

/// The DynamoDB store in its pins role: the name this file adapts the port under.
pub type DynamoPins = DynamoStore;

fn pin_sk(m: &MessageId) -> String {
    format!("PIN#{m}")
}

impl DynamoStore {
    /// The head's pin count moved by `by`, on condition (when raising it) that it stays
    /// within the limit.
    fn pin_count(&self, pk: &str, by: i64) -> anyhow::Result<TransactWriteItem> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk.to_string(), HEAD_SK)))
            .update_expression("ADD pinCount :by")
            .expression_attribute_values(":by", aws_sdk_dynamodb::types::AttributeValue::N(by.to_string()));
        let update = if by > 0 {
            update
                .condition_expression("attribute_exists(PK) AND (attribute_not_exists(pinCount) OR pinCount < :max)")
                .expression_attribute_values(":max", n(MAX_PINS as u64))
        } else {
            update
        };
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }
}

#[async_trait]
impl PinStore for DynamoPins {
    async fn pin_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        pin: &Pin,
    ) -> StoreResult<PinOutcome> {
        let pk = conversation_pk(tenant, conversation);
        let item = with_data(key(pk.clone(), pin_sk(&pin.message_id)), pin)?;
        let written = self
            .client
            .transact_write_items()
            .transact_items(self.put(item, Some("attribute_not_exists(PK)"))?)
            .transact_items(self.pin_count(&pk, 1)?)
            .send()
            .await;
        match written {
            Ok(_) => Ok(PinOutcome::Pinned),
            Err(e) => match failed_conditions(&e).as_deref() {
                Some([true, ..]) => Ok(PinOutcome::AlreadyPinned),
                Some([false, true]) => Ok(PinOutcome::Full),
                _ => Err(StoreError(e.into())),
            },
        }
    }

    async fn unpin_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        message: &MessageId,
    ) -> StoreResult<bool> {
        let pk = conversation_pk(tenant, conversation);
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk.clone(), pin_sk(message))))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(anyhow::Error::from)?;
        let written = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(delete).build())
            .transact_items(self.pin_count(&pk, -1)?)
            .send()
            .await;
        match written {
            Ok(_) => Ok(true),
            Err(e) if transaction_condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError(e.into())),
        }
    }

    async fn list_pins(&self, tenant: &TenantId, conversation: &ConversationId) -> StoreResult<Vec<Pin>> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(conversation_pk(tenant, conversation)))
            .expression_attribute_values(":prefix", s("PIN#"))
            .consistent_read(true);
        let mut pins: Vec<Pin> = all_pages(request).await?.iter().map(data).collect::<anyhow::Result<_>>()?;
        pins.sort_by(|a, b| b.pinned_at.cmp(&a.pinned_at).then_with(|| b.message_id.cmp(&a.message_id)));
        Ok(pins)
    }
}
