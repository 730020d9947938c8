//! Tokens of an identity provider (Cognito, Auth0…), verified with the keys it publishes: a
//! JSON Web Key Set served on loopback, with keys generated here. RS256 and ES256 are accepted,
//! each pinned to its key; rotation, unknown keys, keys of the wrong type and algorithms that
//! do not match the key are handled; the platform's HS256 tokens keep working beside them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use missive::auth::{mint_platform_token, Claims, TokenVerifier};
use missive::jwks::Jwks;
use missive::AppError;
use p256::pkcs8::EncodePrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;

const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "missive";
const SECRET: &[u8] = b"the-platform-hs256-secret";

/// A JWKS endpoint whose keys the test changes, counting how often it is read.
struct Provider {
    url: String,
    keys: Arc<Mutex<Vec<Jwk>>>,
    reads: Arc<AtomicUsize>,
}

impl Provider {
    async fn start() -> Provider {
        let keys: Arc<Mutex<Vec<Jwk>>> = Arc::default();
        let reads: Arc<AtomicUsize> = Arc::default();
        let (served, counted) = (keys.clone(), reads.clone());
        let app = Router::new().route(
            "/.well-known/jwks.json",
            get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let keys = served.lock().unwrap().clone();
                async move { Json(JwkSet { keys }) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Provider { url, keys, reads }
    }

    fn publish(&self, keys: Vec<Jwk>) {
        *self.keys.lock().unwrap() = keys;
    }

    fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

/// A signing key and its public half as the provider publishes it.
fn rsa_key(kid: &str) -> (EncodingKey, Jwk) {
    let private = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let key = EncodingKey::from_rsa_der(private.to_pkcs1_der().unwrap().as_bytes());
    published(key, Algorithm::RS256, kid)
}

fn ec_key(kid: &str) -> (EncodingKey, Jwk) {
    let private = p256::SecretKey::random(&mut rand_core::OsRng);
    let key = EncodingKey::from_ec_der(private.to_pkcs8_der().unwrap().as_bytes());
    published(key, Algorithm::ES256, kid)
}

fn published(key: EncodingKey, algorithm: Algorithm, kid: &str) -> (EncodingKey, Jwk) {
    let mut jwk = Jwk::from_encoding_key(&key, algorithm).unwrap();
    jwk.common.key_id = Some(kid.into());
    (key, jwk)
}

fn claims(sub: &str) -> Claims {
    Claims {
        sub: sub.into(),
        tid: "acme".into(),
        role: Some("member".into()),
        name: Some("Alice".into()),
        email: None,
        locale: None,
        exp: Utc::now().timestamp() + 300,
        nbf: None,
        iss: Some(ISSUER.into()),
        aud: Some(AUDIENCE.into()),
        cid: None,
    }
}

fn sign(algorithm: Algorithm, kid: &str, key: &EncodingKey, claims: &Claims) -> String {
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.into());
    encode(&header, claims, key).unwrap()
}

fn verifier(jwks: Jwks) -> TokenVerifier {
    TokenVerifier::new(SECRET, b"the-guest-secret", Some(ISSUER), Some(AUDIENCE)).with_provider_keys(jwks)
}

async fn refused(v: &TokenVerifier, token: &str) -> bool {
    matches!(v.verify(token).await, Err(AppError::Unauthorized(_)))
}

#[tokio::test]
async fn identity_provider_tokens_are_verified_with_the_keys_it_publishes() {
    let provider = Provider::start().await;
    let (rsa, rsa_jwk) = rsa_key("rsa-1");
    let (ec, ec_jwk) = ec_key("ec-1");
    provider.publish(vec![rsa_jwk, ec_jwk]);
    let v = verifier(Jwks::new(&provider.url).unwrap().refreshing_at_most_every(Duration::ZERO));

    let by_rsa = v.verify(&sign(Algorithm::RS256, "rsa-1", &rsa, &claims("alice"))).await.unwrap();
    assert_eq!((by_rsa.tenant_id.as_str(), by_rsa.user_id.as_str()), ("acme", "alice"));
    let by_ec = v.verify(&sign(Algorithm::ES256, "ec-1", &ec, &claims("bob"))).await.unwrap();
    assert_eq!(by_ec.user_id.as_str(), "bob");
    assert!(v.verify(&mint_platform_token(SECRET, &claims("carol")).unwrap()).await.is_ok(), "HS256 stays");

    // The platform's rules hold for the provider's tokens too.
    let mut expired = claims("alice");
    expired.exp = Utc::now().timestamp() - 120;
    let token = sign(Algorithm::RS256, "rsa-1", &rsa, &expired);
    assert!(matches!(v.verify(&token).await, Err(AppError::Unauthorized("token expired"))));
    let mut elsewhere = claims("alice");
    elsewhere.iss = Some("https://other-idp.example".into());
    assert!(refused(&v, &sign(Algorithm::RS256, "rsa-1", &rsa, &elsewhere)).await, "another issuer");
    let mut other_audience = claims("alice");
    other_audience.aud = Some("another-app".into());
    assert!(refused(&v, &sign(Algorithm::ES256, "ec-1", &ec, &other_audience)).await, "another audience");

    // The key decides the algorithm, never the token.
    assert!(refused(&v, &sign(Algorithm::RS384, "rsa-1", &rsa, &claims("alice"))).await, "RS384 on an RS256 key");
    assert!(refused(&v, &sign(Algorithm::RS256, "ec-1", &rsa, &claims("alice"))).await, "RS256 naming an EC key");
    let (stranger, _) = rsa_key("rsa-1");
    assert!(
        refused(&v, &sign(Algorithm::RS256, "rsa-1", &stranger, &claims("alice"))).await,
        "another key's signature"
    );
    assert!(refused(&v, &sign(Algorithm::RS256, "unknown", &rsa, &claims("alice"))).await, "an unknown kid");
    let mut no_kid = Header::new(Algorithm::RS256);
    no_kid.kid = None;
    assert!(refused(&v, &encode(&no_kid, &claims("alice"), &rsa).unwrap()).await, "no kid");
    // An HMAC key published by the provider is not used: HS256 is the platform's secret alone.
    let hmac = EncodingKey::from_secret(b"published-hmac-secret");
    let (_, mut hmac_jwk) = published(hmac.clone(), Algorithm::HS256, "hmac-1");
    hmac_jwk.common.key_id = Some("hmac-1".into());
    let (rsa2, rsa2_jwk) = rsa_key("rsa-2");
    provider.publish(vec![hmac_jwk, rsa2_jwk]);
    assert!(refused(&v, &sign(Algorithm::HS256, "hmac-1", &hmac, &claims("alice"))).await, "an HMAC key");
    assert!(refused(&v, &sign(Algorithm::HS384, "hmac-1", &hmac, &claims("alice"))).await, "an HMAC key");

    // Rotation: a new key is read when a token names it; the retired one is gone.
    assert!(v.verify(&sign(Algorithm::RS256, "rsa-2", &rsa2, &claims("alice"))).await.is_ok());
    assert!(refused(&v, &sign(Algorithm::RS256, "rsa-1", &rsa, &claims("alice"))).await, "a retired key");
}

#[tokio::test]
async fn unknown_key_ids_read_the_key_set_again_at_most_once_in_a_while() {
    let provider = Provider::start().await;
    let (ec, ec_jwk) = ec_key("ec-1");
    provider.publish(vec![ec_jwk]);
    let v = verifier(Jwks::new(&provider.url).unwrap());
    assert!(v.verify(&sign(Algorithm::ES256, "ec-1", &ec, &claims("alice"))).await.is_ok());
    assert_eq!(provider.reads(), 1);
    for i in 0..50 {
        let token = sign(Algorithm::ES256, &format!("made-up-{i}"), &ec, &claims("alice"));
        assert!(refused(&v, &token).await);
    }
    assert_eq!(provider.reads(), 1, "made-up key ids do not make Missive read the set again and again");
    assert!(v.verify(&sign(Algorithm::ES256, "ec-1", &ec, &claims("alice"))).await.is_ok(), "known keys still work");
}

#[tokio::test]
async fn a_provider_that_cannot_be_read_refuses_its_tokens_and_not_the_platform_s() {
    let v = verifier(Jwks::new("http://127.0.0.1:9/nothing-listens-here").unwrap());
    let (ec, _) = ec_key("ec-1");
    assert!(refused(&v, &sign(Algorithm::ES256, "ec-1", &ec, &claims("alice"))).await);
    assert!(v.verify(&mint_platform_token(SECRET, &claims("alice")).unwrap()).await.is_ok());
}
