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

#[tokio::test]
async fn sending_delivering_and_syncing_are_counted_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let app = App::new(
        Config::new("metrics-test-secret-0123", "pk"),
        store.clone(),
        Arc::new(RecordingPush::default()),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingMailer::default()),
    )
    .with_metrics(Metrics::recording("test-stack"));
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
    assert_eq!(
        counts(&app)[before..],
        [
            ("MessagesSent".into(), 1, acme.clone()),
            ("Deliveries".into(), 1, acme.clone()),
            // The repeat pushes the stored message again: a delivery, not a message.
            ("Deliveries".into(), 1, acme.clone()),
            ("SyncRequests".into(), 1, acme)
        ],
        "a repeated send (same clientMessageId) is not a second message"
    );
}
