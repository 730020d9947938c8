//! The faults real DynamoDB has and moto never produces: transactions cancelled by conflicts
//! and throttled items, throttled calls — injected by tests/faults/moto_proxy.py (the address
//! ./scripts/test gives the tests) on this test's table only. Members of a group sending at
//! once must all be acknowledged, each message stored once and delivered once, and no
//! transient fault may reach a sender as `internal`.

use std::collections::BTreeMap;
use std::sync::Arc;

use missive::adapters::dynamo::DynamoStore;
use missive::config::Config;
use missive::metrics::Metrics;
use missive::ports::*;
use missive::usecases::messages::Outgoing;
use missive::{ws, App};
use serde_json::{json, Value};

use crate::call_counts::ws_event;
use crate::fakes::{RecordingMailer, RecordingPush, RecordingQueue};

const MEMBERS: usize = 12;
const SENDERS: usize = 8;
const MESSAGES_EACH: usize = 25;

/// Asks the proxy to inject faults on `table`.
async fn inject(rule: Value) {
    let endpoint = crate::aws_support::endpoint();
    let answer = reqwest::Client::new()
        .post(format!("{endpoint}/__faults"))
        .json(&rule)
        .send()
        .await
        .expect("the moto proxy answers");
    assert!(
        answer.status().is_success(),
        "MISSIVE_TEST_AWS_ENDPOINT must be tests/faults/moto_proxy.py in front of moto, as ./scripts/test starts it"
    );
}

/// What the proxy injected on `table` so far, by kind.
async fn injected(table: &str) -> BTreeMap<String, u64> {
    let endpoint = crate::aws_support::endpoint();
    reqwest::get(format!("{endpoint}/__faults/stats?target={table}")).await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn members_sending_at_once_through_conflicts_and_throttling_are_all_acknowledged_once() {
    let sdk = crate::aws_support::sdk_config().await;
    let table = crate::aws_support::unique_name("faults");
    missive::adapters::aws::provision::create_table(&sdk, &table).await.unwrap();
    let metrics = Metrics::recording("faults");
    let store =
        Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table).counting_retries(metrics.clone()));
    let push = Arc::new(RecordingPush::default());
    let app = App::new(
        Config::new("faults-secret-0123456789", "pk"),
        store.clone(),
        push.clone(),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingMailer::default()),
    );
    let (users, group) = crate::people::tenant_with_group(&app, store.as_ref(), MEMBERS, "member-").await;
    let tenant = users[0].tenant_id.clone();
    for (i, who) in users.iter().enumerate() {
        let connected = ws::api_gateway::connect(&app, &ws_event("$connect", &format!("conn-{i}="), who, None)).await;
        assert_eq!(connected.status_code, 200);
    }

    // From here on, as on a busy DynamoDB: a quarter of the transactions conflict with
    // another, some have a throttled item, and a tenth of every other call is throttled.
    inject(json!({
        "table": table, "seed": 18,
        "transactionConflict": 0.25, "transactionThrottle": 0.05, "throttle": 0.1,
    }))
    .await;
    let app = Arc::new(app);
    let senders = users[..SENDERS].iter().cloned().enumerate().map(|(s, who)| {
        let (app, group) = (app.clone(), group.clone());
        tokio::spawn(async move {
            let mut first_errors = Vec::new();
            for m in 0..MESSAGES_EACH {
                let (body, cmid) = (format!("{s}-{m}"), format!("c-{s}-{m}"));
                let outgoing = Outgoing::text(&body).resendable(&cmid);
                // As a client does: a message that got an error is sent again once, with its id.
                let sent = match app.messages.send_message(&who, &group, &outgoing, None).await {
                    Ok(sent) => sent,
                    Err(e) => {
                        first_errors.push(e.code());
                        app.messages
                            .send_message(&who, &group, &outgoing, None)
                            .await
                            .unwrap_or_else(|e| panic!("{cmid} refused twice: {} ({e:?})", e.code()))
                    }
                };
                assert_eq!(sent.0.value.body.as_ref().map(|b| b.as_str()), Some(body.as_str()));
            }
            first_errors
        })
    });
    let mut first_errors = Vec::new();
    for sender in senders.collect::<Vec<_>>() {
        first_errors.extend(sender.await.unwrap());
    }
    let faults = injected(&table).await;
    inject(json!({ "table": table })).await;

    assert!(
        first_errors.iter().all(|code| *code == "unavailable"),
        "a transient fault reached a sender as something else than `unavailable`: {first_errors:?}"
    );
    assert!(
        faults.get("transactionConflict").copied().unwrap_or(0) >= 20
            && faults.get("throttle").copied().unwrap_or(0) >= 20,
        "the faults were injected: {faults:?}"
    );
    let retries: u64 = metrics
        .recorded()
        .iter()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter_map(|line| line["TransientRetries"].as_u64())
        .sum();
    // Each retry follows a fault; a fault on a call's last attempt is not retried (its caller
    // got `unavailable`, above).
    assert!(
        retries > 0 && retries <= faults.values().sum::<u64>(),
        "the retries were counted: {retries} for {faults:?}, {} sends refused once",
        first_errors.len()
    );

    // Stored once: the group's history holds each message exactly once.
    let history = app
        .ports
        .messages
        .list_messages(&tenant, &group, &HistoryRange::Latest, SENDERS * MESSAGES_EACH + 10)
        .await
        .unwrap()
        .messages;
    let mut stored: Vec<String> =
        history.iter().filter_map(|m| m.client_message_id.as_ref().map(|c| c.as_str().to_string())).collect();
    stored.sort();
    let mut expected: Vec<String> =
        (0..SENDERS).flat_map(|s| (0..MESSAGES_EACH).map(move |m| format!("c-{s}-{m}"))).collect();
    expected.sort();
    assert_eq!(stored, expected, "every message stored, once");
    let conversation = app.ports.conversations.get_conversation(&tenant, &group).await.unwrap().unwrap();
    assert_eq!(conversation.message_count, (SENDERS * MESSAGES_EACH) as u64, "the head counted each once");
    assert_eq!(conversation.activity, history.last().unwrap().id.as_str(), "the head is at the newest message");

    // Delivered once: every member's connection got each message once.
    let mut deliveries: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (connection, frame) in push.0.lock().unwrap().iter() {
        if frame["type"] == "message.new" {
            let cmid = frame["message"]["clientMessageId"].as_str().unwrap().to_string();
            *deliveries.entry((connection.clone(), cmid)).or_default() += 1;
        }
    }
    assert_eq!(deliveries.len(), MEMBERS * SENDERS * MESSAGES_EACH, "each connection got every message");
    assert!(deliveries.values().all(|n| *n == 1), "and none twice");
}

/// An action that fails on Missive's side is answered with an `error` frame — the socket's
/// function itself answers API Gateway 200 — and counted (`ActionsFailed`), which the
/// deployment's alarm reads: without the count, failing sends would page no one.
#[tokio::test]
async fn a_socket_action_failing_on_missive_s_side_is_counted_for_the_alarm() {
    let sdk = crate::aws_support::sdk_config().await;
    let table = crate::aws_support::unique_name("failing");
    missive::adapters::aws::provision::create_table(&sdk, &table).await.unwrap();
    let metrics = Metrics::recording("faults");
    let store = Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table));
    let push = Arc::new(RecordingPush::default());
    let app = App::new(
        Config::new("faults-secret-0123456789", "pk"),
        store.clone(),
        push.clone(),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingMailer::default()),
    )
    .with_metrics(metrics.clone());
    let (users, group) = crate::people::tenant_with_group(&app, store.as_ref(), 2, "member-").await;
    let event = |frame| ws_event("sendMessage", "conn-0=", &users[0], Some(frame));
    assert_eq!(
        ws::api_gateway::connect(&app, &ws_event("$connect", "conn-0=", &users[0], None)).await.status_code,
        200
    );
    let send = |id: &str| json!({ "action": "sendMessage", "conversationId": group, "body": "x", "requestId": id });
    assert_eq!(ws::api_gateway::message(&app, &event(send("ok"))).await.status_code, 200);
    let failed = || metrics.recorded().iter().filter(|line| line.contains("\"ActionsFailed\"")).count();
    assert_eq!(failed(), 0, "a send that worked is not counted");

    // Every call to the table throttled, past the retries.
    inject(json!({ "table": table, "throttle": 1.0 })).await;
    let answered = ws::api_gateway::message(&app, &event(send("r2"))).await;
    inject(json!({ "table": table })).await;
    assert_eq!(answered.status_code, 200, "the frame carries the error, not API Gateway");
    let frames = push.0.lock().unwrap().clone();
    let answer = frames.iter().find(|(_, f)| f["requestId"] == "r2").map(|(_, f)| f.clone()).expect("an answer");
    assert_eq!((&answer["type"], &answer["code"]), (&json!("error"), &json!("unavailable")), "{answer}");
    assert_eq!(failed(), 1, "and counted once");

    // The caller's mistakes are not Missive's failures.
    let unknown = json!({ "action": "sendMessage", "conversationId": "01J00000000000000000000000", "body": "x" });
    ws::api_gateway::message(&app, &event(unknown)).await;
    assert_eq!(failed(), 1, "a 404 is not counted");
}
