//! Groups: rename, add, remove, leave — each with a system message and conversation.updated.

use serde_json::{json, Value};

use crate::support::{Server, WsClient};

/// The next frames until both the system message and the conversation update came.
async fn change_seen_by(client: &mut WsClient) -> (Value, Value) {
    let (mut system, mut updated) = (None, None);
    while system.is_none() || updated.is_none() {
        let e = client.recv().await;
        match e["type"].as_str() {
            Some("message.new") if e["message"]["kind"] == "system" => system = Some(e),
            Some("conversation.updated") => updated = Some(e),
            _ => panic!("unexpected frame {e}"),
        }
    }
    (system.unwrap(), updated.unwrap())
}

#[tokio::test]
async fn owners_rename_add_and_remove_members_leave_and_everyone_hears_of_it() {
    let server = Server::start().await;
    let t = server
        .tenant_with("groups", &[("ann", "member"), ("ben", "member"), ("cat", "member"), ("dee", "member")])
        .await;
    let (ann_t, ben_t, cat_t, dee_t) = (&t[0], &t[1], &t[2], &t[3]);
    let mut ben = WsClient::connect(&server, ben_t).await;
    let mut cat = WsClient::connect(&server, cat_t).await;
    let group = server
        .create_conversation(ann_t, json!({ "kind": "group", "title": "Garde", "memberIds": ["ben", "dee"] }))
        .await;
    let created = ben.recv().await;
    assert_eq!(
        (created["type"].as_str(), created["conversation"]["title"].as_str()),
        (Some("conversation.created"), Some("Garde"))
    );
    let path = format!("/v1/conversations/{group}");

    // Rename: the owner only.
    let (status, _) = server.request("PATCH", &path, Some(ben_t), Some(json!({ "title": "Putsch" }))).await;
    assert_eq!(status, 403);
    let (status, renamed) =
        server.request("PATCH", &path, Some(ann_t), Some(json!({ "title": "Garde de nuit" }))).await;
    assert_eq!((status, renamed["title"].as_str()), (200, Some("Garde de nuit")));
    let (system, updated) = change_seen_by(&mut ben).await;
    assert_eq!(
        system["message"]["body"], "Ann a renommé le groupe « Garde de nuit »",
        "in the tenant's language, French by default"
    );
    assert_eq!(system["message"]["system"]["change"], "renamed");
    assert_eq!(updated["conversation"]["title"], "Garde de nuit");
    let (_, list) = server.get("/v1/conversations", ben_t).await;
    assert_eq!(list["conversations"][0]["title"], "Garde de nuit", "lists show the new title");

    // Add cat: she hears of it and is in from now on.
    let (status, added) = server.post(&format!("{path}/members"), ann_t, json!({ "userIds": ["cat"] })).await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["members"].as_array().unwrap().len(), 4);
    let (system, _) = change_seen_by(&mut cat).await;
    assert_eq!(system["message"]["body"], "Ann a ajouté Cat");
    change_seen_by(&mut ben).await;
    let (status, _) = server.post(&format!("{path}/members"), ben_t, json!({ "userIds": ["cat"] })).await;
    assert_eq!(status, 403, "only the owner adds");
    let (status, _) = server.post(&format!("{path}/members"), ann_t, json!({ "userIds": ["nobody"] })).await;
    assert_eq!(status, 404);

    // Remove ben: he hears it once, then nothing more, and can no longer write.
    let (status, _) = server.request("DELETE", &format!("{path}/members/ben"), Some(ann_t), None).await;
    assert_eq!(status, 200);
    let gone = ben.recv().await;
    assert_eq!(
        (gone["type"].as_str(), gone["change"]["change"].as_str()),
        (Some("conversation.updated"), Some("removed"))
    );
    change_seen_by(&mut cat).await;
    server.post(&format!("{path}/messages"), ann_t, json!({ "body": "sans Ben" })).await;
    assert_eq!(cat.recv().await["message"]["body"], "sans Ben");
    ben.expect_silence(300).await;
    let denied = ben.request(json!({ "action": "sendMessage", "conversationId": group, "body": "hé" }), "b").await;
    assert_eq!(denied["code"], "not_found");
    let (_, list) = server.get("/v1/conversations", ben_t).await;
    assert!(list["conversations"].as_array().unwrap().is_empty(), "gone from ben's list");

    // cat removes herself (leaves); dee cannot remove anyone.
    let (status, _) = server.request("DELETE", &format!("{path}/members/ann"), Some(dee_t), None).await;
    assert_eq!(status, 403);
    let (status, _) = server.request("DELETE", &format!("{path}/members/cat"), Some(cat_t), None).await;
    assert_eq!(status, 200);
    // The owner leaves last: dee, the longest-standing member, owns the group now.
    let (status, _) = server.request("DELETE", &format!("{path}/members/ann"), Some(ann_t), None).await;
    assert_eq!(status, 200);
    let (_, details) = server.get(&path, dee_t).await;
    let members = details["members"].as_array().unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!((members[0]["userId"].as_str(), members[0]["role"].as_str()), (Some("dee"), Some("owner")));
    let bodies: Vec<String> = server
        .full_history(dee_t, &group)
        .await
        .iter()
        .filter(|m| m["kind"] == "system")
        .map(|m| m["body"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        bodies,
        [
            "Ann a renommé le groupe « Garde de nuit »",
            "Ann a ajouté Cat",
            "Ann a retiré Ben",
            "Cat a quitté le groupe",
            "Ann a quitté le groupe"
        ]
    );

    // Only groups change this way.
    let direct = server.create_conversation(dee_t, json!({ "kind": "direct", "userId": "ann" })).await;
    let (status, _) = server
        .request("PATCH", &format!("/v1/conversations/{direct}"), Some(dee_t), Some(json!({ "title": "x" })))
        .await;
    assert_eq!(status, 400);
}
