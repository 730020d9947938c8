//! Editing and deleting messages.

use serde_json::json;

use crate::support::{Server, WsClient};

#[tokio::test]
async fn edits_and_deletions_reach_everyone_and_deletions_leave_a_tombstone() {
    let server = Server::start().await;
    let t = server
        .tenant_with("edits", &[("ann", "member"), ("ben", "member"), ("cat", "member"), ("root", "admin")])
        .await;
    let group = server
        .create_conversation(&t[0], json!({ "kind": "group", "title": "Garde", "memberIds": ["ben", "cat", "root"] }))
        .await;
    let mut ann = WsClient::connect(&server, &t[0]).await;
    let mut ann_tab2 = WsClient::connect(&server, &t[0]).await;
    let mut ben = WsClient::connect(&server, &t[1]).await;
    let first = ben.send_message(&group, "Rendez-vous à 8h", "b1").await;
    let id = first["id"].as_str().unwrap();
    for c in [&mut ann, &mut ann_tab2] {
        c.recv().await;
    }

    let ack = ben
        .request(
            json!({ "action": "editMessage", "conversationId": group, "messageId": id, "body": "Rendez-vous à 9h" }),
            "e1",
        )
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["message"]["body"], "Rendez-vous à 9h");
    assert!(ack["message"]["editedAt"].is_string());
    for c in [&mut ann, &mut ann_tab2] {
        let e = c.recv().await;
        assert_eq!(
            (e["type"].as_str(), e["message"]["body"].as_str()),
            (Some("message.updated"), Some("Rendez-vous à 9h"))
        );
    }
    // Only the sender edits.
    let denied = ann
        .request(json!({ "action": "editMessage", "conversationId": group, "messageId": id, "body": "non" }), "e2")
        .await;
    assert_eq!(denied["code"], "forbidden");
    let (status, _) = server
        .request(
            "PATCH",
            &format!("/v1/conversations/{group}/messages/{id}"),
            Some(&t[2]),
            Some(json!({ "body": "non" })),
        )
        .await;
    assert_eq!(status, 403);
    let (status, edited) = server
        .request(
            "PATCH",
            &format!("/v1/conversations/{group}/messages/{id}"),
            Some(&t[1]),
            Some(json!({ "body": "9h30" })),
        )
        .await;
    assert_eq!((status, edited["body"].as_str()), (200, Some("9h30")));
    for c in [&mut ann, &mut ann_tab2, &mut ben] {
        assert_eq!(c.recv().await["message"]["body"], "9h30");
    }

    // cat (a plain member) cannot delete ben's message; the owner (ann) can.
    let (status, _) =
        server.request("DELETE", &format!("/v1/conversations/{group}/messages/{id}"), Some(&t[2]), None).await;
    assert_eq!(status, 403);
    let ack = ann.request(json!({ "action": "deleteMessage", "conversationId": group, "messageId": id }), "d1").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert!(ack["message"]["body"].is_null());
    assert!(ack["message"]["deletedAt"].is_string());
    let e = ben.recv().await;
    assert_eq!(e["type"], "message.deleted");
    assert!(e["message"]["body"].is_null(), "the text is gone from the event too");
    assert_eq!(ann_tab2.recv().await["type"], "message.deleted");

    // The tombstone keeps its place in history; the list's preview has no text.
    let history = server.full_history(&t[2], &group).await;
    assert_eq!(history.len(), 1);
    assert!(history[0]["body"].is_null() && history[0]["deletedAt"].is_string());
    let (_, list) = server.get("/v1/conversations", &t[2]).await;
    assert_eq!(list["conversations"][0]["lastMessage"]["deleted"], true);
    assert_eq!(list["conversations"][0]["lastMessage"]["body"], "");
    // A deleted message cannot be edited; deleting again changes nothing.
    let conflict = ben
        .request(json!({ "action": "editMessage", "conversationId": group, "messageId": id, "body": "x" }), "e3")
        .await;
    assert_eq!(conflict["code"], "conflict");
    let again = ben.request(json!({ "action": "deleteMessage", "conversationId": group, "messageId": id }), "d2").await;
    assert_eq!(again["message"]["deletedAt"], ack["message"]["deletedAt"]);
    ann.expect_silence(300).await;

    // An admin may delete any message of a conversation they are in.
    let second = ben.send_message(&group, "encore", "b2").await;
    let (status, tomb) = server
        .request(
            "DELETE",
            &format!("/v1/conversations/{group}/messages/{}", second["id"].as_str().unwrap()),
            Some(&t[3]),
            None,
        )
        .await;
    assert_eq!((status, tomb["body"].is_null()), (200, true));
    let (status, _) =
        server.request("DELETE", &format!("/v1/conversations/{group}/messages/01NOPE"), Some(&t[1]), None).await;
    assert_eq!(status, 404);
}
