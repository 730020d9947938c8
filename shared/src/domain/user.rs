use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ConnectionId, Locale, TenantId, UserId};
use crate::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Staff or customer.
    Member,
    /// A vendor who owns storefronts.
    Partner,
    /// The tenant's administrator.
    Admin,
    /// An anonymous storefront visitor, holding a token Missive signed.
    Guest,
    /// A tenant's program (`POST /v1/bots`), calling the REST API with its API key, in the
    /// conversations it was added to. No token makes one (`TokenVerifier::verify` refuses it).
    Bot,
}

impl Role {
    pub fn parse(s: &str) -> Result<Role, AppError> {
        match s {
            "member" => Ok(Role::Member),
            "partner" => Ok(Role::Partner),
            "admin" => Ok(Role::Admin),
            "guest" => Ok(Role::Guest),
            "bot" => Ok(Role::Bot),
            _ => Err(AppError::invalid("invalid role: expected member, partner, admin, guest or bot")),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Partner => "partner",
            Role::Admin => "admin",
            Role::Guest => "guest",
            Role::Bot => "bot",
        }
    }
}

/// A person's display name: 1..=100 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(s: &str) -> Result<Self, AppError> {
        super::parse_text("name", s, 100).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for DisplayName {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::parse(&s)
    }
}
impl From<DisplayName> for String {
    fn from(n: DisplayName) -> String {
        n.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub tenant_id: TenantId,
    pub id: UserId,
    pub name: DisplayName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub locale: Locale,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set by an admin: the user's tokens are refused, and their live connections can no
    /// longer act (see `usecases::identity`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspended: bool,
}

/// One live WebSocket connection. It expires two hours after connect, like API Gateway's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub id: ConnectionId,
    pub connected_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Connection {
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at > now
    }
}
