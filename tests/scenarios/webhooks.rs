//! Webhooks through the real server and a real receiver (tests/scenarios/webhook_receiver.rs)
//! that verifies every signature: an endpoint made by an admin with its secret shown once,
//! URLs webhooks may not reach refused, a signed test event in the delivery log, a failing
//! receiver retried until it takes the event (the same event id each time), a 410 that
//! disables the endpoint and tells the admins, a delivery replayed by hand, a rotated secret
//! that keeps the old one signing, and a host that resolves to a private address refused at
//! delivery.

use serde_json::{json, Value};

use crate::support::{eventually, Server};
use crate::web_push_service::Answer;
use crate::webhook_receiver::Receiver;

/// A server whose webhooks may reach this machine (the receiver), retried quickly, whose
/// receivers have a second to answer (a silent one need not hold a test for 10 s).
async fn server_with(retry_base_ms: &str, loopback: &str) -> Server {
    let env = [
        ("MISSIVE_WEBHOOKS_ALLOW_LOOPBACK", loopback),
        ("MISSIVE_WEBHOOK_RETRY_BASE_MS", retry_base_ms),
        ("MISSIVE_WEBHOOK_TIMEOUT_MS", "1000"),
    ];
    Server::start_with(&[], &env).await
}

/// Creates an endpoint; answers its id, after the receiver was told its secret.
async fn create(server: &Server, admin: &str, receiver: &Receiver, name: &str, answer: Answer) -> String {
    let url = receiver.endpoint(name, answer);
    let (status, created) = server.post("/v1/webhooks", admin, json!({ "url": url, "description": name })).await;
    assert_eq!(status, 201, "{created}");
    receiver.trust(name, created["secret"].as_str().unwrap());
    created["webhook"]["id"].as_str().unwrap().to_string()
}

async fn deliveries(server: &Server, admin: &str, webhook: &str) -> Vec<Value> {
    let (status, page) = server.get(&format!("/v1/webhooks/{webhook}/deliveries"), admin).await;
    assert_eq!(status, 200, "{page}");
    page["deliveries"].as_array().unwrap().clone()
}

/// Waits for the endpoint's newest delivery to reach `status`.
async fn settled_as(server: &Server, admin: &str, webhook: &str, status: &str) -> Value {
    eventually(60, &format!("a {status} delivery"), || async {
        deliveries(server, admin, webhook).await.into_iter().next().filter(|d| d["status"] == status)
    })
    .await
}

#[tokio::test]
async fn an_admin_makes_an_endpoint_that_hears_a_signed_test_event() {
    let server = server_with("200", "true").await;
    let receiver = Receiver::start().await;
    let t = server.tenant_with("hooks1", &[("boss", "admin"), ("ann", "member")]).await;
    let (boss, ann) = (&t[0], &t[1]);

    let url = receiver.endpoint("a", Answer::Accept);
    assert_eq!(server.post("/v1/webhooks", ann, json!({ "url": url })).await.0, 403, "admins only");
    for (bad, why) in [
        (json!({ "url": "http://hooks.example.com/x" }), "url"),
        (json!({ "url": "https://169.254.169.254/latest/meta-data" }), "url"),
        (json!({ "url": "https://10.1.2.3/hook" }), "url"),
        (json!({ "url": "https://user:pw@hooks.example.com/" }), "url"),
        (json!({ "url": "https://hooks.example.com/", "events": ["message.exploded"] }), ""),
        (json!({ "url": "https://hooks.example.com/", "events": ["webhook.test"] }), "events"),
    ] {
        let (status, answer) = server.post("/v1/webhooks", boss, bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(why), "{bad}: {answer}");
    }

    let id = create(&server, boss, &receiver, "a", Answer::Accept).await;
    let (status, shown) = server.get(&format!("/v1/webhooks/{id}"), boss).await;
    assert_eq!((status, &shown["enabled"], &shown["events"]), (200, &json!(true), &json!([])), "{shown}");
    assert!(!shown.to_string().contains("whsec_"), "the secret is shown once: {shown}");
    assert_eq!(server.get("/v1/webhooks", boss).await.1["webhooks"].as_array().unwrap().len(), 1);

    let (status, delivery) = server.post(&format!("/v1/webhooks/{id}/test"), boss, json!({})).await;
    assert_eq!((status, &delivery["type"]), (202, &json!("webhook.test")), "{delivery}");
    let delivered = settled_as(&server, boss, &id, "delivered").await;
    assert_eq!((&delivered["attempts"], &delivered["lastAttempt"]["statusCode"]), (&json!(1), &json!(200)));
    let received = receiver.received("a");
    assert_eq!(received.len(), 1);
    assert_eq!(
        (received[0].id.as_str(), &received[0].body["type"]),
        (delivered["eventId"].as_str().unwrap(), &json!("webhook.test"))
    );
    assert_eq!(received[0].body["data"]["webhookId"], id.as_str());
    assert_eq!(receiver.refused(), Vec::<String>::new(), "every request signed as the specification says");

    assert_eq!(server.request("DELETE", &format!("/v1/webhooks/{id}"), Some(boss), None).await.0, 204);
    assert_eq!(server.get(&format!("/v1/webhooks/{id}"), boss).await.0, 404);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_until_it_takes_the_event_once() {
    let server = server_with("200", "true").await;
    let receiver = Receiver::start().await;
    let t = server.tenant_with("hooks2", &[("boss", "admin")]).await;
    let id = create(&server, &t[0], &receiver, "b", Answer::Fail).await;
    server.post(&format!("/v1/webhooks/{id}/test"), &t[0], json!({})).await;
    // Two failures, then the receiver recovers.
    eventually(60, "two failed attempts", || async { (receiver.received("b").len() >= 2).then_some(()) }).await;
    receiver.answer("b", Answer::Accept);
    let delivered = settled_as(&server, &t[0], &id, "delivered").await;
    let received = receiver.received("b");
    assert!(received.len() >= 3 && delivered["attempts"] == received.len(), "{delivered} {received:?}");
    assert!(received.iter().all(|r| r.id == received[0].id), "the same event id in every attempt");
    assert_eq!(received.iter().filter(|r| r.status == 200).count(), 1, "taken once");
    // The delivery is recorded first (a job retried after that never posts the event again),
    // then the endpoint's health: the streak clears just after.
    eventually(30, "a success clears the failing streak", || async {
        let (_, shown) = server.get(&format!("/v1/webhooks/{id}"), &t[0]).await;
        (shown["failingSince"] == Value::Null).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_receiver_that_never_answers_is_given_up_on_in_time_and_retried() {
    let server = server_with("200", "true").await;
    let receiver = Receiver::start().await;
    let t = server.tenant_with("hooks6", &[("boss", "admin")]).await;
    let id = create(&server, &t[0], &receiver, "silent", Answer::Accept).await;
    receiver.fall_silent("silent");
    server.post(&format!("/v1/webhooks/{id}/test"), &t[0], json!({})).await;
    // The attempt is given up after the timeout and logged as such; the next one goes out.
    let logged = eventually(60, "an attempt that timed out, logged", || async {
        let found = deliveries(&server, &t[0], &id).await;
        found.into_iter().find(|d| d["attempts"].as_u64() >= Some(1) && d["lastAttempt"]["error"].is_string())
    })
    .await;
    assert!(logged["lastAttempt"]["error"].as_str().unwrap().contains("no answer within 1000 ms"), "{logged}");
    assert_eq!(logged["lastAttempt"]["statusCode"], Value::Null, "{logged}");
    eventually(60, "a second attempt", || async { (receiver.received("silent").len() >= 2).then_some(()) }).await;
    receiver.answer("silent", Answer::Accept);
    let delivered = settled_as(&server, &t[0], &id, "delivered").await;
    let received = receiver.received("silent");
    assert!(received.iter().all(|r| r.id == received[0].id), "the same event id in every attempt");
    assert_eq!(received.iter().filter(|r| r.status == 200).count(), 1, "{delivered}");
}

#[tokio::test]
async fn a_receiver_answering_410_disables_the_endpoint_and_the_admins_are_told() {
    let server = server_with("200", "true").await;
    let receiver = Receiver::start().await;
    let t = server.tenant_with("hooks3", &[("boss", "admin")]).await;
    let boss = &t[0];
    let id = create(&server, boss, &receiver, "c", Answer::Gone).await;
    server.post(&format!("/v1/webhooks/{id}/test"), boss, json!({})).await;
    let failed = settled_as(&server, boss, &id, "failed").await;
    assert_eq!((&failed["attempts"], &failed["lastAttempt"]["statusCode"]), (&json!(1), &json!(410)), "{failed}");
    let (_, shown) = server.get(&format!("/v1/webhooks/{id}"), boss).await;
    assert_eq!(shown["enabled"], false);
    assert!(shown["disabled"]["reason"].as_str().unwrap().contains("410"), "{shown}");
    let bell = eventually(30, "the admin's notification", || async {
        let (_, page) = server.get("/v1/notifications", boss).await;
        page["notifications"].as_array().unwrap().first().cloned()
    })
    .await;
    assert!(bell["title"].as_str().unwrap().starts_with("Webhook désactivé"), "{bell}");

    // Enabled again by the admin, with the receiver back: delivered.
    receiver.answer("c", Answer::Accept);
    let (status, _) =
        server.request("PATCH", &format!("/v1/webhooks/{id}"), Some(boss), Some(json!({ "enabled": true }))).await;
    assert_eq!(status, 200);
    server.post(&format!("/v1/webhooks/{id}/test"), boss, json!({})).await;
    settled_as(&server, boss, &id, "delivered").await;
}

#[tokio::test]
async fn a_delivery_is_replayed_by_hand_and_a_rotated_secret_keeps_the_old_one_signing() {
    // Retries an hour apart: only the hand replays happen during the test.
    let server = server_with("3600000", "true").await;
    let receiver = Receiver::start().await;
    let t = server.tenant_with("hooks4", &[("boss", "admin")]).await;
    let boss = &t[0];
    let id = create(&server, boss, &receiver, "d", Answer::Fail).await;
    server.post(&format!("/v1/webhooks/{id}/test"), boss, json!({})).await;
    let retrying = settled_as(&server, boss, &id, "retrying").await;
    assert!(retrying["nextAttemptAt"].is_string(), "{retrying}");

    // A new secret: the old one signs too for a day, and the receiver, not yet told of the
    // new one, still verifies the replay with the old.
    let (status, rotated) = server.post(&format!("/v1/webhooks/{id}/rotate-secret"), boss, json!({})).await;
    assert_eq!(status, 200, "{rotated}");
    assert!(rotated["secret"].as_str().unwrap().starts_with("whsec_") && rotated["previousExpiresAt"].is_string());
    receiver.answer("d", Answer::Accept);

    let delivery = retrying["id"].as_str().unwrap();
    let (status, replay) =
        server.post(&format!("/v1/webhooks/{id}/deliveries/{delivery}/retry"), boss, json!({})).await;
    assert_eq!((status, &replay["status"]), (202, &json!("pending")), "{replay}");
    let delivered = settled_as(&server, boss, &id, "delivered").await;
    assert_eq!(delivered["id"], retrying["id"], "the same delivery, tried again");
    assert_eq!(delivered["attempts"], 2);
    assert_eq!(receiver.refused(), Vec::<String>::new());
    assert_eq!(server.post(&format!("/v1/webhooks/{id}/deliveries/nope/retry"), boss, json!({})).await.0, 404);
}

#[tokio::test]
async fn a_host_that_resolves_to_a_private_address_is_refused_at_delivery() {
    // As on AWS: no webhook to this machine.
    let server = server_with("200", "false").await;
    let t = server.tenant_with("hooks5", &[("boss", "admin")]).await;
    let boss = &t[0];
    // `localhost` is a name: accepted as an endpoint, refused once it resolves (to 127.0.0.1).
    let (status, created) = server.post("/v1/webhooks", boss, json!({ "url": "https://localhost:9/hook" })).await;
    assert_eq!(status, 201, "{created}");
    let id = created["webhook"]["id"].as_str().unwrap();
    server.post(&format!("/v1/webhooks/{id}/test"), boss, json!({})).await;
    let refused = eventually(60, "a refused attempt", || async {
        deliveries(&server, boss, id).await.into_iter().next().filter(|d| d["attempts"].as_u64() >= Some(1))
    })
    .await;
    assert_eq!(refused["lastAttempt"]["statusCode"], Value::Null);
    assert!(refused["lastAttempt"]["error"].as_str().unwrap().contains("may not reach"), "{refused}");
}

#[tokio::test]
async fn what_happens_reaches_the_endpoints_that_hear_of_it_once_per_event() {
    let server = server_with("200", "true").await;
    let receiver = Receiver::start().await;
    let t = server
        .tenant_with("hooks6", &[("boss", "admin"), ("ann", "member"), ("ben", "member"), ("cat", "member")])
        .await;
    let (boss, ann) = (&t[0], &t[1]);
    // One endpoint hears of messages and members; another of everything.
    let url = receiver.endpoint("crm", Answer::Accept);
    let events = json!(["message.created", "message.updated", "message.deleted", "member.added"]);
    let (status, crm) = server.post("/v1/webhooks", boss, json!({ "url": url, "events": events })).await;
    assert_eq!(status, 201, "{crm}");
    receiver.trust("crm", crm["secret"].as_str().unwrap());
    create(&server, boss, &receiver, "all", Answer::Accept).await;

    let group = json!({ "kind": "group", "title": "Garde", "memberIds": ["ben"] });
    let conversation = server.create_conversation(ann, group).await;
    let path = format!("/v1/conversations/{conversation}/messages");
    let send = json!({ "body": "Qui prend samedi ?", "clientMessageId": "c-1" });
    let (status, message) = server.post(&path, ann, send.clone()).await;
    assert_eq!(status, 201, "{message}");
    assert_eq!(server.post(&path, ann, send).await.0, 200, "a repeat: the same message");
    let message_path = format!("{path}/{}", message["id"].as_str().unwrap());
    let (status, _) =
        server.request("PATCH", &message_path, Some(ann), Some(json!({ "body": "Qui prend dimanche ?" }))).await;
    assert_eq!(status, 200);
    assert_eq!(server.request("DELETE", &message_path, Some(ann), None).await.0, 200);
    let (status, _) =
        server.post(&format!("/v1/conversations/{conversation}/members"), ann, json!({ "userIds": ["cat"] })).await;
    assert_eq!(status, 200);

    let types = |name: &str| -> Vec<String> {
        let mut seen: Vec<String> =
            receiver.received(name).iter().map(|r| r.body["type"].as_str().unwrap().to_string()).collect();
        seen.sort();
        seen
    };
    let expected = ["member.added", "message.created", "message.deleted", "message.updated"];
    eventually(60, "the CRM's four events", || async { (types("crm") == expected).then_some(()) }).await;
    eventually(60, "every event at the other endpoint", || async {
        (types("all").iter().filter(|t| t.as_str() == "conversation.created").count() == 1 && types("all").len() >= 5)
            .then_some(())
    })
    .await;
    // Settled: the queue holds nothing more for either.
    eventually(60, "an empty notifications queue", || async {
        let (_, queues) = server.get("/v1/admin/queues", crate::support::PLATFORM_KEY).await;
        let q = queues["queues"].as_array().unwrap().iter().find(|q| q["name"] == "notifications").unwrap().clone();
        (q["visible"] == 0 && q["inFlight"] == 0 && q["delayed"] == 0).then_some(())
    })
    .await;
    assert_eq!(types("crm"), expected, "once each, the repeated send included");
    let created = receiver.received("crm").into_iter().find(|r| r.body["type"] == "message.created").unwrap();
    assert_eq!(created.body["data"]["message"]["body"], "Qui prend samedi ?");
    assert_eq!(created.id, format!("msg_message_created_{}", message["id"].as_str().unwrap()));
    let all = receiver.received("all");
    let ids: std::collections::HashSet<&str> = all.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "no event twice: {all:?}");
    assert_eq!(receiver.refused(), Vec::<String>::new());
}
