//! A platform whose users sign in with an identity provider: the local runtime started with
//! `MISSIVE_JWKS_URL` accepts the provider's ES256 tokens on REST and on the WebSocket, the
//! way the authorizer function does on AWS (the same verifier), and refuses a token signed by
//! a key the provider does not publish.

use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use p256::pkcs8::EncodePrivateKey;
use serde_json::json;

use crate::support::{claims, Server, WsClient};

fn provider_key(kid: &str) -> (EncodingKey, Jwk) {
    let private = p256::SecretKey::random(&mut rand_core::OsRng);
    let key = EncodingKey::from_ec_der(private.to_pkcs8_der().unwrap().as_bytes());
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
    jwk.common.key_id = Some(kid.into());
    (key, jwk)
}

fn provider_token(key: &EncodingKey, kid: &str, tenant: &str, user: &str) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.into());
    encode(&header, &claims(tenant, user, "member", 600), key).unwrap()
}

#[tokio::test]
async fn an_identity_provider_s_tokens_open_rest_and_websocket() {
    let (key, jwk) = provider_key("idp-2026");
    let keys = JwkSet { keys: vec![jwk] };
    let jwks = Router::new().route("/jwks.json", get(move || async move { Json(keys.clone()) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, jwks).await.unwrap() });

    let server = Server::start_with(&[], &[("MISSIVE_JWKS_URL", url.as_str())]).await;
    server.create_tenant("idp").await;
    let alice = provider_token(&key, "idp-2026", "idp", "alice");
    let (status, me) = server.get("/v1/me", &alice).await;
    assert_eq!((status, me["user"]["id"].as_str()), (200, Some("alice")), "{me}");
    let bob = provider_token(&key, "idp-2026", "idp", "bob");
    assert_eq!(server.get("/v1/me", &bob).await.0, 200);

    let conversation = server.create_conversation(&alice, json!({ "kind": "direct", "userId": "bob" })).await;
    let mut socket = WsClient::connect(&server, &alice).await;
    let ack = socket.send_message(&conversation, "signée par le fournisseur", "idp-1").await;
    assert_eq!(ack["body"], "signée par le fournisseur", "{ack}");

    let (stranger, _) = provider_key("idp-2026");
    let forged = provider_token(&stranger, "idp-2026", "idp", "mallory");
    assert_eq!(server.get("/v1/me", &forged).await.0, 401, "a key the provider does not publish");
    let unknown = provider_token(&key, "idp-2025", "idp", "alice");
    assert_eq!(server.get("/v1/me", &unknown).await.0, 401, "a key id the provider does not publish");
    let refused = tokio_tungstenite::connect_async(server.ws_url(&forged)).await;
    assert!(refused.is_err(), "the WebSocket refuses it at the upgrade");
}
