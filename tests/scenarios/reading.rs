//! Read receipts, unread counts, and the conversation list's filters.

use serde_json::json;

use crate::support::{Server, WsClient};

#[tokio::test]
async fn read_markers_move_forward_reach_the_members_and_drive_unread_counts() {
    let server = Server::start().await;
    let t = server.tenant_with("receipts", &[("alice", "member"), ("bob", "member")]).await;
    let conv = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "bob" })).await;
    let mut alice = WsClient::connect(&server, &t[0]).await;
    let mut bob = WsClient::connect(&server, &t[1]).await;
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(
            alice.send_message(&conv, &format!("m{i}"), &format!("s{i}")).await["id"].as_str().unwrap().to_string(),
        );
        bob.recv().await;
    }
    let unread = |list: &serde_json::Value| list["conversations"][0]["unreadCount"].clone();
    assert_eq!(unread(&server.get("/v1/conversations", &t[1]).await.1), 3);
    assert_eq!(unread(&server.get("/v1/conversations", &t[0]).await.1), 0, "one's own messages are read");

    let ack = bob.request(json!({ "action": "markRead", "conversationId": conv, "messageId": sent[1] }), "r1").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["read"]["lastReadMessageId"], sent[1].as_str());
    assert_eq!(ack["read"]["unreadCount"], 1);
    let event = alice.recv().await;
    assert_eq!(event["type"], "read");
    assert_eq!((event["userId"].as_str(), event["messageId"].as_str()), (Some("bob"), Some(sent[1].as_str())));

    // Backwards: nothing moves, nobody hears of it.
    let ack = bob.request(json!({ "action": "markRead", "conversationId": conv, "messageId": sent[0] }), "r2").await;
    assert_eq!(ack["read"]["lastReadMessageId"], sent[1].as_str());
    alice.expect_silence(300).await;

    let (_, details) = server.get(&format!("/v1/conversations/{conv}"), &t[0]).await;
    let marker = |who: &str| {
        details["members"].as_array().unwrap().iter().find(|m| m["userId"] == who).unwrap()["lastReadMessageId"].clone()
    };
    assert_eq!(marker("bob"), sent[1].as_str());
    assert_eq!(marker("alice"), sent[2].as_str(), "read by all once bob reaches it");

    let (status, state) =
        server.post(&format!("/v1/conversations/{conv}/read"), &t[1], json!({ "messageId": sent[2] })).await;
    assert_eq!((status, state["unreadCount"].as_u64()), (200, Some(0)), "{state}");
    assert_eq!(alice.recv().await["messageId"], sent[2].as_str());
    assert_eq!(unread(&server.get("/v1/conversations", &t[1]).await.1), 0);

    // A message of another conversation, or none at all, is not found.
    let (status, _) =
        server.post(&format!("/v1/conversations/{conv}/read"), &t[1], json!({ "messageId": "01NOPE" })).await;
    assert_eq!(status, 404);
    let err = bob.request(json!({ "action": "markRead", "conversationId": conv }), "r3").await;
    assert_eq!(
        (err["code"].as_str(), err["message"].as_str()),
        (Some("invalid_request"), Some("missing field `messageId`"))
    );
}

#[tokio::test]
async fn unread_counts_hold_for_groups_and_storefronts_and_the_list_filters_by_kind_and_name() {
    let server = Server::start().await;
    let t = server
        .tenant_with("counts", &[("ann", "member"), ("ben", "member"), ("cat", "member"), ("paul", "partner")])
        .await;
    let group = server
        .create_conversation(&t[0], json!({ "kind": "group", "title": "Équipe de nuit", "memberIds": ["ben", "cat"] }))
        .await;
    for body in ["un", "deux"] {
        server.post(&format!("/v1/conversations/{group}/messages"), &t[0], json!({ "body": body })).await;
    }
    server.post(&format!("/v1/conversations/{group}/messages"), &t[1], json!({ "body": "trois" })).await;
    let count_in = |list: &serde_json::Value, id: &str| {
        list["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["unreadCount"].as_u64().unwrap())
    };
    assert_eq!(count_in(&server.get("/v1/conversations", &t[2]).await.1, &group), Some(3));
    assert_eq!(count_in(&server.get("/v1/conversations", &t[1]).await.1, &group), Some(0));
    assert_eq!(count_in(&server.get("/v1/conversations", &t[0]).await.1, &group), Some(1));

    let (_, sf) = server.post("/v1/storefronts", &t[3], json!({ "title": "Fleurs" })).await;
    let sf = sf["id"].as_str().unwrap();
    let store_conv = server.create_conversation(&t[0], json!({ "kind": "storefront", "storefrontId": sf })).await;
    server.post(&format!("/v1/conversations/{store_conv}/messages"), &t[0], json!({ "body": "Bonjour" })).await;
    let direct = server.create_conversation(&t[3], json!({ "kind": "direct", "userId": "cat" })).await;
    let (_, inbox) = server.get("/v1/conversations?kind=storefront", &t[3]).await;
    let ids: Vec<_> = inbox["conversations"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [store_conv.as_str()], "the partner inbox: storefront conversations only");
    assert_eq!(count_in(&inbox, &store_conv), Some(1));
    let (_, all) = server.get("/v1/conversations", &t[3]).await;
    assert_eq!(all["conversations"].as_array().unwrap().len(), 2);

    // q: titles and participants' names, case- and accent-insensitive.
    let (_, found) = server.get("/v1/conversations?q=equipe", &t[1]).await;
    assert_eq!(found["conversations"][0]["id"], group.as_str());
    let (_, found) = server.get("/v1/conversations?q=CAT", &t[3]).await;
    let ids: Vec<_> = found["conversations"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [direct.as_str()]);
    let (_, none) = server.get("/v1/conversations?q=zzz", &t[3]).await;
    assert!(none["conversations"].as_array().unwrap().is_empty());
    assert!(none["nextCursor"].is_null());
    let (status, _) = server.get("/v1/conversations?kind=phone", &t[3]).await;
    assert_eq!(status, 400);

    // A filtered listing pages like an unfiltered one.
    for i in 0..5 {
        server
            .create_conversation(
                &t[3],
                json!({ "kind": "group", "title": format!("Mariage {i}"), "memberIds": ["ann"] }),
            )
            .await;
    }
    let mut seen = Vec::new();
    let mut path = "/v1/conversations?kind=group&limit=2".to_string();
    loop {
        let (_, page) = server.get(&path, &t[3]).await;
        seen.extend(page["conversations"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().to_string()));
        match page["nextCursor"].as_str() {
            Some(c) => path = format!("/v1/conversations?kind=group&limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["Mariage 4", "Mariage 3", "Mariage 2", "Mariage 1", "Mariage 0"]);
}
