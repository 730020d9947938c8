//! The counts a deployment's dashboard and alarms read (CloudWatch embedded metrics), taken
//! where the work happens: a message sent and delivered and a sync, each written once.

use std::sync::Arc;

use chrono::Utc;
use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::metrics::Metrics;
use missive::ports::*;
use missive::usecases::messages::Outgoing;
use missive::usecases::Identity;
use missive::App;
use serde_json::{json, Value};

use crate::conformance::user;
use crate::fakes::{RecordingMailer, RecordingPush, RecordingQueue};

/// The recorded lines as (metric, count, tenant), each checked to be the EMF envelope.
fn counts(app: &App) -> Vec<(String, u64, Option<String>)> {
    app.services
        .metrics
        .recorded()
        .iter()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            let directive = &v["_aws"]["CloudWatchMetrics"][0];
            assert_eq!((directive["Namespace"].as_str(), v["Stack"].as_str()), (Some("Missive"), Some("test-stack")));
            let name = directive["Metrics"][0]["Name"].as_str().unwrap().to_string();
            let count = v[&name].as_u64().unwrap();
            (name, count, v["tenant"].as_str().map(str::to_string))
        })
        .collect()
}

/// An app on an embedded store in `dir` whose metrics are recorded.
fn recording_app(dir: &tempfile::TempDir) -> (App, Arc<EmbeddedStore>) {
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let app = App::new(
        Config::new("metrics-test-secret-0123", "pk"),
        store.clone(),
        Arc::new(RecordingPush::default()),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingMailer::default()),
    )
    .with_metrics(Metrics::recording("test-stack"));
    (app, store)
}

#[tokio::test]
async fn sending_delivering_and_syncing_are_counted_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let (app, store) = recording_app(&dir);
    let tenant = TenantId::parse("acme").unwrap();
    store.create_tenant(&Tenant::new(tenant.clone(), "Acme", Utc::now())).await.unwrap();
    for u in ["ann", "ben"] {
        store.put_user(&user("acme", u)).await.unwrap();
    }
    let now = Utc::now();
    let connection = Connection {
        tenant_id: tenant.clone(),
        user_id: UserId::parse("ben").unwrap(),
        id: ConnectionId::parse("ben-1").unwrap(),
        connected_at: now,
        last_seen_at: now,
        expires_at: now + chrono::Duration::hours(1),
    };
    store.put_connection(&connection).await.unwrap();
    let who = |u: &str| Identity {
        tenant_id: tenant.clone(),
        user_id: UserId::parse(u).unwrap(),
        role: Role::Member,
        name: u.into(),
        conversation_scope: None,
    };
    let direct = serde_json::from_value(json!({ "kind": "direct", "userId": "ben" })).unwrap();
    let id = app.conversations.create_conversation(&who("ann"), direct).await.unwrap().value.conversation.id;
    let before = app.services.metrics.recorded().len();

    app.messages.send_message(&who("ann"), &id, &Outgoing::text("bonjour").resendable("c1"), None).await.unwrap();
    app.messages.send_message(&who("ann"), &id, &Outgoing::text("bonjour").resendable("c1"), None).await.unwrap();
    app.sync.sync(&who("ben"), "0").await.unwrap();

    let acme = Some("acme".to_string());
    let (latencies, counted): (Vec<_>, Vec<_>) =
        counts(&app)[before..].iter().cloned().partition(|(name, _, _)| name.ends_with("Latency"));
    assert_eq!(
        counted,
        [
            ("MessagesSent".into(), 1, acme.clone()),
            ("Deliveries".into(), 1, acme.clone()),
            // The repeat pushes the stored message again: a delivery, not a message.
            ("Deliveries".into(), 1, acme.clone()),
            ("SyncRequests".into(), 1, acme.clone())
        ],
        "a repeated send (same clientMessageId) is not a second message"
    );
    // Each push timed from the message's creation (its id): milliseconds, whatever they are.
    let timed: Vec<_> = latencies.iter().map(|(name, _, tenant)| (name.as_str(), tenant.clone())).collect();
    assert_eq!(timed, [("DeliveryLatency", acme.clone()), ("DeliveryLatency", acme)]);
}

/// A `sendMessage` is timed from its arrival at API Gateway (the event's request time) to its
/// answer pushed back (`AckLatency`); other actions are not.
#[tokio::test]
async fn a_send_s_wait_for_its_ack_is_timed_from_its_arrival() {
    let dir = tempfile::tempdir().unwrap();
    let (app, store) = recording_app(&dir);
    let (users, group) = crate::people::tenant_with_group(&app, store.as_ref(), 2, "m-").await;
    let arrived = |frame: Value, ago_ms: i64| {
        let mut event = crate::call_counts::ws_event("sendMessage", "conn-0=", &users[0], Some(frame));
        event.request_context.request_time_epoch = Utc::now().timestamp_millis() - ago_ms;
        event
    };
    let send = json!({ "action": "sendMessage", "conversationId": group, "body": "x", "requestId": "r1" });
    assert_eq!(missive::ws::api_gateway::message(&app, &arrived(send, 250)).await.status_code, 200);
    let ping = json!({ "action": "ping", "requestId": "r2" });
    assert_eq!(missive::ws::api_gateway::message(&app, &arrived(ping, 250)).await.status_code, 200);
    let acks: Vec<u64> = app
        .services
        .metrics
        .recorded()
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok()?["AckLatency"].as_u64())
        .collect();
    assert_eq!(acks.len(), 1, "the send's, not the ping's: {acks:?}");
    assert!(acks[0] >= 250, "from its arrival 250 ms before the handler ran: {acks:?}");
}
