//! Presence: online while one connection lives; those who share a conversation hear of it.

use serde_json::json;

use crate::support::{Server, WsClient};

fn entry<'a>(users: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    users["users"].as_array().unwrap().iter().find(|u| u["id"] == id).unwrap()
}

#[tokio::test]
async fn presence_follows_the_last_connection_and_reaches_those_who_share_a_conversation() {
    let server = Server::start().await;
    let t = server.tenant_with("presence", &[("ann", "member"), ("ben", "member"), ("cat", "member")]).await;
    server.create_conversation(&t[1], json!({ "kind": "direct", "userId": "ann" })).await;
    let mut ben = WsClient::connect(&server, &t[1]).await;
    let mut cat = WsClient::connect(&server, &t[2]).await;

    let (_, users) = server.get("/v1/users", &t[1]).await;
    assert_eq!(
        (entry(&users, "ann")["online"].as_bool(), entry(&users, "ann")["lastSeenAt"].is_null()),
        (Some(false), true)
    );
    assert_eq!(entry(&users, "ben")["online"], true);

    let tab1 = WsClient::connect(&server, &t[0]).await;
    let e = ben.recv_any().await;
    assert_eq!(
        (e["type"].as_str(), e["userId"].as_str(), e["online"].as_bool()),
        (Some("presence"), Some("ann"), Some(true))
    );
    cat.expect_no_frame(300).await; // cat shares no conversation with ann
    let (_, users) = server.get("/v1/users", &t[2]).await;
    assert_eq!(entry(&users, "ann")["online"], true);

    // A second tab changes nothing; closing one of two changes nothing either.
    let tab2 = WsClient::connect(&server, &t[0]).await;
    ben.expect_no_frame(300).await;
    drop(tab1);
    ben.expect_no_frame(300).await;
    assert_eq!(entry(&server.get("/v1/users", &t[1]).await.1, "ann")["online"], true);

    drop(tab2);
    let e = ben.recv_any().await;
    assert_eq!((e["userId"].as_str(), e["online"].as_bool()), (Some("ann"), Some(false)));
    assert!(e["lastSeenAt"].is_string());
    let (_, users) = server.get("/v1/users?q=ANN", &t[1]).await;
    assert_eq!(users["users"].as_array().unwrap().len(), 1);
    assert_eq!(entry(&users, "ann")["online"], false);
    assert_eq!(entry(&users, "ann")["lastSeenAt"], e["lastSeenAt"]);
}
