//! What a large group costs in pushes, counted on both stores: a group all online, a message
//! to them, a reaction to it, everyone reading it and starting to type. Pushes must grow with the group, not
//! with its square (for 1,000 members, 1,000,000 for the reads alone): each member gets the
//! message once, one read summary and one typing summary per window, and no presence
//! announcement (a large group's members are not each other's presence audience).
//!
//! The embedded store runs it at 1,000 members. moto is slow with a 1,000-member
//! conversation (each read of it parses the whole member list in Python), so DynamoDB runs
//! the push count at 150 members (22,350 pushes if quadratic, 450 if not) and a message to
//! a group of 1,000 on its own.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Utc;
use missive::adapters::dynamo::DynamoStore;
use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::ports::*;
use missive::usecases::messages::Outgoing;
use missive::usecases::Identity;
use missive::workers::{FanoutWorker, NotificationsWorker, Worker};
use missive::{ws, App};

use crate::call_counts::ws_event;
use crate::fakes::{ManualClock, RecordingMailer, RecordingPush, RecordingQueue};

/// Runs every queued job, and the jobs they queue, to the end.
async fn drain(app: &App, queue: &RecordingQueue) {
    loop {
        let jobs = queue.take();
        if jobs.is_empty() {
            return;
        }
        for (queue, job) in jobs {
            match queue {
                QueueName::Fanout => FanoutWorker.perform(app, &job).await.unwrap(),
                _ => NotificationsWorker.perform(app, &job).await.unwrap(),
            }
        }
    }
}

/// A tenant with `n` members in one group, each with one live connection (through `$connect`,
/// presence announcements included, or written straight to the store), every job drained and
/// the pushes so far forgotten.
struct LargeGroup {
    app: App,
    members: Vec<Identity>,
    group: ConversationId,
    push: Arc<RecordingPush>,
    queue: Arc<RecordingQueue>,
}

async fn large_group(store: Arc<dyn Store>, n: usize, through_connect: bool) -> LargeGroup {
    let push = Arc::new(RecordingPush::default());
    let queue = Arc::new(RecordingQueue::default());
    // One instant for the whole test: every read and every typing start falls in one window.
    let now = Utc::now();
    let mut config = Config::new("push-count-secret-0123", "pk");
    config.limits.max_group_members = n;
    let app = App::new(config, store.clone(), push.clone(), queue.clone(), Arc::new(RecordingMailer::default()))
        .with_clock(Arc::new(ManualClock::at(now)));
    let (members, group) = crate::people::tenant_with_group(&app, store.as_ref(), n, "m").await;
    let tenant = members[0].tenant_id.clone();
    for (i, who) in members.iter().enumerate() {
        let id = format!("c{i}=");
        if through_connect {
            assert_eq!(ws::api_gateway::connect(&app, &ws_event("$connect", &id, who, None)).await.status_code, 200);
        } else {
            let connection = Connection {
                tenant_id: tenant.clone(),
                user_id: who.user_id.clone(),
                id: ConnectionId::parse(&id).unwrap(),
                connected_at: now,
                last_seen_at: now,
                expires_at: now + chrono::Duration::hours(2),
            };
            store.put_connection(&connection).await.unwrap();
        }
    }
    drain(&app, &queue).await;
    push.0.lock().unwrap().clear(); // the group's creation, announced to its members
    LargeGroup { app, members, group, push, queue }
}

/// How many frames of each type were pushed, and to how many connections each.
fn pushed(push: &RecordingPush) -> (BTreeMap<String, usize>, BTreeMap<(String, String), usize>) {
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_connection: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (connection, frame) in push.0.lock().unwrap().iter() {
        let kind = frame["type"].as_str().unwrap().to_string();
        *by_type.entry(kind.clone()).or_default() += 1;
        *per_connection.entry((connection.clone(), kind)).or_default() += 1;
    }
    (by_type, per_connection)
}

async fn pushes_stay_linear_in_a_large_group(store: Arc<dyn Store>, n: usize) {
    let LargeGroup { app, members, group, push, queue } = large_group(store, n, true).await;
    let (message, _) =
        app.messages.send_message(&members[1], &group, &Outgoing::text("Départ 14 h"), None).await.unwrap();
    let message_id = message.value.id;
    drain(&app, &queue).await;
    app.reactions.react(&members[2], &group, message_id.as_str(), "👍", true, None).await.unwrap();
    let reply = Outgoing { parent_id: Some(message_id.to_string()), ..Outgoing::text("Reçu") };
    app.messages.send_message(&members[3], &group, &reply, None).await.unwrap();
    drain(&app, &queue).await;
    for who in &members {
        app.reads.mark_read(who, &group, &message_id, None).await.unwrap();
        assert!(app.typing.typing(who, &group, TypingState::Start).await.unwrap());
    }
    drain(&app, &queue).await;

    let (by_type, per_connection) = pushed(&push);
    assert_eq!(
        by_type,
        BTreeMap::from([
            ("message.new".to_string(), 2 * n),
            ("reaction.updated".to_string(), n),
            ("read.summary".to_string(), n),
            ("typing.summary".to_string(), n),
        ]),
        "a message, a reaction, a reply in its thread, a read summary and a typing summary to each member: {} \
         pushes for {n} members, not {}",
        5 * n,
        3 * n + 2 * n * (n - 1)
    );
    let expected = |kind: &str| if kind == "message.new" { 2 } else { 1 };
    assert!(per_connection.iter().all(|((_, kind), n)| *n == expected(kind)), "each once to each connection");

    // The summaries say it all: everyone read the message, everyone is typing.
    let frames = push.0.lock().unwrap();
    let read = &frames.iter().find(|(_, f)| f["type"] == "read.summary").unwrap().1;
    assert_eq!(read["reads"].as_array().unwrap().len(), n);
    assert!(read["reads"].as_array().unwrap().iter().all(|r| r["lastReadMessageId"] == message_id.as_str()));
    assert!(read["cursor"].is_string(), "a read summary is in the conversation's log, for sync");
    let typing = &frames.iter().find(|(_, f)| f["type"] == "typing.summary").unwrap().1;
    assert_eq!(typing["typing"].as_array().unwrap().len(), n);
    assert_eq!(typing["typing"][0]["name"], "Member 0");
}

#[tokio::test]
async fn pushes_stay_linear_in_a_group_of_a_thousand_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    pushes_stay_linear_in_a_large_group(Arc::new(EmbeddedStore::open(dir.path()).unwrap()), 1000).await;
}

async fn dynamo_store(prefix: &str) -> Arc<dyn Store> {
    let sdk = crate::aws_support::sdk_config().await;
    let table = crate::aws_support::unique_name(prefix);
    missive::adapters::aws::provision::create_table(&sdk, &table).await.unwrap();
    Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table))
}

#[tokio::test]
async fn pushes_stay_linear_in_a_large_group_on_dynamodb() {
    pushes_stay_linear_in_a_large_group(dynamo_store("pushes").await, 150).await;
}

#[tokio::test]
async fn a_group_of_a_thousand_gets_a_message_once_each_on_dynamodb() {
    let LargeGroup { app, members, group, push, queue } =
        large_group(dynamo_store("thousand").await, 1000, false).await;
    app.messages.send_message(&members[999], &group, &Outgoing::text("Exercice samedi"), None).await.unwrap();
    drain(&app, &queue).await;
    let (by_type, per_connection) = pushed(&push);
    assert_eq!(by_type, BTreeMap::from([("message.new".to_string(), 1000)]));
    assert!(per_connection.values().all(|n| *n == 1), "once to each connection");
}
