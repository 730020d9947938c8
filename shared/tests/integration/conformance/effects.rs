//! Idempotency records.

use chrono::{Duration, Utc};
use missive::ports::*;

use super::*;

async fn effects_happen_once<S: EffectStore + ?Sized>(store: &S) {
    let now = Utc::now();
    let lease = now + Duration::minutes(2);
    assert_eq!(store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(), EffectClaim::Acquired);
    assert_eq!(store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(), EffectClaim::Busy);
    assert_eq!(
        store.begin_effect(&tid("t2"), "job-1", now, lease).await.unwrap(),
        EffectClaim::Acquired,
        "tenants are apart"
    );
    // A lease that ran out (the worker died) is taken over.
    assert_eq!(
        store
            .begin_effect(&tid("t1"), "job-1", lease + Duration::seconds(1), lease + Duration::minutes(3))
            .await
            .unwrap(),
        EffectClaim::Acquired
    );
    store.release_effect(&tid("t1"), "job-1").await.unwrap();
    assert_eq!(
        store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(),
        EffectClaim::Acquired,
        "released after a failure"
    );
    store.finish_effect(&tid("t1"), "job-1", now + Duration::days(7)).await.unwrap();
    assert_eq!(store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(), EffectClaim::Done);
    store.release_effect(&tid("t1"), "job-1").await.unwrap();
    assert_eq!(
        store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(),
        EffectClaim::Done,
        "release leaves done alone"
    );
}

conforms!(effects_happen_once);
