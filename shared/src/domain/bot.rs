//! Bots: a tenant's programs speaking in its conversations through the REST API, each with an
//! API key (`mbk.{tenant}.{secret}`) shown once and kept only as its SHA-256.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{DisplayName, Locale, Role, TenantId, User, UserId};

/// The prefix of every bot API key: a bearer token starting with it is a key, not a JWT.
pub const BOT_KEY_PREFIX: &str = "mbk.";

/// A bot's record beside its user: which key is its current one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bot {
    pub tenant_id: TenantId,
    pub id: UserId,
    /// The SHA-256 (hex) of its key; none once revoked.
    #[serde(default)]
    pub key_hash: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// What a key's hash finds: its bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotKey {
    pub bot_id: UserId,
    pub created_at: DateTime<Utc>,
}

/// A bot as it is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BotView {
    pub id: UserId,
    pub name: String,
    /// Whether it has a key (none once revoked).
    pub has_key: bool,
    pub created_at: DateTime<Utc>,
}

/// 160 random bits in 40 hexadecimal digits (two ULIDs' randomness): a key's or a hook's secret.
pub fn new_secret_hex() -> String {
    (0..2).map(|_| format!("{:020x}", ulid::Ulid::new().random() & ((1u128 << 80) - 1))).collect()
}

/// A new key for `tenant`: the key itself (to show once) and its hash (to keep).
pub fn new_bot_key(tenant: &TenantId) -> (String, String) {
    let key = format!("{BOT_KEY_PREFIX}{tenant}.{}", new_secret_hex());
    let hash = bot_key_hash(&key);
    (key, hash)
}

pub fn bot_key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl User {
    /// A bot's user: no e-mail, the tenant's language.
    pub fn bot(tenant: &TenantId, id: UserId, name: DisplayName, locale: Locale, now: DateTime<Utc>) -> User {
        User {
            tenant_id: tenant.clone(),
            id,
            name,
            email: None,
            locale,
            role: Role::Bot,
            created_at: now,
            updated_at: now,
            suspended: false,
        }
    }
}

/// The tenant a key names, when it is shaped as one.
pub fn bot_key_tenant(key: &str) -> Option<TenantId> {
    let (tenant, secret) = key.strip_prefix(BOT_KEY_PREFIX)?.split_once('.')?;
    (secret.len() == 40 && secret.bytes().all(|b| b.is_ascii_hexdigit())).then(|| TenantId::parse(tenant).ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_its_tenant_and_is_kept_as_its_hash() {
        let tenant = TenantId::parse("acme_2").unwrap();
        let (key, hash) = new_bot_key(&tenant);
        assert!(key.starts_with("mbk.acme_2."), "{key}");
        assert_eq!(bot_key_tenant(&key), Some(tenant.clone()));
        assert_eq!(hash, bot_key_hash(&key));
        assert_eq!(hash.len(), 64);
        assert_ne!(new_bot_key(&tenant).0, key, "random");
        assert_eq!(bot_key_tenant("mbk.acme.short"), None);
        assert_eq!(bot_key_tenant("eyJhbGciOi.x.y"), None);
    }
}
