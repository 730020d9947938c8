//! The per-connection frame rate limit: a token bucket per connection, in the process that
//! reads its frames. Each connection may burst `max_frames_per_window` frames and then send
//! that many per `rate_window`, refilled continuously — there is no window boundary to
//! straddle, and checking costs no storage call.
//!
//! The buckets live in memory: the local runtime reads all of a connection's frames in one
//! process, so its limit is exact. On AWS each warm `ws-message` instance keeps its own
//! buckets, so a connection whose frames are spread over K instances may reach K times the
//! limit; API Gateway's stage throttling bounds the whole API (docs/protocol.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::ConnectionId;

/// Buckets kept before the full (forgotten-able) ones are swept.
const SWEEP_ABOVE: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
}

pub struct FrameRate {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<ConnectionId, Bucket>>,
}

impl FrameRate {
    pub fn new(max_frames: u64, window: Duration) -> Self {
        let capacity = max_frames as f64;
        Self { capacity, per_second: capacity / window.as_secs_f64().max(1e-3), buckets: Mutex::default() }
    }

    /// Takes one frame's token for `connection` at `now`; `false` when it has none left.
    pub fn admit(&self, connection: &ConnectionId, now: DateTime<Utc>) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > SWEEP_ABOVE {
            // A bucket that has refilled entirely says nothing: forget it.
            let refill = self.capacity / self.per_second;
            buckets.retain(|_, b| (now - b.at).as_seconds_f64() < refill);
        }
        let bucket = buckets.entry(connection.clone()).or_insert(Bucket { tokens: self.capacity, at: now });
        let elapsed = (now - bucket.at).as_seconds_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.capacity);
        bucket.at = now;
        if bucket.tokens < 1.0 {
            return false;
        }
        bucket.tokens -= 1.0;
        true
    }

    /// Forgets a closed connection's bucket.
    pub fn forget(&self, connection: &ConnectionId) {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).remove(connection);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_cut_at_the_limit_and_refills_steadily_whatever_the_wall_clock() {
        let limit = FrameRate::new(5, Duration::from_secs(10));
        let c = ConnectionId::parse("c1").unwrap();
        // Just before a 10-second boundary: a fixed window would let 5 more through after it.
        let t0: DateTime<Utc> = "2026-11-26T10:00:09.900Z".parse().unwrap();
        let admitted = (0..8).filter(|i| limit.admit(&c, t0 + chrono::Duration::milliseconds(50 * i))).count();
        assert_eq!(admitted, 5, "five of eight frames sent within 0.35 s");
        let later = t0 + chrono::Duration::milliseconds(350 + 2000);
        assert!(limit.admit(&c, later), "one token back after two seconds (5 per 10 s)");
        assert!(!limit.admit(&c, later), "and only one");
        assert!(limit.admit(&ConnectionId::parse("c2").unwrap(), t0), "connections are apart");
    }
}
