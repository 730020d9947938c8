//! Threads: a reply (`parentId`) goes to its thread — a reply to a reply to the same one; the
//! first message counts the replies; the conversation's history shows only those sent
//! `alsoInConversation`; the thread's page route reads them; offline participants of a thread
//! are told of a reply in it, other members are not. Bad parents are refused, nothing stored.

use serde_json::{json, Value};

use crate::support::{eventually, Server, WsClient};

fn ids(messages: &Value) -> Vec<&str> {
    messages.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect()
}

async fn notified_of(server: &Server, token: &str, message: &Value) -> bool {
    let (status, page) = server.get("/v1/notifications", token).await;
    assert_eq!(status, 200, "{page}");
    page["notifications"].as_array().unwrap().iter().any(|n| n["messageId"] == message["id"])
}

#[tokio::test]
async fn replies_form_a_thread_its_participants_hear_of_and_the_conversation_stays_clear() {
    let server = Server::start().await;
    let people = [("ann", "member"), ("ben", "member"), ("cat", "member"), ("dan", "member")];
    let t = server.tenant_with("thread1", &people).await;
    let (ann, ben, cat, dan) = (&t[0], &t[1], &t[2], &t[3]);
    let group = server
        .create_conversation(ann, json!({ "kind": "group", "title": "Garde", "memberIds": ["ben", "cat", "dan"] }))
        .await;
    let mut ann_live = WsClient::connect(&server, ann).await;
    let mut ben_live = WsClient::connect(&server, ben).await;
    let root = ann_live.send_message(&group, "Qui prend la garde samedi ?", "a1").await;
    let root_id = root["id"].as_str().unwrap();
    assert_eq!(ben_live.recv().await["message"]["id"], root["id"]);

    // Cat replies over REST, in the thread only; the members online hear it as a reply.
    let messages = format!("/v1/conversations/{group}/messages");
    let (status, cat_reply) = server.post(&messages, cat, json!({ "body": "Moi", "parentId": root_id })).await;
    assert_eq!((status, &cat_reply["parentId"]), (201, &root["id"]), "{cat_reply}");
    assert_eq!(cat_reply.get("alsoInConversation"), None);
    let heard = ann_live.recv().await;
    assert_eq!((&heard["type"], &heard["message"]["parentId"]), (&json!("message.new"), &root["id"]), "{heard}");
    ben_live.recv().await;

    // Ben answers Cat's reply over the socket, also in the conversation: it joins the same thread.
    let frame = json!({
        "action": "sendMessage", "conversationId": group, "body": "Je te relaie dimanche",
        "parentId": cat_reply["id"], "alsoInConversation": true,
    });
    let ack = ben_live.request(frame, "b1").await;
    let ben_reply = ack["message"].clone();
    assert_eq!((&ben_reply["parentId"], &ben_reply["alsoInConversation"]), (&root["id"], &json!(true)), "{ack}");
    assert_eq!(ann_live.recv().await["message"]["id"], ben_reply["id"]);

    // The history: the first message with its summary, Ben's reply, not Cat's.
    let history = server.full_history(dan, &group).await;
    let shown: Vec<&str> = history.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(shown, [root_id, ben_reply["id"].as_str().unwrap()]);
    assert_eq!(
        (&history[0]["replyCount"], &history[0]["replyUserIds"], &history[0]["lastReplyAt"]),
        (&json!(2), &json!(["ben", "cat"]), &ben_reply["createdAt"]),
        "{}",
        history[0]
    );
    let (_, unread) = server.get("/v1/me/unread", dan).await;
    assert_eq!(unread["messages"], 2, "what the conversation shows is what is unread: {unread}");

    // The thread's page, by its first message or by a reply; older replies behind a cursor.
    let replies = format!("{messages}/{root_id}/replies");
    let (status, page) = server.get(&replies, dan).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["parent"]["id"], root["id"]);
    assert_eq!(ids(&page["messages"]), [cat_reply["id"].as_str().unwrap(), ben_reply["id"].as_str().unwrap()]);
    let (_, by_reply) = server.get(&format!("{messages}/{}/replies", cat_reply["id"].as_str().unwrap()), dan).await;
    assert_eq!(by_reply["parent"]["id"], root["id"]);
    let (_, newest) = server.get(&format!("{replies}?limit=1"), dan).await;
    assert_eq!(ids(&newest["messages"]), [ben_reply["id"].as_str().unwrap()]);
    let older = newest["olderCursor"].as_str().expect("an older reply");
    let (_, oldest) = server.get(&format!("{replies}?limit=1&before={older}"), dan).await;
    assert_eq!(
        (ids(&oldest["messages"]), &oldest["olderCursor"]),
        (vec![cat_reply["id"].as_str().unwrap()], &Value::Null)
    );

    // Ann replies in the thread only while Cat and Dan are away: Cat, who took part, is told;
    // Dan, who did not, is not (the job that tells names only the participants).
    let ann_reply = ann_live
        .request(
            json!({ "action": "sendMessage", "conversationId": group, "body": "Merci !", "parentId": root_id }),
            "a2",
        )
        .await["message"]
        .clone();
    eventually(30, "cat's notification of the reply", || async {
        notified_of(&server, cat, &ann_reply).await.then_some(())
    })
    .await;
    assert!(!notified_of(&server, dan, &ann_reply).await, "not a participant: not told");
    assert!(notified_of(&server, dan, &ben_reply).await, "a reply also in the conversation is news to all");
}

#[tokio::test]
async fn bad_parents_are_refused_and_nothing_is_stored() {
    let server = Server::start().await;
    let t = server.tenant_with("thread2", &[("ann", "member"), ("ben", "member"), ("cat", "member")]).await;
    let (ann, ben) = (&t[0], &t[1]);
    let group =
        server.create_conversation(ann, json!({ "kind": "group", "title": "Garde", "memberIds": ["ben"] })).await;
    let other = server.create_conversation(ann, json!({ "kind": "direct", "userId": "cat" })).await;
    let messages = format!("/v1/conversations/{group}/messages");
    let (_, root) = server.post(&messages, ann, json!({ "body": "Planning" })).await;
    let root_id = root["id"].as_str().unwrap();
    let (_, elsewhere) =
        server.post(&format!("/v1/conversations/{other}/messages"), ann, json!({ "body": "Salut" })).await;
    let (_, gone) = server.post(&messages, ann, json!({ "body": "oups" })).await;
    let gone_id = gone["id"].as_str().unwrap();
    server.request("DELETE", &format!("{messages}/{gone_id}"), Some(ann), None).await;
    server
        .request("PATCH", &format!("/v1/conversations/{group}"), Some(ann), Some(json!({ "title": "Garde de nuit" })))
        .await;
    let history = server.full_history(ann, &group).await;
    let system = history.iter().find(|m| m["kind"] == "system").expect("the rename's line")["id"].clone();

    let refusals = [
        (json!({ "body": "x", "parentId": elsewhere["id"] }), 404, "not_found"),
        (json!({ "body": "x", "parentId": "not a ULID" }), 400, "invalid_request"),
        (json!({ "body": "x", "alsoInConversation": true }), 400, "invalid_request"),
        (json!({ "body": "x", "parentId": gone_id }), 409, "conflict"),
        (json!({ "body": "x", "parentId": system }), 400, "invalid_request"),
    ];
    for (body, status, code) in refusals {
        let (got, answer) = server.post(&messages, ben, body.clone()).await;
        assert_eq!((got, &answer["error"]["code"]), (status, &json!(code)), "{body}: {answer}");
    }
    // Over the socket too: an `error` frame, the connection kept.
    let mut ben_live = WsClient::connect(&server, ben).await;
    let frame = json!({ "action": "sendMessage", "conversationId": group, "body": "x", "parentId": elsewhere["id"] });
    let answer = ben_live.request(frame, "b1").await;
    assert_eq!((&answer["type"], &answer["code"]), (&json!("error"), &json!("not_found")), "{answer}");

    let (_, page) = server.get(&format!("{messages}/{root_id}/replies"), ben).await;
    assert_eq!((&page["messages"], &page["parent"].get("replyCount")), (&json!([]), &None), "{page}");
    assert_eq!(server.full_history(ben, &group).await.len(), history.len(), "nothing stored");

    // A reply in its thread only has no place in the read position; a thread of another
    // conversation's message is not found.
    let (_, reply) = server.post(&messages, ben, json!({ "body": "Vu", "parentId": root_id })).await;
    let (status, answer) =
        server.post(&format!("/v1/conversations/{group}/read"), ann, json!({ "messageId": reply["id"] })).await;
    assert_eq!((status, &answer["error"]["code"]), (400, &json!("invalid_request")), "{answer}");
    let (status, _) = server.get(&format!("{messages}/{}/replies", elsewhere["id"].as_str().unwrap()), ann).await;
    assert_eq!(status, 404);
}
