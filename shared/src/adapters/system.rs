//! The clock and ids of a real process.
//!
//! Both may run ahead of the machine's time by an offset that tests set — and only tests: what
//! depends on days passing (retention) is proved by restarting the same deployment later
//! without waiting. The offset, in seconds, is read once at start from the file that
//! `MISSIVE_TEST_CLOCK_OFFSET_FILE` names (a missing file: none); a deployment never sets it.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

use crate::ports::{Clock, Ids};

/// The variable naming the offset's file (tests only).
pub const CLOCK_OFFSET_FILE_VAR: &str = "MISSIVE_TEST_CLOCK_OFFSET_FILE";

/// How far ahead of the machine's time this process runs: none unless a test says so.
pub fn clock_offset_from_env() -> Duration {
    let Ok(path) = std::env::var(CLOCK_OFFSET_FILE_VAR) else { return Duration::ZERO };
    let seconds = std::fs::read_to_string(&path).ok().and_then(|text| text.trim().parse::<u64>().ok());
    let offset = Duration::from_secs(seconds.unwrap_or(0));
    if !offset.is_zero() {
        tracing::warn!(seconds = offset.as_secs(), "the clock runs ahead of the machine's (a test's offset)");
    }
    offset
}

#[derive(Default)]
pub struct SystemClock {
    pub offset: Duration,
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(SystemTime::now() + self.offset)
    }
}

/// ULIDs from one generator per process, so that ids made in the same millisecond still
/// sort in the order they were made; their time is the clock's (with its offset).
#[derive(Default)]
pub struct UlidIds {
    generator: std::sync::Mutex<ulid::Generator>,
    offset: Duration,
}

impl UlidIds {
    pub fn with_offset(offset: Duration) -> Self {
        Self { generator: Default::default(), offset }
    }
}

impl Ids for UlidIds {
    fn ulid(&self) -> String {
        let mut generator = self.generator.lock().unwrap_or_else(|p| p.into_inner());
        let now = SystemTime::now() + self.offset;
        // The generator only fails when 80 random bits overflow within one millisecond;
        // a fresh ULID is then still unique, just not monotonic for that one id.
        generator.generate_from_datetime(now).unwrap_or_else(|_| ulid::Ulid::from_datetime(now)).to_string()
    }
}
