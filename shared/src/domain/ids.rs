//! Identifiers. Each is validated once, when parsed, so that a handler can never put an
//! unchecked value into a storage key.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::AppError;

/// Characters allowed in Missive's own ids (tenants, conversations, messages, storefronts).
fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// API Gateway's connection ids are base64 (`L0SM9cOFvHcCIhw=`).
fn is_connection_id_char(c: char) -> bool {
    is_id_char(c) || c == '=' || c == '+' || c == '/'
}

macro_rules! simple_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:expr) => {
        simple_id!($(#[$doc])* $name, $what, $max, is_id_char, "letters, digits, '-' or '_'");
    };
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:expr, $allowed:expr, $allowed_text:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: impl Into<String>) -> Result<Self, AppError> {
                let s = s.into();
                if s.is_empty() || s.len() > $max || !s.chars().all($allowed) {
                    return Err(AppError::invalid(concat!(
                        "invalid ", $what, ": expected 1 to ", stringify!($max), " ", $allowed_text
                    )));
                }
                Ok(Self(s))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = AppError;
            fn try_from(s: String) -> Result<Self, AppError> {
                Self::parse(s)
            }
        }
        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

simple_id!(
    /// A tenant (customer organisation).
    TenantId, "tenant id", 64
);
simple_id!(
    /// A conversation; generated as a ULID.
    ConversationId, "conversation id", 64
);
simple_id!(
    /// A message; generated as a ULID, so ids sort in time order.
    MessageId, "message id", 64
);
simple_id!(
    /// A file uploaded to a conversation (an attachment once a message carries it); a ULID.
    UploadId, "upload id", 64
);
simple_id!(
    /// A storefront (a partner's public page).
    StorefrontId, "storefront id", 64
);
simple_id!(
    /// A notification in a user's bell; generated as a ULID, so ids sort in time order.
    NotificationId, "notification id", 64
);
impl NotificationId {
    /// The id of the notification that `key` names (a job's once-only effect), made the same
    /// whenever it is made: a ULID of the time it is about and a hash of `key`. A job that runs
    /// again after a partial run (a crash, a fault) then rewrites that notification, and its
    /// e-mail, instead of adding a second one.
    pub fn stable(about: chrono::DateTime<chrono::Utc>, key: &str) -> Self {
        // FNV-1a, twice with different offsets: a hash that is the same in every build (the
        // standard library's may change between Rust releases; a rollout runs two builds).
        let fnv = |offset: u64| key.bytes().fold(offset, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
        let random = (u128::from(fnv(0xcbf2_9ce4_8422_2325)) << 64) | u128::from(fnv(0x6c62_272e_07bb_0142));
        let millis = u64::try_from(about.timestamp_millis()).unwrap_or(0);
        Self(ulid::Ulid::from_parts(millis, random).to_string())
    }
}
simple_id!(
    /// A reminder; generated as a ULID.
    ReminderId, "reminder id", 64
);
simple_id!(
    /// A published event: the `cursor` clients sync from; generated as a ULID, so cursors
    /// sort in publication order.
    EventId, "cursor", 64
);
simple_id!(
    /// One live WebSocket connection (API Gateway's connection id, or the local runtime's).
    ConnectionId, "connection id", 128, is_connection_id_char, "base64 characters"
);

/// `lookup` parses an id a client gave to find something. A malformed id names nothing that
/// exists, so it answers "not found" like an unknown one: nothing reveals which ids exist.
macro_rules! lookup {
    ($($name:ident => $noun:literal),*) => {
        $(impl $name {
            pub fn lookup(s: &str) -> Result<Self, AppError> {
                Self::parse(s).map_err(|_| AppError::not_found($noun))
            }
        })*
    };
}

lookup!(
    TenantId => "tenant",
    ConversationId => "conversation",
    MessageId => "message",
    StorefrontId => "storefront",
    NotificationId => "notification",
    ReminderId => "reminder"
);

/// A user id: the JWT `sub` given by the platform. Platforms use many shapes (`auth0|123`,
/// e-mail addresses, UUIDs), so any printable text without spaces is accepted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    pub const MAX_LEN: usize = 128;

    /// Who an erased person's messages are from once they are gone: no one. A platform's ids
    /// never start with `~` in practice; a token naming it is refused all the same (the marker
    /// of erased people holds it).
    pub fn erased() -> Self {
        Self("~erased".into())
    }

    pub fn parse(s: impl Into<String>) -> Result<Self, AppError> {
        let s = s.into();
        if s.is_empty() || s.len() > Self::MAX_LEN || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(AppError::invalid("invalid user id: expected 1 to 128 printable characters without spaces"));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for UserId {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::parse(s)
    }
}
impl From<UserId> for String {
    fn from(id: UserId) -> String {
        id.0
    }
}
impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A background job's id. It names what the job does (`reminder:01K…`, `mail:ada:01K…`), so
/// that the same work asked twice is one job, and its effect happens once under this id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobId(String);

impl JobId {
    pub const MAX_LEN: usize = 512;

    pub fn parse(s: impl Into<String>) -> Result<Self, AppError> {
        let s = s.into();
        if s.is_empty() || s.len() > Self::MAX_LEN || s.chars().any(char::is_control) {
            return Err(AppError::invalid("invalid job id: expected 1 to 512 printable characters"));
        }
        Ok(Self(s))
    }

    /// `kind:part:part…`, the parts being ids that are already valid (so the result is).
    pub fn of(kind: &str, parts: &[&str]) -> Self {
        let mut id = kind.to_string();
        for part in parts {
            id.push(':');
            id.push_str(part);
        }
        Self(id)
    }

    /// A job derived from this one (its retry after quiet hours, its next check).
    pub fn derived(&self, suffix: &str) -> Self {
        Self(format!("{}:{suffix}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for JobId {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::parse(s)
    }
}
impl From<JobId> for String {
    fn from(id: JobId) -> String {
        id.0
    }
}
impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The client's idempotency key for a message: printable, at most 64 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct ClientMessageId(String);

impl ClientMessageId {
    pub fn parse(s: impl Into<String>) -> Result<Self, AppError> {
        let s = s.into();
        if s.is_empty() || s.chars().count() > 64 || s.chars().any(char::is_control) {
            return Err(AppError::invalid("invalid clientMessageId: expected 1 to 64 printable characters"));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for ClientMessageId {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::parse(s)
    }
}
impl From<ClientMessageId> for String {
    fn from(id: ClientMessageId) -> String {
        id.0
    }
}

/// An id that sorts newest first in a store's key order (for logs read newest first): the
/// time inverted, then randomness so that two records of one millisecond stay two.
pub fn newest_first_id(at: chrono::DateTime<chrono::Utc>) -> String {
    let inverted = u64::MAX - at.timestamp_millis().max(0) as u64;
    format!("{inverted:016x}{:016x}", ulid::Ulid::new().random() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_separators_and_empty_values() {
        assert!(TenantId::parse("acme-fire_01").is_ok());
        assert!(TenantId::parse("").is_err());
        assert!(TenantId::parse("a#b").is_err());
        assert!(TenantId::parse("a\u{1f}b").is_err());
        assert!(ConversationId::parse("x".repeat(65)).is_err());
        assert!(ConnectionId::parse("L0SM9cOFvHcCIhw=").is_ok());
        assert!(ConnectionId::parse("a\u{1f}b").is_err());
    }

    #[test]
    fn user_ids_accept_platform_shapes_but_no_control_characters() {
        assert!(UserId::parse("auth0|5f7c").is_ok());
        assert!(UserId::parse("jane@example.com").is_ok());
        assert!(UserId::parse("a b").is_err());
        assert!(UserId::parse("a\u{1f}b").is_err());
        assert!(UserId::parse("").is_err());
    }
}
