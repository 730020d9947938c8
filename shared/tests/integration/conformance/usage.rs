//! Usage counters: what is taken stays within the limit, whoever takes it, per tenant and
//! counter.

use chrono::Duration;
use missive::ports::*;

use super::*;

fn take(counter: &str, wanted: u64, at_least: u64, limit: u64, with: &[&str]) -> UsageTake {
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    UsageTake {
        counter: counter.into(),
        counted_with: with.iter().map(|c| c.to_string()).collect(),
        wanted,
        at_least,
        limit,
        expires_at: now + Duration::minutes(1),
        now,
    }
}

async fn usage_is_taken_within_the_limit_and_given_back<S: UsageStore + ?Sized>(store: &S) {
    let t1 = tid("t1");
    assert_eq!(store.take_usage(&t1, &take("m@1", 4, 1, 10, &[])).await.unwrap(), 4);
    assert_eq!(store.take_usage(&t1, &take("m@1", 4, 1, 10, &[])).await.unwrap(), 4);
    assert_eq!(store.take_usage(&t1, &take("m@1", 4, 1, 10, &[])).await.unwrap(), 2, "what is left of the limit");
    assert_eq!(store.take_usage(&t1, &take("m@1", 1, 1, 10, &[])).await.unwrap(), 0, "the limit is reached");
    assert_eq!(store.take_usage(&t1, &take("m@1", 1, 1, 11, &[])).await.unwrap(), 1, "a raised limit counts at once");
    assert_eq!(store.take_usage(&tid("t2"), &take("m@1", 3, 1, 3, &[])).await.unwrap(), 3, "tenants are apart");
    assert_eq!(store.take_usage(&t1, &take("m@2", 5, 1, 5, &[])).await.unwrap(), 5, "counters are apart");

    // All or nothing: bytes of an upload.
    assert_eq!(store.take_usage(&t1, &take("b@1", 700, 700, 1000, &[])).await.unwrap(), 700);
    assert_eq!(store.take_usage(&t1, &take("b@1", 400, 400, 1000, &[])).await.unwrap(), 0, "not 300 of 400");
    assert_eq!(store.take_usage(&t1, &take("b@1", 300, 300, 1000, &[])).await.unwrap(), 300);

    // Connections: the current slot counted with the earlier ones, and given back.
    assert_eq!(store.take_usage(&t1, &take("c@1", 1, 1, 2, &[])).await.unwrap(), 1);
    assert_eq!(store.take_usage(&t1, &take("c@2", 1, 1, 2, &["c@1"])).await.unwrap(), 1);
    assert_eq!(store.take_usage(&t1, &take("c@2", 1, 1, 2, &["c@1"])).await.unwrap(), 0, "two open in all");
    store.return_usage(&t1, "c@1", 1).await.unwrap();
    assert_eq!(store.take_usage(&t1, &take("c@2", 1, 1, 2, &["c@1"])).await.unwrap(), 1, "one closed: one more");
    store.return_usage(&t1, "c@1", 1).await.unwrap();
    store.return_usage(&t1, "never-taken", 1).await.unwrap();
    assert_eq!(store.take_usage(&t1, &take("c@3", 1, 1, 2, &["c@1", "c@2"])).await.unwrap(), 0, "never below zero");
}

/// Many takers at once (Lambda environments) never take more than the limit together.
async fn concurrent_takers_never_exceed_the_limit<S: UsageStore + ?Sized>(store: &S) {
    let t = tid("busy");
    let one = take("m@1", 3, 1, 25, &[]);
    let takes = (0..20).map(|_| store.take_usage(&t, &one));
    let granted: u64 = futures_util::future::join_all(takes).await.into_iter().map(Result::unwrap).sum();
    assert_eq!(granted, 25, "every unit of the limit, and not one more");
}

conforms!(usage_is_taken_within_the_limit_and_given_back, concurrent_takers_never_exceed_the_limit);
