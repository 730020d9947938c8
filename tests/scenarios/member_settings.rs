//! A member's own choices: a conversation muted until a time tells them of no message (but of
//! mentions) and leaves the unread totals; one archived leaves their list until its next
//! message; the totals count what waits across every conversation and the bell.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::support::{eventually, Server, WsClient};

async fn notifications(server: &Server, token: &str) -> Vec<Value> {
    server.get("/v1/notifications", token).await.1["notifications"].as_array().unwrap().clone()
}

async fn listed(server: &Server, token: &str, query: &str) -> Vec<Value> {
    let (status, page) = server.get(&format!("/v1/conversations{query}"), token).await;
    assert_eq!(status, 200, "{page}");
    page["conversations"].as_array().unwrap().clone()
}

#[tokio::test]
async fn muted_conversations_stay_quiet_but_for_mentions_and_archived_ones_come_back_with_news() {
    let server = Server::start().await;
    let t = server.tenant_with("mine1", &[("ann", "member"), ("ben", "member"), ("cat", "member")]).await;
    let (ann, ben, cat) = (&t[0], &t[1], &t[2]);
    let group = server
        .create_conversation(ann, json!({ "kind": "group", "title": "Garde", "memberIds": ["ben", "cat"] }))
        .await;
    let direct = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let mine = format!("/v1/conversations/{group}/me");

    // Bad input: a time gone, someone else's conversation.
    let past = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    assert_eq!(server.put(&mine, ben, json!({ "mutedUntil": past })).await.0, 400);
    let other = server.create_conversation(ann, json!({ "kind": "direct", "userId": "cat" })).await;
    assert_eq!(server.put(&format!("/v1/conversations/{other}/me"), ben, json!({})).await.0, 404);

    let until = (Utc::now() + Duration::days(1)).to_rfc3339();
    let (status, set) = server.put(&mine, ben, json!({ "mutedUntil": until })).await;
    assert_eq!((status, &set["archived"]), (200, &json!(false)), "{set}");
    let (_, read) = server.get(&mine, ben).await;
    assert!(read["mutedUntil"].is_string(), "{read}");

    // Ann writes to the group twice, the second time mentioning Ben (both offline): Cat is told
    // of both, Ben only of the mention.
    let mut ann_live = WsClient::connect(&server, ann).await;
    ann_live.send_message(&group, "Départ 14 h", "a1").await;
    let mention = ann_live.send_message(&group, "<@ben> tu conduis ?", "a2").await;
    eventually(30, "cat's two notifications", || async {
        (notifications(&server, cat).await.len() == 2).then_some(())
    })
    .await;
    let bens = eventually(30, "ben's mention", || async {
        let found = notifications(&server, ben).await;
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(bens.len(), 1, "{bens:?}");
    assert_eq!((&bens[0]["type"], &bens[0]["messageId"]), (&json!("mention"), &mention["id"]));
    let group_entry = listed(&server, ben, "").await.into_iter().find(|c| c["id"] == json!(group)).unwrap();
    assert!(group_entry["mutedUntil"].is_string(), "{group_entry}");

    // The totals leave the muted group out; a direct message counts.
    ann_live.send_message(&direct, "Tu es là ?", "a3").await;
    eventually(30, "ben's notification of the direct message", || async {
        (notifications(&server, ben).await.len() == 2).then_some(())
    })
    .await;
    let (_, totals) = server.get("/v1/me/unread", ben).await;
    assert_eq!(totals, json!({ "conversations": 1, "messages": 1, "notifications": 2 }));
    let (_, totals) = server.get("/v1/me/unread", cat).await;
    assert_eq!(totals, json!({ "conversations": 1, "messages": 2, "notifications": 2 }));

    // Archived: out of the list, in the archived one, back with the next message.
    let (status, _) = server.put(&format!("/v1/conversations/{direct}/me"), ben, json!({ "archived": true })).await;
    assert_eq!(status, 200);
    assert!(listed(&server, ben, "").await.iter().all(|c| c["id"] != json!(direct)));
    let archived = listed(&server, ben, "?archived=true").await;
    assert_eq!((archived.len(), &archived[0]["id"], &archived[0]["archived"]), (1, &json!(direct), &json!(true)));
    ann_live.send_message(&direct, "Toujours là ?", "a4").await;
    assert!(listed(&server, ben, "").await.iter().any(|c| c["id"] == json!(direct)), "news brings it back");
    assert!(listed(&server, ben, "?archived=true").await.is_empty());

    // Unmuted: messages are told again.
    assert_eq!(server.put(&mine, ben, json!({ "mutedUntil": null })).await.0, 200);
    ann_live.send_message(&group, "Et le retour ?", "a5").await;
    eventually(30, "ben's message notification", || async {
        notifications(&server, ben).await.into_iter().find(|n| n["type"] == "message")
    })
    .await;
}
