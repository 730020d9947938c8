//! Each user's connection records as last read, kept in memory: a message's fan-out reads the
//! records of every recipient, and decoding them from the file (three timestamps each) was a
//! tenth of the server's CPU in a large group. Connections change rarely next to how often they
//! are read (a connect or disconnect against every message to their user).
//!
//! The store is this process's alone (redb holds the file exclusively), so every write of a
//! connection passes through [`ConnectionCache::forget`] after it commits. A read that raced
//! such a write must not keep what it read: each write moves `epoch` first, and a read keeps its
//! records only if `epoch` has not moved since it began ([`ConnectionCache::keep`], under the
//! same lock `forget` takes after moving it).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::domain::Connection;

/// Users whose records are kept at most; past it the memory starts again empty.
const MAX_USERS: usize = 100_000;

#[derive(Default)]
pub(super) struct ConnectionCache {
    /// Every record of a user (live or expired: expiry is checked when read), by the user's key
    /// prefix.
    users: Mutex<HashMap<String, Vec<Connection>>>,
    epoch: AtomicU64,
}

impl ConnectionCache {
    /// Where a read begins: pass it to [`ConnectionCache::keep`].
    pub(super) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The records kept for each of `users`, `None` for those to read.
    pub(super) fn lookup(&self, users: &[String]) -> Vec<Option<Vec<Connection>>> {
        let kept = self.users.lock().expect("connection cache lock");
        users.iter().map(|u| kept.get(u).cloned()).collect()
    }

    /// Keeps what a read that began at `epoch` found, unless a connection was written since.
    pub(super) fn keep(&self, epoch: u64, read: Vec<(String, Vec<Connection>)>) {
        let mut kept = self.users.lock().expect("connection cache lock");
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if kept.len() + read.len() > MAX_USERS {
            kept.clear();
        }
        kept.extend(read);
    }

    /// After a write of `user`'s connections committed: what is kept of them is stale.
    pub(super) fn forget(&self, user: &str) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.users.lock().expect("connection cache lock").remove(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let cache = ConnectionCache::default();
        let began = cache.epoch();
        cache.forget("u1");
        cache.keep(began, vec![("u1".into(), Vec::new())]);
        assert_eq!(cache.lookup(&["u1".into()]), vec![None]);

        let began = cache.epoch();
        cache.keep(began, vec![("u1".into(), Vec::new())]);
        assert_eq!(cache.lookup(&["u1".into()]), vec![Some(Vec::new())]);
        cache.forget("u1");
        assert_eq!(cache.lookup(&["u1".into()]), vec![None]);
    }
}
