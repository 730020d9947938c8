//! The bell and its unread index.

use chrono::Utc;
use missive::domain::*;
use missive::ports::*;

use super::*;

fn nid(id: &str) -> NotificationId {
    NotificationId::parse(id).unwrap()
}

fn notification(user: &str, id: &str) -> Notification {
    notification_of("t1", user, id)
}

/// A tenant's event notification for `user`.
pub(super) fn notification_of(tenant: &str, user: &str, id: &str) -> Notification {
    Notification {
        tenant_id: tid(tenant),
        id: NotificationId::parse(id).unwrap(),
        user_id: uid(user),
        kind: NotificationType::Event,
        title: format!("n {id}"),
        body: String::new(),
        action_url: None,
        action_label: None,
        conversation_id: None,
        message_id: None,
        // Stored and read back as it was, whichever the store.
        priority: Priority::Critical,
        created_at: Utc::now(),
        read_at: None,
    }
}

async fn notifications_list_newest_first_and_count_the_unread<S: NotificationStore + ?Sized>(store: &S) {
    let ids: Vec<String> = (1..=5).map(|i| format!("01N{i:023}")).collect();
    for id in &ids {
        store.put_notification(&notification("u1", id)).await.unwrap();
    }
    store.put_notification(&notification("u2", "01N99999999999999999999999")).await.unwrap();
    assert_eq!(store.count_unread_notifications(&tid("t1"), &uid("u1")).await.unwrap(), 5);
    let mut read = notification("u1", &ids[3]);
    read.read_at = Some(Utc::now());
    store.put_notification(&read).await.unwrap();
    assert_eq!(store.count_unread_notifications(&tid("t1"), &uid("u1")).await.unwrap(), 4);
    assert_eq!(store.get_notification(&tid("t1"), &uid("u1"), &nid(&ids[3])).await.unwrap(), Some(read));

    let all = store.list_notifications(&tid("t1"), &uid("u1"), false, None, 3).await.unwrap();
    assert_eq!(all.items.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [&ids[4], &ids[3], &ids[2]]);
    let older = store
        .list_notifications(&tid("t1"), &uid("u1"), false, all.next_cursor.as_deref().map(nid).as_ref(), 3)
        .await
        .unwrap();
    assert_eq!(older.items.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [&ids[1], &ids[0]]);
    assert!(older.next_cursor.is_none());
    let unread = store.list_notifications(&tid("t1"), &uid("u1"), true, None, 2).await.unwrap();
    assert_eq!(
        unread.items.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        [&ids[4], &ids[2]],
        "the read one is left out"
    );
    let unread_rest = store
        .list_notifications(&tid("t1"), &uid("u1"), true, unread.next_cursor.as_deref().map(nid).as_ref(), 5)
        .await
        .unwrap();
    assert_eq!(unread_rest.items.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [&ids[1], &ids[0]]);
    assert!(
        store.get_notification(&tid("t2"), &uid("u1"), &nid(&ids[0])).await.unwrap().is_none(),
        "tenants are apart"
    );
}

async fn a_user_s_notifications_are_deleted_all_at_once<S: NotificationStore + ?Sized>(store: &S) {
    let ids: Vec<String> = (1..=3).map(|i| format!("01M{i:023}")).collect();
    for id in &ids {
        store.put_notification(&notification("gone", id)).await.unwrap();
    }
    let mut read = notification("gone", &ids[0]);
    read.read_at = Some(Utc::now());
    store.put_notification(&read).await.unwrap();
    store.put_notification(&notification("stays", &ids[0])).await.unwrap();
    assert!(store.delete_notification(&tid("t1"), &uid("gone"), &nid(&ids[1])).await.unwrap());
    assert!(!store.delete_notification(&tid("t1"), &uid("gone"), &nid(&ids[1])).await.unwrap(), "once");
    assert_eq!(store.count_unread_notifications(&tid("t1"), &uid("gone")).await.unwrap(), 1, "its unread entry too");
    store.delete_user_notifications(&tid("t1"), &uid("gone")).await.unwrap();
    let left = store.list_notifications(&tid("t1"), &uid("gone"), false, None, 10).await.unwrap();
    assert!(left.items.is_empty(), "{left:?}");
    assert_eq!(store.count_unread_notifications(&tid("t1"), &uid("gone")).await.unwrap(), 0);
    assert_eq!(store.list_notifications(&tid("t1"), &uid("stays"), false, None, 10).await.unwrap().items.len(), 1);
}

conforms!(notifications_list_newest_first_and_count_the_unread, a_user_s_notifications_are_deleted_all_at_once);
