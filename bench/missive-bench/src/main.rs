//! `missive-bench`: measures Missive's local runtime as a load client sees it — delivery
//! latency and deliveries per second for a direct conversation and a group of 100, memory per
//! idle WebSocket and connects per second, and bytes stored per message. It starts the real
//! `missive-local` (a release build, beside this binary) on loopback with its own data.
//! docs/performance.md gives the method and the figures.
//!
//! ```sh
//! cargo build --release -p missive-local -p missive-bench
//! bash -c 'ulimit -n 65536 && target/release/missive-bench'
//! ```

mod client;
mod server;
mod stats;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::client::{body, now_ns, Client, Tally};
use crate::server::{token, Server};
use crate::stats::Samples;

#[derive(Parser)]
#[command(name = "missive-bench", about = "Measures Missive's local runtime")]
struct Args {
    /// Cases to run, comma-separated: direct, group100_100, group100_1000, idle.
    #[arg(long, default_value = "direct,group100_100,group100_1000,idle", value_delimiter = ',')]
    cases: Vec<String>,
    /// Seconds of measured sending per message case (after one second of warm-up).
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Idle connections to open.
    #[arg(long, default_value_t = 10_000)]
    idle: usize,
    /// Seconds to wait, after the last message was sent, for every delivery.
    #[arg(long, default_value_t = 30)]
    drain: u64,
    /// The `missive-local` binary (default: beside this one).
    #[arg(long)]
    server: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = args.server.clone().unwrap_or_else(server::default_binary);
    let mut results = Vec::new();
    for case in &args.cases {
        // A fresh server for each case, so that no case measures another's leftovers.
        let server = Server::start(&binary).await?;
        let result = match case.as_str() {
            "direct" => messages(&server, "direct", 2, 500, &args).await?,
            "group100_100" => messages(&server, "group100_100", 100, 100, &args).await?,
            "group100_1000" => messages(&server, "group100_1000", 100, 1000, &args).await?,
            "idle" => idle(&server, args.idle).await?,
            other => anyhow::bail!("unknown case {other}"),
        };
        println!("{result}");
        results.push(result);
    }
    print_table(&results);
    Ok(())
}

/// `members` clients in one conversation; messages at `rate` per second, sent in turn by
/// every member (by the first of a direct pair), each received by every other member.
async fn messages(server: &Server, case: &str, members: usize, rate: u64, args: &Args) -> anyhow::Result<Value> {
    let users: Vec<String> = (0..members).map(|i| format!("{case}-u{i}")).collect();
    server.create_users(&users).await?;
    let conversation = if members == 2 {
        json!({ "kind": "direct", "userId": users[1] })
    } else {
        json!({ "kind": "group", "title": case, "memberIds": users[1..] })
    };
    let created = server.request("POST", "/v1/conversations", &token(&users[0]), conversation).await?;
    let conversation_id = created["id"].as_str().context("no conversation id")?.to_string();

    let tally = Arc::new(Tally::default());
    let (stop, stopped) = watch::channel(false);
    let mut clients = Vec::with_capacity(members);
    for user in &users {
        clients.push(Client::connect(&server.ws_url(&token(user)), tally.clone(), stopped.clone()).await?);
    }
    let senders = if members == 2 { 1 } else { members };
    let stored_before = server.stored_bytes()?;

    // One second of warm-up, then the measured window, on a fixed schedule: message i leaves
    // at t0 + i / rate, however late the previous one left.
    let warm_up = rate;
    let measured = rate * args.duration;
    let t0 = Instant::now();
    let mut first_measured_ns = 0;
    for i in 0..warm_up + measured {
        tokio::time::sleep_until(t0 + Duration::from_nanos(i * 1_000_000_000 / rate)).await;
        let is_measured = i >= warm_up;
        let sent = now_ns();
        if is_measured && first_measured_ns == 0 {
            first_measured_ns = sent;
        }
        let frame =
            json!({ "action": "sendMessage", "conversationId": conversation_id, "body": body(is_measured, sent) });
        let _ = clients[i as usize % senders].outbox.send(frame.to_string());
    }
    let expected = measured * (members as u64 - 1);
    let drain_until = Instant::now() + Duration::from_secs(args.drain);
    while tally.delivered.load(Ordering::Relaxed) < expected && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    let mut samples = Samples::default();
    for client in clients {
        samples.extend(client.finish().await);
    }
    let delivered = tally.delivered.load(Ordering::Relaxed);
    let span_s = (tally.last_delivery_ns.load(Ordering::Relaxed).saturating_sub(first_measured_ns)) as f64 / 1e9;
    let stored = server.stored_bytes()?.saturating_sub(stored_before);
    Ok(json!({
        "case": case,
        "members": members,
        "rate": rate,
        "sent": measured,
        "expected": expected,
        "delivered": delivered,
        "p50_ms": round2(samples.quantile_ms(0.50)),
        "p90_ms": round2(samples.quantile_ms(0.90)),
        "p99_ms": round2(samples.quantile_ms(0.99)),
        "max_ms": round2(samples.quantile_ms(1.0)),
        "deliveries_per_s": (delivered as f64 / span_s.max(1e-9)).round(),
        "stored_bytes_per_message": stored / (warm_up + measured),
        "server_rss_mib": server.rss_kib()? / 1024,
    }))
}

/// `count` idle connections (a hundred per user), opened 256 at a time: how fast they open
/// and how much server memory each holds once opened.
async fn idle(server: &Server, count: usize) -> anyhow::Result<Value> {
    let users: Vec<String> = (0..100).map(|i| format!("idle-u{i}")).collect();
    server.create_users(&users).await?;
    let urls: Vec<String> = users.iter().map(|u| server.ws_url(&token(u))).collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = server.rss_kib()?;
    let started = Instant::now();
    let connections: Vec<_> = stream::iter(0..count)
        .map(|i| client::connect_idle(&urls[i % urls.len()]))
        .buffer_unordered(256)
        .collect()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let open: Vec<_> = connections.into_iter().collect::<Result<_, _>>().context("a connection failed (ulimit -n?)")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = server.rss_kib()?;
    let result = json!({
        "case": "idle",
        "connections": open.len(),
        "connects_per_s": (count as f64 / elapsed).round(),
        "kib_per_connection": round2((rss_after.saturating_sub(rss_before)) as f64 / count as f64),
        "server_rss_mib": rss_after / 1024,
    });
    drop(open);
    Ok(result)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn print_table(results: &[Value]) {
    println!();
    println!(
        "{:<14} {:>9} {:>9} {:>9} {:>13} {:>10}",
        "case", "p50 ms", "p99 ms", "max ms", "deliveries/s", "B/message"
    );
    for r in results.iter().filter(|r| r["case"] != "idle") {
        println!(
            "{:<14} {:>9} {:>9} {:>9} {:>13} {:>10}",
            r["case"].as_str().unwrap_or_default(),
            r["p50_ms"].to_string(),
            r["p99_ms"].to_string(),
            r["max_ms"].to_string(),
            r["deliveries_per_s"].to_string(),
            r["stored_bytes_per_message"].to_string()
        );
    }
    for r in results.iter().filter(|r| r["case"] == "idle") {
        println!(
            "idle: {} connections, {} connects/s, {} KiB each",
            r["connections"], r["connects_per_s"], r["kib_per_connection"]
        );
    }
}
