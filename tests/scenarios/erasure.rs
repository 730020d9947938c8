//! Erasing a person: an admin asks, the person's record goes at once (their token is refused
//! from then on, unless the platform creates them again), and in the background their messages
//! become tombstones of no one — the conversations stay readable for the others, with the
//! others' messages intact — their reactions are taken back, the others' notifications quoting
//! them go, their memberships go. Then the store itself, read directly, holds nothing of theirs:
//! not their name, their e-mail address, their words, their reminder (but in events already
//! logged, which expire within 7 days). Only admins erase, never themselves; audited.

use serde_json::{json, Value};

use crate::support::{eventually, logged_event, Server, PLATFORM_KEY};
use crate::web_push_service::Answer;
use crate::webhook_receiver::Receiver;

/// The person's data, each a string the store must no longer hold.
const NAME: &str = "Annabelle Effacée";
const EMAIL: &str = "annabelle.effacee@example.com";
const WORDS: [&str; 4] = ["Mon secret de garde", "Ma réponse en fil", "Un mot direct", "Rappel très personnel"];

#[tokio::test]
async fn an_erased_person_leaves_tombstones_of_no_one_and_nothing_of_theirs_in_the_store() {
    let server = Server::start_with(&[], &[("MISSIVE_WEBHOOKS_ALLOW_LOOPBACK", "true")]).await;
    let people = [("boss", "admin"), ("ann", "member"), ("ben", "member")];
    let t = server.tenant_with("erase1", &people).await;
    let (boss, ann, ben) = (&t[0], &t[1], &t[2]);
    // The tenant's platform hears when an erasure is done.
    let receiver = Receiver::start().await;
    let hook = json!({ "url": receiver.endpoint("done", Answer::Accept), "events": ["user.erased"] });
    let (status, created) = server.post("/v1/webhooks", boss, hook).await;
    assert_eq!(status, 201, "{created}");
    receiver.trust("done", created["secret"].as_str().unwrap());
    let (status, _) = server.put("/v1/admin/users/ann", boss, json!({ "name": NAME, "email": EMAIL })).await;
    assert_eq!(status, 200);

    let group =
        server.create_conversation(ann, json!({ "kind": "group", "title": "Garde", "memberIds": ["ben"] })).await;
    let messages = format!("/v1/conversations/{group}/messages");
    let (_, secret) = server.post(&messages, ann, json!({ "body": WORDS[0] })).await;
    let (_, bens) = server.post(&messages, ben, json!({ "body": "Ben reste" })).await;
    let reply = json!({ "body": WORDS[1], "parentId": bens["id"] });
    assert_eq!(server.post(&messages, ann, reply).await.0, 201);
    let react = |id: &Value| format!("/v1/conversations/{group}/messages/{}/reactions", id.as_str().unwrap());
    assert_eq!(server.post(&react(&bens["id"]), ann, json!({ "emoji": "👍" })).await.0, 200);
    assert_eq!(server.post(&react(&bens["id"]), ben, json!({ "emoji": "👍" })).await.0, 200);
    assert_eq!(server.post(&react(&secret["id"]), ben, json!({ "emoji": "❤️" })).await.0, 200);
    let direct = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let (status, _) =
        server.post(&format!("/v1/conversations/{direct}/messages"), ann, json!({ "body": WORDS[2] })).await;
    assert_eq!(status, 201);
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let reminder = json!({ "at": tomorrow, "title": WORDS[3], "users": ["ann"] });
    assert_eq!(server.post("/v1/reminders", ann, reminder).await.0, 201);
    let prefs = json!({ "emailMode": "digest" });
    assert_eq!(server.put("/v1/settings/notifications", ann, prefs).await.0, 200);

    // Admins only, never themselves; an unknown person is a 404.
    assert_eq!(server.request("DELETE", "/v1/admin/users/ann", Some(ben), None).await.0, 403);
    assert_eq!(server.request("DELETE", "/v1/admin/users/boss", Some(boss), None).await.0, 400);
    assert_eq!(server.request("DELETE", "/v1/admin/users/nobody", Some(boss), None).await.0, 404);
    let (status, erased) = server.request("DELETE", "/v1/admin/users/ann", Some(boss), None).await;
    assert_eq!((status, &erased["userId"]), (202, &json!("ann")), "{erased}");
    assert_eq!(server.request("DELETE", "/v1/admin/users/ann", Some(boss), None).await.0, 404, "gone already");

    // Her token no longer works (once each process's few seconds of memory of her are over).
    eventually(30, "ann's token refused", || async {
        let (status, body) = server.get("/v1/me", ann).await;
        (status == 403).then(|| assert_eq!(body["error"]["message"], "user erased", "{body}"))
    })
    .await;

    // Done in the background: the platform hears of it.
    let done = eventually(60, "user.erased", || async { receiver.received("done").into_iter().next() }).await;
    assert_eq!((&done.body["type"], &done.body["data"]), (&json!("user.erased"), &json!({ "userId": "ann" })));

    // The others' conversation stays, her messages tombstones of no one, her reaction gone.
    let history = server.full_history(ben, &group).await;
    let tombstone = history.iter().find(|m| m["id"] == secret["id"]).expect("her message keeps its place");
    assert_eq!(
        (&tombstone["senderId"], &tombstone["body"], &tombstone["senderName"]),
        (&json!("~erased"), &Value::Null, &json!(""))
    );
    assert!(tombstone["deletedAt"].is_string(), "{tombstone}");
    let kept = history.iter().find(|m| m["id"] == bens["id"]).unwrap();
    assert_eq!(kept["body"], "Ben reste");
    assert_eq!(kept["reactions"], json!([{ "emoji": "👍", "count": 1, "me": true }]), "her 👍 taken back");
    let (_, thread) = server.get(&format!("{messages}/{}/replies", bens["id"].as_str().unwrap()), ben).await;
    assert_eq!(thread["messages"][0]["body"], Value::Null, "her reply too: {thread}");
    let (_, details) = server.get(&format!("/v1/conversations/{group}"), ben).await;
    let members: Vec<&str> =
        details["members"].as_array().unwrap().iter().map(|m| m["userId"].as_str().unwrap()).collect();
    assert_eq!(members, ["ben"], "{details}");

    let (_, log) = server.get("/v1/admin/audit", boss).await;
    assert_eq!((&log["entries"][0]["action"], &log["entries"][0]["target"]), (&json!("user.erased"), &json!("ann")));

    // The platform can bring her back: a new person, with nothing of before.
    let back = json!({ "tenantId": "erase1", "name": "Ann Again" });
    assert_eq!(server.request("PUT", "/v1/admin/users/ann", Some(PLATFORM_KEY), Some(back)).await.0, 201);
    let (status, me) = server.get("/v1/me", ann).await;
    assert_eq!((status, &me["user"]["id"]), (200, &json!("ann")), "her token works again: {me}");
    let (_, list) = server.get("/v1/conversations", ann).await;
    assert_eq!(list["conversations"], json!([]), "{list}");
    let (status, again) = server.post("/v1/conversations", ann, json!({ "kind": "direct", "userId": "ben" })).await;
    assert_eq!(status, 201, "a new direct conversation, not the one she was erased from: {again}");
    assert_ne!(again["id"], json!(direct));

    // The store itself holds nothing of hers — but events already logged (a conversation's
    // log, a member's feed: what `sync` replays), which expire within 7 days.
    let stored = server.stored_text().await;
    for gone in [NAME, EMAIL].iter().chain(WORDS.iter()) {
        let found: Vec<&str> = stored.lines().filter(|l| l.contains(gone) && !logged_event(l)).collect();
        assert!(found.is_empty(), "{gone:?} is still stored: {found:#?}");
    }
}
