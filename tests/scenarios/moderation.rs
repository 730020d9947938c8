//! Moderation: the marketplace masks contact details in storefront conversations and blocks a
//! word everywhere; a blocked message is stored nowhere and its sender is told why; edits pass
//! the same rules; bots are not screened. A pre-send hook, verified as webhooks are, accepts,
//! changes or rejects each message, and when it does not answer the tenant's fail-open or
//! fail-closed choice applies.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::support::{Server, WsClient};
use crate::webhook_receiver::verified;

/// Every process reads the tenant's moderation at each send: the REST function sets it, the
/// WebSocket function applies it at once (deployed, they are apart; see `bad_input`). The
/// pre-send hook listens on this machine.
const ENV: &[(&str, &str)] = &[("MISSIVE_DIRECTORY_CACHE_SECS", "0"), ("MISSIVE_WEBHOOKS_ALLOW_LOOPBACK", "true")];

#[tokio::test]
async fn contact_details_are_masked_on_storefronts_and_a_blocked_word_is_never_stored() {
    let server = Server::start_with(&[], ENV).await;
    let t = server.tenant_with("moder1", &[("boss", "admin"), ("paul", "partner"), ("ann", "member")]).await;
    let (boss, paul, ann) = (&t[0], &t[1], &t[2]);

    let rules = json!({ "rules": [
        { "kinds": ["storefront"], "contacts": ["phone", "email"], "action": "mask" },
        { "words": ["arnaque"], "action": "block" },
    ] });
    assert_eq!(server.put("/v1/moderation", ann, rules.clone()).await.0, 403, "tenant admins only");
    let bad = json!({ "rules": [{ "patterns": ["(unclosed"], "action": "block" }] });
    let (status, refused) = server.put("/v1/moderation", boss, bad).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().starts_with("rules[0].patterns[0]:"), "{refused}");
    let (status, saved) = server.put("/v1/moderation", boss, rules).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["preSendHookSecret"], Value::Null);
    let (_, policy) = server.get("/v1/moderation", boss).await;
    assert_eq!(policy["rules"][0]["contacts"], json!(["phone", "email"]));
    let (_, trial) =
        server.post("/v1/moderation/check", boss, json!({ "body": "mon 06 12 34 56 78", "kind": "storefront" })).await;
    assert_eq!(
        (&trial["action"], &trial["body"], &trial["reasons"]),
        (&json!("mask"), &json!("mon •• •• •• •• ••"), &json!(["phone"]))
    );

    // A visitor writes from the storefront: the partner reads the number masked, live and in history.
    let (_, storefront) = server.post("/v1/storefronts", paul, json!({ "title": "Les Fleurs de Paul" })).await;
    let sf = storefront["id"].as_str().unwrap();
    let path = format!("/v1/public/storefronts/{sf}/sessions");
    let (_, session) = server.request("POST", &path, None, Some(json!({ "name": "Zoé" }))).await;
    let (guest_token, conv) = (session["token"].as_str().unwrap(), session["conversation"]["id"].as_str().unwrap());
    let mut guest = WsClient::connect(&server, guest_token).await;
    let mut partner = WsClient::connect(&server, paul).await;
    let sent = guest.send_message(conv, "Appelez-moi au 06 12 34 56 78 ou zoe@example.com", "g1").await;
    assert_eq!(sent["body"], "Appelez-moi au •• •• •• •• •• ou •••••••••••••••");
    assert_eq!(partner.recv().await["message"]["body"], sent["body"]);
    let history = server.full_history(paul, conv).await;
    assert_eq!(history.last().unwrap()["body"], sent["body"]);

    // A blocked word: an error frame saying why, over the socket and REST; nothing stored, no one told.
    let refused = guest
        .request(json!({ "action": "sendMessage", "conversationId": conv, "body": "C'est une ARNAQUE ?" }), "g2")
        .await;
    assert_eq!(
        (&refused["type"], &refused["code"], &refused["reason"]),
        (&json!("error"), &json!("moderated"), &json!("word"))
    );
    assert!(refused["message"].as_str().unwrap().contains("not sent"), "{refused}");
    let messages = format!("/v1/conversations/{conv}/messages");
    let (status, refused) = server.post(&messages, guest_token, json!({ "body": "arnaque" })).await;
    assert_eq!(
        (status, &refused["error"]["code"], &refused["error"]["reason"]),
        (422, &json!("moderated"), &json!("word"))
    );
    partner.expect_silence(300).await;
    assert_eq!(server.full_history(paul, conv).await.len(), history.len(), "nothing stored");

    // An edit passes the same rules: refused, the message unchanged; masked when allowed.
    let edit = format!("/v1/conversations/{conv}/messages/{}", sent["id"].as_str().unwrap());
    let (status, refused) = server.request("PATCH", &edit, Some(guest_token), Some(json!({ "body": "arnaque" }))).await;
    assert_eq!((status, &refused["error"]["code"]), (422, &json!("moderated")), "{refused}");
    let (status, edited) =
        server.request("PATCH", &edit, Some(guest_token), Some(json!({ "body": "Plutôt 0033 612345678" }))).await;
    assert_eq!((status, &edited["body"]), (200, &json!("Plutôt •••• •••••••••")), "{edited}");

    // Contact details are masked on storefronts only: in a direct conversation they go as written.
    let direct = server.create_conversation(ann, json!({ "kind": "direct", "userId": "paul" })).await;
    let mut ann_live = WsClient::connect(&server, ann).await;
    assert_eq!(ann_live.send_message(&direct, "06 12 34 56 78", "a1").await["body"], "06 12 34 56 78");

    // A bot is the platform's own voice: not screened.
    let (_, bot) = server.post("/v1/bots", boss, json!({ "id": "helper", "name": "Helper" })).await;
    let key = bot["apiKey"].as_str().unwrap();
    let group =
        server.create_conversation(boss, json!({ "kind": "group", "title": "Équipe", "memberIds": ["helper"] })).await;
    let (status, said) =
        server.post(&format!("/v1/conversations/{group}/messages"), key, json!({ "body": "arnaque" })).await;
    assert_eq!((status, &said["body"], &said["senderBot"]), (201, &json!("arnaque"), &json!(true)), "{said}");
}

/// A tenant's pre-send hook: verifies Missive's signature, then answers by the text it is
/// asked about — `reject…`, `modify…`, `hang…` (never answers) — or accepts.
#[derive(Clone, Default)]
struct Hook {
    secret: Arc<Mutex<Vec<String>>>,
    asked: Arc<Mutex<Vec<Value>>>,
}

async fn judge(
    State(hook): State<Hook>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, axum::http::StatusCode> {
    let text = String::from_utf8_lossy(&body).to_string();
    if !verified(&headers, &text, &hook.secret.lock().unwrap()) {
        return Err(axum::http::StatusCode::UNAUTHORIZED);
    }
    let asked: Value = serde_json::from_str(&text).unwrap();
    hook.asked.lock().unwrap().push(asked.clone());
    let said = asked["data"]["body"].as_str().unwrap_or_default().to_string();
    if said.starts_with("reject") {
        Ok(Json(json!({ "action": "reject", "reason": "Pas de démarchage ici." })))
    } else if said.starts_with("modify") {
        Ok(Json(json!({ "action": "modify", "body": said.to_uppercase() })))
    } else if said.starts_with("hang") {
        std::future::pending().await
    } else {
        Ok(Json(json!({ "action": "accept" })))
    }
}

#[tokio::test]
async fn a_pre_send_hook_accepts_changes_or_rejects_and_its_silence_fails_as_the_tenant_chose() {
    let server = Server::start_with(&[], ENV).await;
    let t = server.tenant_with("moder2", &[("boss", "admin"), ("ann", "member"), ("ben", "member")]).await;
    let (boss, ann) = (&t[0], &t[1]);
    let hook = Hook::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/presend", listener.local_addr().unwrap());
    let app = Router::new().route("/presend", post(judge)).with_state(hook.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let set = |failure: &str| json!({ "rules": [], "preSendHook": { "url": url, "failure": failure } });
    let bad = json!({ "preSendHook": { "url": "http://10.0.0.1/presend" } });
    assert_eq!(server.put("/v1/moderation", boss, bad).await.0, 400, "a private address");
    let (status, saved) = server.put("/v1/moderation", boss, set("closed")).await;
    assert_eq!(status, 200, "{saved}");
    let secret = saved["preSendHookSecret"].as_str().expect("the secret, once").to_string();
    assert!(secret.starts_with("whsec_"));
    hook.secret.lock().unwrap().push(secret);

    let conv = server.create_conversation(ann, json!({ "kind": "direct", "userId": "ben" })).await;
    let mut live = WsClient::connect(&server, ann).await;
    let said = live.send_message(&conv, "Bonjour Ben", "a1").await;
    assert_eq!(said["body"], "Bonjour Ben");
    let asked = hook.asked.lock().unwrap()[0].clone();
    assert_eq!(asked["type"], "message.presend");
    assert_eq!((&asked["data"]["conversationId"], &asked["data"]["senderId"]), (&json!(conv), &json!("ann")));
    assert_eq!(asked["data"]["conversationKind"], "direct");
    assert_eq!(live.send_message(&conv, "modify me", "a2").await["body"], "MODIFY ME");
    let refused =
        live.request(json!({ "action": "sendMessage", "conversationId": conv, "body": "reject this" }), "a3").await;
    assert_eq!(
        (&refused["code"], &refused["reason"], &refused["message"]),
        (&json!("moderated"), &json!("hook"), &json!("Pas de démarchage ici."))
    );

    // Silence: fail-closed refuses after the hook's 1.5 s; fail-open sends the text as it was.
    let hang = json!({ "action": "sendMessage", "conversationId": conv, "body": "hang on" });
    let refused = live.request(hang.clone(), "a4").await;
    assert_eq!((&refused["code"], &refused["reason"]), (&json!("moderated"), &json!("hook")), "{refused}");
    let (_, saved) = server.put("/v1/moderation", boss, set("open")).await;
    assert_eq!(saved["preSendHookSecret"], Value::Null, "the hook keeps its secret");
    let ack = live.request(hang, "a5").await;
    assert_eq!((&ack["type"], &ack["message"]["body"]), (&json!("ack"), &json!("hang on")), "{ack}");

    let bodies: Vec<Value> = server.full_history(ann, &conv).await.iter().map(|m| m["body"].clone()).collect();
    assert_eq!(bodies, [json!("Bonjour Ben"), json!("MODIFY ME"), json!("hang on")]);
}
