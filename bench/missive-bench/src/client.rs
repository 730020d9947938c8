//! A load client: one WebSocket connection, a writer fed by a channel, and a reader that
//! records the latency of every measured `message.new` it receives.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::stats::Samples;

/// Nanoseconds since the benchmark started: one clock for every client in this process.
pub fn now_ns() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// A message's body says whether it is measured (`m:`) or warm-up (`w:`) and when it was sent.
pub fn body(measured: bool, sent_ns: u64) -> String {
    format!("{}:{sent_ns}", if measured { 'm' } else { 'w' })
}

/// What every reader adds to.
#[derive(Default)]
pub struct Tally {
    pub delivered: AtomicU64,
    pub last_delivery_ns: AtomicU64,
}

pub struct Client {
    pub outbox: mpsc::UnboundedSender<String>,
    reader: JoinHandle<Samples>,
}

/// Client sockets keep small buffers, so that thousands fit in the load process.
fn config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0)
}

impl Client {
    pub async fn connect(url: &str, tally: Arc<Tally>, stop: watch::Receiver<bool>) -> anyhow::Result<Client> {
        let (stream, _) = tokio_tungstenite::connect_async_with_config(url, Some(config()), true).await?;
        let (mut sink, mut stream) = stream.split();
        let (outbox, mut frames) = mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            while let Some(frame) = frames.recv().await {
                if sink.send(Message::text(frame)).await.is_err() {
                    return;
                }
            }
            let _ = sink.close().await;
        });
        let reader = tokio::spawn(async move {
            let mut samples = Samples::default();
            let mut stop = stop;
            loop {
                let frame = tokio::select! {
                    frame = stream.next() => frame,
                    _ = stop.changed() => return samples,
                };
                let Some(Ok(Message::Text(text))) = frame else {
                    if frame.is_none() {
                        return samples;
                    }
                    continue;
                };
                let received = now_ns();
                if let Some(sent) = measured_send_time(&text) {
                    samples.push(received.saturating_sub(sent));
                    tally.delivered.fetch_add(1, Ordering::Relaxed);
                    tally.last_delivery_ns.fetch_max(received, Ordering::Relaxed);
                }
            }
        });
        Ok(Client { outbox, reader })
    }

    /// Stops reading (the stop signal must have been sent) and hands back the samples.
    pub async fn finish(self) -> Samples {
        drop(self.outbox);
        self.reader.await.unwrap_or_default()
    }
}

/// The send time of a measured `message.new`, cheaply: most frames are not one.
fn measured_send_time(frame: &str) -> Option<u64> {
    if !frame.contains("\"message.new\"") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(frame).ok()?;
    let body = value["message"]["body"].as_str()?;
    body.strip_prefix("m:")?.parse().ok()
}

/// An idle connection: connected, then left alone.
pub async fn connect_idle(
    url: &str,
) -> anyhow::Result<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>> {
    Ok(tokio_tungstenite::connect_async_with_config(url, Some(config()), true).await?.0)
}
