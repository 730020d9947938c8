//! One canary run: the tenant, two people, a direct conversation, two sockets, one message.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use missive::auth::{mint_platform_token, Claims};
use missive::config::Config;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// A run's whole budget, well inside the function's timeout (30 s).
pub const BUDGET: Duration = Duration::from_secs(20);
/// How long the message may take to reach the other socket.
const DELIVERY: Duration = Duration::from_secs(10);

/// Where the canary goes: the stack's public endpoints, and its tenant.
#[derive(Clone, Debug)]
pub struct Endpoints {
    /// The REST API's base (`https://…/prod`): `MISSIVE_CANARY_HTTP_URL`.
    http: String,
    /// The WebSocket API (`wss://…/prod`): `MISSIVE_CANARY_WS_URL`.
    ws: String,
    /// `MISSIVE_CANARY_TENANT` (`missive-canary`).
    tenant: String,
}

impl Endpoints {
    pub fn from_env() -> Result<Self, String> {
        let get = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
        Ok(Self {
            http: get("MISSIVE_CANARY_HTTP_URL")?.trim_end_matches('/').to_string(),
            ws: get("MISSIVE_CANARY_WS_URL")?.trim_end_matches('/').to_string(),
            tenant: std::env::var("MISSIVE_CANARY_TENANT").unwrap_or_else(|_| "missive-canary".into()),
        })
    }
}

/// Runs the journey; how long the message took from its send to the other socket.
pub async fn run(config: &Config, at: &Endpoints) -> Result<Duration, String> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().map_err(|e| e.to_string())?;
    // Its tenant, made once (a 409 afterwards), keeping its messages a day.
    let tenant = json!({ "id": at.tenant, "name": "Missive canary", "retentionDays": 1 });
    let status = post(&http, &format!("{}/v1/admin/tenants", at.http), config.platform_key.expose(), &tenant).await?.0;
    if status != 201 && status != 409 {
        return Err(format!("creating the canary's tenant: {status}"));
    }
    let [sender, recipient] = ["canary-sender", "canary-recipient"].map(|user| token(config, &at.tenant, user));
    let (sender, recipient) = (sender?, recipient?);
    for person in [&sender, &recipient] {
        let (status, body) = get(&http, &format!("{}/v1/me", at.http), person).await?;
        if status != 200 {
            return Err(format!("GET /v1/me: {status} {body}"));
        }
    }
    let direct = json!({ "kind": "direct", "userId": "canary-recipient" });
    let (status, conversation) = post(&http, &format!("{}/v1/conversations", at.http), &sender, &direct).await?;
    let conversation = conversation["id"].as_str().filter(|_| status == 200 || status == 201);
    let conversation = conversation.ok_or(format!("the direct conversation: {status}"))?.to_string();

    let connect = |token: String| {
        let url = format!("{}?token={token}", at.ws);
        async move { tokio_tungstenite::connect_async(url).await.map(|(socket, _)| socket).map_err(|e| e.to_string()) }
    };
    let mut listening = connect(recipient).await.map_err(|e| format!("the recipient's socket: {e}"))?;
    let mut sending = connect(sender).await.map_err(|e| format!("the sender's socket: {e}"))?;
    let body = format!("canary {}", ulid::Ulid::new());
    let frame = json!({ "action": "sendMessage", "conversationId": conversation, "body": body, "requestId": "canary" });
    let sent_at = Instant::now();
    sending.send(Message::text(frame.to_string())).await.map_err(|e| format!("sending: {e}"))?;
    let arrived = tokio::time::timeout(DELIVERY, async {
        while let Some(frame) = listening.next().await {
            let Ok(Message::Text(text)) = frame else { continue };
            let event: Value = serde_json::from_str(&text).unwrap_or_default();
            if event["type"] == "message.new" && event["message"]["body"] == body.as_str() {
                return Ok(sent_at.elapsed());
            }
        }
        Err("the recipient's socket closed".to_string())
    })
    .await
    .map_err(|_| format!("the message did not reach the other socket within {} s", DELIVERY.as_secs()))?;
    let _ = sending.close(None).await;
    let _ = listening.close(None).await;
    arrived
}

fn token(config: &Config, tenant: &str, user: &str) -> Result<String, String> {
    let claims = Claims {
        sub: user.into(),
        tid: tenant.into(),
        role: Some("member".into()),
        name: Some("Canary".into()),
        email: None,
        locale: Some("en".into()),
        exp: chrono::Utc::now().timestamp() + 300,
        nbf: None,
        iss: config.jwt_issuer.clone(),
        aud: config.jwt_audience.clone(),
        cid: None,
    };
    mint_platform_token(config.jwt_secret.expose().as_bytes(), &claims).map_err(|e| e.to_string())
}

async fn get(http: &reqwest::Client, url: &str, bearer: &str) -> Result<(u16, Value), String> {
    answer(http.get(url).bearer_auth(bearer).send().await).await
}

async fn post(http: &reqwest::Client, url: &str, bearer: &str, body: &Value) -> Result<(u16, Value), String> {
    answer(http.post(url).bearer_auth(bearer).json(body).send().await).await
}

async fn answer(response: reqwest::Result<reqwest::Response>) -> Result<(u16, Value), String> {
    let response = response.map_err(|e| format!("request failed: {e}"))?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or_default()))
}
