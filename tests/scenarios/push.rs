//! Push devices: a browser's subscription or a phone's token registered, each field checked,
//! listed without its keys, twenty at most per user, removed; and `push` beside `inApp` and
//! `email` in the preferences.

use serde_json::{json, Value};

use crate::support::Server;

/// A subscription as a browser's `PushSubscription.toJSON()` gives it (RFC 8291's example key).
fn browser(endpoint: &str) -> Value {
    json!({ "kind": "webpush", "subscription": {
        "endpoint": endpoint,
        "keys": {
            "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
            "auth": "BTBZMqHH6r4Tts7J_aSIgg"
        }
    } })
}

fn phone(n: usize) -> Value {
    json!({ "kind": "apns", "token": format!("{n:064x}") })
}

#[tokio::test]
async fn devices_are_registered_checked_listed_capped_and_removed() {
    let server = Server::start().await;
    let t = server.tenant_with("push", &[("ann", "member"), ("ben", "member")]).await;
    let (ann, ben) = (&t[0], &t[1]);

    let chrome = browser("https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b");
    let (status, first) = server.post("/v1/me/devices", ann, chrome.clone()).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!((&first["kind"], &first["label"]), (&json!("webpush"), &json!("https://fcm.googleapis.com")));
    let (status, again) = server.post("/v1/me/devices", ann, chrome).await;
    assert_eq!((status, &again["id"]), (200, &first["id"]), "the same browser is the same device");
    let fcm = json!({ "kind": "fcm", "token": format!("dQw4w9WgXcQ:APA91b{}", "x".repeat(140)) });
    assert_eq!(server.post("/v1/me/devices", ann, fcm).await.0, 201);

    for (bad, why) in [
        (browser("http://push.example/x"), "subscription.endpoint"),
        (
            json!({ "kind": "webpush", "subscription": { "endpoint": "https://p.example/x", "keys": { "p256dh": "AAAA", "auth": "BTBZMqHH6r4Tts7J_aSIgg" } } }),
            "subscription.keys.p256dh",
        ),
        (json!({ "kind": "apns", "token": "not hex" }), "token"),
        (json!({ "kind": "fcm", "token": "short" }), "token"),
        (json!({ "kind": "pager", "token": "x" }), ""),
    ] {
        let (status, answer) = server.post("/v1/me/devices", ann, bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(why), "{bad}: {answer}");
    }

    // The list: oldest first, never a key.
    let (status, list) = server.get("/v1/me/devices", ann).await;
    assert_eq!(status, 200);
    let devices = list["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0]["id"], first["id"]);
    assert!(!list.to_string().contains("BTBZMqHH6r4Tts7J_aSIgg"), "the keys stay on the server: {list}");
    assert_eq!(server.get("/v1/me/devices", ben).await.1["devices"], json!([]), "ben has none");

    // Twenty at most: the oldest go first.
    for n in 0..19 {
        assert_eq!(server.post("/v1/me/devices", ann, phone(n)).await.0, 201);
    }
    let ids: Vec<Value> = server.get("/v1/me/devices", ann).await.1["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert_eq!(ids.len(), 20);
    assert!(!ids.contains(&first["id"]), "the oldest, the browser, was dropped");

    let one = ids[0].as_str().unwrap();
    assert_eq!(server.request("DELETE", &format!("/v1/me/devices/{one}"), Some(ben), None).await.0, 404, "not ben's");
    assert_eq!(server.request("DELETE", &format!("/v1/me/devices/{one}"), Some(ann), None).await.0, 204);
    assert_eq!(server.request("DELETE", &format!("/v1/me/devices/{one}"), Some(ann), None).await.0, 404);
    assert_eq!(server.get("/v1/me/devices", ann).await.1["devices"].as_array().unwrap().len(), 19);
}

#[tokio::test]
async fn push_is_a_channel_beside_in_app_and_email() {
    let server = Server::start().await;
    let t = server.tenant_with("push-prefs", &[("ann", "member")]).await;
    let (status, defaults) = server.get("/v1/settings/notifications", &t[0]).await;
    assert_eq!(status, 200);
    for (kind, push) in [("message", true), ("mention", true), ("reminder", true), ("event", true), ("system", false)] {
        assert_eq!(defaults["types"][kind]["push"], json!(push), "{kind}: {defaults}");
    }
    let quiet = json!({ "types": { "message": { "inApp": true, "email": true, "push": false } } });
    let (status, saved) = server.put("/v1/settings/notifications", &t[0], quiet).await;
    assert_eq!((status, &saved["types"]["message"]["push"]), (200, &json!(false)), "{saved}");
    assert_eq!(saved["types"]["mention"]["push"], json!(true), "the others keep their default");
    assert_eq!(server.get("/v1/settings/notifications", &t[0]).await.1["types"]["message"]["push"], json!(false));
}
