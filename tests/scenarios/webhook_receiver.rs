//! A tenant's webhook receiver, as the scenarios' own: it verifies each request as the
//! Standard Webhooks libraries do — `webhook-signature` an HMAC-SHA256 of
//! `{webhook-id}.{webhook-timestamp}.{body}` under the endpoint's secret, the timestamp within
//! five minutes — and answers as it is told, per path: accept (200), fail (500), gone (410), or
//! never (it holds the request until Missive gives up waiting).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::web_push_service::Answer;

/// A request the receiver took, verified.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub id: String,
    pub body: Value,
    /// What it answered.
    pub status: u16,
}

#[derive(Default)]
struct Inner {
    answers: HashMap<String, Answer>,
    secrets: HashMap<String, Vec<String>>,
    /// Paths whose requests are never answered.
    silent: std::collections::HashSet<String>,
    received: Vec<Received>,
    refused: Vec<String>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let receiver = Receiver { url, inner: Arc::default() };
        let app = Router::new().route("/hook/{name}", post(receive)).with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        receiver
    }

    /// The URL of endpoint `name`, answering `answer`.
    pub fn endpoint(&self, name: &str, answer: Answer) -> String {
        self.inner.lock().unwrap().answers.insert(name.into(), answer);
        format!("{}/hook/{name}", self.url)
    }

    pub fn answer(&self, name: &str, answer: Answer) {
        let mut inner = self.inner.lock().unwrap();
        inner.silent.remove(name);
        inner.answers.insert(name.into(), answer);
    }

    /// From now on `name` answers nothing: each request is held until Missive stops waiting
    /// (recorded with status 0). `answer` makes it speak again.
    pub fn fall_silent(&self, name: &str) {
        self.inner.lock().unwrap().silent.insert(name.into());
    }

    /// The secrets a request to `name` may be signed with (one valid signature suffices).
    pub fn trust(&self, name: &str, secret: &str) {
        self.inner.lock().unwrap().secrets.entry(name.into()).or_default().push(secret.into());
    }

    pub fn received(&self, name: &str) -> Vec<Received> {
        self.inner.lock().unwrap().received.iter().filter(|r| r.path == name).cloned().collect()
    }

    pub fn refused(&self) -> Vec<String> {
        self.inner.lock().unwrap().refused.clone()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match take(&receiver, name, &headers, &body) {
        Some(status) => status,
        // Silent: held until Missive gives up (the lock released first).
        None => std::future::pending().await,
    }
}

/// Verifies and records a request; answers its status, or `None` when the path is silent.
fn take(receiver: &Receiver, name: String, headers: &HeaderMap, body: &Bytes) -> Option<StatusCode> {
    let mut inner = receiver.inner.lock().unwrap();
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let (id, timestamp, signatures) = (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
    let body_text = String::from_utf8_lossy(body).to_string();
    let trusted = inner.secrets.get(&name).cloned().unwrap_or_default();
    let signed = verified(headers, &body_text, &trusted);
    let json = serde_json::from_str::<Value>(&body_text);
    if !signed || json.is_err() || header("content-type") != "application/json" {
        inner.refused.push(format!("{name}: id {id}, timestamp {timestamp}, signature {signatures}"));
        return Some(StatusCode::UNAUTHORIZED);
    }
    let status = if inner.silent.contains(&name) {
        None
    } else {
        Some(match inner.answers.get(&name).copied().unwrap_or(Answer::Accept) {
            Answer::Accept => StatusCode::OK,
            Answer::Fail => StatusCode::INTERNAL_SERVER_ERROR,
            Answer::Gone => StatusCode::GONE,
        })
    };
    let recorded = status.map_or(0, |s| s.as_u16());
    inner.received.push(Received { path: name, id, body: json.unwrap(), status: recorded });
    status
}

/// Whether a request is one Missive signed under one of `secrets`: a `msg_` id, a timestamp
/// within five minutes, a `webhook-signature` among whose `v1,` signatures one is the
/// HMAC-SHA256 of `{id}.{timestamp}.{body}`.
pub fn verified(headers: &HeaderMap, body: &str, secrets: &[String]) -> bool {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let (id, timestamp, signatures) = (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
    let fresh = timestamp.parse::<i64>().is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() <= 300);
    let expected: Vec<String> = secrets
        .iter()
        .map(|secret| {
            let key = STANDARD.decode(secret.trim_start_matches("whsec_")).unwrap();
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
        })
        .collect();
    id.starts_with("msg_") && fresh && signatures.split(' ').any(|s| expected.iter().any(|e| e == s))
}
