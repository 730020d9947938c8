//! Push devices: a browser's subscription or a phone's token registered, each field checked,
//! listed without its keys, twenty at most per user, removed; `push` beside `inApp` and
//! `email` in the preferences; and notifications pushed to browsers through a push service
//! (tests/scenarios/web_push_service.rs) that verifies each VAPID token and decrypts each
//! payload: an offline user pushed once, a connected one not, quiet hours holding a push that
//! a call-out goes through, a device gone removed, a failing service retried, dead-lettered
//! and redriven — each device pushed exactly once.

use chrono::{DurationRound, Timelike};
use serde_json::{json, Value};

use crate::phone_push_services::{start_apns, start_fcm};
use crate::support::{eventually, Server, WsClient, PLATFORM_KEY};
use crate::web_push_service::{Answer, Received, WebPushService};

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

/// A server that pushes to the scenario's Web Push service, which trusts its VAPID key; jobs
/// retried quickly.
async fn pushing_server() -> (Server, WebPushService) {
    pushing_server_with(&[]).await
}

async fn pushing_server_with(env: &[(&str, &str)]) -> (Server, WebPushService) {
    let service = WebPushService::start().await;
    let mut env = env.to_vec();
    env.extend([("MISSIVE_WEBPUSH_URL", service.url.as_str()), ("MISSIVE_RETRY_BASE_MS", "100")]);
    let server = Server::start_with(&[], &env).await;
    let (status, key) = server.request("GET", "/v1/push/vapid-public-key", None, None).await;
    assert_eq!(status, 200, "public: a page asks before anyone signs in: {key}");
    let key = key["publicKey"].as_str().unwrap();
    assert_eq!(base64_len(key), 65, "an uncompressed P-256 point");
    service.trust(key);
    (server, service)
}

fn base64_len(text: &str) -> usize {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap().len()
}

/// Registers a browser subscription of the push service's for `token`'s user.
async fn subscribe(server: &Server, service: &WebPushService, token: &str, answer: Answer) -> String {
    let subscription = service.subscribe(answer);
    let (status, device) =
        server.post("/v1/me/devices", token, json!({ "kind": "webpush", "subscription": subscription })).await;
    assert_eq!(status, 201, "{device}");
    subscription["endpoint"].as_str().unwrap().to_string()
}

/// The notifications queue's numbers, as the platform operator sees them.
async fn notifications_queue(server: &Server) -> Value {
    let (status, body) = server.get("/v1/admin/queues", PLATFORM_KEY).await;
    assert_eq!(status, 200, "{body}");
    body["queues"].as_array().unwrap().iter().find(|q| q["name"] == "notifications").unwrap().clone()
}

/// Waits until the notifications queue holds nothing: every job queued so far has run.
async fn settled(server: &Server) {
    eventually(60, "an empty notifications queue", || async {
        let q = notifications_queue(server).await;
        (q["visible"] == 0 && q["inFlight"] == 0 && q["delayed"] == 0).then_some(())
    })
    .await;
}

async fn pushes(service: &WebPushService, count: usize) -> Vec<Received> {
    eventually(60, &format!("{count} push(es)"), || async { Some(service.received()).filter(|r| r.len() >= count) })
        .await
}

/// An admin's notification; `critical` for a call-out.
async fn notify(server: &Server, admin: &str, user: &str, title: &str, priority: &str) {
    let body =
        json!({ "users": [user], "type": "event", "title": title, "body": "Caserne nord", "priority": priority });
    let (status, out) = server.post("/v1/notifications", admin, body).await;
    assert_eq!(status, 201, "{out}");
}

#[tokio::test]
async fn an_offline_member_is_pushed_once_and_a_connected_one_is_not() {
    let (server, service) = pushing_server().await;
    let t = server.tenant_with("push-offline", &[("boss", "admin"), ("ann", "member"), ("ben", "member")]).await;
    let (boss, ann, ben) = (&t[0], &t[1], &t[2]);
    let endpoint = subscribe(&server, &service, ben, Answer::Accept).await;
    let conversation = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let (status, sent) = server
        .post(&format!("/v1/conversations/{conversation}/messages"), ann, json!({ "body": "On se voit à 18 h ?" }))
        .await;
    assert_eq!(status, 201, "{sent}");

    let received = pushes(&service, 1).await;
    let push = &received[0];
    assert_eq!(push.subscription, endpoint);
    let notification = &push.payload["notification"];
    assert_eq!((&notification["type"], &notification["userId"]), (&json!("message"), &json!("ben")), "{notification}");
    assert_eq!(notification["body"], "On se voit à 18 h ?");
    assert_eq!((&notification["conversationId"], &notification["messageId"]), (&json!(conversation), &sent["id"]));
    assert_eq!(push.payload["badge"], 1, "the bell's unread count");
    assert_eq!((push.urgency.as_str(), push.ttl), ("normal", 86_400));
    assert!(push.topic.is_some(), "collapsed per conversation");
    settled(&server).await;
    assert_eq!(service.received().len(), 1, "once");

    // Connected, ben sees the notification live: nothing is pushed.
    let mut live = WsClient::connect(&server, ben).await;
    notify(&server, boss, "ben", "Réunion", "normal").await;
    loop {
        if live.recv_any().await["type"] == "notification.new" {
            break;
        }
    }
    settled(&server).await;
    assert_eq!(service.received().len(), 1, "not pushed to a connected user");
    assert_eq!(service.refused(), Vec::<String>::new(), "every request as a push service takes it");
}

#[tokio::test]
async fn quiet_hours_hold_a_push_that_a_call_out_goes_through() {
    let (server, service) = pushing_server().await;
    let t = server.tenant_with("push-quiet", &[("chief", "admin"), ("cam", "member")]).await;
    let (chief, cam) = (&t[0], &t[1]);
    subscribe(&server, &service, cam, Answer::Accept).await;
    let address = json!({ "tenantId": "push-quiet", "name": "Cam", "email": "cam@example.com", "locale": "fr" });
    let (status, body) = server.request("PUT", "/v1/admin/users/cam", Some(PLATFORM_KEY), Some(address)).await;
    assert_eq!(status, 200, "{body}");
    // Quiet since an hour ago until the next whole minute but one that is 20 s away at least.
    let now = chrono::Utc::now();
    let minute = now.duration_trunc(chrono::Duration::minutes(1)).unwrap();
    let end = minute + chrono::Duration::minutes(if now.second() < 40 { 1 } else { 2 });
    let hhmm = |d: chrono::DateTime<chrono::Utc>| d.format("%H:%M").to_string();
    // E-mails in an hourly digest, too: a call-out's goes at once all the same.
    let quiet = json!({ "emailMode": "digest", "quietHours": { "start": hhmm(now - chrono::Duration::hours(1)), "end": hhmm(end), "timeZone": "UTC" } });
    let (status, body) = server.put("/v1/settings/notifications", cam, quiet).await;
    assert_eq!(status, 200, "{body}");

    notify(&server, chief, "cam", "Exercice mensuel", "normal").await;
    // Held: its job waits on the queue for the end of the quiet hours (read before the queue,
    // the pushes cannot include one that job makes later).
    eventually(30, "the held push", || async {
        let received = service.received();
        (notifications_queue(&server).await["delayed"] == 1).then(|| assert!(received.is_empty(), "held"))
    })
    .await;

    // A member may not send a call-out; the chief may, and it goes through the quiet hours.
    let call_out = json!({ "users": ["cam"], "type": "event", "title": "Feu", "priority": "critical" });
    assert_eq!(server.post("/v1/notifications", cam, call_out).await.0, 403);
    notify(&server, chief, "cam", "Alerte feu", "critical").await;
    let received = pushes(&service, 1).await;
    assert_eq!(received[0].payload["notification"]["title"], "Alerte feu");
    assert_eq!(received[0].payload["notification"]["priority"], "critical");
    assert_eq!(received[0].urgency, "high");
    assert_eq!(received.len(), 1, "the exercise still waits");
    let emails = eventually(30, "the call-out's e-mail", || async {
        Some(server.sent_emails().await).filter(|sent| !sent.is_empty())
    })
    .await;
    assert_eq!(emails.len(), 1, "one e-mail, the exercise riding along: {emails:?}");
    assert!(emails[0]["raw"].as_str().unwrap().contains("Alerte feu"), "{emails:?}");

    // The quiet hours over, the held one follows.
    let received = eventually(150, "the held push, after the quiet hours", || async {
        Some(service.received()).filter(|r| r.len() == 2)
    })
    .await;
    assert_eq!(received[1].payload["notification"]["title"], "Exercice mensuel");
    assert!(chrono::Utc::now() >= end, "not before the quiet hours ended");
    assert_eq!(received[1].urgency, "normal");
}

#[tokio::test]
async fn a_device_its_service_says_is_gone_is_removed() {
    let (server, service) = pushing_server().await;
    let t = server.tenant_with("push-gone", &[("boss", "admin"), ("dan", "member")]).await;
    let (boss, dan) = (&t[0], &t[1]);
    subscribe(&server, &service, dan, Answer::Gone).await;
    let kept = subscribe(&server, &service, dan, Answer::Accept).await;
    notify(&server, boss, "dan", "Nouvelle garde", "normal").await;
    let received = pushes(&service, 1).await;
    assert_eq!(received[0].subscription, kept);
    let devices = eventually(30, "the gone device removed", || async {
        let list = server.get("/v1/me/devices", dan).await.1["devices"].as_array().unwrap().clone();
        Some(list).filter(|l| l.len() == 1)
    })
    .await;
    assert_eq!(devices[0]["label"], "https://push.missive.test");
}

#[tokio::test]
async fn a_failing_service_is_retried_dead_lettered_and_redriven_and_each_device_pushed_once() {
    let (server, service) = pushing_server().await;
    let t = server.tenant_with("push-fail", &[("boss", "admin"), ("eve", "member")]).await;
    let (boss, eve) = (&t[0], &t[1]);
    let working = subscribe(&server, &service, eve, Answer::Accept).await;
    let failing = subscribe(&server, &service, eve, Answer::Fail).await;
    notify(&server, boss, "eve", "Astreinte", "normal").await;
    eventually(60, "the dead-lettered job", || async {
        let q = notifications_queue(&server).await;
        (q["deadLettered"] == 1 && q["visible"] == 0 && q["inFlight"] == 0).then_some(())
    })
    .await;
    assert_eq!(service.attempts(&failing), 5, "tried as often as the queue delivers a job");
    assert_eq!(service.attempts(&working), 1, "the device that took it is not pushed again");

    service.answer(&failing, Answer::Accept);
    let (status, moved) = server.post("/v1/admin/queues/notifications/redrive", PLATFORM_KEY, json!({})).await;
    assert_eq!((status, moved["moved"].as_u64()), (200, Some(1)), "{moved}");
    let received = pushes(&service, 2).await;
    assert_eq!(received[1].subscription, failing);
    settled(&server).await;
    let received = service.received();
    let endpoints: Vec<&str> = received.iter().map(|r| r.subscription.as_str()).collect();
    assert_eq!(endpoints, vec![working.as_str(), failing.as_str()], "each device once");
}

#[tokio::test]
async fn phones_are_pushed_through_fcm_and_apns_with_their_tenant_s_credentials() {
    let (fcm, apns) = (start_fcm().await, start_apns().await);
    let env = [("MISSIVE_FCM_URL", fcm.url.as_str()), ("MISSIVE_APNS_URL", apns.url.as_str())];
    let (server, _) = pushing_server_with(&env).await;
    let t = server.tenant_with("push-phones", &[("boss", "admin"), ("ann", "member"), ("ben", "member")]).await;
    let (boss, ann, ben) = (&t[0], &t[1], &t[2]);
    let register = |token: &str, kind: &str, device: String| {
        let body = json!({ "kind": kind, "token": device });
        let token = token.to_string();
        let server = &server;
        async move {
            let (status, answer) = server.post("/v1/me/devices", &token, body).await;
            assert_eq!(status, 201, "{answer}");
        }
    };
    let path = "/v1/admin/tenants/push-phones/push-credentials";

    // No credentials yet: a phone's push is refused (counted, not retried), nothing is sent.
    let (status, none) = server.get(path, PLATFORM_KEY).await;
    assert_eq!((status, none), (200, json!({ "fcm": null, "apns": null })));
    let early = fcm.device(Answer::Accept);
    register(ann, "fcm", early.clone()).await;
    notify(&server, boss, "ann", "Avant les clés", "normal").await;
    settled(&server).await;
    assert!(fcm.taken().is_empty());

    // The operator sets them, each key checked; they are never shown again.
    for (bad, field) in [
        (
            json!({ "fcm": { "type": "user", "project_id": "p", "client_email": "a@b", "private_key": "x" } }),
            "fcm.type",
        ),
        (
            json!({ "apns": { "teamId": "T", "keyId": "KEY1234567", "privateKey": "x", "bundleId": "a.b" } }),
            "apns.teamId",
        ),
        (
            json!({ "apns": { "teamId": "TEAM123456", "keyId": "KEY1234567", "privateKey": "x", "bundleId": "a.b" } }),
            "apns.privateKey",
        ),
    ] {
        let (status, answer) = server.request("PUT", path, Some(PLATFORM_KEY), Some(bad)).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().starts_with(field), "{answer}");
    }
    let both = json!({ "fcm": fcm.credentials, "apns": apns.credentials });
    assert_eq!(server.request("PUT", path, Some(boss), Some(both.clone())).await.0, 401, "the operator's alone");
    let (status, shown) = server.request("PUT", path, Some(PLATFORM_KEY), Some(both)).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        shown["fcm"],
        json!({ "projectId": "missive-test", "clientEmail": "missive@missive-test.iam.gserviceaccount.com" })
    );
    assert_eq!(shown["apns"]["bundleId"], "com.missive.test");
    assert!(!shown.to_string().contains("PRIVATE KEY"), "{shown}");
    assert_eq!(server.get(path, PLATFORM_KEY).await.1, shown);

    // Ann: an Android phone, and one whose app was uninstalled; ben: an iPhone.
    let gone = fcm.device(Answer::Gone);
    register(ann, "fcm", gone).await;
    let iphone = apns.device(Answer::Accept);
    register(ben, "apns", iphone.clone()).await;
    // One after the other: a warm worker keeps its tokens (each process asks for its own).
    for (user, title, priority) in [
        ("ann", "Garde de nuit", "normal"),
        ("ben", "Garde de nuit", "normal"),
        ("ann", "Feu", "critical"),
        ("ben", "Feu", "critical"),
    ] {
        notify(&server, boss, user, title, priority).await;
        settled(&server).await;
    }

    let to_ann = fcm.taken();
    assert_eq!(to_ann.len(), 2, "ann's two notifications on her phone: {to_ann:?}");
    assert!(to_ann.iter().all(|t| t.device_token == early));
    let priorities: Vec<&Value> = to_ann.iter().map(|t| &t.body["message"]["android"]["priority"]).collect();
    assert!(priorities.contains(&&json!("NORMAL")) && priorities.contains(&&json!("HIGH")), "{priorities:?}");
    let payload: Value = serde_json::from_str(to_ann[0].body["message"]["data"]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["notification"]["userId"], "ann");
    assert_eq!(fcm.token_requests(), 1, "one access token, kept");
    let devices = server.get("/v1/me/devices", ann).await.1["devices"].as_array().unwrap().clone();
    assert_eq!(devices.len(), 1, "the uninstalled app's token was removed: {devices:?}");

    let to_ben = apns.taken();
    assert_eq!(to_ben.len(), 2, "{to_ben:?}");
    assert!(to_ben.iter().all(|t| t.device_token == iphone));
    let call_out = to_ben.iter().find(|t| t.body["aps"]["alert"]["title"] == "Feu").unwrap();
    assert_eq!(call_out.body["aps"]["interruption-level"], "time-sensitive");
    let expires: i64 = call_out.headers["apns-expiration"].parse().unwrap();
    assert!(expires > chrono::Utc::now().timestamp() + 23 * 3600, "kept a day for a phone that is off");
    assert_eq!(call_out.body["missive"]["notification"]["priority"], "critical");
    assert!(to_ben.iter().any(|t| t.body["aps"]["badge"] == 2), "the bell's unread count");
    assert_eq!(apns.tokens_seen(), 1, "one provider token, kept");
    assert_eq!((fcm.refused(), apns.refused()), (vec![], vec![]), "every request as the services take it");
}
