//! Time and new ids, as ports so that tests can set them.

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// New ids: ULIDs, monotonic within a process, so that messages sent in the same
/// millisecond still sort in the order they were accepted.
pub trait Ids: Send + Sync {
    fn ulid(&self) -> String;
}
