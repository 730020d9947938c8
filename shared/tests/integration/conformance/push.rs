//! Pushing to connections: a live connection receives each frame once, in order; a gone one
//! answers `Gone` (and only it), so that its record can be dropped. Run on the local
//! runtime's sockets and on API Gateway's management API (the real SDK against a server that
//! answers as API Gateway does, 410 for a gone connection).

use missive::adapters::aws::apigw_push::ApiGatewayPush;
use missive::adapters::local::LocalPush;
use missive::domain::ConnectionId;
use missive::ports::{Push, PushError};

fn id(s: &str) -> ConnectionId {
    ConnectionId::parse(s).unwrap()
}

/// `received()` tells what the live connection `live-1=` received so far.
async fn frames_reach_live_connections_and_gone_ones_say_so<P, F>(push: &P, received: F)
where
    P: Push + ?Sized,
    F: Fn() -> Vec<String>,
{
    for frame in [r#"{"type":"a"}"#, r#"{"type":"b","text":"é"}"#] {
        push.push_to_connection(&id("live-1="), frame).await.unwrap();
    }
    assert_eq!(received(), [r#"{"type":"a"}"#, r#"{"type":"b","text":"é"}"#], "once each, in order, byte for byte");
    assert!(matches!(push.push_to_connection(&id("gone-2"), "{}").await, Err(PushError::Gone)));
    assert_eq!(received().len(), 2, "nothing else reached the live connection");

    // To several connections at once: each outcome in the connections' order.
    let outcomes = push.push_to_connections(&[&id("gone-2"), &id("live-1="), &id("gone-3")], r#"{"type":"c"}"#).await;
    let outcomes: Vec<bool> = outcomes.iter().map(|o| matches!(o, Err(PushError::Gone))).collect();
    assert_eq!(outcomes, [true, false, true], "gone, delivered, gone");
    assert_eq!(received().last().map(String::as_str), Some(r#"{"type":"c"}"#), "the live one got it, once");
    assert_eq!(received().len(), 3);
}

mod frames_reach_live_connections_and_gone_ones_say_so {
    use std::sync::Mutex;

    use super::*;

    #[tokio::test]
    async fn on_the_local_sockets() {
        let push = LocalPush::default();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        push.register(id("live-1="), tx);
        let rx = Mutex::new(rx);
        let seen = Mutex::new(Vec::new());
        let received = || {
            let mut seen = seen.lock().unwrap();
            while let Ok(frame) = rx.lock().unwrap().try_recv() {
                seen.push(String::from_utf8(Vec::from(frame)).unwrap());
            }
            seen.clone()
        };
        frames_reach_live_connections_and_gone_ones_say_so(&push, received).await;
        push.unregister(&id("live-1="));
        assert!(matches!(push.push_to_connection(&id("live-1="), "{}").await, Err(PushError::Gone)), "closed");
    }

    #[tokio::test]
    async fn on_api_gateway() {
        let (endpoint, gateway) = crate::push::fake_gateway().await;
        let push =
            ApiGatewayPush::new(&crate::aws_support::sdk_config().await, &endpoint, missive::metrics::Metrics::off());
        let received = || gateway.received.lock().unwrap().get("live-1=").cloned().unwrap_or_default();
        frames_reach_live_connections_and_gone_ones_say_so(&push, received).await;
    }
}
