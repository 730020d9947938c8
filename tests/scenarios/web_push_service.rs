//! A browser vendor's push service, as the scenarios' own: it hands out subscriptions (a P-256
//! key pair and an auth secret of its browser's, an endpoint on `https://push.missive.test`),
//! and takes what Missive POSTs to them as a real one would only if it is right — the VAPID
//! token (RFC 8292) signed by the stack's key for this service's origin, unexpired, with a
//! contact; the payload aes128gcm-encrypted (RFC 8291) for the browser's keys, which it
//! decrypts. Missive reaches it through `MISSIVE_WEBPUSH_URL` (its real origin would need DNS and
//! TLS); everything else is as on the Internet.
//!
//! Each subscription answers as it is told: accept (201), gone (410), or fail (500).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

/// The origin every subscription's endpoint names.
pub const ORIGIN: &str = "https://push.missive.test";

/// How a subscription's push service answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Gone,
    Fail,
}

/// A push the service took: its headers that matter and its decrypted payload.
#[derive(Clone, Debug)]
pub struct Received {
    pub subscription: String,
    pub urgency: String,
    pub topic: Option<String>,
    pub ttl: u64,
    pub payload: Value,
}

struct Subscription {
    secret: p256::SecretKey,
    auth: [u8; 16],
    answer: Answer,
    attempts: u32,
}

#[derive(Default)]
struct Inner {
    subscriptions: HashMap<String, Subscription>,
    received: Vec<Received>,
    /// Requests refused for being wrong (a bad token, a payload that does not decrypt).
    refused: Vec<String>,
}

#[derive(Clone)]
pub struct WebPushService {
    /// Where Missive is told to send (`MISSIVE_WEBPUSH_URL`).
    pub url: String,
    vapid_public_key: Arc<Mutex<Option<String>>>,
    inner: Arc<Mutex<Inner>>,
}

impl WebPushService {
    pub async fn start() -> WebPushService {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let service = WebPushService {
            url,
            vapid_public_key: Arc::new(Mutex::new(None)),
            inner: Arc::new(Mutex::new(Inner::default())),
        };
        let app = Router::new().route("/push/{id}", post(receive)).with_state(service.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        service
    }

    /// The stack's VAPID public key (`GET /v1/push/vapid-public-key`): only tokens it verifies
    /// are taken.
    pub fn trust(&self, vapid_public_key: &str) {
        *self.vapid_public_key.lock().unwrap() = Some(vapid_public_key.to_string());
    }

    /// A new browser's subscription, as `PushSubscription.toJSON()` gives it, answered `answer`.
    pub fn subscribe(&self, answer: Answer) -> Value {
        let secret = p256::SecretKey::random(&mut rand_core::OsRng);
        let mut auth = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut auth);
        let id = ulid::Ulid::new().to_string();
        let public = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&secret.public_key(), false);
        let subscription = json!({
            "endpoint": format!("{ORIGIN}/push/{id}"),
            "keys": { "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()), "auth": URL_SAFE_NO_PAD.encode(auth) }
        });
        self.inner.lock().unwrap().subscriptions.insert(id, Subscription { secret, auth, answer, attempts: 0 });
        subscription
    }

    /// Changes how a subscription (by its endpoint) answers from now on.
    pub fn answer(&self, endpoint: &str, answer: Answer) {
        let id = endpoint.rsplit('/').next().unwrap();
        self.inner.lock().unwrap().subscriptions.get_mut(id).unwrap().answer = answer;
    }

    /// Every push accepted so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// How many requests a subscription got, whatever it answered.
    pub fn attempts(&self, endpoint: &str) -> u32 {
        let id = endpoint.rsplit('/').next().unwrap();
        self.inner.lock().unwrap().subscriptions[id].attempts
    }

    /// Requests refused for being malformed: a test asserts there were none.
    pub fn refused(&self) -> Vec<String> {
        self.inner.lock().unwrap().refused.clone()
    }
}

async fn receive(
    State(service): State<WebPushService>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let trusted = service.vapid_public_key.lock().unwrap().clone();
    let mut inner = service.inner.lock().unwrap();
    let Some(subscription) = inner.subscriptions.get_mut(&id) else {
        return StatusCode::NOT_FOUND;
    };
    subscription.attempts += 1;
    let checked = check(&headers, trusted.as_deref()).and_then(|(urgency, topic, ttl)| {
        let plain = web_push_native::decrypt(body.to_vec(), &subscription.secret, &subscription.auth.into())
            .map_err(|e| format!("the payload does not decrypt with the subscription's keys: {e}"))?;
        let payload = serde_json::from_slice(&plain).map_err(|e| format!("the payload is not JSON: {e}"))?;
        Ok(Received { subscription: format!("{ORIGIN}/push/{id}"), urgency, topic, ttl, payload })
    });
    let answer = subscription.answer;
    match checked {
        Err(why) => {
            inner.refused.push(why);
            StatusCode::BAD_REQUEST
        }
        Ok(received) => match answer {
            Answer::Accept => {
                inner.received.push(received);
                StatusCode::CREATED
            }
            Answer::Gone => StatusCode::GONE,
            Answer::Fail => StatusCode::INTERNAL_SERVER_ERROR,
        },
    }
}

/// The request's headers as RFC 8030 and RFC 8292 want them: its urgency, topic and TTL.
fn check(headers: &HeaderMap, trusted: Option<&str>) -> Result<(String, Option<String>, u64), String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    if header("content-encoding").as_deref() != Some("aes128gcm") {
        return Err("Content-Encoding is not aes128gcm".into());
    }
    let ttl = header("ttl").and_then(|t| t.parse().ok()).ok_or("no TTL")?;
    let urgency = header("urgency").unwrap_or_else(|| "normal".into());
    if !["very-low", "low", "normal", "high"].contains(&urgency.as_str()) {
        return Err(format!("Urgency {urgency}"));
    }
    let topic = header("topic");
    if let Some(t) = &topic {
        if t.len() > 32 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(format!("Topic {t}: at most 32 base64url characters"));
        }
    }
    let authorization = header("authorization").ok_or("no Authorization")?;
    let (token, key) = authorization
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .ok_or("Authorization is not `vapid t=…, k=…`")?;
    if Some(key) != trusted {
        return Err(format!("VAPID key {key} is not the stack's"));
    }
    let point = URL_SAFE_NO_PAD.decode(key).map_err(|_| "k is not base64url")?;
    if point.len() != 65 {
        return Err("k is not an uncompressed P-256 point".into());
    }
    let (x, y) = (URL_SAFE_NO_PAD.encode(&point[1..33]), URL_SAFE_NO_PAD.encode(&point[33..]));
    let key = jsonwebtoken::DecodingKey::from_ec_components(&x, &y).map_err(|e| e.to_string())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[ORIGIN]);
    validation.set_required_spec_claims(&["aud", "exp", "sub"]);
    let claims =
        jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|e| format!("VAPID token: {e}"))?.claims;
    let lifetime = claims["exp"].as_i64().unwrap_or_default() - chrono::Utc::now().timestamp();
    if lifetime > 24 * 60 * 60 {
        return Err("VAPID token valid for more than 24 hours".into());
    }
    let sub = claims["sub"].as_str().unwrap_or_default();
    if !(sub.starts_with("mailto:") || sub.starts_with("https://")) {
        return Err(format!("VAPID sub {sub}: not a mailto: or https: URL"));
    }
    Ok((urgency, topic, ttl))
}
