//! Identity: verifying the platform's JWTs and Missive's own guest tokens.
//!
//! The algorithm is pinned per key (never read from the token), `exp` is required, and
//! `nbf`, `iss` and `aud` are checked. Platform tokens are HS256 with the shared secret, or —
//! with `MISSIVE_JWKS_URL` — RS256/ES256 with the identity provider's published keys, chosen
//! by `kid` (see [`crate::jwks`]). Guest tokens carry `kid: missive-guest` and are verified
//! with Missive's own key only; the platform key can never mint a guest.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::{ConversationId, DisplayName, Locale, Role, TenantId, UserId};
use crate::AppError;

const GUEST_KID: &str = "missive-guest";
const GUEST_ISSUER: &str = "missive";
const GUEST_AUDIENCE: &str = "missive-guest";
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

/// The claims Missive reads from a token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub tid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Guest tokens only: the one conversation the guest may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
}

/// Verified claims, turned into domain values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedClaims {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
    /// Absent or unusable `name` claims are `None`: the stored name is kept.
    pub name: Option<DisplayName>,
    pub email: Option<String>,
    pub locale: Option<Locale>,
    /// For a guest, the only conversation the token opens.
    pub conversation_scope: Option<ConversationId>,
}

pub struct TokenVerifier {
    platform_key: DecodingKey,
    platform_validation: Validation,
    guest_decoding: DecodingKey,
    guest_encoding: EncodingKey,
    guest_validation: Validation,
    unsubscribe_encoding: EncodingKey,
    unsubscribe_decoding: DecodingKey,
    #[cfg(feature = "jwks")]
    provider_keys: Option<crate::jwks::Jwks>,
}

const UNSUBSCRIBE_AUDIENCE: &str = "missive-unsubscribe";
/// An unsubscribe link keeps working this long (mail clients and people open old e-mails).
const UNSUBSCRIBE_DAYS: i64 = 365;

#[derive(Serialize, Deserialize)]
struct UnsubscribeClaims {
    tid: String,
    sub: String,
    aud: String,
    exp: i64,
}

impl TokenVerifier {
    /// `secret` verifies the platform's HS256 tokens; `guest_secret` signs and verifies
    /// Missive's guest tokens. `issuer` / `audience`, when set, must match.
    pub fn new(secret: &[u8], guest_secret: &[u8], issuer: Option<&str>, audience: Option<&str>) -> Self {
        let mut platform_validation = Validation::new(Algorithm::HS256);
        platform_validation.leeway = LEEWAY_SECONDS;
        platform_validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        match issuer {
            Some(iss) => {
                platform_validation.set_issuer(&[iss]);
                required.push("iss");
            }
            None => platform_validation.iss = None,
        }
        match audience {
            Some(aud) => {
                platform_validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => platform_validation.validate_aud = false,
        }
        platform_validation.set_required_spec_claims(&required);

        let mut guest_validation = Validation::new(Algorithm::HS256);
        guest_validation.leeway = LEEWAY_SECONDS;
        guest_validation.validate_nbf = true;
        guest_validation.set_issuer(&[GUEST_ISSUER]);
        guest_validation.set_audience(&[GUEST_AUDIENCE]);
        guest_validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);

        Self {
            platform_key: DecodingKey::from_secret(secret),
            platform_validation,
            guest_decoding: DecodingKey::from_secret(guest_secret),
            guest_encoding: EncodingKey::from_secret(guest_secret),
            guest_validation,
            // A key of its own: an unsubscribe link opens nothing else.
            unsubscribe_encoding: EncodingKey::from_secret(&[b"missive-unsubscribe:", guest_secret].concat()),
            unsubscribe_decoding: DecodingKey::from_secret(&[b"missive-unsubscribe:", guest_secret].concat()),
            #[cfg(feature = "jwks")]
            provider_keys: None,
        }
    }

    /// Also accepts the tokens an identity provider signs with the keys it publishes.
    #[cfg(feature = "jwks")]
    pub fn with_provider_keys(mut self, keys: crate::jwks::Jwks) -> Self {
        self.provider_keys = Some(keys);
        self
    }

    /// An identity provider's token: verified with the published key its `kid` names, with
    /// that key's one algorithm, and the platform's rules on `exp`, `nbf`, `iss` and `aud`.
    #[cfg(feature = "jwks")]
    async fn decode_provider_token(&self, token: &str, kid: Option<&str>) -> Result<Claims, AppError> {
        let invalid = AppError::Unauthorized("invalid token");
        let (Some(keys), Some(kid)) = (&self.provider_keys, kid) else { return Err(invalid) };
        let Some(pinned) = keys.key(kid).await else { return Err(invalid) };
        let mut validation = self.platform_validation.clone();
        validation.algorithms = vec![pinned.algorithm];
        decode::<Claims>(token, &pinned.key, &validation).map(|d| d.claims).map_err(token_error)
    }

    #[cfg(not(feature = "jwks"))]
    async fn decode_provider_token(&self, _token: &str, _kid: Option<&str>) -> Result<Claims, AppError> {
        Err(AppError::Unauthorized("invalid token"))
    }

    /// A signed token for a user's one-click unsubscribe link.
    pub fn unsubscribe_token(&self, tenant: &TenantId, user: &UserId, now: DateTime<Utc>) -> Result<String, AppError> {
        let claims = UnsubscribeClaims {
            tid: tenant.as_str().into(),
            sub: user.as_str().into(),
            aud: UNSUBSCRIBE_AUDIENCE.into(),
            exp: (now + chrono::Duration::days(UNSUBSCRIBE_DAYS)).timestamp(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.unsubscribe_encoding).map_err(AppError::internal)
    }

    /// The tenant and user an unsubscribe token was made for.
    pub fn verify_unsubscribe(&self, token: &str) -> Result<(TenantId, UserId), AppError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[UNSUBSCRIBE_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        let invalid = || AppError::invalid("this unsubscribe link is invalid or has expired");
        let data =
            decode::<UnsubscribeClaims>(token, &self.unsubscribe_decoding, &validation).map_err(|_| invalid())?;
        let tenant = TenantId::parse(data.claims.tid).map_err(|_| invalid())?;
        let user = UserId::parse(data.claims.sub).map_err(|_| invalid())?;
        Ok((tenant, user))
    }

    pub async fn verify(&self, token: &str) -> Result<VerifiedClaims, AppError> {
        let header = decode_header(token).map_err(|_| AppError::Unauthorized("invalid token"))?;
        let is_guest = header.kid.as_deref() == Some(GUEST_KID);
        // The header only says which key to try; each key verifies its own algorithm alone.
        let claims = if is_guest {
            decode::<Claims>(token, &self.guest_decoding, &self.guest_validation)
                .map(|d| d.claims)
                .map_err(token_error)?
        } else if header.alg == Algorithm::HS256 {
            decode::<Claims>(token, &self.platform_key, &self.platform_validation)
                .map(|d| d.claims)
                .map_err(token_error)?
        } else {
            self.decode_provider_token(token, header.kid.as_deref()).await?
        };
        let bad_claims = |_| AppError::Unauthorized("invalid token claims");
        let role = match claims.role.as_deref() {
            None => Role::Member,
            Some(r) => Role::parse(r).map_err(bad_claims)?,
        };
        // A bot is whoever holds a bot's API key, and only that.
        if role == Role::Bot {
            return Err(AppError::Unauthorized("invalid token claims"));
        }
        // A guest is whoever holds a guest token, and only that.
        if (role == Role::Guest) != is_guest {
            return Err(AppError::Unauthorized("invalid token claims"));
        }
        let conversation_scope = match (is_guest, claims.cid) {
            (true, Some(cid)) => Some(ConversationId::parse(cid).map_err(bad_claims)?),
            (true, None) => return Err(AppError::Unauthorized("invalid token claims")),
            (false, _) => None,
        };
        let user_id = UserId::parse(claims.sub).map_err(bad_claims)?;
        let name = claims.name.as_deref().and_then(|n| DisplayName::parse(n).ok());
        Ok(VerifiedClaims {
            tenant_id: TenantId::parse(claims.tid).map_err(bad_claims)?,
            user_id,
            role,
            name,
            email: claims.email.filter(|e| !e.is_empty() && !e.chars().any(char::is_control)),
            locale: claims.locale.as_deref().map(Locale::from_tag),
            conversation_scope,
        })
    }

    /// Signs a guest token for one storefront conversation.
    pub fn mint_guest(
        &self,
        tenant: &TenantId,
        user: &UserId,
        name: &DisplayName,
        conversation: &ConversationId,
        expires_at: DateTime<Utc>,
    ) -> Result<String, AppError> {
        let claims = Claims {
            sub: user.to_string(),
            tid: tenant.to_string(),
            role: Some(Role::Guest.as_str().into()),
            name: Some(name.as_str().into()),
            email: None,
            locale: None,
            exp: expires_at.timestamp(),
            nbf: None,
            iss: Some(GUEST_ISSUER.into()),
            aud: Some(GUEST_AUDIENCE.into()),
            cid: Some(conversation.to_string()),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(GUEST_KID.into());
        encode(&header, &claims, &self.guest_encoding).map_err(AppError::internal)
    }
}

/// Why a token was refused, as much as the caller may know.
fn token_error(e: jsonwebtoken::errors::Error) -> AppError {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::ExpiredSignature => AppError::Unauthorized("token expired"),
        ErrorKind::ImmatureSignature => AppError::Unauthorized("token not yet valid"),
        _ => AppError::Unauthorized("invalid token"),
    }
}

/// Signs a platform token (HS256): what a platform's backend does, offered for the local
/// runtime's demo tokens and `missive-local token`.
pub fn mint_platform_token(secret: &[u8], claims: &Claims) -> Result<String, AppError> {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret)).map_err(AppError::internal)
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"platform-secret";

    fn claims(exp_in: i64) -> Claims {
        Claims {
            sub: "alice".into(),
            tid: "acme".into(),
            role: Some("member".into()),
            name: Some("Alice".into()),
            email: None,
            locale: Some("en".into()),
            exp: Utc::now().timestamp() + exp_in,
            nbf: None,
            iss: None,
            aud: None,
            cid: None,
        }
    }

    fn verifier() -> TokenVerifier {
        TokenVerifier::new(SECRET, b"guest-secret", None, None)
    }

    #[tokio::test]
    async fn accepts_a_valid_platform_token() {
        let token = mint_platform_token(SECRET, &claims(60)).unwrap();
        let v = verifier().verify(&token).await.unwrap();
        assert_eq!(v.user_id.as_str(), "alice");
        assert_eq!(v.role, Role::Member);
        assert_eq!(v.locale, Some(Locale::En));
    }

    #[tokio::test]
    async fn refuses_expired_wrong_key_and_unsigned_tokens() {
        let expired = mint_platform_token(SECRET, &claims(-120)).unwrap();
        assert!(matches!(verifier().verify(&expired).await, Err(AppError::Unauthorized("token expired"))));
        let wrong = mint_platform_token(b"another", &claims(60)).unwrap();
        assert!(verifier().verify(&wrong).await.is_err());
        // alg: none — the payload of a valid token with an unsigned header.
        let valid = mint_platform_token(SECRET, &claims(60)).unwrap();
        let payload = valid.split('.').nth(1).unwrap();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(verifier().verify(&none).await.is_err());
    }

    #[tokio::test]
    async fn checks_issuer_and_audience_when_configured() {
        let v = TokenVerifier::new(SECRET, b"g", Some("https://idp"), Some("missive"));
        let token = mint_platform_token(SECRET, &claims(60)).unwrap();
        assert!(v.verify(&token).await.is_err(), "iss and aud are required");
        let mut c = claims(60);
        c.iss = Some("https://idp".into());
        c.aud = Some("missive".into());
        assert!(v.verify(&mint_platform_token(SECRET, &c).unwrap()).await.is_ok());
        c.aud = Some("other".into());
        assert!(v.verify(&mint_platform_token(SECRET, &c).unwrap()).await.is_err());
    }

    #[tokio::test]
    async fn a_platform_token_cannot_claim_guest_and_guest_tokens_round_trip() {
        let mut c = claims(60);
        c.role = Some("guest".into());
        assert!(verifier().verify(&mint_platform_token(SECRET, &c).unwrap()).await.is_err());

        let v = verifier();
        let token = v
            .mint_guest(
                &TenantId::parse("acme").unwrap(),
                &UserId::parse("guest-1").unwrap(),
                &DisplayName::parse("Zoé").unwrap(),
                &ConversationId::parse("c1").unwrap(),
                Utc::now() + chrono::Duration::hours(1),
            )
            .unwrap();
        let g = v.verify(&token).await.unwrap();
        assert_eq!(g.role, Role::Guest);
        assert_eq!(g.conversation_scope.unwrap().as_str(), "c1");
        // A guest token signed with the platform key is not a guest token.
        let other = TokenVerifier::new(b"guest-secret-2", SECRET, None, None);
        assert!(other.verify(&token).await.is_err());
    }
}
