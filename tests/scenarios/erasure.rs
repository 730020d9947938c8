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
/// Another person erased, whose id no record may hold afterwards (distinctive, so that the
/// store's text can be searched for it).
const CAT: &str = "cat-q7x";

#[tokio::test]
async fn an_erased_person_leaves_tombstones_of_no_one_and_nothing_of_theirs_in_the_store() {
    let server = Server::start_with(&[], &[("MISSIVE_WEBHOOKS_ALLOW_LOOPBACK", "true")]).await;
    let people = [("boss", "admin"), ("ann", "member"), ("ben", "member"), (CAT, "member")];
    let t = server.tenant_with("erase1", &people).await;
    let (boss, ann, ben, cat) = (&t[0], &t[1], &t[2], &t[3]);
    // The tenant's platform hears when an erasure is done.
    let receiver = Receiver::start().await;
    let hook = json!({ "url": receiver.endpoint("done", Answer::Accept), "events": ["user.erased"] });
    let (status, created) = server.post("/v1/webhooks", boss, hook).await;
    assert_eq!(status, 201, "{created}");
    receiver.trust("done", created["secret"].as_str().unwrap());
    let (status, _) = server.put("/v1/admin/users/ann", boss, json!({ "name": NAME, "email": EMAIL })).await;
    assert_eq!(status, 200);

    let group =
        server.create_conversation(ann, json!({ "kind": "group", "title": "Garde", "memberIds": ["ben", CAT] })).await;
    let messages = format!("/v1/conversations/{group}/messages");
    let (_, secret) = server.post(&messages, ann, json!({ "body": WORDS[0] })).await;
    let (_, bens) = server.post(&messages, ben, json!({ "body": "Ben reste" })).await;
    let reply = json!({ "body": WORDS[1], "parentId": bens["id"] });
    assert_eq!(server.post(&messages, ann, reply).await.0, 201);
    let react = |id: &Value| format!("/v1/conversations/{group}/messages/{}/reactions", id.as_str().unwrap());
    assert_eq!(server.post(&react(&bens["id"]), ann, json!({ "emoji": "👍" })).await.0, 200);
    assert_eq!(server.post(&react(&bens["id"]), ben, json!({ "emoji": "👍" })).await.0, 200);
    assert_eq!(server.post(&react(&secret["id"]), ben, json!({ "emoji": "❤️" })).await.0, 200);
    // Cat, erased too and never brought back, leaves not even her id: she sends with an
    // idempotency key, replies in Ben's thread, pins his message, reacts, and writes to Ben.
    let (status, _) =
        server.post(&messages, cat, json!({ "body": "Chat de Cat", "clientMessageId": "cat-key-1" })).await;
    assert_eq!(status, 201);
    assert_eq!(server.post(&messages, cat, json!({ "body": "Cat répond", "parentId": bens["id"] })).await.0, 201);
    let pins = format!("/v1/conversations/{group}/pins");
    assert_eq!(server.post(&pins, cat, json!({ "messageId": bens["id"] })).await.0, 200);
    assert_eq!(server.post(&react(&bens["id"]), cat, json!({ "emoji": "🎉" })).await.0, 200);
    let cats_direct = server.create_conversation(cat, json!({ "kind": "direct", "userId": "ben" })).await;
    let cats_words = json!({ "body": "Bonjour Ben" });
    assert_eq!(server.post(&format!("/v1/conversations/{cats_direct}/messages"), cat, cats_words).await.0, 201);
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
    let erased_one = |who: &'static str| {
        let receiver = &receiver;
        move || async move { receiver.received("done").into_iter().find(|d| d.body["data"]["userId"] == who) }
    };
    let done = eventually(60, "user.erased", erased_one("ann")).await;
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
    assert_eq!(kept["reactions"][0], json!({ "emoji": "👍", "count": 1, "me": true }), "her 👍 taken back");
    let (_, thread) = server.get(&format!("{messages}/{}/replies", bens["id"].as_str().unwrap()), ben).await;
    assert_eq!(thread["messages"][0]["body"], Value::Null, "her reply too: {thread}");
    let (_, details) = server.get(&format!("/v1/conversations/{group}"), ben).await;
    let members: Vec<&str> =
        details["members"].as_array().unwrap().iter().map(|m| m["userId"].as_str().unwrap()).collect();
    assert_eq!(members, ["ben", CAT], "{details}");

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

    // Cat goes too: Ben's thread no longer names her, her pin stays pinned by no one.
    assert_eq!(server.request("DELETE", &format!("/v1/admin/users/{CAT}"), Some(boss), None).await.0, 202);
    eventually(60, "cat's user.erased", erased_one(CAT)).await;
    let history = server.full_history(ben, &group).await;
    let bens_now = history.iter().find(|m| m["id"] == bens["id"]).unwrap();
    assert!(bens_now.get("replyUserIds").is_none(), "no replier left to name: {bens_now}");
    let (_, pinned) = server.get(&pins, ben).await;
    assert_eq!(pinned["pins"][0]["pinnedBy"], "~erased", "{pinned}");

    // The store itself holds nothing of hers — but events already logged (a conversation's
    // log, a member's feed: what `sync` replays), which expire within 7 days — and not even
    // Cat's id, but in those events and the audit log's record of her erasure.
    let stored = server.stored_text().await;
    for gone in [NAME, EMAIL].iter().chain(WORDS.iter()) {
        let found: Vec<&str> = stored.lines().filter(|l| l.contains(gone) && !logged_event(l)).collect();
        assert!(found.is_empty(), "{gone:?} is still stored: {found:#?}");
    }
    // Kept, as the record of what was done: the audit log's act, the `user.erased` webhook's
    // delivery (7 days). Expiring: job idempotency records (7 days). And on the embedded store,
    // whose file holds the job queue too, jobs queued for her, which find nothing when they run.
    let kept = |l: &str| {
        let audit = l.contains("\u{1f}DOC\u{1f}audit\u{1f}") || l.contains("#D#audit\")");
        let effect = l.contains("\u{1f}EFFECT\u{1f}") || l.contains("#EFFECT#");
        audit || effect || l.contains("user.erased") || l.starts_with("QUEUE\u{1f}")
    };
    let named: Vec<&str> = stored.lines().filter(|l| l.contains(CAT) && !logged_event(l) && !kept(l)).collect();
    assert!(named.is_empty(), "{} records name Cat: {named:#?}", named.len());
}
