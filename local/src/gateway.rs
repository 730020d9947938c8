//! The local WebSocket endpoint, behaving like API Gateway: it authenticates `?token=` before
//! the upgrade (as the `$connect` authorizer does), then calls the realtime core the Lambda
//! functions' handlers call — connect, each frame, disconnect — with the identity and the
//! connection. Frames to clients leave through the push port, as they do through
//! `PostToConnection` on AWS.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use missive::domain::ConnectionId;
use missive::usecases::Identity;
use missive::{ws, App, AppError};
use tokio::sync::{mpsc, watch};

use missive::adapters::local::LocalPush;

/// What the local gateway enforces, as API Gateway does.
#[derive(Clone, Debug)]
pub struct GatewayLimits {
    /// A connection without traffic for this long is closed (API Gateway: 10 minutes).
    pub idle_timeout: Duration,
    /// A connection is closed after this long in any case (API Gateway: 2 hours).
    pub max_lifetime: Duration,
}

#[derive(Clone)]
pub struct Gateway {
    pub app: Arc<App>,
    pub push: Arc<LocalPush>,
    pub limits: GatewayLimits,
    pub shutdown: watch::Receiver<bool>,
    /// Sockets still open, so that a shutdown can wait for their `$disconnect`.
    pub open_sockets: Arc<std::sync::atomic::AtomicUsize>,
}

impl Gateway {
    /// After the shutdown signal: waits (a few seconds at most) until every socket has run
    /// its `$disconnect`, so that no connection record outlives the process.
    pub async fn drain(open_sockets: &std::sync::atomic::AtomicUsize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while open_sockets.load(std::sync::atomic::Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Frames up to this size are read and answered (those over the 32 KB limit with an
/// `error`); only a larger one closes the socket, as no client should send it.
const READ_LIMIT_BYTES: usize = 1024 * 1024;
/// Each socket's read buffer starts this small (1 KiB) and grows only for a larger frame:
/// tungstenite's default (128 KiB per socket) is what dominated an idle socket's memory.
const READ_BUFFER_BYTES: usize = 1024;
/// Frames written before a flush gather up to this much; the buffer grows only with use, so an
/// idle socket holds none of it.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

pub async fn endpoint(
    State(gw): State<Gateway>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let connection_id = match ConnectionId::parse(ulid::Ulid::new().to_string()) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };

    let authenticated = async {
        let token = query.get("token").ok_or(AppError::Unauthorized("missing token"))?;
        gw.app.identity.authenticate(token).await
    };
    let who = match authenticated.await {
        Ok(who) => who,
        Err(e) => return e.into_response(),
    };

    let (outbox, outgoing) = mpsc::unbounded_channel();
    gw.push.register(connection_id.clone(), outbox);
    if let Err(e) = ws::connect(&gw.app, &who, &connection_id).await {
        gw.push.unregister(&connection_id);
        return e.into_response();
    }

    upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        // Frames gather in the write buffer until the writer flushes (see `write_frames`).
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_message_size(READ_LIMIT_BYTES)
        .max_frame_size(READ_LIMIT_BYTES)
        .on_upgrade(move |socket| serve_socket(gw, socket, connection_id, who, outgoing))
}

async fn serve_socket(
    gw: Gateway,
    socket: WebSocket,
    connection_id: ConnectionId,
    who: Identity,
    outgoing: mpsc::UnboundedReceiver<Bytes>,
) {
    gw.open_sockets.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let (sink, mut stream) = socket.split();
    let writer = tokio::spawn(write_frames(sink, outgoing));

    let mut shutdown = gw.shutdown.clone();
    let deadline = tokio::time::sleep(gw.limits.max_lifetime);
    tokio::pin!(deadline);
    loop {
        let next = tokio::select! {
            next = tokio::time::timeout(gw.limits.idle_timeout, stream.next()) => next,
            _ = &mut deadline => break,
            _ = shutdown.changed() => break,
        };
        let text = match next {
            Err(_idle) => break,
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => break,
            Ok(Some(Ok(Message::Text(text)))) => text.to_string(),
            Ok(Some(Ok(Message::Binary(_)))) => {
                r#"{"action":"$binary"}"#.to_string() // answered as an unknown action
            }
            Ok(Some(Ok(_ping_or_pong))) => continue,
        };
        // One frame at a time per connection, so answers keep the order of the requests.
        // Boxed: the handler's future is large, and inline it would make every idle
        // socket's task hold that much memory between frames.
        let received_at = gw.app.ports.clock.now();
        Box::pin(ws::frame(&gw.app, &who, &connection_id, &text, received_at)).await;
    }

    gw.push.unregister(&connection_id);
    if let Err(e) = Box::pin(ws::disconnect(&gw.app, &who, &connection_id)).await {
        e.log_if_internal();
    }
    let _ = writer.await;
    gw.open_sockets.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
}

/// Writes the socket's outgoing frames: each frame with those queued behind it, in one write.
/// With TCP_NODELAY each write is a packet; under load (a large group's traffic) frames queue,
/// and a socket sends a few large writes instead of many small ones — the batching Nagle's
/// algorithm would do, without its 40 ms stalls at a low rate.
async fn write_frames(mut sink: SplitSink<WebSocket, Message>, mut outgoing: mpsc::UnboundedReceiver<Bytes>) {
    while let Some(frame) = outgoing.recv().await {
        let mut written = sink.feed(text(frame)).await;
        while written.is_ok() {
            let Ok(next) = outgoing.try_recv() else { break };
            written = sink.feed(text(next)).await;
        }
        if written.is_err() || sink.flush().await.is_err() {
            break;
        }
    }
    let _ = sink.close().await;
}

/// A pushed frame as a text message, its buffer shared with the other sockets it went to.
/// The push port takes frames as `&str`, so the check cannot fail; were it to, the frame
/// would still go out, copied and with its invalid bytes replaced.
fn text(frame: Bytes) -> Message {
    match Utf8Bytes::try_from(frame.clone()) {
        Ok(text) => Message::Text(text),
        Err(_) => Message::Text(String::from_utf8_lossy(&frame).into_owned().into()),
    }
}
