//! The wedding marketplace: guests and clients write from a storefront, partners answer.

use serde_json::json;

use crate::support::{Server, WsClient, PLATFORM_KEY};

#[tokio::test]
async fn a_guest_writes_on_a_storefront_and_the_partner_answers_live() {
    let server = Server::start().await;
    let t = server.tenant_with("mariage", &[("paul", "partner"), ("alice", "member")]).await;
    let paul = &t[0];
    let (status, storefront) = server.post("/v1/storefronts", paul, json!({ "title": "Les Fleurs de Paul" })).await;
    assert_eq!(status, 201, "{storefront}");
    let sf = storefront["id"].as_str().unwrap();
    assert_eq!(storefront["partnerIds"], json!(["paul"]));

    // A visitor, not logged in, opens the chat card.
    let (status, session) = server
        .request("POST", &format!("/v1/public/storefronts/{sf}/sessions"), None, Some(json!({ "name": "Zoé" })))
        .await;
    assert_eq!(status, 201, "{session}");
    let guest_token = session["token"].as_str().unwrap();
    let conv = session["conversation"]["id"].as_str().unwrap();
    assert_eq!(session["conversation"]["kind"], "storefront");
    assert_eq!(session["storefront"]["title"], "Les Fleurs de Paul");

    let mut guest = WsClient::connect(&server, guest_token).await;
    let mut partner = WsClient::connect(&server, paul).await;
    let question = guest.send_message(conv, "Bonjour, êtes-vous libres le 12 juin ?", "g1").await;
    assert_eq!(partner.recv().await["message"], question);

    // The partner's inbox lists the storefront conversation with its last message.
    let (status, inbox) = server.get("/v1/conversations", paul).await;
    assert_eq!(status, 200);
    let entry =
        inbox["conversations"].as_array().unwrap().iter().find(|c| c["id"] == conv).expect("in the inbox").clone();
    assert_eq!(entry["storefrontId"], sf);
    assert_eq!(entry["lastMessage"]["body"], "Bonjour, êtes-vous libres le 12 juin ?");

    let answer = partner.send_message(conv, "Oui, avec plaisir !", "p1").await;
    let live = guest.recv().await;
    assert_eq!(live["type"], "message.new");
    assert_eq!(live["message"], answer);

    // The guest token opens that conversation and nothing else.
    let (status, _) = server.get("/v1/users", guest_token).await;
    assert_eq!(status, 403);
    let (status, _) =
        server.post("/v1/conversations", guest_token, json!({ "kind": "direct", "userId": "paul" })).await;
    assert_eq!(status, 403);
    let other = server.create_conversation(&t[1], json!({ "kind": "direct", "userId": "paul" })).await;
    let (status, _) = server.get(&format!("/v1/conversations/{other}"), guest_token).await;
    assert_eq!(status, 404);
    let denied = guest.request(json!({ "action": "sendMessage", "conversationId": other, "body": "psst" }), "g2").await;
    assert_eq!(denied["code"], "not_found");

    // A signed-in client opening the same storefront gets one conversation, however often.
    let a = server.create_conversation(&t[1], json!({ "kind": "storefront", "storefrontId": sf })).await;
    let b = server.create_conversation(&t[1], json!({ "kind": "storefront", "storefrontId": sf })).await;
    assert_eq!(a, b);
    assert_ne!(a, conv);

    // Unknown storefronts and suspended tenants open no session.
    let (status, _) =
        server.request("POST", "/v1/public/storefronts/nope/sessions", None, Some(json!({ "name": "X" }))).await;
    assert_eq!(status, 404);
    let (status, _) = server
        .request("PATCH", "/v1/admin/tenants/mariage", Some(PLATFORM_KEY), Some(json!({ "status": "suspended" })))
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .request("POST", &format!("/v1/public/storefronts/{sf}/sessions"), None, Some(json!({ "name": "Léa" })))
        .await;
    assert_eq!(status, 404);
    let (status, _) = server.get("/v1/me", paul).await;
    assert_eq!(status, 403, "a suspended tenant's tokens are refused");
}
