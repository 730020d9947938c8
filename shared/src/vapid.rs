//! The stack's VAPID key (RFC 8292): the P-256 key pair a browser's push subscription is bound
//! to (its `applicationServerKey`), with which each Web Push request says who sends it.
//!
//! One pair per stack. Unless `MISSIVE_VAPID_PRIVATE_KEY` gives one, it is derived from the
//! JWT secret (as the guest secret is), so that every stack has one with nothing to set up;
//! rotating that secret then rotates this key, and browsers subscribed with the old one must
//! subscribe again (docs/deployment.md).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::EncodePrivateKey;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// How long a VAPID token is good for (RFC 8292 allows at most 24 hours).
const TOKEN_LIFETIME_SECS: i64 = 12 * 60 * 60;

/// The stack's VAPID key pair; never printed.
#[derive(Clone)]
pub struct VapidKey {
    secret: p256::SecretKey,
}

impl fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VapidKey(public {})", self.public_key())
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    exp: i64,
    sub: &'a str,
}

impl VapidKey {
    /// A private key as `web-push generate-vapid-keys` prints it: 32 bytes, base64url.
    pub fn parse(private_key: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(private_key.trim().trim_end_matches('='))
            .map_err(|_| "expected the private key's 32 bytes in base64url".to_string())?;
        let secret = p256::SecretKey::from_slice(&bytes).map_err(|_| "not a P-256 private key".to_string())?;
        Ok(Self { secret })
    }

    /// The key derived from a secret of the stack's: the same secret, the same key.
    pub fn derive(seed: &str) -> Self {
        let mut digest: [u8; 32] = Sha256::digest(format!("missive-vapid:{seed}")).into();
        loop {
            // A digest is a valid scalar but with a chance of 2⁻¹²⁸; hash again if not.
            if let Ok(secret) = p256::SecretKey::from_slice(&digest) {
                return Self { secret };
            }
            digest = Sha256::digest(digest).into();
        }
    }

    /// The public key as browsers take it (`applicationServerKey`): the uncompressed point,
    /// base64url.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.secret.public_key().to_encoded_point(false).as_bytes())
    }

    /// The `Authorization` header of a Web Push request to `endpoint`'s push service: a JWT
    /// (ES256) naming the service's origin, an expiry and who to contact, and the public key.
    pub fn authorization(&self, endpoint: &str, subject: &str, now: DateTime<Utc>) -> Result<String, String> {
        let audience = origin_of(endpoint).ok_or_else(|| format!("no origin in the endpoint {endpoint}"))?;
        let claims = Claims { aud: &audience, exp: now.timestamp() + TOKEN_LIFETIME_SECS, sub: subject };
        let der = self.secret.to_pkcs8_der().map_err(|e| e.to_string())?;
        let key = jsonwebtoken::EncodingKey::from_ec_der(der.as_bytes());
        let token = jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256), &claims, &key)
            .map_err(|e| e.to_string())?;
        Ok(format!("vapid t={token}, k={}", self.public_key()))
    }
}

/// `https://host[:port]` of a URL: a push service's identity, the VAPID token's audience.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_parsed_or_derived_and_signs_tokens_its_public_key_verifies() {
        let derived = VapidKey::derive("secret-0123456789");
        assert_eq!(derived.public_key(), VapidKey::derive("secret-0123456789").public_key(), "stable");
        assert_ne!(derived.public_key(), VapidKey::derive("another-secret").public_key());
        // web-push-native's documented example key.
        let parsed = VapidKey::parse("RS0WdYWWo1HajXg3NZR1olzCf31i-ZBGDkFyCs7j1jw").unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(parsed.public_key()).unwrap().len(), 65);
        assert!(VapidKey::parse("short").is_err());
        assert!(!format!("{parsed:?}").contains("RS0WdYW"), "never printed");

        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let header = parsed.authorization("https://push.example:8443/send/abc?x=1", "mailto:ops@example.com", now);
        let header = header.unwrap();
        let (token, key) = header.strip_prefix("vapid t=").unwrap().split_once(", k=").unwrap();
        assert_eq!(key, parsed.public_key());
        let point = URL_SAFE_NO_PAD.decode(key).unwrap();
        let (x, y) = (URL_SAFE_NO_PAD.encode(&point[1..33]), URL_SAFE_NO_PAD.encode(&point[33..]));
        let decoding = jsonwebtoken::DecodingKey::from_ec_components(&x, &y).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.validate_exp = false;
        validation.set_audience(&["https://push.example:8443"]);
        let claims = jsonwebtoken::decode::<serde_json::Value>(token, &decoding, &validation).unwrap().claims;
        assert_eq!(claims["sub"], "mailto:ops@example.com");
        assert_eq!(claims["exp"], 1_700_000_000 + TOKEN_LIFETIME_SECS);
    }
}
