//! The tenant's count of open connections follows them whichever way they go: a connection a
//! push found gone is given back to it when it is forgotten (its `$disconnect`, later, finds
//! nothing to give back), and a repeated send costs the messages quota nothing.

use std::sync::Arc;

use chrono::Utc;
use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::ports::*;
use missive::usecases::messages::Outgoing;
use missive::App;
use serde_json::json;

use crate::fakes::{GonePush, ManualClock, RecordingMailer, RecordingQueue};

#[tokio::test]
async fn a_connection_a_push_found_gone_no_longer_counts_against_the_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let t0 = Utc::now();
    let clock = Arc::new(ManualClock::at(t0));
    let app = App::new(
        Config::new("quotas-test-secret-0123", "pk"),
        store.clone(),
        Arc::new(GonePush),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingMailer::default()),
    )
    .with_clock(clock.clone());
    let people = crate::people::tenant_with_people(store.as_ref(), 2, "m", false).await;
    let (ann, ben, tenant) = (&people[0], &people[1], people[0].tenant_id.clone());
    let mut record = store.get_tenant(&tenant).await.unwrap().unwrap();
    record.quotas.connections = Some(1);
    store.put_tenant(&record).await.unwrap();

    let first = ConnectionId::parse("first").unwrap();
    app.connections.connect(ben, &first).await.unwrap();
    let refused = app.connections.connect(ben, &ConnectionId::parse("second").unwrap()).await;
    assert!(matches!(refused, Err(missive::AppError::QuotaExceeded { .. })), "{refused:?}");

    // A minute later Ben's socket is gone without its $disconnect: Ann's message finds it gone.
    clock.set(t0 + chrono::Duration::minutes(1));
    let direct = serde_json::from_value(json!({ "kind": "direct", "userId": "m1" })).unwrap();
    let conversation = app.conversations.create_conversation(ann, direct).await.unwrap().value.conversation.id;
    app.messages.send_message(ann, &conversation, &Outgoing::text("Bonjour"), None).await.unwrap();
    assert!(store.list_user_connections(&tenant, &ben.user_id, clock.now()).await.unwrap().is_empty());

    app.connections.connect(ben, &ConnectionId::parse("third").unwrap()).await.expect("the gone one was given back");
    // Its $disconnect, coming late, gives nothing back a second time.
    app.connections.disconnect(ben, &first).await.unwrap();
    let again = app.connections.connect(ben, &ConnectionId::parse("fourth").unwrap()).await;
    assert!(matches!(again, Err(missive::AppError::QuotaExceeded { .. })), "still one open: {again:?}");
}

#[tokio::test]
async fn a_repeated_send_costs_the_messages_quota_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    // The clock stands still: one minute's quota throughout.
    let clock = Arc::new(ManualClock::at(Utc::now()));
    let app = App::new(
        Config::new("quotas-test-secret-0123", "pk"),
        store.clone(),
        Arc::new(crate::fakes::RecordingPush::default()),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingMailer::default()),
    )
    .with_clock(clock);
    let people = crate::people::tenant_with_people(store.as_ref(), 2, "m", false).await;
    let (ann, tenant) = (&people[0], people[0].tenant_id.clone());
    let mut record = store.get_tenant(&tenant).await.unwrap().unwrap();
    record.quotas.messages_per_minute = Some(2);
    store.put_tenant(&record).await.unwrap();
    let direct = serde_json::from_value(json!({ "kind": "direct", "userId": "m1" })).unwrap();
    let conversation = app.conversations.create_conversation(ann, direct).await.unwrap().value.conversation.id;

    for _ in 0..3 {
        app.messages.send_message(ann, &conversation, &Outgoing::text("un").resendable("c1"), None).await.unwrap();
    }
    app.messages.send_message(ann, &conversation, &Outgoing::text("deux"), None).await.expect("the second of two");
    let third = app.messages.send_message(ann, &conversation, &Outgoing::text("trois"), None).await;
    assert!(matches!(third, Err(missive::AppError::QuotaExceeded { .. })), "{third:?}");
}
