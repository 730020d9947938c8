//! Typing indicators, rate limits and the local gateway's connection limits.

use std::time::Duration;

use serde_json::json;

use crate::support::{Server, WsClient};

#[tokio::test]
async fn typing_reaches_the_other_members_is_throttled_and_never_stored() {
    let server = Server::start().await;
    let t = server.tenant_with("typing", &[("ann", "member"), ("ben", "member"), ("cat", "member")]).await;
    let group =
        server.create_conversation(&t[0], json!({ "kind": "group", "title": "G", "memberIds": ["ben", "cat"] })).await;
    let mut ann = WsClient::connect(&server, &t[0]).await;
    let mut ann_tab2 = WsClient::connect(&server, &t[0]).await;
    let mut ben = WsClient::connect(&server, &t[1]).await;
    let mut cat = WsClient::connect(&server, &t[2]).await;

    let ack = ann.request(json!({ "action": "typing", "conversationId": group, "state": "start" }), "t1").await;
    assert_eq!((ack["type"].as_str(), ack["delivered"].as_bool()), (Some("ack"), Some(true)), "{ack}");
    for other in [&mut ben, &mut cat] {
        let e = other.recv().await;
        assert_eq!(
            (e["type"].as_str(), e["userId"].as_str(), e["state"].as_str()),
            (Some("typing"), Some("ann"), Some("start"))
        );
        assert_eq!(e["name"], "Ann");
        assert_eq!(e["expiresInMs"], 6000, "clients stop showing it by themselves without a refresh");
        assert!(e["cursor"].is_null(), "typing is not part of the missed-event feed");
    }
    ann_tab2.expect_silence(200).await;

    // A refresh within two seconds is dropped; a stop still goes through.
    let again = ann.request(json!({ "action": "typing", "conversationId": group, "state": "start" }), "t2").await;
    assert_eq!(again["delivered"], false);
    ben.expect_silence(200).await;
    ann.request(json!({ "action": "typing", "conversationId": group, "state": "stop" }), "t3").await;
    let stop = ben.recv().await;
    assert_eq!((stop["state"].as_str(), stop["expiresInMs"].is_null()), (Some("stop"), true));
    cat.recv().await;

    assert!(server.full_history(&t[1], &group).await.is_empty(), "typing is never stored in history");
    let (_, feed) = server.get("/v1/sync?since=0", &t[1]).await;
    let kinds: Vec<_> = feed["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["conversation.created"], "typing is not in the missed-event feed");
    let bad = ann.request(json!({ "action": "typing", "conversationId": group, "state": "dancing" }), "t4").await;
    assert_eq!(bad["code"], "invalid_request");
}

#[tokio::test]
async fn a_connection_over_its_frame_rate_is_answered_rate_limited_and_stays_open() {
    // Five frames, refilled over an hour: however slow the machine, the eight pings below are
    // answered five times and refused three.
    // The budget lives in the process that runs the frames: deployed, one execution
    // environment of ws-message (Lambda may run several; docs/protocol.md).
    let one_environment: &[&str] = if crate::support::deployed() { &["--max-instances", "1"] } else { &[] };
    let server = Server::start_with(
        one_environment,
        &[("MISSIVE_MAX_FRAMES_PER_10S", "5"), ("MISSIVE_FRAME_WINDOW_SECS", "3600")],
    )
    .await;
    let t = server.tenant_with("rates", &[("ann", "member")]).await;
    let mut ann = WsClient::connect(&server, &t[0]).await;
    let mut codes = Vec::new();
    for i in 0..8 {
        let answer = ann.request(json!({ "action": "ping" }), &format!("p{i}")).await;
        codes.push(answer["type"].as_str().unwrap().to_string() + ":" + answer["code"].as_str().unwrap_or(""));
    }
    assert_eq!(
        codes,
        ["pong:", "pong:", "pong:", "pong:", "pong:", "error:rate_limited", "error:rate_limited", "error:rate_limited"]
    );
    // Another connection of the same user has its own budget.
    let mut other = WsClient::connect(&server, &t[0]).await;
    other.assert_open().await;
}

#[tokio::test]
async fn idle_connections_close_and_pings_keep_them_open() {
    let server = Server::start_with(&["--idle-timeout-secs", "1", "--max-connection-secs", "4"], &[]).await;
    let t = server.tenant_with("idle", &[("ann", "member")]).await;
    let mut idle = WsClient::connect(&server, &t[0]).await;
    let mut busy = WsClient::connect(&server, &t[0]).await;
    for i in 0..4 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let pong = busy.request(json!({ "action": "ping" }), &format!("k{i}")).await;
        assert_eq!(pong["type"], "pong");
    }
    idle.expect_closed(Duration::from_millis(200)).await;
    // Even a busy connection ends at its maximum life (4 s here), pings or not.
    let mut pings = 4;
    let closed = loop {
        tokio::time::sleep(Duration::from_millis(400)).await;
        if busy.try_ping(&format!("k{pings}")).await.is_none() {
            break pings;
        }
        pings += 1;
        assert!(pings < 30, "the connection outlived its maximum life");
    };
    assert!(closed >= 7, "closed by its maximum life, not by idling (after {closed} pings)");
}

#[tokio::test]
async fn in_a_large_group_reads_and_typing_arrive_as_summaries() {
    // A group of three counts as large here; at the default, above 20 members.
    let server = Server::start_with(&[], &[("MISSIVE_SIGNAL_SUMMARY_ABOVE", "2")]).await;
    let t = server.tenant_with("summaries", &[("ann", "member"), ("ben", "member"), ("cat", "member")]).await;
    let group =
        server.create_conversation(&t[0], json!({ "kind": "group", "title": "G", "memberIds": ["ben", "cat"] })).await;
    let mut ann = WsClient::connect(&server, &t[0]).await;
    let mut ben = WsClient::connect(&server, &t[1]).await;
    let mut cat = WsClient::connect(&server, &t[2]).await;
    let message = ann.send_message(&group, "Relève à 19 h", "m1").await;
    let id = message["id"].as_str().unwrap();
    ben.recv().await;
    cat.recv().await;

    for (who, client) in [("ben", &mut ben), ("cat", &mut cat)] {
        let ack = client.request(json!({ "action": "markRead", "conversationId": group, "messageId": id }), who).await;
        assert_eq!((ack["type"].as_str(), ack["read"]["unreadCount"].as_u64()), (Some("ack"), Some(0)), "{ack}");
    }
    // One summary per window: both reads in one, or each in its own if the machine is slow;
    // never a `read` per reader.
    let mut readers = Vec::new();
    while readers.len() < 2 {
        let summary = ann.recv().await;
        assert_eq!(
            (summary["type"].as_str(), summary["conversationId"].as_str()),
            (Some("read.summary"), Some(group.as_str())),
            "{summary}"
        );
        assert!(summary["cursor"].is_string(), "a read summary is in the feed `sync` reads");
        for read in summary["reads"].as_array().unwrap() {
            assert_eq!(read["lastReadMessageId"], id);
            let reader = read["userId"].as_str().unwrap().to_string();
            if !readers.contains(&reader) && reader != "ann" {
                readers.push(reader);
            }
        }
    }
    readers.sort();
    assert_eq!(readers, ["ben", "cat"]);

    let ack = ben.request(json!({ "action": "typing", "conversationId": group, "state": "start" }), "t1").await;
    assert_eq!(ack["delivered"], true, "{ack}");
    let typing = loop {
        let frame = ann.recv().await;
        if frame["type"] == "typing.summary" {
            break frame;
        }
        assert_eq!(frame["type"], "read.summary", "{frame}");
    };
    assert_eq!(typing["typing"].as_array().unwrap().len(), 1, "{typing}");
    assert_eq!(
        (typing["typing"][0]["userId"].as_str(), typing["typing"][0]["name"].as_str()),
        (Some("ben"), Some("Ben"))
    );
    assert!(typing["typing"][0]["expiresInMs"].as_u64().is_some_and(|ms| ms > 0 && ms <= 6000));
    assert!(typing["cursor"].is_null(), "typing is not part of the missed-event feed");
    ben.request(json!({ "action": "typing", "conversationId": group, "state": "stop" }), "t2").await;
    // Cat saw the read summary and ben typing; then, within a window, nobody typing.
    loop {
        let frame = cat.recv().await;
        match frame["type"].as_str() {
            Some("read.summary") => continue,
            Some("typing.summary") if frame["typing"][0]["userId"] == "ben" => continue,
            _ => {
                assert_eq!(
                    (frame["type"].as_str(), frame["typing"].as_array().map(Vec::len)),
                    (Some("typing.summary"), Some(0)),
                    "{frame}"
                );
                break;
            }
        }
    }
}
