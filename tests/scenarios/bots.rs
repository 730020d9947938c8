//! Bots: an admin makes one and gets its API key once; the key calls the REST API as the bot,
//! in the conversations it was added to and nowhere else; a member's direct conversation with
//! it is a chatbot's, its answers live on the member's socket; a replaced key stops working at
//! once, and so does a revoked one; no token makes a bot.

use serde_json::json;

use crate::support::{token, Server, WsClient};

#[tokio::test]
async fn a_bot_speaks_with_its_key_in_its_conversations_only() {
    let server = Server::start().await;
    let t = server.tenant_with("bots1", &[("boss", "admin"), ("ann", "member"), ("ben", "member")]).await;
    let (boss, ann, ben) = (&t[0], &t[1], &t[2]);

    let new = json!({ "id": "concierge", "name": "Concierge" });
    assert_eq!(server.post("/v1/bots", ann, new.clone()).await.0, 403, "admins only");
    let (status, created) = server.post("/v1/bots", boss, new.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(server.post("/v1/bots", boss, json!({ "id": "ann", "name": "Ann" })).await.0, 409, "a user's id");
    let key = created["apiKey"].as_str().unwrap().to_string();
    assert!(key.starts_with("mbk.bots1."), "{key}");
    let (_, list) = server.get("/v1/bots", boss).await;
    assert_eq!(list["bots"][0]["id"], "concierge");
    assert!(!list.to_string().contains(&key), "the key is shown once");

    // A chatbot: ann's direct conversation with it; the bot reads and answers with its key.
    let chat = server.create_conversation(ann, json!({ "kind": "direct", "userId": "concierge" })).await;
    let mut live = WsClient::connect(&server, ann).await;
    let path = format!("/v1/conversations/{chat}/messages");
    server.post(&path, ann, json!({ "body": "Vous livrez le samedi ?" })).await;
    let (status, me) = server.get("/v1/me", &key).await;
    assert_eq!((status, &me["role"]), (200, &json!("bot")), "{me}");
    let (status, history) = server.get(&path, &key).await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["messages"][0]["body"], "Vous livrez le samedi ?");
    let (status, answer) = server.post(&path, &key, json!({ "body": "Oui, de 9 h à 18 h." })).await;
    assert_eq!((status, &answer["senderId"]), (201, &json!("concierge")), "{answer}");
    loop {
        let frame = live.recv_any().await;
        if frame["type"] == "message.new" && frame["message"]["senderId"] == "concierge" {
            break;
        }
    }

    // Its key opens a socket too, on which it hears its conversations.
    let mut bot_live = WsClient::connect(&server, &key).await;
    server.post(&path, ann, json!({ "body": "Et le dimanche ?" })).await;
    loop {
        let frame = bot_live.recv_any().await;
        if frame["type"] == "message.new" && frame["message"]["body"] == "Et le dimanche ?" {
            break;
        }
    }

    // Nowhere else: not ben's conversations, no new conversation, no admin route.
    let other = server.create_conversation(ben, json!({ "kind": "direct", "userId": "ann" })).await;
    assert_eq!(server.get(&format!("/v1/conversations/{other}/messages"), &key).await.0, 404);
    let direct = json!({ "kind": "direct", "userId": "ben" });
    assert_eq!(server.post("/v1/conversations", &key, direct).await.0, 403);
    assert_eq!(server.post("/v1/bots", &key, json!({ "id": "b2", "name": "B2" })).await.0, 403);

    // A new key works and the old one no longer does; a revoked one neither.
    let (status, rotated) = server.post("/v1/bots/concierge/rotate-key", boss, json!({})).await;
    assert_eq!(status, 200, "{rotated}");
    let new_key = rotated["apiKey"].as_str().unwrap();
    assert_eq!(server.get("/v1/me", &key).await.0, 401);
    assert_eq!(server.get("/v1/me", new_key).await.0, 200);
    assert_eq!(server.request("DELETE", "/v1/bots/concierge/key", Some(boss), None).await.0, 204);
    assert_eq!(server.get("/v1/me", new_key).await.0, 401);
    assert_eq!(server.get("/v1/me", "mbk.bots1.0123456789abcdef0123456789abcdef01234567").await.0, 401);

    // No token makes a bot.
    assert_eq!(server.get("/v1/me", &token("bots1", "robot", "bot")).await.0, 401);
}

/// Posts through a hook as another system would: the secret in the `Authorization` header.
async fn post_to_hook(
    server: &Server,
    hook: &str,
    secret: Option<&str>,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new().post(format!("{}/v1/hooks/{hook}", server.base)).json(&body);
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn a_dispatch_system_posts_call_outs_into_a_group_through_its_hook() {
    let server = Server::start().await;
    let t = server.tenant_with("bots2", &[("chief", "member"), ("cam", "member")]).await;
    let (chief, cam) = (&t[0], &t[1]);
    let group =
        server.create_conversation(chief, json!({ "kind": "group", "title": "Garde", "memberIds": ["cam"] })).await;
    let hooks = format!("/v1/conversations/{group}/hooks");
    assert_eq!(server.post(&hooks, cam, json!({ "name": "Dispatch 18" })).await.0, 403, "the group's owner only");
    let (status, created) = server.post(&hooks, chief, json!({ "name": "Dispatch 18" })).await;
    assert_eq!(status, 201, "{created}");
    let (hook, secret) = (created["hook"]["id"].as_str().unwrap(), created["secret"].as_str().unwrap());
    assert!(hook.starts_with("bots2.") && secret.starts_with("whk_"), "{created}");

    let mut live = WsClient::connect(&server, cam).await;
    let call_out = json!({ "body": "Départ : feu de cheminée, 12 rue Haute", "clientMessageId": "cad-1" });
    let (status, message) = post_to_hook(&server, hook, Some(secret), call_out).await;
    assert_eq!((status, &message["senderName"]), (201, &json!("Dispatch 18")), "{message}");
    assert_eq!(message["senderId"], created["hook"]["botId"]);
    loop {
        let frame = live.recv_any().await;
        if frame["type"] == "message.new" && frame["message"]["senderName"] == "Dispatch 18" {
            break;
        }
    }

    for (secret, why) in [(Some("whk_wrong"), "a wrong secret"), (None, "no secret")] {
        assert_eq!(post_to_hook(&server, hook, secret, json!({ "body": "x" })).await.0, 401, "{why}");
    }
    assert_eq!(post_to_hook(&server, "bots2.nope", Some(secret), json!({ "body": "x" })).await.0, 401);

    // One a second: of ten posts at once, no more are taken than seconds went by.
    let started = chrono::Utc::now().timestamp();
    let posts = (0..10).map(|n| post_to_hook(&server, hook, Some(secret), json!({ "body": format!("Renfort {n}") })));
    let statuses: Vec<u16> = futures_util::future::join_all(posts).await.into_iter().map(|(s, _)| s).collect();
    let seconds = (chrono::Utc::now().timestamp() - started + 1) as usize;
    let taken = statuses.iter().filter(|s| **s == 201).count();
    assert!(taken <= seconds, "{taken} taken in {seconds} s: {statuses:?}");
    assert!(statuses.contains(&429) || seconds > 10, "ten posts in {seconds} s, none refused: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 429), "{statuses:?}");

    // Stopped by the owner: the secret opens nothing any more.
    assert_eq!(server.request("DELETE", &format!("{hooks}/{hook}"), Some(cam), None).await.0, 403);
    assert_eq!(server.request("DELETE", &format!("{hooks}/{hook}"), Some(chief), None).await.0, 204);
    assert_eq!(post_to_hook(&server, hook, Some(secret), json!({ "body": "x" })).await.0, 401);
}
