//! Pins: one record per pinned message, counted within the write transaction that adds one
//! (the embedded store's writes are serialized: the limit is exact).

use async_trait::async_trait;

use super::codec::*;
use super::keys::*;
use super::EmbeddedStore;
use crate::domain::*;
use crate::ports::*;

/// The embedded store in its pins role: the name this file adapts the port under.
pub type EmbeddedPins = EmbeddedStore;

fn pins_prefix(t: &TenantId, c: &ConversationId) -> String {
    prefix(&["T", t.as_str(), "CONV", c.as_str(), "PIN"])
}

fn pin_key(t: &TenantId, c: &ConversationId, m: &MessageId) -> String {
    format!("{}{m}", pins_prefix(t, c))
}

#[async_trait]
impl PinStore for EmbeddedPins {
    async fn pin_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        pin: &Pin,
    ) -> StoreResult<PinOutcome> {
        let (k, all) = (pin_key(tenant, conversation, &pin.message_id), pins_prefix(tenant, conversation));
        let pin = pin.clone();
        self.writing(move |t| {
            if read::<Pin>(t, &k)?.is_some() {
                return Ok(PinOutcome::AlreadyPinned);
            }
            let end = prefix_end(&all);
            let held = scan(
                t,
                std::ops::Bound::Included(all.as_str()),
                std::ops::Bound::Excluded(end.as_str()),
                false,
                MAX_PINS,
            )?;
            if held.len() >= MAX_PINS {
                return Ok(PinOutcome::Full);
            }
            write(t, &k, &pin)?;
            Ok(PinOutcome::Pinned)
        })
        .await
    }

    async fn unpin_message(
        &self,
        tenant: &TenantId,
        conversation: &ConversationId,
        message: &MessageId,
    ) -> StoreResult<bool> {
        let k = pin_key(tenant, conversation, message);
        self.writing(move |t| Ok(t.remove(k.as_str())?.is_some())).await
    }

    async fn list_pins(&self, tenant: &TenantId, conversation: &ConversationId) -> StoreResult<Vec<Pin>> {
        let page = self.page::<Pin>(pins_prefix(tenant, conversation), None, MAX_PINS, false).await?;
        let mut pins: Vec<Pin> = page.items.into_iter().map(|(_, pin)| pin).collect();
        pins.sort_by(|a, b| b.pinned_at.cmp(&a.pinned_at).then_with(|| b.message_id.cmp(&a.message_id)));
        Ok(pins)
    }
}
