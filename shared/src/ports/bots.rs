//! Bots, their API keys (by the key's hash), and the inbound hooks that post as bots.

use async_trait::async_trait;

use super::StoreResult;
use crate::domain::{Bot, BotKey, InboundHook, TenantId, UserId};

#[async_trait]
pub trait BotStore: Send + Sync {
    async fn put_bot(&self, bot: &Bot) -> StoreResult<()>;
    async fn get_bot(&self, tenant: &TenantId, id: &UserId) -> StoreResult<Option<Bot>>;
    /// The tenant's bots, at most `limit`, in id order.
    async fn list_bots(&self, tenant: &TenantId, limit: usize) -> StoreResult<Vec<Bot>>;
    async fn put_bot_key(&self, tenant: &TenantId, hash: &str, key: &BotKey) -> StoreResult<()>;
    async fn get_bot_key(&self, tenant: &TenantId, hash: &str) -> StoreResult<Option<BotKey>>;
    async fn delete_bot_key(&self, tenant: &TenantId, hash: &str) -> StoreResult<bool>;
    async fn put_hook(&self, hook: &InboundHook) -> StoreResult<()>;
    async fn get_hook(&self, tenant: &TenantId, id: &str) -> StoreResult<Option<InboundHook>>;
    async fn delete_hook(&self, tenant: &TenantId, id: &str) -> StoreResult<bool>;
}
