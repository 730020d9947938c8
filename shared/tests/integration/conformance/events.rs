//! Missed-event feeds.

use chrono::{Duration, Utc};
use missive::domain::*;
use missive::ports::*;

use super::*;

async fn event_feeds_list_in_order_after_a_cursor<S: EventFeed + ?Sized>(store: &S) {
    let now = Utc::now();
    let event = |id: &str, expires_in: i64| LoggedEvent {
        id: EventId::parse(id).unwrap(),
        frame: format!(r#"{{"type":"x","cursor":"{id}"}}"#),
        expires_at: now + Duration::seconds(expires_in),
    };
    let both = [uid("u1"), uid("u2")];
    store.append_events(&tid("t1"), &both, &event("05A", 60)).await.unwrap();
    store.append_events(&tid("t1"), &both[..1], &event("05B", -1)).await.unwrap();
    for id in ["05C", "05D", "05E"] {
        store.append_events(&tid("t1"), &both, &event(id, 60)).await.unwrap();
    }
    let ids = |r: (Vec<LoggedEvent>, bool)| (r.0.into_iter().map(|e| e.id.to_string()).collect::<Vec<_>>(), r.1);
    let after = |id: &str| EventId::parse(id).unwrap();
    assert_eq!(
        ids(store.list_events(&tid("t1"), &uid("u1"), None, 10, now).await.unwrap()),
        (vec!["05A".into(), "05C".into(), "05D".into(), "05E".into()], false),
        "expired events are skipped"
    );
    assert_eq!(
        ids(store.list_events(&tid("t1"), &uid("u1"), Some(&after("05A")), 2, now).await.unwrap()).0,
        ["05C", "05D"]
    );
    assert!(
        store.list_events(&tid("t1"), &uid("u2"), Some(&after("05A")), 2, now).await.unwrap().1,
        "more after a full page"
    );
    assert_eq!(
        ids(store.list_events(&tid("t1"), &uid("u2"), Some(&after("05D")), 10, now).await.unwrap()),
        (vec!["05E".into()], false)
    );
    assert!(store.list_events(&tid("t1"), &uid("u2"), Some(&after("05E")), 10, now).await.unwrap().0.is_empty());
    assert!(store.list_events(&tid("t2"), &uid("u1"), None, 10, now).await.unwrap().0.is_empty(), "tenants are apart");
    let first = store.list_events(&tid("t1"), &uid("u2"), None, 1, now).await.unwrap().0;
    assert_eq!(first[0], event("05A", 60), "the frame comes back as it was stored");
}

conforms!(event_feeds_list_in_order_after_a_cursor);
