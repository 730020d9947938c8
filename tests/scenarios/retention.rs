//! Retention: a tenant that keeps its messages 2 days. Messages, replies, files, reactions, pins
//! and notifications of three days ago go — from history, threads, the bell and the store itself —
//! while the day's stay, and the conversation keeps its place in everyone's list. Time passes
//! by restarting the same deployment with its clock three days ahead (a test-only offset, read
//! at start); the platform then sets the retention, which applies at once. Audited.

use serde_json::{json, Value};

use crate::files::{photo, upload};
use crate::support::{eventually, logged_event, Server, PLATFORM_KEY};

/// Words written three days ago, which the store must no longer hold once swept.
const OLD: [&str; 3] = ["Vieux message de garde", "Vieille réponse en fil", "Vieille alerte"];

#[tokio::test]
async fn messages_older_than_the_retention_go_and_the_day_s_stay() {
    let clock = tempfile::tempdir().unwrap();
    let offset = clock.path().join("clock-offset-secs");
    let offset_var = ("MISSIVE_TEST_CLOCK_OFFSET_FILE", offset.to_str().unwrap());
    // Every page of the sweep a job of its own: its continuations are exercised.
    let server = Server::start_with(&[], &[offset_var, ("MISSIVE_BACKGROUND_STEP_MS", "0")]).await;
    let people = [("boss", "admin"), ("ann", "member"), ("ben", "member")];
    let t = server.tenant_with("keep1", &people).await;
    let (boss, ann, ben) = (&t[0], &t[1], &t[2]);

    // Three days ago: a message, a reply in its thread only, a reaction, a pin, a notification.
    let group =
        server.create_conversation(ann, json!({ "kind": "group", "title": "Garde", "memberIds": ["ben"] })).await;
    let messages = format!("/v1/conversations/{group}/messages");
    let vase = json!({ "name": "vase.png", "contentType": "image/png", "size": 300 });
    let photo_id = upload(&server, ann, &group, vase, photo()).await;
    let (_, old) = server.post(&messages, ann, json!({ "body": OLD[0], "attachments": [photo_id] })).await;
    let old_id = old["id"].as_str().unwrap().to_string();
    let reply = json!({ "body": OLD[1], "parentId": old_id });
    assert_eq!(server.post(&messages, ben, reply).await.0, 201);
    let reactions = format!("{messages}/{old_id}/reactions");
    assert_eq!(server.post(&reactions, ben, json!({ "emoji": "👍" })).await.0, 200);
    let pins = format!("/v1/conversations/{group}/pins");
    assert_eq!(server.post(&pins, ann, json!({ "messageId": old_id })).await.0, 200);
    let alert = json!({ "users": ["ben"], "type": "event", "title": OLD[2], "body": "Rendez-vous" });
    assert_eq!(server.post("/v1/notifications", boss, alert).await.0, 201);

    // The background work of then done (Ann is told of Ben's reply): none of it runs again later.
    eventually(30, "ann's notification of the reply", || async {
        let (_, bell) = server.get("/v1/notifications", ann).await;
        bell.to_string().contains(OLD[1]).then_some(())
    })
    .await;
    eventually(30, "the live and notification queues idle", || async {
        let (_, body) = server.get("/v1/admin/queues", PLATFORM_KEY).await;
        let queues = body["queues"].as_array().cloned().unwrap_or_default();
        let busy = |q: &Value| q["name"] != "emails" && (q["visible"] != 0 || q["inFlight"] != 0);
        (!queues.is_empty() && !queues.iter().any(busy)).then_some(())
    })
    .await;

    // Three days later, on the same data.
    std::fs::write(&offset, (3 * 24 * 3600).to_string()).unwrap();
    let (place, temp) = server.kill9().await;
    let server = Server::start_on(place).await;
    let _temp = temp;
    let (_, today) = server.post(&messages, ann, json!({ "body": "Message du jour" })).await;
    let fresh = json!({ "users": ["ben"], "type": "event", "title": "Alerte du jour", "body": "Rendez-vous" });
    assert_eq!(server.post("/v1/notifications", boss, fresh).await.0, 201);

    // Only the platform sets a retention, of 1 day to ten years.
    let path = "/v1/admin/tenants/keep1";
    assert_eq!(server.request("PATCH", path, Some(boss), Some(json!({ "retentionDays": 2 }))).await.0, 401);
    let (status, refused) =
        server.request("PATCH", path, Some(PLATFORM_KEY), Some(json!({ "retentionDays": 4000 }))).await;
    assert_eq!(status, 400, "{refused}");
    let (status, tenant) = server.request("PATCH", path, Some(PLATFORM_KEY), Some(json!({ "retentionDays": 2 }))).await;
    assert_eq!((status, &tenant["retentionDays"]), (200, &json!(2)), "{tenant}");

    // It applies at once: three days ago goes, today stays. (On SQS, a job sent within a second
    // of the restart may be taken by the killed process's last long poll: it comes back after
    // the queue's visibility timeout, 60 s, as on AWS.)
    let history = eventually(150, "the old message gone", || async {
        let history = server.full_history(ben, &group).await;
        history.iter().all(|m| m["id"] != old["id"]).then_some(history)
    })
    .await;
    let bodies: Vec<&Value> = history.iter().map(|m| &m["body"]).collect();
    assert_eq!(bodies, [&json!("Message du jour")], "{history:?}");
    let (status, thread) = server.get(&format!("{messages}/{old_id}/replies"), ben).await;
    assert!(status == 404 || thread["messages"] == json!([]), "{status} {thread}");
    // Its photo too (its file and record, deleted in the background).
    let photo = format!("/v1/attachments/{photo_id}");
    eventually(30, "the old photo gone", || async { (server.get(&photo, ben).await.0 == 404).then_some(()) }).await;
    let (_, pinned) = server.get(&pins, ben).await;
    assert_eq!(pinned["pins"], json!([]), "{pinned}");
    let bell = eventually(30, "the old notifications gone", || async {
        let (_, bell) = server.get("/v1/notifications", ben).await;
        let items = bell["notifications"].as_array().cloned().unwrap_or_default();
        items.iter().all(|n| !n.to_string().contains(OLD[0]) && !n.to_string().contains(OLD[2])).then_some(items)
    })
    .await;
    assert!(bell.iter().any(|n| n["title"] == "Alerte du jour"), "today's stays: {bell:?}");
    let (_, anns) = server.get("/v1/notifications", ann).await;
    assert!(!anns.to_string().contains(OLD[1]), "{anns}");
    // The conversation keeps its place, with today's preview.
    let (_, list) = server.get("/v1/conversations", ben).await;
    assert_eq!(list["conversations"][0]["id"], json!(group), "{list}");
    assert_eq!(list["conversations"][0]["lastMessage"]["id"], today["id"], "{list}");

    let (_, log) = server.get("/v1/admin/audit", boss).await;
    let entry = &log["entries"][0];
    assert_eq!(
        (&entry["action"], &entry["details"]),
        (&json!("tenant.updated"), &json!({ "fields": ["retentionDays"] }))
    );

    // The store itself holds none of the old words but in events already logged (a member's
    // feed, what `sync` replays), which expire within 7 days.
    let stored = server.stored_text().await;
    for gone in OLD {
        let found: Vec<&str> = stored.lines().filter(|l| l.contains(gone) && !logged_event(l)).collect();
        assert!(found.is_empty(), "{gone:?} is still stored: {found:#?}");
    }
    assert!(stored.contains("Message du jour"));
}
