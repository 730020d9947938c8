//! The real `ws-message` binary, run as Lambda runs it: against a minimal Lambda Runtime API
//! (the HTTP protocol a Lambda sandbox offers on AWS_LAMBDA_RUNTIME_API), fed a captured API
//! Gateway WebSocket event, with moto behind it as DynamoDB and the management API.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::config::{Credentials, Region};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use chrono::Utc;
use missive::adapters::dynamo::DynamoStore;
use missive::domain::*;
use missive::ports::{ConversationStore, HistoryRange, MessageStore, TenantStore, UserStore};
use serde_json::{json, Value};
use tokio::sync::Notify;

const SECRET: &str = "runtime-api-test-secret";

/// A Lambda Runtime API that hands out one event, then waits; it keeps what the function
/// answered.
#[derive(Default)]
struct RuntimeApi {
    event: Mutex<Option<Value>>,
    answers: Mutex<Vec<(String, Value)>>,
    answered: Notify,
}

async fn next_invocation(State(api): State<Arc<RuntimeApi>>) -> impl IntoResponse {
    let event = api.event.lock().unwrap().take();
    let Some(event) = event else {
        // No more work: a real sandbox would freeze the process here.
        std::future::pending::<()>().await;
        unreachable!()
    };
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", HeaderValue::from_static("req-1"));
    let deadline = (Utc::now().timestamp_millis() + 30_000).to_string();
    headers.insert("lambda-runtime-deadline-ms", HeaderValue::from_str(&deadline).unwrap());
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:eu-west-1:123456789012:function:ws-message"),
    );
    (headers, axum::Json(event))
}

async fn record(
    State(api): State<Arc<RuntimeApi>>,
    Path((id, kind)): Path<(String, String)>,
    body: String,
) -> StatusCode {
    let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    api.answers.lock().unwrap().push((format!("{id}/{kind}"), value));
    api.answered.notify_one();
    StatusCode::ACCEPTED
}

async fn init_error(State(api): State<Arc<RuntimeApi>>, body: String) -> StatusCode {
    api.answers.lock().unwrap().push(("init/error".into(), Value::String(body)));
    api.answered.notify_one();
    StatusCode::ACCEPTED
}

async fn runtime_api(event: Value) -> (String, Arc<RuntimeApi>) {
    let api = Arc::new(RuntimeApi { event: Mutex::new(Some(event)), ..Default::default() });
    let router = axum::Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
        .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(record))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(api.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (addr, api)
}

fn moto() -> String {
    std::env::var("MISSIVE_TEST_AWS_ENDPOINT")
        .expect("MISSIVE_TEST_AWS_ENDPOINT is not set: run the tests with ./scripts/test, which starts moto")
}

fn function(runtime_api: &str, table: Option<&str>) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ws-message"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", runtime_api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "ws-message")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "stream")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/ws-message")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_ENDPOINT_URL", moto())
        .env("MISSIVE_JWT_SECRET", SECRET)
        .env("MISSIVE_PLATFORM_KEY", "platform-key")
        .env("MISSIVE_WS_ENDPOINT", moto())
        .env("MISSIVE_FANOUT_QUEUE_URL", format!("{}/123456789012/unused-fanout", moto()))
        .env("MISSIVE_NOTIFICATIONS_QUEUE_URL", format!("{}/123456789012/unused-notifications", moto()))
        .env("MISSIVE_EMAILS_QUEUE_URL", format!("{}/123456789012/unused-emails", moto()))
        .env("MISSIVE_FILES_BUCKET", "unused-files")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(t) = table {
        command.env("MISSIVE_TABLE", t);
    }
    command
}

fn fixture(patch: impl FnOnce(&mut Value)) -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/tests/fixtures/example-apigw-websocket-request.json");
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    patch(&mut event);
    event
}

#[tokio::test]
async fn the_function_binary_handles_a_send_message_event() {
    // The data the event refers to, written through the same store the function uses.
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .load()
        .await;
    let table = format!("runtime-{}", ulid::Ulid::new().to_string().to_lowercase());
    missive::adapters::aws::provision::create_table(&sdk, &table).await.unwrap();
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    let tenant = TenantId::parse("acme").unwrap();
    let now = Utc::now();
    store.create_tenant(&Tenant::new(tenant.clone(), "Acme", now)).await.unwrap();
    // Provisioned by the authorizer at $connect, as every connection's user is.
    store
        .put_user(&User {
            tenant_id: tenant.clone(),
            id: UserId::parse("alice").unwrap(),
            name: DisplayName::parse("Alice").unwrap(),
            email: None,
            locale: Locale::Fr,
            role: Role::Member,
            created_at: now,
            updated_at: now,
            suspended: false,
        })
        .await
        .unwrap();
    let conversation = Conversation::new(
        tenant.clone(),
        ConversationId::parse(ulid::Ulid::new().to_string()).unwrap(),
        ConversationKind::Direct,
        None,
        None,
        UserId::parse("alice").unwrap(),
        now,
        vec![],
    );
    let members: Vec<Member> =
        ["alice", "bob"].iter().map(|u| Member::new(UserId::parse(*u).unwrap(), MemberRole::Member, now)).collect();
    store.create_conversation(&conversation, &members, None).await.unwrap();

    let event = fixture(|e| {
        e["requestContext"]["routeKey"] = json!("sendMessage");
        e["requestContext"]["eventType"] = json!("MESSAGE");
        e["requestContext"]["connectionId"] = json!("L0SM9cOFvHcCIhw=");
        e["requestContext"]["authorizer"] =
            json!({ "principalId": "alice", "tenantId": "acme", "userId": "alice", "role": "member", "name": "Alice" });
        e["body"] = json!(json!({
            "action": "sendMessage", "requestId": "r1", "conversationId": conversation.id, "body": "depuis Lambda"
        })
        .to_string());
    });
    let (addr, api) = runtime_api(event).await;
    let mut child = function(&addr, Some(&table)).spawn().unwrap();

    tokio::time::timeout(Duration::from_secs(30), api.answered.notified()).await.expect("the function answered");
    let answers = api.answers.lock().unwrap().clone();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0].0, "req-1/response");
    assert_eq!(answers[0].1["statusCode"], 200);

    let history = store.list_messages(&tenant, &conversation.id, &HistoryRange::Latest, 10).await.unwrap();
    assert_eq!(history.messages.len(), 1);
    assert_eq!(history.messages[0].body.as_ref().unwrap().as_str(), "depuis Lambda");
    assert_eq!(history.messages[0].sender_id.as_str(), "alice");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_function_binary_fails_fast_without_its_configuration() {
    let (addr, _api) = runtime_api(json!({})).await;
    let output = tokio::time::timeout(Duration::from_secs(30), function(&addr, None).output())
        .await
        .expect("the function exits")
        .unwrap();
    assert!(!output.status.success());
    let printed = String::from_utf8_lossy(&output.stderr).to_string() + &String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("MISSIVE_TABLE"), "names the missing variable: {printed}");
    assert!(!printed.contains(SECRET), "never prints a secret");
}
