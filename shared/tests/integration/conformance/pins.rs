//! Pins: a message pinned once, listed newest first, at most 50 a conversation however many
//! pin at once, unpinned.

use chrono::{Duration, Utc};
use missive::domain::*;
use missive::ports::*;

use super::*;

fn message_id(i: usize) -> MessageId {
    MessageId::parse(format!("01KDX{i:021}")).unwrap()
}

async fn pins_are_kept_once_listed_newest_first_and_removed<S: ConversationStore + PinStore + ?Sized>(store: &S) {
    let c = conversation("t1", "0PA");
    store.create_conversation(&c, &members(&["u1"]), None).await.unwrap();
    let at = Utc::now();
    let pin = |i: usize, minutes: i64| Pin {
        message_id: message_id(i),
        pinned_by: uid("u1"),
        pinned_at: at + Duration::minutes(minutes),
    };
    assert_eq!(store.pin_message(&tid("t1"), &c.id, &pin(1, 0)).await.unwrap(), PinOutcome::Pinned);
    assert_eq!(store.pin_message(&tid("t1"), &c.id, &pin(2, 1)).await.unwrap(), PinOutcome::Pinned);
    assert_eq!(store.pin_message(&tid("t1"), &c.id, &pin(1, 2)).await.unwrap(), PinOutcome::AlreadyPinned);
    let listed = store.list_pins(&tid("t1"), &c.id).await.unwrap();
    assert_eq!(listed, [pin(2, 1), pin(1, 0)], "newest first, the first pin kept");
    assert!(store.list_pins(&tid("t2"), &c.id).await.unwrap().is_empty(), "tenants are apart");
    assert!(store.unpin_message(&tid("t1"), &c.id, &message_id(1)).await.unwrap());
    assert!(!store.unpin_message(&tid("t1"), &c.id, &message_id(1)).await.unwrap(), "not pinned any more");
    assert_eq!(store.list_pins(&tid("t1"), &c.id).await.unwrap(), [pin(2, 1)]);
}

async fn fifty_pins_at_most_however_many_pin_at_once<S: ConversationStore + PinStore + ?Sized>(store: &S) {
    let c = conversation("t1", "0PB");
    store.create_conversation(&c, &members(&["u1"]), None).await.unwrap();
    let pin = |i: usize| Pin { message_id: message_id(i), pinned_by: uid("u1"), pinned_at: Utc::now() };
    for i in 0..45 {
        assert_eq!(store.pin_message(&tid("t1"), &c.id, &pin(i)).await.unwrap(), PinOutcome::Pinned);
    }
    let racing = (45..55).map(|i| {
        let (c, p) = (c.clone(), pin(i));
        async move { store.pin_message(&tid("t1"), &c.id, &p).await.unwrap() }
    });
    let outcomes = futures_util::future::join_all(racing).await;
    assert_eq!(outcomes.iter().filter(|o| **o == PinOutcome::Pinned).count(), 5, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == PinOutcome::Full).count(), 5);
    assert_eq!(store.list_pins(&tid("t1"), &c.id).await.unwrap().len(), MAX_PINS);
    store.unpin_message(&tid("t1"), &c.id, &message_id(0)).await.unwrap();
    assert_eq!(store.pin_message(&tid("t1"), &c.id, &pin(99)).await.unwrap(), PinOutcome::Pinned, "room again");
}

conforms!(pins_are_kept_once_listed_newest_first_and_removed, fifty_pins_at_most_however_many_pin_at_once);
