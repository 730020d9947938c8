//! Large groups: above the threshold, a queue worker publishes; below, the sender's request
//! does. Both reach every connection once and land in every feed.

use serde_json::json;

use crate::support::{Server, WsClient};

#[tokio::test]
async fn large_groups_fan_out_through_the_queue_and_small_ones_inline() {
    let server = Server::start_with(&[], &[("MISSIVE_FANOUT_THRESHOLD", "2")]).await;
    let t = server
        .tenant_with("fanout", &[("ann", "member"), ("ben", "member"), ("cat", "member"), ("dee", "member")])
        .await;
    let group = server
        .create_conversation(&t[0], json!({ "kind": "group", "title": "Tous", "memberIds": ["ben", "cat", "dee"] }))
        .await;
    let direct = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "ben" })).await;
    let mut ann = WsClient::connect(&server, &t[0]).await;
    let mut ann_tab2 = WsClient::connect(&server, &t[0]).await;
    let mut others = Vec::new();
    for token in &t[1..] {
        others.push(WsClient::connect(&server, token).await);
    }

    // Four members, over the threshold of two: the worker publishes.
    let sent = ann.send_message(&group, "Exercice à 18h", "g1").await;
    for client in others.iter_mut().chain(std::iter::once(&mut ann_tab2)) {
        let e = client.recv().await;
        assert_eq!((e["type"].as_str(), &e["message"]["id"]), (Some("message.new"), &sent["id"]));
    }
    ann.expect_silence(300).await;
    for client in others.iter_mut() {
        client.expect_silence(100).await;
    }
    // Two members: inline.
    let inline = ann.send_message(&direct, "et toi ?", "d1").await;
    assert_eq!(others[0].recv().await["message"]["id"], inline["id"]);
    assert_eq!(ann_tab2.recv().await["message"]["id"], inline["id"]);

    // Both are in the feeds, the large group's event once.
    let (_, feed) = server.get("/v1/sync?since=0", &t[3]).await;
    let ids: Vec<_> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "message.new")
        .map(|e| e["message"]["id"].clone())
        .collect();
    assert_eq!(ids, [sent["id"].clone()]);
    let (_, feed) = server.get("/v1/sync?since=0", &t[1]).await;
    let ids: Vec<_> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "message.new")
        .map(|e| e["message"]["id"].clone())
        .collect();
    assert_eq!(ids, [sent["id"].clone(), inline["id"].clone()]);
}
