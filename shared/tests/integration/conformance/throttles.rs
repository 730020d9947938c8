//! Claims: one holder until a time, whatever the number of callers.

use chrono::Duration;
use missive::ports::*;

use super::*;

async fn a_claim_is_held_until_it_lapses<S: ThrottleStore + ?Sized>(store: &S) {
    let start = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let until = |s: i64| start + Duration::seconds(s);
    assert!(store.try_claim(&tid("t1"), "typing:x", start, until(2)).await.unwrap());
    assert!(!store.try_claim(&tid("t1"), "typing:x", until(1), until(3)).await.unwrap(), "held until 2 s");
    assert!(store.try_claim(&tid("t2"), "typing:x", until(1), until(3)).await.unwrap(), "tenants are apart");
    assert!(store.try_claim(&tid("t1"), "typing:y", until(1), until(3)).await.unwrap(), "keys are apart");
    assert!(store.try_claim(&tid("t1"), "typing:x", until(2), until(4)).await.unwrap(), "free again once it lapsed");
    store.release_claim(&tid("t1"), "typing:x").await.unwrap();
    assert!(store.try_claim(&tid("t1"), "typing:x", until(2), until(4)).await.unwrap(), "free again once given up");
    assert!(!store.try_claim(&tid("t2"), "typing:x", until(2), until(4)).await.unwrap(), "only that tenant's");
    store.release_claim(&tid("t1"), "never-taken").await.unwrap();
}

conforms!(a_claim_is_held_until_it_lapses);
