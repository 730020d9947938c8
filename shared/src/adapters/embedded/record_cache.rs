//! Records as last read, kept in memory by key, for what is read far more often than it is
//! written: each user's connection records (a message's fan-out reads every recipient's, and
//! decoding them — three timestamps each — was a tenth of the server's CPU in a large group),
//! and each conversation's members' ids (every send reads them; they change only when members
//! are added or removed).
//!
//! The store is this process's alone (redb holds the file exclusively), so every write of what
//! is kept passes through [`RecordCache::forget`] after it commits. A read that raced such a
//! write must not keep what it read: each write moves `epoch` first, and a read keeps its
//! records only if `epoch` has not moved since it began ([`RecordCache::keep`], under the same
//! lock `forget` takes after moving it).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Keys kept at most; past it the memory starts again empty.
const MAX_KEYS: usize = 100_000;

pub(super) struct RecordCache<T> {
    kept: Mutex<HashMap<String, T>>,
    epoch: AtomicU64,
}

impl<T> Default for RecordCache<T> {
    fn default() -> Self {
        Self { kept: Mutex::default(), epoch: AtomicU64::default() }
    }
}

impl<T: Clone> RecordCache<T> {
    /// Where a read begins: pass it to [`RecordCache::keep`].
    pub(super) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// What is kept for each of `keys`, `None` for those to read.
    pub(super) fn lookup(&self, keys: &[String]) -> Vec<Option<T>> {
        let kept = self.kept.lock().expect("record cache lock");
        keys.iter().map(|k| kept.get(k).cloned()).collect()
    }

    /// Keeps what a read that began at `epoch` found, unless something kept was written since.
    pub(super) fn keep(&self, epoch: u64, read: Vec<(String, T)>) {
        let mut kept = self.kept.lock().expect("record cache lock");
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if kept.len() + read.len() > MAX_KEYS {
            kept.clear();
        }
        kept.extend(read);
    }

    /// After a write of `key`'s records committed: what is kept of them is stale.
    pub(super) fn forget(&self, key: &str) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.kept.lock().expect("record cache lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let cache: RecordCache<Vec<u8>> = RecordCache::default();
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
