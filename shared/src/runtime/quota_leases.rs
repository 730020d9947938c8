//! Quota leases: what this process took from a tenant's count for the current window and has
//! not used yet, so that a send asks the store only once per lease, not once per message. A
//! process that goes quiet takes one at a time; one that keeps sending takes twice as many
//! each time, up to a sixty-fourth of the limit. What a process leases and does not use by the
//! window's end is lost for that window: the limit is never exceeded, and is at worst reached
//! early by that much per busy process.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::domain::TenantId;

/// Leases kept at most; past it the memory starts again empty (what it held is then lost).
const MAX_LEASES: usize = 10_000;

#[derive(Default)]
pub struct QuotaLeases {
    leases: Mutex<HashMap<TenantId, Lease>>,
}

struct Lease {
    window: DateTime<Utc>,
    left: u64,
    /// How many leases this window so far: the next one is twice the last.
    taken: u32,
}

impl QuotaLeases {
    /// Uses one of the tenant's lease for the window starting at `window`, if one is left.
    pub fn use_one(&self, tenant: &TenantId, window: DateTime<Utc>) -> bool {
        let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        match leases.get_mut(tenant) {
            Some(lease) if lease.window == window && lease.left > 0 => {
                lease.left -= 1;
                true
            }
            _ => false,
        }
    }

    /// How much to ask the store for next, within `limit`.
    pub fn next_size(&self, tenant: &TenantId, window: DateTime<Utc>, limit: u64) -> u64 {
        let leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        let taken = leases.get(tenant).filter(|l| l.window == window).map_or(0, |l| l.taken);
        let most = (limit / 64).max(1);
        1u64.checked_shl(taken).unwrap_or(u64::MAX).min(most)
    }

    /// Puts back one used for nothing (a repeated send, stored already) into the lease of
    /// `window`, if it is still this process's window.
    pub fn put_back(&self, tenant: &TenantId, window: DateTime<Utc>) {
        let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(lease) = leases.get_mut(tenant).filter(|l| l.window == window) {
            lease.left += 1;
        }
    }

    /// Keeps what the store granted beyond the one used at once.
    pub fn keep(&self, tenant: &TenantId, window: DateTime<Utc>, unused: u64) {
        let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        if leases.len() >= MAX_LEASES && !leases.contains_key(tenant) {
            leases.clear();
        }
        let lease = leases.entry(tenant.clone()).or_insert(Lease { window, left: 0, taken: 0 });
        if lease.window != window {
            *lease = Lease { window, left: 0, taken: 0 };
        }
        lease.left += unused;
        lease.taken += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_double_up_to_a_sixty_fourth_of_the_limit_and_end_with_their_window() {
        let leases = QuotaLeases::default();
        let tenant = TenantId::parse("acme").unwrap();
        let w1: DateTime<Utc> = "2026-12-06T10:00:00Z".parse().unwrap();
        let w2: DateTime<Utc> = "2026-12-06T10:01:00Z".parse().unwrap();
        assert!(!leases.use_one(&tenant, w1));
        let sizes: Vec<u64> = (0..9)
            .map(|_| {
                let size = leases.next_size(&tenant, w1, 6400);
                leases.keep(&tenant, w1, size - 1);
                size
            })
            .collect();
        assert_eq!(sizes, [1, 2, 4, 8, 16, 32, 64, 100, 100]);
        assert!(leases.use_one(&tenant, w1));
        assert!(!leases.use_one(&tenant, w2), "a lease is for its window only");
        assert_eq!(leases.next_size(&tenant, w2, 6400), 1);
        assert_eq!(leases.next_size(&tenant, w2, 3), 1, "a small limit leases one at a time");
    }
}
