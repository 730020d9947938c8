//! FCM and APNs as the scenarios' own, each checking what Missive sends as the real one does
//! before it takes it:
//!
//! - FCM: a service account (an RSA key made here) whose JWT assertion the token endpoint
//!   verifies (RS256, issuer, scope, audience) before it issues an access token; `messages:send`
//!   takes only an issued token, and a message of HTTP v1's shape.
//! - APNs: an APNs key (P-256, made here) whose provider token each request carries (ES256,
//!   `kid`, issuer); requests over HTTP/2 only, with the bundle id as `apns-topic`.
//!
//! Missive reaches both through `MISSIVE_FCM_URL` and `MISSIVE_APNS_URL`. Each device token
//! answers as it is told: accept, gone, or fail.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, Version};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::web_push_service::Answer;

const TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
const CLIENT_EMAIL: &str = "missive@missive-test.iam.gserviceaccount.com";
pub const TEAM_ID: &str = "TEAM123456";
pub const KEY_ID: &str = "KEY1234567";
pub const BUNDLE_ID: &str = "com.missive.test";

/// A push a fake service took.
#[derive(Clone, Debug)]
pub struct Taken {
    pub device_token: String,
    /// The whole request body as JSON.
    pub body: Value,
    /// The headers that matter (APNs's, lower case).
    pub headers: HashMap<String, String>,
}

#[derive(Default)]
struct Inner {
    answers: HashMap<String, Answer>,
    taken: Vec<Taken>,
    /// Access tokens issued (FCM) or provider tokens seen (APNs).
    tokens: HashSet<String>,
    token_requests: u32,
    refused: Vec<String>,
}

#[derive(Clone)]
pub struct FakePushService {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    /// The credentials' public half, PEM: what the fake verifies tokens with.
    public_pem: Arc<String>,
    /// The credentials' JSON for `PUT /v1/admin/tenants/{id}/push-credentials`.
    pub credentials: Value,
}

impl FakePushService {
    /// A device token of the service's, answered `answer`.
    pub fn device(&self, answer: Answer) -> String {
        let token = if self.credentials.get("teamId").is_some() {
            format!("{:064x}", ulid::Ulid::new().0)
        } else {
            format!("{}:APA91b{}", ulid::Ulid::new(), "x".repeat(120))
        };
        self.inner.lock().unwrap().answers.insert(token.clone(), answer);
        token
    }

    pub fn taken(&self) -> Vec<Taken> {
        self.inner.lock().unwrap().taken.clone()
    }

    /// How many distinct tokens Missive authenticated with: one while it keeps its token.
    pub fn tokens_seen(&self) -> usize {
        self.inner.lock().unwrap().tokens.len()
    }

    pub fn token_requests(&self) -> u32 {
        self.inner.lock().unwrap().token_requests
    }

    pub fn refused(&self) -> Vec<String> {
        self.inner.lock().unwrap().refused.clone()
    }

    fn refuse(&self, why: String) -> axum::response::Response {
        self.inner.lock().unwrap().refused.push(why.clone());
        (StatusCode::BAD_REQUEST, why).into_response()
    }

    /// Records a push to `device_token` as it is told to answer: whether to accept it.
    fn answer_for(&self, device_token: &str) -> Option<Answer> {
        self.inner.lock().unwrap().answers.get(device_token).copied()
    }
}

async fn listen(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// FCM: the token endpoint and `messages:send`.
pub async fn start_fcm() -> FakePushService {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let private_pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public_pem = key.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
    let credentials = json!({
        "type": "service_account",
        "project_id": "missive-test",
        "private_key_id": "0123",
        "private_key": private_pem,
        "client_email": CLIENT_EMAIL,
        "client_id": "1",
        "token_uri": TOKEN_URI,
    });
    let mut service =
        FakePushService { url: String::new(), inner: Arc::default(), public_pem: Arc::new(public_pem), credentials };
    let router = Router::new()
        .route("/token", post(fcm_token))
        .route("/v1/projects/{project}/{send}", post(fcm_send))
        .with_state(service.clone());
    service.url = listen(router).await;
    service
}

async fn fcm_token(State(fcm): State<FakePushService>, body: String) -> axum::response::Response {
    fcm.inner.lock().unwrap().token_requests += 1;
    let form: HashMap<&str, &str> = body.split('&').filter_map(|pair| pair.split_once('=')).collect();
    if form.get("grant_type") != Some(&"urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer") {
        return fcm.refuse(format!("grant_type: {body}"));
    }
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(fcm.public_pem.as_bytes()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[TOKEN_URI]);
    validation.set_issuer(&[CLIENT_EMAIL]);
    let claims = match jsonwebtoken::decode::<Value>(form.get("assertion").unwrap_or(&""), &key, &validation) {
        Ok(data) => data.claims,
        Err(e) => return fcm.refuse(format!("assertion: {e}")),
    };
    if claims["scope"] != "https://www.googleapis.com/auth/firebase.messaging" {
        return fcm.refuse(format!("scope: {claims}"));
    }
    let token = format!("ya29.{}", ulid::Ulid::new());
    fcm.inner.lock().unwrap().tokens.insert(token.clone());
    Json(json!({ "access_token": token, "expires_in": 3599, "token_type": "Bearer" })).into_response()
}

async fn fcm_send(
    State(fcm): State<FakePushService>,
    Path((project, send)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let issued = fcm.inner.lock().unwrap().tokens.contains(bearer.trim_start_matches("Bearer "));
    if project != "missive-test" || send != "messages:send" || !issued {
        return (StatusCode::UNAUTHORIZED, "not an issued token or not this project").into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else { return fcm.refuse("not JSON".into()) };
    let message = &body["message"];
    let payload = message["data"]["payload"].as_str().and_then(|p| serde_json::from_str::<Value>(p).ok());
    let priority_ok = ["NORMAL", "HIGH"].contains(&message["android"]["priority"].as_str().unwrap_or_default());
    if payload.is_none() || !priority_ok || !message["notification"]["title"].is_string() {
        return fcm.refuse(format!("not an HTTP v1 message: {body}"));
    }
    let device_token = message["token"].as_str().unwrap_or_default().to_string();
    match fcm.answer_for(&device_token) {
        Some(Answer::Accept) => {
            fcm.inner.lock().unwrap().taken.push(Taken { device_token, body, headers: HashMap::new() });
            Json(json!({ "name": format!("projects/missive-test/messages/{}", ulid::Ulid::new()) })).into_response()
        }
        Some(Answer::Fail) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response(),
        Some(Answer::Gone) | None => {
            let error = json!({ "error": { "code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND",
                "details": [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED" }] } });
            (StatusCode::NOT_FOUND, Json(error)).into_response()
        }
    }
}

/// APNs: `/3/device/{token}` over HTTP/2.
pub async fn start_apns() -> FakePushService {
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let key = p256::SecretKey::random(&mut rand_core::OsRng);
    let private_pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public_pem = key.public_key().to_public_key_pem(LineEnding::LF).unwrap();
    let credentials = json!({
        "teamId": TEAM_ID, "keyId": KEY_ID, "privateKey": private_pem, "bundleId": BUNDLE_ID, "environment": "sandbox"
    });
    let mut service =
        FakePushService { url: String::new(), inner: Arc::default(), public_pem: Arc::new(public_pem), credentials };
    let router = Router::new().route("/3/device/{token}", post(apns_push)).with_state(service.clone());
    service.url = listen(router).await;
    service
}

async fn apns_push(
    State(apns): State<FakePushService>,
    Path(device_token): Path<String>,
    request: Request,
) -> axum::response::Response {
    if request.version() != Version::HTTP_2 {
        return apns.refuse(format!("APNs speaks HTTP/2 only, not {:?}", request.version()));
    }
    let headers: HashMap<String, String> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_string(), value.to_str().unwrap_or_default().to_string()))
        .collect();
    let body = axum::body::to_bytes(request.into_body(), 64 * 1024).await.unwrap();
    let token = headers.get("authorization").and_then(|a| a.strip_prefix("bearer ")).unwrap_or_default();
    let key = jsonwebtoken::DecodingKey::from_ec_pem(apns.public_pem.as_bytes()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_issuer(&[TEAM_ID]);
    validation.set_required_spec_claims(&["iss"]);
    validation.validate_exp = false;
    let header_ok = jsonwebtoken::decode_header(token).is_ok_and(|h| h.kid.as_deref() == Some(KEY_ID));
    if let Err(e) = jsonwebtoken::decode::<Value>(token, &key, &validation) {
        return apns.refuse(format!("provider token: {e}"));
    }
    if !header_ok {
        return apns.refuse("provider token: kid is not the key's id".into());
    }
    apns.inner.lock().unwrap().tokens.insert(token.to_string());
    let header = |name: &str| headers.get(name).map(String::as_str).unwrap_or_default();
    if header("apns-topic") != BUNDLE_ID || header("apns-push-type") != "alert" || header("apns-priority") != "10" {
        return apns.refuse(format!("headers: {headers:?}"));
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else { return apns.refuse("not JSON".into()) };
    if !body["aps"]["alert"]["title"].is_string() || !body["aps"]["badge"].is_u64() {
        return apns.refuse(format!("aps: {body}"));
    }
    match apns.answer_for(&device_token) {
        Some(Answer::Accept) => {
            apns.inner.lock().unwrap().taken.push(Taken { device_token, body, headers });
            StatusCode::OK.into_response()
        }
        Some(Answer::Fail) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "reason": "ServiceUnavailable" }))).into_response()
        }
        Some(Answer::Gone) | None => {
            (StatusCode::GONE, Json(json!({ "reason": "Unregistered", "timestamp": 0 }))).into_response()
        }
    }
}
