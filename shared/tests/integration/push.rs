//! The push adapter over real HTTP: against moto, and against a small server that answers
//! like API Gateway's management API (410 Gone for a closed connection, a 500 now and then).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::Utc;
use missive::adapters::aws::apigw_push::ApiGatewayPush;
use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::ports::*;
use missive::App;

/// A server that answers like API Gateway's management API.
#[derive(Default)]
pub struct FakeGateway {
    /// What each connection received.
    pub received: Mutex<HashMap<String, Vec<String>>>,
    /// Connections that answer 500 this many more times.
    pub failures: Mutex<HashMap<String, u32>>,
}

async fn post_to_connection(
    State(gw): State<Arc<FakeGateway>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    assert!(headers.get("authorization").is_some(), "requests are signed");
    if id.starts_with("gone") {
        // What API Gateway answers for a connection that no longer exists.
        return (StatusCode::GONE, [("x-amzn-ErrorType", "GoneException")], r#"{"message":null}"#).into_response();
    }
    if let Some(left) = gw.failures.lock().unwrap().get_mut(&id).filter(|n| **n > 0) {
        *left -= 1;
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [("x-amzn-ErrorType", "InternalServerErrorException")],
            r#"{"message":"boom"}"#,
        )
            .into_response();
    }
    gw.received.lock().unwrap().entry(id).or_default().push(body);
    StatusCode::OK.into_response()
}

/// Starts a [`FakeGateway`] on loopback: its management endpoint and its records. Connections
/// whose id starts with `gone` answer 410 Gone.
pub async fn fake_gateway() -> (String, Arc<FakeGateway>) {
    let gw = Arc::new(FakeGateway::default());
    let router = axum::Router::new()
        .route("/prod/@connections/{id}", axum::routing::post(post_to_connection))
        .with_state(gw.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/prod"), gw)
}

fn connection(user: &str, id: &str) -> Connection {
    let now = Utc::now();
    Connection {
        tenant_id: TenantId::parse("acme").unwrap(),
        user_id: UserId::parse(user).unwrap(),
        id: ConnectionId::parse(id).unwrap(),
        connected_at: now,
        last_seen_at: now,
        expires_at: now + chrono::Duration::hours(2),
    }
}

#[tokio::test]
async fn a_gone_connection_is_deleted_and_the_others_still_receive() {
    let (endpoint, gw) = fake_gateway().await;
    let sdk = crate::aws_support::sdk_config().await;
    let push = Arc::new(ApiGatewayPush::new(&sdk, &endpoint, missive::metrics::Metrics::off()));
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let app = App::new(
        Config::new("push-test-secret-0123", "pk"),
        store.clone(),
        push,
        Arc::new(crate::fakes::RecordingQueue::default()),
        Arc::new(crate::fakes::RecordingMailer::default()),
    );
    // Opened ten minutes ago: gone, not still opening (see delivery.rs).
    let gone =
        Connection { connected_at: Utc::now() - chrono::Duration::minutes(10), ..connection("ann", "gone-ann=") };
    for c in [gone, connection("ann", "live-ann="), connection("ben", "live-ben")] {
        store.put_connection(&c).await.unwrap();
    }
    gw.failures.lock().unwrap().insert("live-ben".into(), 2);

    let users = [UserId::parse("ann").unwrap(), UserId::parse("ben").unwrap()];
    let tenant = TenantId::parse("acme").unwrap();
    app.delivery.deliver_to_users(&tenant, &users, r#"{"type":"ping"}"#, None).await.unwrap();

    let received = gw.received.lock().unwrap().clone();
    assert_eq!(received.get("live-ann="), Some(&vec![r#"{"type":"ping"}"#.to_string()]));
    assert_eq!(received.get("live-ben").map(Vec::len), Some(1), "two 500s, then delivered once");
    let ann = store.list_user_connections(&tenant, &users[0], Utc::now()).await.unwrap();
    assert_eq!(ann.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["live-ann="], "only the gone one is removed");
    assert_eq!(store.list_user_connections(&tenant, &users[1], Utc::now()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn persistent_failures_are_bounded_and_reported() {
    let (endpoint, gw) = fake_gateway().await;
    let metrics = missive::metrics::Metrics::recording("push");
    let push = ApiGatewayPush::new(&crate::aws_support::sdk_config().await, &endpoint, metrics.clone());
    gw.failures.lock().unwrap().insert("flaky".into(), 100);
    let result = push.push_to_connection(&ConnectionId::parse("flaky").unwrap(), "{}").await;
    assert!(matches!(result, Err(PushError::Failed(_))), "{result:?}");
    let attempts = missive::adapters::aws::retries::MAX_ATTEMPTS;
    assert_eq!(gw.failures.lock().unwrap()["flaky"], 100 - attempts, "{attempts} attempts, no more");
    let retries = metrics.recorded().iter().filter(|line| line.contains("\"TransientRetries\":1")).count();
    assert_eq!(retries as u32, attempts - 1, "each retry counted");
    let gone = push.push_to_connection(&ConnectionId::parse("gone-1").unwrap(), "{}").await;
    assert!(matches!(gone, Err(PushError::Gone)));
}

#[tokio::test]
async fn posting_to_a_connection_on_moto_succeeds() {
    let sdk = crate::aws_support::sdk_config().await;
    let push = ApiGatewayPush::from_client(aws_sdk_apigatewaymanagement::Client::new(&sdk));
    // moto accepts any connection id; the real SDK request is built, signed, sent and its
    // answer parsed. (moto's GetConnection answers a timestamp format the SDK rejects, so
    // the delivery itself is observed against the fake gateway above.)
    push.push_to_connection(&ConnectionId::parse("moto-conn-1=").unwrap(), r#"{"type":"pong"}"#).await.unwrap();
}
