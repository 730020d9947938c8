//! A tenant's offboarding: the platform suspends a customer that leaves, then removes it. In the
//! background everything of the tenant goes — people, conversations, messages, files, webhooks,
//! storefronts, notifications, reminders, the audit log — while another tenant keeps all of its
//! own; the platform follows the progress until it is done. Then the store itself, read
//! directly, holds nothing of the tenant but the offboarding's own record.

use serde_json::{json, Value};

use crate::files::{photo, upload};
use crate::support::{eventually, Server, PLATFORM_KEY};

#[tokio::test]
async fn an_offboarded_tenant_leaves_nothing_in_the_store_and_another_keeps_everything() {
    // Every store call of the removal a step of its own: the chain of steps is exercised.
    let server = Server::start_with(&[], &[("MISSIVE_BACKGROUND_STEP_MS", "0")]).await;
    let people = [("boss", "admin"), ("ann", "member"), ("ben", "member"), ("paul", "partner")];
    let t = server.tenant_with("gone1", &people).await;
    let (boss, ann, ben, paul) = (&t[0], &t[1], &t[2], &t[3]);
    let origins = json!({ "allowedOrigins": ["https://gone1.example"] });
    assert_eq!(server.request("PATCH", "/v1/admin/tenants/gone1", Some(PLATFORM_KEY), Some(origins)).await.0, 200);
    let kept = server.tenant_with("stay1", &[("ann", "member"), ("ben", "member")]).await;

    // A little of everything: conversations (a direct one under its pair's key), messages, a
    // photo, a reaction, a storefront, a notification, a reminder, a webhook, preferences.
    let direct = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let messages = format!("/v1/conversations/{direct}/messages");
    let vase = json!({ "name": "vase.png", "contentType": "image/png", "size": 300 });
    let photo_id = upload(&server, ann, &direct, vase, photo()).await;
    let (status, sent) = server.post(&messages, ann, json!({ "body": "Bonjour", "attachments": [photo_id] })).await;
    assert_eq!(status, 201, "{sent}");
    let reaction = format!("{messages}/{}/reactions", sent["id"].as_str().unwrap());
    assert_eq!(server.post(&reaction, ben, json!({ "emoji": "👍" })).await.0, 200);
    let (status, _) = server.post("/v1/storefronts", paul, json!({ "title": "Les Fleurs de Paul" })).await;
    assert_eq!(status, 201);
    let alert = json!({ "users": ["ben"], "type": "event", "title": "Alerte", "body": "Rendez-vous" });
    assert_eq!(server.post("/v1/notifications", boss, alert).await.0, 201);
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    assert_eq!(
        server.post("/v1/reminders", ann, json!({ "at": tomorrow, "title": "Garde", "users": ["ann"] })).await.0,
        201
    );
    let hook = json!({ "url": "https://hooks.gone1.example/missive", "events": ["message.created"] });
    let (status, webhook) = server.post("/v1/webhooks", boss, hook).await;
    assert_eq!(status, 201, "{webhook}");
    assert_eq!(server.put("/v1/settings/notifications", ann, json!({ "emailMode": "digest" })).await.0, 200);
    let staying = server.create_conversation(&kept[0], json!({ "kind": "direct", "userId": "ben" })).await;
    let (status, _) =
        server.post(&format!("/v1/conversations/{staying}/messages"), &kept[0], json!({ "body": "Je reste" })).await;
    assert_eq!(status, 201);

    // The platform only, and a suspended tenant only.
    let path = "/v1/admin/tenants/gone1";
    let (_, before) = server.request("GET", "/v1/admin/tenants/gone1/offboarding", Some(PLATFORM_KEY), None).await;
    assert_eq!(before["state"], "none", "{before}");
    assert_eq!(server.request("DELETE", path, Some(boss), None).await.0, 401);
    let (status, refused) = server.request("DELETE", path, Some(PLATFORM_KEY), None).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(server.request("DELETE", "/v1/admin/tenants/nobody", Some(PLATFORM_KEY), None).await.0, 404);
    let suspend = json!({ "status": "suspended" });
    assert_eq!(server.request("PATCH", path, Some(PLATFORM_KEY), Some(suspend)).await.0, 200);
    let (status, started) = server.request("DELETE", path, Some(PLATFORM_KEY), None).await;
    assert_eq!((status, &started["tenantId"]), (202, &json!("gone1")), "{started}");
    let (status, again) = server.request("DELETE", path, Some(PLATFORM_KEY), None).await;
    assert!(status == 202 && again["requestedAt"] == started["requestedAt"] || status == 404, "{status} {again}");
    let active = json!({ "status": "active" });
    let (status, _) = server.request("PATCH", path, Some(PLATFORM_KEY), Some(active)).await;
    assert!(status == 409 || status == 404, "not reactivated while it goes: {status}");

    // Done in the background.
    let done: Value = eventually(120, "the offboarding done", || async {
        let (status, record) =
            server.request("GET", "/v1/admin/tenants/gone1/offboarding", Some(PLATFORM_KEY), None).await;
        assert_eq!(status, 200, "{record}");
        record["completedAt"].is_string().then_some(record)
    })
    .await;
    assert_eq!(done["state"], "done", "{done}");
    assert!(done["recordsRemoved"].as_u64().unwrap() > 20, "{done}");
    assert!(done["filesRemoved"].as_u64().unwrap() >= 1, "the photo: {done}");
    assert_ne!(server.get("/v1/me", ann).await.0, 200, "the tenant is gone");
    let (_, stays) = server.get(&format!("/v1/conversations/{staying}/messages"), &kept[0]).await;
    assert_eq!(stays["messages"][0]["body"], "Je reste", "{stays}");

    // The store itself holds nothing of the tenant but the offboarding's record (and, on the
    // embedded store whose queue shares its file, jobs already queued, which find nothing).
    let stored = server.stored_text().await;
    let queued = |l: &str| l.starts_with("QUEUE\u{1f}");
    let left: Vec<&str> =
        stored.lines().filter(|l| l.contains("gone1") && !l.contains("OFFBOARD") && !queued(l)).collect();
    assert!(left.is_empty(), "{} records of the tenant are left: {left:#?}", left.len());
    assert!(stored.contains("Je reste"));
}
