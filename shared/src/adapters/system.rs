//! The clock and ids of a real process.

use chrono::{DateTime, Utc};

use crate::ports::{Clock, Ids};

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// ULIDs from one generator per process, so that ids made in the same millisecond still
/// sort in the order they were made.
#[derive(Default)]
pub struct UlidIds(std::sync::Mutex<ulid::Generator>);

impl Ids for UlidIds {
    fn ulid(&self) -> String {
        let mut generator = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // The generator only fails when 80 random bits overflow within one millisecond;
        // a fresh ULID is then still unique, just not monotonic for that one id.
        generator.generate().unwrap_or_else(|_| ulid::Ulid::new()).to_string()
    }
}
