//! Missed events: each user's feed, and each conversation's log with its latest event.

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
    store.append_user_events(&tid("t1"), &both, &event("05A", 60)).await.unwrap();
    store.append_user_events(&tid("t1"), &both[..1], &event("05B", -1)).await.unwrap();
    for id in ["05C", "05D", "05E"] {
        store.append_user_events(&tid("t1"), &both, &event(id, 60)).await.unwrap();
    }
    let ids = |r: (Vec<LoggedEvent>, bool)| (r.0.into_iter().map(|e| e.id.to_string()).collect::<Vec<_>>(), r.1);
    let after = |id: &str| EventId::parse(id).unwrap();
    assert_eq!(
        ids(store.list_user_events(&tid("t1"), &uid("u1"), None, 10, now).await.unwrap()),
        (vec!["05A".into(), "05C".into(), "05D".into(), "05E".into()], false),
        "expired events are skipped"
    );
    assert_eq!(
        ids(store.list_user_events(&tid("t1"), &uid("u1"), Some(&after("05A")), 2, now).await.unwrap()).0,
        ["05C", "05D"]
    );
    assert!(
        store.list_user_events(&tid("t1"), &uid("u2"), Some(&after("05A")), 2, now).await.unwrap().1,
        "more after a full page"
    );
    assert_eq!(
        ids(store.list_user_events(&tid("t1"), &uid("u2"), Some(&after("05D")), 10, now).await.unwrap()),
        (vec!["05E".into()], false)
    );
    assert!(store.list_user_events(&tid("t1"), &uid("u2"), Some(&after("05E")), 10, now).await.unwrap().0.is_empty());
    assert!(
        store.list_user_events(&tid("t2"), &uid("u1"), None, 10, now).await.unwrap().0.is_empty(),
        "tenants are apart"
    );
    let first = store.list_user_events(&tid("t1"), &uid("u2"), None, 1, now).await.unwrap().0;
    assert_eq!(first[0], event("05A", 60), "the frame comes back as it was stored");
}

fn event(id: &str, expires_in: i64) -> LoggedEvent {
    LoggedEvent {
        id: EventId::parse(id).unwrap(),
        frame: format!(r#"{{"type":"x","cursor":"{id}"}}"#),
        expires_at: Utc::now() + Duration::seconds(expires_in),
    }
}

async fn conversation_logs_list_in_order_and_know_their_latest_event<S: EventFeed + ConversationStore + ?Sized>(
    store: &S,
) {
    let (a, b, quiet) = (conversation("t1", "06A"), conversation("t1", "06B"), conversation("t1", "06C"));
    for c in [&a, &b, &quiet] {
        store.create_conversation(c, &members(&["u1"]), None).await.unwrap();
    }
    let now = Utc::now();
    for (c, id, expires_in) in [(&a, "07A", 60), (&b, "07B", 60), (&a, "07C", -1), (&a, "07E", 60), (&a, "07D", 60)] {
        store.append_conversation_event(&tid("t1"), &c.id, &event(id, expires_in)).await.unwrap();
    }
    let ids = |r: (Vec<LoggedEvent>, bool)| (r.0.into_iter().map(|e| e.id.to_string()).collect::<Vec<_>>(), r.1);
    let after = |id: &str| EventId::parse(id).unwrap();
    assert_eq!(
        ids(store.list_conversation_events(&tid("t1"), &a.id, None, 10, now).await.unwrap()),
        (vec!["07A".into(), "07D".into(), "07E".into()], false),
        "in cursor order, the expired skipped"
    );
    assert_eq!(
        ids(store.list_conversation_events(&tid("t1"), &a.id, Some(&after("07A")), 1, now).await.unwrap()),
        (vec!["07D".into()], true)
    );
    assert!(
        store.list_conversation_events(&tid("t2"), &a.id, None, 10, now).await.unwrap().0.is_empty(),
        "tenants are apart"
    );
    let mut latest =
        store.latest_conversation_events(&tid("t1"), &[a.id.clone(), b.id.clone(), quiet.id.clone()]).await.unwrap();
    latest.sort();
    assert_eq!(
        latest,
        vec![(a.id.clone(), after("07E")), (b.id.clone(), after("07B"))],
        "the newest, whatever the order of appends; none for a conversation without events"
    );
    assert!(store.latest_conversation_events(&tid("t2"), std::slice::from_ref(&a.id)).await.unwrap().is_empty());
}

conforms!(event_feeds_list_in_order_after_a_cursor, conversation_logs_list_in_order_and_know_their_latest_event);
