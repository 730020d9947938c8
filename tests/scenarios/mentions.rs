//! Mentions: `<@userId>` in a message mentions a member; the message lists who; a mentioned
//! member gets a `mention` notification whether online or not (and no `message` one for it),
//! an offline member not mentioned a `message` one; someone outside the conversation stays
//! plain text and hears nothing.

use serde_json::{json, Value};

use crate::support::{eventually, Server, WsClient};

async fn notifications(server: &Server, token: &str) -> Vec<Value> {
    let (status, page) = server.get("/v1/notifications", token).await;
    assert_eq!(status, 200, "{page}");
    page["notifications"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_mentioned_member_is_told_even_online_and_outsiders_stay_text() {
    let server = Server::start().await;
    let people = [("ann", "member"), ("ben", "member"), ("cat", "member"), ("dan", "member"), ("eve", "member")];
    let t = server.tenant_with("mention1", &people).await;
    let (ann, ben, cat, dan, eve) = (&t[0], &t[1], &t[2], &t[3], &t[4]);
    let members = json!({ "kind": "group", "title": "Garde", "memberIds": ["ben", "cat", "eve"] });
    let group = server.create_conversation(ann, members).await;
    // Ben is online; Cat and Eve are not.
    let mut ben_live = WsClient::connect(&server, ben).await;
    let mut ann_live = WsClient::connect(&server, ann).await;
    let text = "<@ben> ou <@cat> samedi ? <@dan> n'est pas là, <@nobody> non plus. Merci <@ben> !";
    let sent = ann_live.send_message(&group, text, "a1").await;
    assert_eq!(sent["mentions"], json!(["ben", "cat"]), "members only, once each: {sent}");
    assert_eq!(sent["body"], text, "the text as written");
    // The message, and the mention's notification, in whichever order they come.
    let heard = loop {
        let frame = ben_live.recv().await;
        if frame["type"] == "message.new" {
            break frame;
        }
    };
    assert_eq!(heard["message"]["mentions"], json!(["ben", "cat"]), "{heard}");

    let mention = eventually(30, "ben's mention", || async {
        notifications(&server, ben).await.into_iter().find(|n| n["type"] == "mention")
    })
    .await;
    assert_eq!((&mention["conversationId"], &mention["messageId"]), (&json!(group), &sent["id"]));
    eventually(30, "cat's mention", || async {
        notifications(&server, cat).await.into_iter().find(|n| n["type"] == "mention")
    })
    .await;
    let told = eventually(30, "eve's message notification", || async {
        notifications(&server, eve).await.into_iter().find(|n| n["type"] == "message")
    })
    .await;
    assert_eq!(told["messageId"], sent["id"]);
    // Eve's came from the same job run as any of Cat's `message` one would have.
    assert!(notifications(&server, cat).await.iter().all(|n| n["type"] != "message"), "a mention instead, not both");
    assert!(notifications(&server, dan).await.is_empty(), "not in the conversation: nothing");

    // An edit's mentions follow the text, and tell no one again.
    let path = format!("/v1/conversations/{group}/messages/{}", sent["id"].as_str().unwrap());
    let (status, edited) =
        server.request("PATCH", &path, Some(ann), Some(json!({ "body": "<@cat> plutôt, et <@ben>" }))).await;
    assert_eq!((status, &edited["mentions"]), (200, &json!(["cat", "ben"])), "{edited}");
    let (status, edited) = server.request("PATCH", &path, Some(ann), Some(json!({ "body": "Personne" }))).await;
    assert_eq!((status, &edited["mentions"]), (200, &Value::Null), "{edited}");
    let mentions = notifications(&server, cat).await.iter().filter(|n| n["type"] == "mention").count();
    assert_eq!(mentions, 1, "an edit tells no one again");
}
