//! Missed-message recovery: cursors on every event, `sync` over WebSocket and REST, and a
//! randomized run of clients that drop and come back.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message as Frame;

use crate::support::{Server, WsClient};

#[tokio::test]
async fn a_client_that_comes_back_syncs_everything_it_missed_in_order() {
    let server = Server::start().await;
    let t = server.tenant_with("resync", &[("alice", "member"), ("bob", "member"), ("cat", "member")]).await;
    // Offline, bob would also get `message` notifications (see the notifications scenarios).
    server.quiet_message_notifications(&t[1]).await;
    let direct = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "bob" })).await;
    let group = server
        .create_conversation(&t[2], json!({ "kind": "group", "title": "G", "memberIds": ["alice", "bob"] }))
        .await;
    let mut alice = WsClient::connect(&server, &t[0]).await;
    let mut bob = WsClient::connect(&server, &t[1]).await;
    let first = alice.send_message(&direct, "avant", "a0").await;
    let seen = bob.recv().await;
    assert_eq!(seen["message"], first);
    let since = seen["cursor"].as_str().expect("every event carries a cursor").to_string();
    drop(bob);

    // While bob is away: messages in two conversations, an edit, a read marker.
    let m1 = alice.send_message(&direct, "un", "a1").await;
    let (_, m2) = server.post(&format!("/v1/conversations/{group}/messages"), &t[2], json!({ "body": "deux" })).await;
    alice.recv().await;
    let edit = alice
        .request(
            json!({ "action": "editMessage", "conversationId": direct, "messageId": m1["id"], "body": "un (modifié)" }),
            "a2",
        )
        .await;
    assert!(edit["cursor"].is_string(), "acks carry the cursor too: {edit}");
    server.post(&format!("/v1/conversations/{group}/read"), &t[0], json!({ "messageId": m2["id"] })).await;

    let mut bob = WsClient::connect(&server, &t[1]).await;
    let (events, done) = sync(&mut bob, &since, "s1").await;
    let kinds: Vec<_> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["message.new", "message.new", "message.updated", "read"]);
    assert_eq!(events[0]["message"]["id"], m1["id"]);
    assert_eq!(events[1]["message"]["id"], m2["id"]);
    assert_eq!(events[2]["message"]["body"], "un (modifié)");
    assert_eq!(
        (events[3]["userId"].as_str(), events[3]["conversationId"].as_str()),
        (Some("alice"), Some(group.as_str()))
    );
    let cursors: Vec<&str> = events.iter().map(|e| e["cursor"].as_str().unwrap()).collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]) && cursors[0] > since.as_str(), "in order, after the cursor");
    // The cursor to resume from stays up to 10 s behind the present (an event whose write is
    // slow can still land below it): between `since` and the last event; syncing from it
    // brings exactly the events after it again, which a client drops by cursor.
    let resume = done["cursor"].as_str().unwrap();
    assert_eq!((done["requestId"].as_str(), done["more"].as_bool()), (Some("s1"), Some(false)));
    assert!(since.as_str() <= resume && resume <= cursors[3], "{resume} between {since} and {}", cursors[3]);
    let again = sync_events(&mut bob, resume, "s2").await;
    let after_resume: Vec<_> = events.iter().filter(|e| e["cursor"].as_str().unwrap() > resume).cloned().collect();
    assert_eq!(again, after_resume);

    // From the last event's cursor nothing comes; REST gives the same feed.
    let last = bob.request(json!({ "action": "sync", "since": cursors[3] }), "s3").await;
    assert_eq!((last["type"].as_str(), last["cursor"].as_str()), (Some("sync.done"), Some(cursors[3])));
    let (status, page) = server.get(&format!("/v1/sync?since={since}"), &t[1]).await;
    assert_eq!(status, 200);
    assert_eq!(page["events"].as_array().unwrap(), &events);
    let rest_resume = page["cursor"].as_str().unwrap();
    assert!(resume <= rest_resume && rest_resume <= cursors[3] && page["more"] == false, "{page}");

    // Bad and expired cursors.
    let bad = bob.request(json!({ "action": "sync", "since": "yesterday" }), "s4").await;
    assert_eq!(
        (bad["code"].as_str(), bad["message"].as_str()),
        (Some("invalid_request"), Some("invalid since: expected a cursor"))
    );
    let old = ulid::Ulid::from_parts(1_000_000_000_000, 0).to_string();
    let expired = bob.request(json!({ "action": "sync", "since": old }), "s5").await;
    assert_eq!(expired["code"], "sync_expired");
    let (status, body) = server.get(&format!("/v1/sync?since={old}"), &t[1]).await;
    assert_eq!((status, body["error"]["code"].as_str()), (410, Some("sync_expired")));
    bob.assert_open().await;
}

/// Sends a `sync` and collects its events until `sync.done`, in cursor order (they are pushed
/// a few at a time and may arrive slightly out of it: docs/protocol.md).
async fn sync(client: &mut WsClient, since: &str, request_id: &str) -> (Vec<Value>, Value) {
    client.send(json!({ "action": "sync", "since": since, "requestId": request_id })).await;
    let mut events = Vec::new();
    loop {
        let frame = client.recv().await;
        if frame["type"] == "sync.done" {
            events.sort_by(|a: &Value, b: &Value| a["cursor"].as_str().cmp(&b["cursor"].as_str()));
            return (events, frame);
        }
        events.push(frame);
    }
}

async fn sync_events(client: &mut WsClient, since: &str, request_id: &str) -> Vec<Value> {
    sync(client, since, request_id).await.0
}

/// A client as a real one would be written from docs/protocol.md: it processes every frame
/// in order (a sync's in cursor order, once it is done), remembers the last cursor it
/// processed, and on reconnecting syncs from it.
struct Client {
    token: String,
    socket: Option<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>>,
    cursor: String,
    /// Messages by conversation, in the order this client learnt of them.
    view: HashMap<String, Vec<String>>,
    requests: u64,
}

impl Client {
    fn learn(&mut self, frame: &Value) {
        if let Some(c) = frame["cursor"].as_str() {
            assert!(c > self.cursor.as_str(), "cursors only grow: {c} after {}", self.cursor);
            self.cursor = c.to_string();
        }
        let kind = frame["type"].as_str().unwrap_or_default();
        let message = if kind == "message.new" || (kind == "ack" && frame["cursor"].is_string()) {
            &frame["message"]
        } else {
            return;
        };
        let (conversation, id) = (message["conversationId"].as_str().unwrap(), message["id"].as_str().unwrap());
        let seen = self.view.entry(conversation.to_string()).or_default();
        assert!(!seen.iter().any(|s| s == id), "message {id} seen twice");
        seen.push(id.to_string());
    }

    async fn next_frame(&mut self, wait: Duration) -> Option<Value> {
        let socket = self.socket.as_mut()?;
        match tokio::time::timeout(wait, socket.next()).await {
            Ok(Some(Ok(Frame::Text(t)))) => Some(serde_json::from_str(&t).unwrap()),
            Ok(Some(Ok(_))) => None,
            Ok(Some(Err(e))) => panic!("socket error: {e}"),
            Ok(None) => panic!("socket closed by the server"),
            Err(_) => None,
        }
    }

    /// Sends an action and processes every frame up to its answer.
    async fn call(&mut self, mut action: Value) -> Value {
        self.requests += 1;
        let id = format!("q{}", self.requests);
        action["requestId"] = json!(id);
        self.socket.as_mut().unwrap().send(Frame::Text(action.to_string().into())).await.unwrap();
        loop {
            let frame = self.next_frame(Duration::from_secs(10)).await.expect("an answer in time");
            if frame["requestId"] == json!(id) {
                return frame;
            }
            self.learn(&frame);
        }
    }

    async fn connect_and_sync(&mut self, server: &Server) {
        let (socket, _) = tokio_tungstenite::connect_async(server.ws_url(&self.token)).await.unwrap();
        self.socket = Some(socket);
        loop {
            let cursor = self.cursor.clone();
            let sync = json!({ "action": "sync", "since": cursor });
            self.requests += 1;
            let id = format!("q{}", self.requests);
            let mut action = sync;
            action["requestId"] = json!(id);
            self.socket.as_mut().unwrap().send(Frame::Text(action.to_string().into())).await.unwrap();
            // Everything until `sync.done` is held, then processed in cursor order.
            let mut held = Vec::new();
            let done = loop {
                let frame = self.next_frame(Duration::from_secs(10)).await.expect("sync answers");
                if frame["requestId"] == json!(id) {
                    break frame;
                }
                held.push(frame);
            };
            held.sort_by(|a: &Value, b: &Value| a["cursor"].as_str().cmp(&b["cursor"].as_str()));
            for frame in &held {
                self.learn(frame);
            }
            assert_eq!(done["type"], "sync.done", "{done}");
            if !done["more"].as_bool().unwrap() {
                return;
            }
        }
    }

    async fn drain(&mut self) {
        while let Some(frame) = self.next_frame(Duration::from_millis(100)).await {
            self.learn(&frame);
        }
    }
}

/// A small deterministic generator, so that a failure replays with the same seed.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test]
async fn randomized_clients_that_drop_and_sync_end_with_exactly_the_server_history() {
    let seed: u64 = std::env::var("MISSIVE_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_2026);
    println!("seed {seed}");
    let mut rng = Rng(seed | 1);
    let server = Server::start().await;
    let users = ["ana", "bru", "cid", "dee"];
    let tokens = server.tenant_with("chaos", &users.iter().map(|u| (*u, "member")).collect::<Vec<_>>()).await;
    // `message` notifications come from a worker, concurrently with the messages, so their
    // cursors interleave with the messages' (docs/protocol.md): this run is about messages.
    for t in &tokens {
        server.quiet_message_notifications(t).await;
    }
    let group = server
        .create_conversation(&tokens[0], json!({ "kind": "group", "title": "All", "memberIds": ["bru", "cid", "dee"] }))
        .await;
    let pair = server.create_conversation(&tokens[0], json!({ "kind": "direct", "userId": "bru" })).await;
    let trio = server
        .create_conversation(&tokens[2], json!({ "kind": "group", "title": "CBD", "memberIds": ["bru", "dee"] }))
        .await;
    let memberships: HashMap<&str, Vec<&String>> = HashMap::from([
        ("ana", vec![&group, &pair]),
        ("bru", vec![&group, &pair, &trio]),
        ("cid", vec![&group, &trio]),
        ("dee", vec![&group, &trio]),
    ]);
    let mut clients: Vec<Client> = tokens
        .iter()
        .map(|t| Client { token: t.clone(), socket: None, cursor: "0".into(), view: HashMap::new(), requests: 0 })
        .collect();
    for c in clients.iter_mut() {
        c.connect_and_sync(&server).await;
    }

    let mut sent = 0;
    for step in 0..160 {
        let who = rng.below(users.len() as u64) as usize;
        let client = &mut clients[who];
        if client.socket.is_none() {
            client.connect_and_sync(&server).await;
            continue;
        }
        match rng.below(10) {
            0 | 1 => client.socket = None, // gone without a word, frames still in flight
            2 => client.drain().await,
            _ => {
                let mine = &memberships[users[who]];
                let conversation = mine[rng.below(mine.len() as u64) as usize];
                let ack = client.call(json!({ "action": "sendMessage", "conversationId": conversation, "body": format!("step {step}") })).await;
                assert_eq!(ack["type"], "ack", "{ack}");
                client.learn(&ack);
                sent += 1;
            }
        }
    }
    // Every send was acknowledged, so the histories are final; pushes can trail their acks
    // (more so on the deployed backend): each client reads until it has learnt as many
    // messages as its conversations hold, or a generous deadline passes (the comparison
    // below then says what is missing), then a last silence shows nothing more comes.
    let histories: HashMap<&String, usize> = HashMap::from([
        (&group, server.full_history(&tokens[0], &group).await.len()),
        (&pair, server.full_history(&tokens[0], &pair).await.len()),
        (&trio, server.full_history(&tokens[2], &trio).await.len()),
    ]);
    for (i, client) in clients.iter_mut().enumerate() {
        if client.socket.is_none() {
            client.connect_and_sync(&server).await;
        }
        let wanted: usize = memberships[users[i]].iter().map(|c| histories[*c]).sum();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while client.view.values().map(Vec::len).sum::<usize>() < wanted && tokio::time::Instant::now() < deadline {
            client.drain().await;
        }
        client.drain().await;
    }

    assert!(sent > 50, "the run sent {sent} messages");
    for (i, client) in clients.iter().enumerate() {
        for conversation in &memberships[users[i]] {
            let history: Vec<String> = server
                .full_history(&client.token, conversation)
                .await
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string())
                .collect();
            let view = client.view.get(*conversation).cloned().unwrap_or_default();
            assert_eq!(view, history, "{}'s view of {conversation} (seed {seed})", users[i]);
            assert_eq!(view.iter().collect::<HashSet<_>>().len(), view.len());
        }
    }
}

/// "Connect first, then sync: an event published meanwhile is either in the sync or pushed
/// live after it, never lost" — while another client sends as fast as it can. Each round, a
/// fresh connection syncs from the start; then every message acknowledged by then must reach it,
/// in the sync or live. One published while the sync ran may come both ways: with the same
/// cursor, and at most twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_and_syncing_while_messages_flow_loses_none() {
    // Alice sends without a pause for as long as the rounds take: on a loaded machine, more
    // than the 60 frames in 10 s a connection may send.
    let server = Server::start_with(&[], &[("MISSIVE_MAX_FRAMES_PER_10S", "100000")]).await;
    let t = server.tenant_with("flow", &[("alice", "member"), ("bob", "member")]).await;
    server.quiet_message_notifications(&t[1]).await;
    let conversation = server.create_conversation(&t[0], json!({ "kind": "direct", "userId": "bob" })).await;
    let acked: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = {
        let (acked, stop, mut alice) = (acked.clone(), stop.clone(), WsClient::connect(&server, &t[0]).await);
        let conversation = conversation.clone();
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let message = alice.send_message(&conversation, &format!("flux {i}"), &format!("f{i}")).await;
                acked.lock().unwrap().push(message["id"].as_str().unwrap().to_string());
                i += 1;
            }
        })
    };
    let mut overlaps = 0;
    for round in 0..25 {
        // Each round connects while the sender is at work: after one more acknowledgement.
        let before = acked.lock().unwrap().len();
        while acked.lock().unwrap().len() == before {
            if sender.is_finished() {
                sender.await.expect("the sender failed"); // its panic, rather than waiting forever
                panic!("the sender stopped");
            }
            tokio::task::yield_now().await;
        }
        let mut bob = WsClient::connect(&server, &t[1]).await;
        bob.send(json!({ "action": "sync", "since": "0", "requestId": format!("s{round}") })).await;
        // Message id → the cursors it came with.
        let mut received: HashMap<String, Vec<String>> = HashMap::new();
        let take = |received: &mut HashMap<String, Vec<String>>, frame: &Value| {
            if frame["type"] == "message.new" {
                let id = frame["message"]["id"].as_str().unwrap().to_string();
                received.entry(id).or_default().push(frame["cursor"].as_str().unwrap().to_string());
            }
        };
        loop {
            let frame = bob.recv().await;
            if frame["type"] == "sync.done" {
                break;
            }
            take(&mut received, &frame);
        }
        let expected: Vec<String> = acked.lock().unwrap().clone();
        while !expected.iter().all(|id| received.contains_key(id)) {
            take(&mut received, &bob.recv().await); // fails the test if an acknowledged message never comes
        }
        for (id, cursors) in &received {
            assert!(cursors.len() <= 2, "round {round}: {id} came {} times", cursors.len());
            assert!(cursors.iter().all(|c| c == id), "round {round}: {id} came with cursors {cursors:?}");
            overlaps += usize::from(cursors.len() == 2);
        }
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    sender.await.unwrap();
    println!("{overlaps} messages came both in a sync and live");
    assert!(acked.lock().unwrap().len() > 25, "messages flowed during the rounds");
}
