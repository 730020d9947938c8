//! Rate counters and claims.

use chrono::Duration;
use missive::ports::*;

use super::*;

async fn counters_and_claims_hold_across_calls<S: ThrottleStore + ?Sized>(store: &S) {
    let window = std::time::Duration::from_secs(10);
    let start = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    assert_eq!(store.count_hit(&tid("t1"), "frames:c1", window, start).await.unwrap(), 1);
    assert_eq!(store.count_hit(&tid("t1"), "frames:c1", window, start + Duration::seconds(3)).await.unwrap(), 2);
    assert_eq!(store.count_hit(&tid("t1"), "frames:c2", window, start).await.unwrap(), 1, "keys are apart");
    assert_eq!(store.count_hit(&tid("t2"), "frames:c1", window, start).await.unwrap(), 1, "tenants are apart");
    assert_eq!(
        store.count_hit(&tid("t1"), "frames:c1", window, start + Duration::seconds(10)).await.unwrap(),
        1,
        "a new window"
    );

    let until = |s: i64| start + Duration::seconds(s);
    assert!(store.try_claim(&tid("t1"), "typing:x", start, until(2)).await.unwrap());
    assert!(!store.try_claim(&tid("t1"), "typing:x", until(1), until(3)).await.unwrap(), "held until 2 s");
    assert!(store.try_claim(&tid("t2"), "typing:x", until(1), until(3)).await.unwrap(), "tenants are apart");
    assert!(store.try_claim(&tid("t1"), "typing:x", until(2), until(4)).await.unwrap(), "free again once it lapsed");
}

conforms!(counters_and_claims_hold_across_calls);
