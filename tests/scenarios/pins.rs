//! Pins: a member pins a message over the socket or REST; everyone hears of it (a system line,
//! `conversation.updated`) and finds it in the pins; a deleted message, another conversation's
//! message and a 51st pin are refused.

use serde_json::{json, Value};

use crate::support::{Server, WsClient};

#[tokio::test]
async fn members_pin_and_unpin_and_everyone_sees_the_pins() {
    let server = Server::start().await;
    let t = server.tenant_with("pins1", &[("ann", "member"), ("ben", "member"), ("cat", "member")]).await;
    let (ann, ben) = (&t[0], &t[1]);
    let chat = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let other = server.create_conversation(ann, json!({ "kind": "direct", "userId": "cat" })).await;
    let mut ann_live = WsClient::connect(&server, ann).await;
    let mut ben_live = WsClient::connect(&server, ben).await;
    let message = ann_live.send_message(&chat, "Rendez-vous 14 h, parking nord", "a1").await;
    let id = message["id"].as_str().unwrap();
    assert_eq!(ben_live.recv().await["type"], "message.new");

    let ack = ben_live.request(json!({ "action": "pinMessage", "conversationId": chat, "messageId": id }), "b1").await;
    assert_eq!(
        (&ack["type"], &ack["pins"][0]["messageId"], &ack["pins"][0]["pinnedBy"]),
        (&json!("ack"), &json!(id), &json!("ben")),
        "{ack}"
    );
    // Ann hears the system line and the change.
    let mut heard = Vec::new();
    while heard.len() < 2 {
        let frame = ann_live.recv().await;
        heard.push(frame);
    }
    let line = heard.iter().find(|f| f["type"] == "message.new").expect("a system line");
    assert_eq!(
        (&line["message"]["kind"], &line["message"]["body"]),
        (&json!("system"), &json!("Ben a épinglé un message"))
    );
    let updated = heard.iter().find(|f| f["type"] == "conversation.updated").expect("conversation.updated");
    assert_eq!((&updated["change"]["change"], &updated["change"]["messageId"]), (&json!("pinned"), &json!(id)));

    // Again: nothing new. The pins list it with the message.
    let again =
        ben_live.request(json!({ "action": "pinMessage", "conversationId": chat, "messageId": id }), "b2").await;
    assert_eq!(again["pins"].as_array().unwrap().len(), 1);
    let (status, pins) = server.get(&format!("/v1/conversations/{chat}/pins"), ann).await;
    assert_eq!(status, 200, "{pins}");
    assert_eq!((&pins["pins"][0]["messageId"], &pins["pins"][0]["message"]["body"]), (&json!(id), &message["body"]));

    // Bad input: another conversation's message, a deleted one.
    let elsewhere = ann_live.send_message(&other, "Salut Cat", "a2").await;
    let path = format!("/v1/conversations/{chat}/pins");
    let (status, _) = server.post(&path, ann, json!({ "messageId": elsewhere["id"] })).await;
    assert_eq!(status, 404);
    let gone = ann_live.send_message(&chat, "oups", "a3").await;
    let gone_id = gone["id"].as_str().unwrap();
    server.request("DELETE", &format!("/v1/conversations/{chat}/messages/{gone_id}"), Some(ann), None).await;
    assert_eq!(server.post(&path, ann, json!({ "messageId": gone_id })).await.0, 409);

    // Unpinned over REST: the pins are empty.
    let (status, after) = server.request("DELETE", &format!("{path}/{id}"), Some(ann), None).await;
    assert_eq!((status, &after["pins"]), (200, &json!([])), "{after}");
    let (_, pins) = server.get(&path, ben).await;
    assert_eq!(pins["pins"], json!([]));
    let history = server.full_history(ben, &chat).await;
    let lines: Vec<&Value> = history.iter().filter(|m| m["kind"] == "system").collect();
    assert_eq!(lines.len(), 2, "pinned, then unpinned: {lines:?}");
    assert_eq!(lines[1]["body"], "Ann a désépinglé un message");
}

#[tokio::test]
async fn a_fifty_first_pin_is_refused() {
    let server = Server::start().await;
    let t = server.tenant_with("pins2", &[("ann", "member"), ("ben", "member")]).await;
    let ann = &t[0];
    let chat = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let path = format!("/v1/conversations/{chat}/pins");
    let messages = format!("/v1/conversations/{chat}/messages");
    // The 51 messages ten at a time (on the deployed backend each is a function's round trip);
    // the pins one by one, as the cap is what is tested.
    let mut notes = Vec::new();
    for batch in (0..51).collect::<Vec<_>>().chunks(10) {
        let sends = batch.iter().map(|i| server.post(&messages, ann, json!({ "body": format!("note {i}") })));
        notes.extend(futures_util::future::join_all(sends).await.into_iter().map(|(_, sent)| sent["id"].clone()));
    }
    for (i, id) in notes.iter().enumerate() {
        let (status, answer) = server.post(&path, ann, json!({ "messageId": id })).await;
        if i < 50 {
            assert_eq!(status, 200, "{i}: {answer}");
        } else {
            assert_eq!((status, &answer["error"]["code"]), (409, &json!("conflict")), "{answer}");
        }
    }
    let (_, pins) = server.get(&path, ann).await;
    assert_eq!(pins["pins"].as_array().unwrap().len(), 50);
}
