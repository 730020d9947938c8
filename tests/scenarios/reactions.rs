//! Reactions: members react over the socket and REST; everyone in the conversation hears the
//! counts as `reaction.updated`; history (and `sync`) carries them with the reader's own; bad
//! emoji, deleted messages, other conversations' messages and a 21st emoji are refused with
//! nothing stored or pushed.

use serde_json::{json, Value};

use crate::support::{Server, WsClient};

fn react(conversation: &str, message: &str, emoji: &str, on: bool) -> Value {
    json!({ "action": "react", "conversationId": conversation, "messageId": message, "emoji": emoji, "on": on })
}

/// `(emoji, count, me)` of a message's reactions.
fn counts(reactions: &Value) -> Vec<(String, u64, bool)> {
    reactions
        .as_array()
        .map(|all| {
            all.iter()
                .map(|r| (r["emoji"].as_str().unwrap().to_string(), r["count"].as_u64().unwrap(), r["me"] == true))
                .collect()
        })
        .unwrap_or_default()
}

fn c(emoji: &str, count: u64, me: bool) -> (String, u64, bool) {
    (emoji.to_string(), count, me)
}

#[tokio::test]
async fn members_react_and_everyone_sees_the_counts_with_their_own_marked() {
    let server = Server::start().await;
    let t = server.tenant_with("react1", &[("ann", "member"), ("ben", "member"), ("cat", "member")]).await;
    let (ann, ben, cat) = (&t[0], &t[1], &t[2]);
    let group = server
        .create_conversation(ann, json!({ "kind": "group", "title": "Garde", "memberIds": ["ben", "cat"] }))
        .await;
    let mut ann_live = WsClient::connect(&server, ann).await;
    let mut ben_live = WsClient::connect(&server, ben).await;
    let message = ann_live.send_message(&group, "Qui est de garde samedi ?", "a1").await;
    let id = message["id"].as_str().unwrap();
    assert_eq!(ben_live.recv().await["type"], "message.new");

    // Ben reacts over the socket: his ack marks his own; Ann hears the counts.
    let ack = ben_live.request(react(&group, id, "👍", true), "b1").await;
    assert_eq!((&ack["type"], &ack["messageId"]), (&json!("ack"), &json!(id)), "{ack}");
    assert_eq!(counts(&ack["reactions"]), [c("👍", 1, true)]);
    let heard = ann_live.recv().await;
    assert_eq!(
        (&heard["type"], &heard["userId"], &heard["emoji"], &heard["on"]),
        (&json!("reaction.updated"), &json!("ben"), &json!("👍"), &json!(true))
    );
    assert_eq!(counts(&heard["reactions"]), [c("👍", 1, false)]);
    assert_eq!(heard["cursor"], ack["cursor"]);

    // Cat over REST; the same reaction twice is one.
    let path = format!("/v1/conversations/{group}/messages/{id}/reactions");
    for _ in 0..2 {
        let (status, reacted) = server.post(&path, cat, json!({ "emoji": "👍" })).await;
        assert_eq!((status, counts(&reacted["reactions"])), (200, vec![c("👍", 2, true)]), "{reacted}");
    }
    let (_, reacted) = server.post(&path, cat, json!({ "emoji": "🇫🇷" })).await;
    assert_eq!(counts(&reacted["reactions"]), [c("👍", 2, false), c("🇫🇷", 1, true)]);

    // History carries them, each reader's own marked.
    let of = |history: Vec<Value>| counts(&history.iter().find(|m| m["id"] == json!(id)).unwrap()["reactions"]);
    assert_eq!(of(server.full_history(ben, &group).await), [c("👍", 2, true), c("🇫🇷", 1, false)]);
    assert_eq!(of(server.full_history(ann, &group).await), [c("👍", 2, false), c("🇫🇷", 1, false)]);

    // Taken back: counts fall, an emoji nobody uses goes.
    let (_, reacted) = server.post(&path, cat, json!({ "emoji": "🇫🇷", "on": false })).await;
    assert_eq!(counts(&reacted["reactions"]), [c("👍", 2, false)]);
    let off = ben_live.request(react(&group, id, "👍", false), "b2").await;
    assert_eq!(counts(&off["reactions"]), [c("👍", 1, false)]);

    // Ann missed nothing: her socket heard every change, in order, and `sync` has them too.
    // Cat's two 👍 (the repeat published again: a first try may have been cut short before its
    // push), 🇫🇷 on and off, Ben's 👍 off.
    let mut heard = Vec::new();
    while heard.len() < 5 {
        let frame = ann_live.recv().await;
        if frame["type"] == "reaction.updated" {
            heard.push(counts(&frame["reactions"]));
        }
    }
    assert_eq!(heard.last().unwrap(), &[c("👍", 1, false)]);
    let (_, synced) = server.get(&format!("/v1/sync?since={}", message["id"].as_str().unwrap()), ann).await;
    let logged = synced["events"].as_array().unwrap().iter().filter(|e| e["type"] == "reaction.updated").count();
    assert_eq!(logged, 6, "{synced}");
}

#[tokio::test]
async fn bad_reactions_are_refused_and_nothing_is_stored_or_pushed() {
    let server = Server::start().await;
    let t = server.tenant_with("react2", &[("ann", "member"), ("ben", "member"), ("cat", "member")]).await;
    let (ann, ben) = (&t[0], &t[1]);
    let chat = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let other = server.create_conversation(ann, json!({ "kind": "direct", "userId": "cat" })).await;
    let mut ann_live = WsClient::connect(&server, ann).await;
    let mut ben_live = WsClient::connect(&server, ben).await;
    let message = ann_live.send_message(&chat, "Bonjour", "a1").await;
    let id = message["id"].as_str().unwrap().to_string();
    let elsewhere = ann_live.send_message(&other, "Salut Cat", "a2").await;
    let elsewhere_id = elsewhere["id"].as_str().unwrap();
    assert_eq!(ben_live.recv().await["type"], "message.new");

    for (frame, code) in [
        (react(&chat, &id, "ok", true), "invalid_request"),
        (react(&chat, &id, "👍👍", true), "invalid_request"),
        (react(&chat, elsewhere_id, "👍", true), "not_found"),
        (react(&other, elsewhere_id, "👍", true), "not_found"),
        (react(&chat, "01KDX00000000000000000000Z", "👍", true), "not_found"),
    ] {
        let answer = ben_live.request(frame.clone(), "bad").await;
        assert_eq!((&answer["type"], &answer["code"]), (&json!("error"), &json!(code)), "{frame}: {answer}");
    }
    // Twenty different emoji, then no more.
    for i in 0..20 {
        let ack = ben_live.request(react(&chat, &id, &format!(":e{i}:"), true), &format!("e{i}")).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    let refused = ben_live.request(react(&chat, &id, ":one_more:", true), "e20").await;
    assert_eq!(refused["code"], "invalid_request", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("at most 20"), "{refused}");
    // A deleted message takes none.
    let path = format!("/v1/conversations/{chat}/messages/{id}");
    assert_eq!(server.request("DELETE", &path, Some(ann), None).await.0, 200);
    let (status, _) = server.post(&format!("{path}/reactions"), ben, json!({ "emoji": "👍" })).await;
    assert_eq!(status, 409);

    // Ann heard twenty changes and the deletion: nothing of what was refused.
    let mut seen = Vec::new();
    loop {
        let frame = ann_live.recv().await;
        let kind = frame["type"].as_str().unwrap().to_string();
        seen.push(kind.clone());
        if kind == "message.deleted" {
            break;
        }
    }
    assert_eq!(seen.iter().filter(|k| *k == "reaction.updated").count(), 20, "{seen:?}");
    ann_live.expect_silence(300).await;
    let history = server.full_history(ann, &chat).await;
    assert_eq!(history[0]["reactions"], Value::Null, "a tombstone shows none");
}
