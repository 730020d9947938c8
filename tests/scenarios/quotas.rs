//! Quotas: a tenant's own limits refuse what goes over them with 429 / `quota_exceeded` and
//! when to try again — messages per minute (REST and socket), connections open at once, upload
//! bytes per day — while another tenant, at the platform's defaults, is not affected. Set and
//! audited by the platform only. The server's clock is put at noon (a test-only offset), so
//! that no day ends during the scenario; a minute may, and the count of messages allows for it.

use chrono::{Timelike, Utc};
use serde_json::{json, Value};

use crate::support::{eventually, token, Server, WsClient, PLATFORM_KEY};

/// Seconds from now to the next noon (UTC): the offset that puts the server's clock there.
fn offset_to_noon() -> u64 {
    let since_midnight = u64::from(Utc::now().num_seconds_from_midnight());
    (12 * 3600 + 24 * 3600 - since_midnight) % (24 * 3600)
}

/// The minute (since the epoch) the server's clock is in, given its offset.
fn server_minute(offset: u64) -> i64 {
    (Utc::now().timestamp() + offset as i64).div_euclid(60)
}

fn assert_quota_error(error: &Value, quota: &str, longest_wait: u64) {
    assert_eq!((error["code"].as_str(), error["quota"].as_str()), (Some("quota_exceeded"), Some(quota)), "{error}");
    let wait = error["retryAfter"].as_u64().unwrap_or_default();
    assert!((1..=longest_wait).contains(&wait), "{error}");
}

#[tokio::test]
async fn a_tenant_over_its_quotas_is_refused_and_other_tenants_are_not() {
    let clock = tempfile::tempdir().unwrap();
    let offset_file = clock.path().join("clock-offset-secs");
    let offset = offset_to_noon();
    std::fs::write(&offset_file, offset.to_string()).unwrap();
    let server = Server::start_with(&[], &[("MISSIVE_TEST_CLOCK_OFFSET_FILE", offset_file.to_str().unwrap())]).await;

    // The platform gives a tenant its own quotas; a tenant's admin cannot.
    let quotas = json!({ "messagesPerMinute": 3, "connections": 2, "uploadBytesPerDay": 1000 });
    let new = json!({ "id": "tight", "name": "Tight", "quotas": quotas });
    let (status, tenant) = server.request("POST", "/v1/admin/tenants", Some(PLATFORM_KEY), Some(new)).await;
    assert_eq!((status, &tenant["quotas"]), (201, &quotas), "{tenant}");
    let [ann, ben] = ["ann", "ben"].map(|u| token("tight", u, "member"));
    for t in [&ann, &ben] {
        assert_eq!(server.get("/v1/me", t).await.0, 200);
    }
    let roomy = server.tenant_with("roomy", &[("cat", "admin"), ("dan", "member")]).await;
    let patch = json!({ "quotas": { "emailsPerDay": 5 } });
    assert_eq!(server.request("PATCH", "/v1/admin/tenants/roomy", Some(&roomy[0]), Some(patch.clone())).await.0, 401);
    let (status, patched) = server.request("PATCH", "/v1/admin/tenants/roomy", Some(PLATFORM_KEY), Some(patch)).await;
    assert_eq!((status, &patched["quotas"]), (200, &json!({ "emailsPerDay": 5 })), "{patched}");
    let (_, audit) = server.get("/v1/admin/audit", &roomy[0]).await;
    assert!(audit.to_string().contains("quotas"), "the change is audited: {audit}");

    // Messages: refused once three went in the minute. Sends are made until one is refused;
    // a minute may end meanwhile, so at most three a minute went through.
    let group = server.create_conversation(&ann, json!({ "kind": "group", "title": "Q", "memberIds": ["ben"] })).await;
    let messages = format!("/v1/conversations/{group}/messages");
    let first_minute = server_minute(offset);
    let mut accepted = 0;
    let refusal = loop {
        let (status, body) = server.post(&messages, &ann, json!({ "body": format!("n°{accepted}") })).await;
        match status {
            201 => accepted += 1,
            429 => break body,
            _ => panic!("{status} {body}"),
        }
        assert!(accepted <= 9, "never refused");
    };
    let minutes = server_minute(offset) - first_minute + 1;
    assert!(accepted >= 3 && accepted <= 3 * minutes, "{accepted} messages in {minutes} minute(s)");
    assert_quota_error(&refusal["error"], "messagesPerMinute", 60);
    // Over the socket as well: the same count, the same answer.
    let mut socket = WsClient::connect(&server, &ben).await;
    let mut sent = 0;
    let frame = loop {
        let send = json!({ "action": "sendMessage", "conversationId": group, "body": "par le socket" });
        let answer = socket.request(send, &format!("q{sent}")).await;
        if answer["type"] == "error" {
            break answer;
        }
        sent += 1;
        assert!(sent <= 3, "a minute's three were sent already, or the next minute's: {answer}");
    };
    assert_quota_error(&frame, "messagesPerMinute", 60);
    socket.assert_open().await;
    // Another tenant sends as much as it likes.
    let other =
        server.create_conversation(&roomy[0], json!({ "kind": "group", "title": "R", "memberIds": ["dan"] })).await;
    for n in 0..8 {
        let (status, body) = server
            .post(&format!("/v1/conversations/{other}/messages"), &roomy[1], json!({ "body": format!("n°{n}") }))
            .await;
        assert_eq!(status, 201, "{body}");
    }

    // Connections: two open at once (Ben's socket is one), a third refused until one closes.
    let second = WsClient::connect(&server, &ann).await;
    assert_eq!(WsClient::refused(&server, &ann).await, 429);
    drop(second);
    eventually(30, "a connection free again once one closed", || async {
        tokio_tungstenite::connect_async(server.ws_url(&ann)).await.ok().map(|_| ())
    })
    .await;
    let others: Vec<WsClient> =
        futures_util::future::join_all((0..4).map(|_| WsClient::connect(&server, &roomy[1]))).await;
    assert_eq!(others.len(), 4, "another tenant's connections are its own");

    // Upload bytes: 1,000 a day, all or nothing.
    let uploads = format!("/v1/conversations/{group}/uploads");
    let file = |size: u64| json!({ "name": "plan.pdf", "contentType": "application/pdf", "size": size });
    assert_eq!(server.post(&uploads, &ann, file(600)).await.0, 201);
    let (status, refused) = server.post(&uploads, &ann, file(600)).await;
    assert_eq!(status, 429, "{refused}");
    assert_quota_error(&refused["error"], "uploadBytesPerDay", 24 * 3600);
    assert_eq!(server.post(&uploads, &ann, file(400)).await.0, 201, "what is left of the day's");
    let (status, body) = server.post(&format!("/v1/conversations/{other}/uploads"), &roomy[1], file(5000)).await;
    assert_eq!(status, 201, "{body}");
}
