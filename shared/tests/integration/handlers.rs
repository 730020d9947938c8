//! The handlers fed the events API Gateway really sends: the captured fixtures that
//! `aws_lambda_events` ships (copied into tests/fixtures, MIT licence), adjusted only where a
//! test needs its own token, route or body.

use std::sync::Arc;

use aws_lambda_events::apigw::{ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayWebsocketProxyRequest};
use chrono::Utc;
use missive::adapters::embedded::EmbeddedStore;
use missive::auth::{mint_platform_token, Claims};
use missive::config::Config;
use missive::domain::*;

use crate::fakes::{RecordingPush, RecordingQueue};
use missive::{ws, App, AppError};
use serde_json::{json, Value};
use tower::ServiceExt;

const SECRET: &str = "handler-test-secret-0123";

struct Fixture {
    app: Arc<App>,
    push: Arc<RecordingPush>,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let push = Arc::new(RecordingPush::default());
    let app = Arc::new(App::new(
        Config::new(SECRET, "platform-key"),
        store,
        push.clone(),
        Arc::new(RecordingQueue::default()),
        Arc::new(crate::fakes::RecordingMailer::default()),
    ));
    let tenant = Tenant::new(TenantId::parse("acme").unwrap(), "Acme", Utc::now());
    app.ports.tenants.create_tenant(&tenant).await.unwrap();
    Fixture { app, push, _dir: dir }
}

fn token(user: &str) -> String {
    let claims = Claims {
        sub: user.into(),
        tid: "acme".into(),
        role: Some("member".into()),
        name: Some(user.to_uppercase()),
        email: None,
        locale: Some("en".into()),
        exp: Utc::now().timestamp() + 600,
        nbf: None,
        iss: None,
        aud: None,
        cid: None,
    };
    mint_platform_token(SECRET.as_bytes(), &claims).unwrap()
}

fn load<T: serde::de::DeserializeOwned>(name: &str, patch: impl FnOnce(&mut Value)) -> T {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    patch(&mut value);
    serde_json::from_value(value).unwrap()
}

fn authorizer_event(token: &str) -> ApiGatewayCustomAuthorizerRequestTypeRequest {
    load("example-apigw-v2-custom-authorizer-websocket-request.json", |v| {
        v["queryStringParameters"] = json!({ "token": token });
        v["multiValueQueryStringParameters"] = json!({ "token": [token] });
    })
}

fn route_event(name: &str, route: &str, context: &Value, body: Option<Value>) -> ApiGatewayWebsocketProxyRequest {
    load(name, |v| {
        v["requestContext"]["routeKey"] = json!(route);
        v["requestContext"]["authorizer"] = context.clone();
        if let Some(b) = body {
            v["body"] = json!(b.to_string());
        }
    })
}

#[tokio::test]
async fn the_connect_authorizer_allows_good_tokens_and_refuses_bad_ones() {
    let f = fixture().await;
    let allowed = ws::api_gateway::authorize(&f.app, &authorizer_event(&token("alice"))).await.unwrap();
    assert_eq!(allowed.principal_id.as_deref(), Some("alice"));
    assert_eq!(allowed.context["tenantId"], "acme");
    assert_eq!(allowed.context["role"], "member");
    let policy = serde_json::to_value(&allowed.policy_document).unwrap();
    assert_eq!(policy["Statement"][0]["Effect"], "Allow");
    assert_eq!(
        policy["Statement"][0]["Resource"][0],
        "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/test/$connect"
    );

    let refused = ws::api_gateway::authorize(&f.app, &authorizer_event("not-a-token")).await.unwrap_err();
    assert!(matches!(refused, AppError::Unauthorized(_)));
    let mut no_token = authorizer_event("x");
    no_token.query_string_parameters = Default::default();
    assert!(matches!(
        ws::api_gateway::authorize(&f.app, &no_token).await,
        Err(AppError::Unauthorized("missing token"))
    ));
}

#[tokio::test]
async fn connect_message_and_disconnect_events_run_the_whole_lifecycle() {
    let f = fixture().await;
    let context = ws::api_gateway::authorize(&f.app, &authorizer_event(&token("alice"))).await.unwrap().context;
    ws::api_gateway::authorize(&f.app, &authorizer_event(&token("bob"))).await.unwrap();
    let tenant = TenantId::parse("acme").unwrap();
    let alice = UserId::parse("alice").unwrap();

    let connect = route_event("example-apigw-websocket-request.json", "$connect", &context, None);
    assert_eq!(ws::api_gateway::connect(&f.app, &connect).await.status_code, 200);
    let live = f.app.ports.connections.list_user_connections(&tenant, &alice, Utc::now()).await.unwrap();
    assert_eq!(live.len(), 1);
    let connection_id = live[0].id.to_string();
    assert_eq!(Some(connection_id.as_str()), connect.request_context.connection_id.as_deref());
    assert!(live[0].expires_at > Utc::now() + chrono::Duration::minutes(119), "a two-hour TTL");

    // A conversation to write in, then a sendMessage route event.
    let who = missive::ws::api_gateway::identity_from_authorizer(&connect.request_context.authorizer.fields).unwrap();
    let conv = f
        .app
        .conversations
        .create_conversation(&who, serde_json::from_value(json!({ "kind": "direct", "userId": "bob" })).unwrap())
        .await
        .unwrap()
        .value
        .conversation
        .id;
    let created = f.push.0.lock().unwrap().drain(..).map(|(_, frame)| frame["type"].clone()).collect::<Vec<_>>();
    assert_eq!(created, ["conversation.created"], "alice's socket hears of the new conversation");
    let send = route_event(
        "example-apigw-websocket-request.json",
        "sendMessage",
        &context,
        Some(json!({ "action": "sendMessage", "requestId": 1, "conversationId": conv, "body": "from a real event" })),
    );
    assert_eq!(ws::api_gateway::message(&f.app, &send).await.status_code, 200);
    let pushed = f.push.0.lock().unwrap().clone();
    assert_eq!(pushed.len(), 1, "bob has no connection; alice's own socket gets the ack only");
    assert_eq!(pushed[0].0, connection_id);
    assert_eq!(pushed[0].1["type"], "ack");
    assert_eq!(pushed[0].1["requestId"], 1);
    assert_eq!(pushed[0].1["message"]["body"], "from a real event");

    // An event without the authorizer's context is refused, whatever its body.
    let anonymous = route_event(
        "example-apigw-websocket-request.json",
        "$default",
        &json!(null),
        Some(json!({ "action": "ping" })),
    );
    assert_eq!(ws::api_gateway::message(&f.app, &anonymous).await.status_code, 401);

    let disconnect =
        load::<ApiGatewayWebsocketProxyRequest>("example-apigw-websocket-request-disconnect-route.json", |v| {
            v["requestContext"]["authorizer"] = context.clone();
            v["requestContext"]["connectionId"] = json!(connection_id);
        });
    assert_eq!(ws::api_gateway::disconnect(&f.app, &disconnect).await.status_code, 200);
    assert!(f.app.ports.connections.list_user_connections(&tenant, &alice, Utc::now()).await.unwrap().is_empty());
}

/// The HTTP API's function as the template deploys it: on the `$default` stage the path is
/// `/v1/…`; on a named stage API Gateway puts the stage in front (`/prod/v1/…`), which the
/// function takes off before routing.
#[tokio::test]
async fn the_rest_function_answers_api_gateway_http_events_on_a_named_stage_and_on_default() {
    let f = fixture().await;
    let service = missive::http::lambda::service(f.app.clone());
    let request = |stage: &str, path: &str, auth: Option<String>| {
        let raw_path = if stage == "$default" { path.to_string() } else { format!("/{stage}{path}") };
        let event = load::<Value>("example-apigw-v2-request-no-authorizer.json", |v| {
            v["rawPath"] = json!(raw_path);
            v["requestContext"]["http"]["path"] = json!(raw_path);
            v["requestContext"]["stage"] = json!(stage);
            v["rawQueryString"] = json!("");
            if let Some(a) = &auth {
                v["headers"]["authorization"] = json!(a);
            }
        });
        lambda_http::request::from_str(&event.to_string()).unwrap()
    };
    let body = |r: axum::response::Response| async move {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };

    for stage in ["prod", "$default"] {
        let health = service.clone().oneshot(request(stage, "/v1/health", None)).await.unwrap();
        assert_eq!(health.status(), 200, "stage {stage}");
        assert_eq!(body(health).await["checks"]["storage"], "ok");

        let bearer = Some(format!("Bearer {}", token("carol")));
        let me = service.clone().oneshot(request(stage, "/v1/me", bearer)).await.unwrap();
        assert_eq!(me.status(), 200, "stage {stage}");
        let me = body(me).await;
        assert_eq!((me["user"]["id"].as_str(), me["user"]["locale"].as_str()), (Some("carol"), Some("en")));

        let denied = service.clone().oneshot(request(stage, "/v1/me", None)).await.unwrap();
        assert_eq!(denied.status(), 401);
        assert_eq!(body(denied).await["error"]["code"], "unauthorized");
    }
    // The stage is taken off once: a path that merely starts like it is not the route.
    let nested = service.oneshot(request("prod", "/prod/v1/health", None)).await.unwrap();
    assert_eq!(nested.status(), 404);
}
