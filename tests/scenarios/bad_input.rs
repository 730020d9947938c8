//! Bad input gets a precise answer, loses nothing and never closes the socket.

use serde_json::{json, Value};

use crate::support::{claims, deployed, token, Server, WsClient, JWT_SECRET, PLATFORM_KEY};
use missive::auth::mint_platform_token;

#[tokio::test]
async fn bad_frames_are_answered_precisely_and_the_connection_stays_open() {
    let server = Server::start().await;
    let t = server.tenant_with("strict", &[("alice", "member"), ("bob", "member"), ("eve", "member")]).await;
    let conv = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "bob" })).await;
    let mut alice = WsClient::connect(&server, &t[0]).await;

    alice.send_text("{not json".into()).await;
    let e = alice.recv().await;
    assert_eq!((e["type"].as_str(), e["code"].as_str()), (Some("error"), Some("invalid_json")), "{e}");

    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({ "action": "dance" }), "unknown_action", "unknown action `dance`"),
        (json!({ "body": "no action" }), "invalid_request", "missing field `action`"),
        (json!({ "action": "sendMessage", "body": "hi" }), "invalid_request", "missing field `conversationId`"),
        (
            json!({ "action": "sendMessage", "conversationId": conv, "body": "" }),
            "invalid_request",
            "invalid body: a message cannot be empty",
        ),
        (
            json!({ "action": "sendMessage", "conversationId": conv, "body": "x".repeat(4001) }),
            "invalid_request",
            "invalid body: a message has at most 4000 characters",
        ),
    ];
    for (i, (frame, code, message)) in cases.into_iter().enumerate() {
        let answer = alice.request(frame, &format!("bad{i}")).await;
        assert_eq!(answer["type"], "error", "{answer}");
        assert_eq!(answer["code"], code, "{answer}");
        assert_eq!(answer["message"], message, "{answer}");
    }
    // A conversation alice is not in, and one that does not exist.
    let bob_eve = server.create_conversation(&t[1], json!({ "kind": "direct", "userId": "eve" })).await;
    for target in [bob_eve.as_str(), "01JUNKJUNKJUNKJUNKJUNKJUNK"] {
        let answer =
            alice.request(json!({ "action": "sendMessage", "conversationId": target, "body": "hello?" }), "nm").await;
        assert_eq!(answer["code"], "not_found", "{answer}");
    }

    alice.assert_open().await;

    // A frame over 32 KB, API Gateway's limit: the local runtime refuses it without reading its
    // requestId and keeps the socket; API Gateway closes the connection (1009, "message too big").
    let huge =
        json!({ "action": "sendMessage", "conversationId": conv, "body": "é".repeat(20_000), "requestId": "big" });
    alice.send(huge).await;
    if deployed() {
        alice.expect_close(1009).await;
    } else {
        let e = alice.recv().await;
        assert_eq!(
            (e["code"].as_str(), e["message"].as_str()),
            (Some("frame_too_large"), Some("frame is larger than 32768 bytes"))
        );
        alice.assert_open().await;
    }
    assert!(server.full_history(&t[0], &conv).await.is_empty(), "no bad frame stored anything");
    assert!(server.full_history(&t[1], &bob_eve).await.is_empty());
}

#[tokio::test]
async fn bad_tokens_are_refused_on_connect_and_on_rest_and_nothing_is_stored() {
    let server = Server::start().await;
    let t = server.tenant_with("locked", &[("alice", "member")]).await;

    let valid = token("locked", "mallory", "member");
    let payload = valid.split('.').nth(1).unwrap();
    let expired = mint_platform_token(JWT_SECRET.as_bytes(), &claims("locked", "mallory", "member", -300)).unwrap();
    let wrong_key = mint_platform_token(b"not-the-secret-at-all", &claims("locked", "mallory", "member", 300)).unwrap();
    let alg_none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    let unknown_tenant = token("nowhere", "mallory", "member");

    for (what, bad, status) in [
        ("no token", "", 401),
        ("expired", expired.as_str(), 401),
        ("wrong key", wrong_key.as_str(), 401),
        ("alg none", alg_none.as_str(), 401),
        ("garbage", "abc.def.ghi", 401),
        ("unknown tenant", unknown_tenant.as_str(), 401),
    ] {
        assert_eq!(WsClient::refused(&server, bad).await, status, "WebSocket, {what}");
        let auth = if bad.is_empty() { None } else { Some(bad) };
        let (code, body) = server.request("GET", "/v1/me", auth, None).await;
        assert_eq!(code, status, "REST, {what}: {body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{body}");
    }
    // Mallory never came into being.
    let (_, users) = server.get("/v1/users", &t[0]).await;
    let ids: Vec<_> = users["users"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["alice"]);
}

#[tokio::test]
async fn another_tenants_conversation_is_not_found_and_bad_rest_input_is_a_400() {
    let server = Server::start().await;
    let a = server.tenant_with("tenant-a", &[("alice", "member"), ("bob", "member")]).await;
    let b = server.tenant_with("tenant-b", &[("alice", "member"), ("carol", "member")]).await;
    let conv_a = server.create_conversation(&a[0], json!({ "kind": "direct", "userId": "bob" })).await;
    server.post(&format!("/v1/conversations/{conv_a}/messages"), &a[0], json!({ "body": "secret A" })).await;

    // Same user id, other tenant: nothing of tenant A is visible or writable.
    for (method, path, body) in [
        ("GET", format!("/v1/conversations/{conv_a}"), None),
        ("GET", format!("/v1/conversations/{conv_a}/messages"), None),
        ("POST", format!("/v1/conversations/{conv_a}/messages"), Some(json!({ "body": "intrusion" }))),
    ] {
        let (status, answer) = server.request(method, &path, Some(&b[0]), body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "not_found");
    }
    let (status, _) = server.post("/v1/conversations", &b[0], json!({ "kind": "direct", "userId": "bob" })).await;
    assert_eq!(status, 404, "bob lives in tenant A only");
    let mut carol = WsClient::connect(&server, &b[1]).await;
    let answer = carol.request(json!({ "action": "sendMessage", "conversationId": conv_a, "body": "hi" }), "x").await;
    assert_eq!(answer["code"], "not_found");
    assert_eq!(server.full_history(&a[1], &conv_a).await.len(), 1);

    // REST input errors.
    for (body, message) in [
        (json!({ "kind": "direct" }), "missing field `userId`"),
        (
            json!({ "kind": "phone", "userId": "bob" }),
            "kind: unknown variant `phone`, expected one of `direct`, `group`, `storefront`",
        ),
        (
            json!({ "kind": "group", "title": " ", "memberIds": [] }),
            "invalid title: expected 1 to 120 characters without control characters",
        ),
        (json!({ "kind": "direct", "userId": "alice" }), "invalid userId: a direct conversation needs another user"),
    ] {
        let (status, answer) = server.post("/v1/conversations", &a[0], body).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"]["message"], message);
    }
    let (status, answer) =
        server.post(&format!("/v1/conversations/{conv_a}/messages"), &a[0], json!({ "body": "y".repeat(4001) })).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("invalid_request")));
    let (status, _) = server
        .post(&format!("/v1/conversations/{conv_a}/messages"), &a[0], json!({ "body": "z".repeat(70_000) }))
        .await;
    assert_eq!(status, 413);
    let (status, answer) = server.get(&format!("/v1/conversations/{conv_a}/messages?limit=lots"), &a[0]).await;
    assert_eq!(status, 400, "{answer}");
    let (status, _) = server.request("POST", "/v1/admin/tenants", Some(&a[0]), Some(json!({ "name": "x" }))).await;
    assert_eq!(status, 401, "a user token is not the platform key");
}

/// The API describes itself, and a method a route does not take is a 405 naming the others.
#[tokio::test]
async fn the_api_serves_its_openapi_document_and_answers_405_to_a_method_a_route_does_not_take() {
    let server = Server::start().await;
    let (status, doc) = server.request("GET", "/v1/openapi.json", None, None).await;
    assert_eq!((status, doc["openapi"].as_str()), (200, Some("3.1.0")));
    assert!(doc["paths"]["/v1/conversations/{id}/messages"]["post"]["requestBody"].is_object(), "{doc}");
    let (status, answer) = server.request("DELETE", "/v1/health", None, None).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (405, Some("method_not_allowed")), "{answer}");
}

/// Every query parameter of every route that takes one is checked: cursors are ids from
/// earlier pages, limits within their range, unknown parameters refused — a 400 naming it.
#[tokio::test]
async fn every_query_parameter_is_checked_on_every_route() {
    let server = Server::start().await;
    let t = server.tenant_with("queries", &[("alice", "member"), ("bob", "member")]).await;
    let conv = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "bob" })).await;
    let history = format!("/v1/conversations/{conv}/messages");
    let cases: Vec<(String, &str)> = vec![
        (format!("{history}?limit=0"), "limit: must be from 1 to 100"),
        (format!("{history}?limit=101"), "limit: must be from 1 to 100"),
        (format!("{history}?limit=-1"), "limit"),
        (format!("{history}?before=not-an-id"), "invalid before: expected a message id"),
        (format!("{history}?after=zzz"), "invalid after: expected a message id"),
        (format!("{history}?before=0"), "invalid before: expected a message id"),
        (format!("{history}?q=hi&before=nope"), "invalid before: expected a message id"),
        (format!("{history}?page=2"), "unknown field `page`"),
        ("/v1/conversations?limit=0".into(), "limit: must be from 1 to 100"),
        ("/v1/conversations?limit=1000".into(), "limit: must be from 1 to 100"),
        ("/v1/conversations?cursor=garbage".into(), "cursor: not a cursor from an earlier page"),
        ("/v1/conversations?cursor=01JUNKJUNKJUNKJUNKJUNKJUNK.x".into(), "cursor: not a cursor from an earlier page"),
        ("/v1/conversations?kind=secret".into(), "kind"),
        ("/v1/conversations?sort=asc".into(), "unknown field `sort`"),
        ("/v1/users?limit=0".into(), "limit: must be from 1 to 100"),
        ("/v1/users?limit=101".into(), "limit: must be from 1 to 100"),
        ("/v1/users?cursor=a%20b".into(), "cursor: not a cursor from an earlier page"),
        ("/v1/users?role=admin".into(), "unknown field `role`"),
        ("/v1/notifications?limit=0".into(), "limit: must be from 1 to 100"),
        ("/v1/notifications?limit=500".into(), "limit: must be from 1 to 100"),
        ("/v1/notifications?cursor=nope".into(), "cursor: not a cursor from an earlier page"),
        ("/v1/notifications?unread=maybe".into(), "unread"),
        ("/v1/notifications?all=1".into(), "unknown field `all`"),
        ("/v1/reminders?limit=0".into(), "limit: must be from 1 to 100"),
        ("/v1/reminders?limit=101".into(), "limit: must be from 1 to 100"),
        ("/v1/reminders?cursor=a%23b".into(), "cursor: not a cursor from an earlier page"),
        ("/v1/reminders?due=today".into(), "unknown field `due`"),
        ("/v1/sync".into(), "missing field `since`"),
        ("/v1/sync?since=yesterday".into(), "invalid since: expected a cursor"),
        ("/v1/sync?since=0&limit=5".into(), "unknown field `limit`"),
    ];
    for (path, message) in cases {
        let (status, answer) = server.get(&path, &t[0]).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("invalid_request")), "{path}: {answer}");
        let said = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(said.contains(message), "{path}: expected `{message}`, got `{said}`");
    }
    for path in [format!("{history}?limit=1"), format!("{history}?after=0&limit=100"), "/v1/sync?since=0".into()] {
        let (status, answer) = server.get(&path, &t[0]).await;
        assert_eq!(status, 200, "{path}: {answer}");
    }
    let (status, answer) = server.get("/v1/email/unsubscribe?token=x&extra=1", &t[0]).await;
    assert_eq!(status, 400, "{answer}");
    let said = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(said.contains("unknown field `extra`"), "the unsubscribe link's parameters too: {said}");
}

/// A suspension reaches the connections opened before it: their actions are refused (pings
/// still answered), nothing is stored, and reactivation lets them act again.
#[tokio::test]
async fn a_suspended_tenant_s_live_connections_can_no_longer_act() {
    let server = Server::start_with(&[], cross_process_directory()).await;
    let t = server.tenant_with("suspendme", &[("alice", "member"), ("bob", "member")]).await;
    let conv = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "bob" })).await;
    let mut alice = WsClient::connect(&server, &t[0]).await;
    let send = || json!({ "action": "sendMessage", "conversationId": conv, "body": "before" });
    assert_eq!(alice.request(send(), "s1").await["type"], "ack");

    let status = |tenant_status: &str| json!({ "status": tenant_status });
    let patch = |body| server.request("PATCH", "/v1/admin/tenants/suspendme", Some(PLATFORM_KEY), Some(body));
    assert_eq!(patch(status("suspended")).await.0, 200);
    let refused =
        alice.request(json!({ "action": "sendMessage", "conversationId": conv, "body": "after" }), "s2").await;
    assert_eq!((refused["type"].as_str(), refused["code"].as_str()), (Some("error"), Some("forbidden")), "{refused}");
    let refused = alice.request(json!({ "action": "sync", "since": "0" }), "s3").await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    assert_eq!(alice.request(json!({ "action": "ping" }), "p").await["type"], "pong");
    alice.assert_open().await;

    assert_eq!(patch(status("active")).await.0, 200);
    assert_eq!(alice.request(send(), "s4").await["type"], "ack");
    let bodies: Vec<String> = server
        .full_history(&t[1], &conv)
        .await
        .iter()
        .map(|m| m["body"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(bodies, ["before", "before"], "nothing was stored while suspended");
}

/// A suspended user: their tokens are refused, their live connections can no longer act, the
/// others in the tenant carry on; reinstated, they act again.
#[tokio::test]
async fn a_suspended_user_is_refused_everywhere_until_reinstated() {
    let server = Server::start_with(&[], cross_process_directory()).await;
    let t = server.tenant_with("usersuspend", &[("alice", "member"), ("bob", "member")]).await;
    let conv = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "bob" })).await;
    let mut alice = WsClient::connect(&server, &t[0]).await;
    let mut bob = WsClient::connect(&server, &t[1]).await;
    let admin = |suspended: bool| {
        let body = json!({ "tenantId": "usersuspend", "name": "Alice", "suspended": suspended });
        server.request("PUT", "/v1/admin/users/alice", Some(PLATFORM_KEY), Some(body))
    };
    let (status, user) = admin(true).await;
    assert_eq!((status, user["suspended"].as_bool()), (200, Some(true)), "{user}");

    let refused = alice.request(json!({ "action": "sendMessage", "conversationId": conv, "body": "x" }), "a1").await;
    assert_eq!((refused["code"].as_str(), refused["message"].as_str()), (Some("forbidden"), Some("user suspended")));
    assert_eq!(server.get("/v1/me", &t[0]).await.0, 403, "her token is refused on REST");
    assert!(tokio_tungstenite::connect_async(server.ws_url(&t[0])).await.is_err(), "and on a new connection");
    bob.send_message(&conv, "bob carries on", "b1").await;

    let (status, user) = admin(false).await;
    assert_eq!((status, user.get("suspended")), (200, None), "{user}");
    alice.send_message(&conv, "back", "a2").await;
    assert_eq!(server.get("/v1/me", &t[0]).await.0, 200);
}

/// Locally one process makes the change and sees it at once. Deployed, the REST function
/// makes it and the WebSocket function sees it within its directory cache's lifetime
/// (`MISSIVE_DIRECTORY_CACHE_SECS`, 5 s): with no cache, at once — what is tested is that
/// every action checks again.
fn cross_process_directory() -> &'static [(&'static str, &'static str)] {
    if deployed() {
        &[("MISSIVE_DIRECTORY_CACHE_SECS", "0")]
    } else {
        &[]
    }
}
