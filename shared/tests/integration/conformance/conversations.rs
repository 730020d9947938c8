//! Conversations, members, inboxes and read markers.

use chrono::Utc;
use missive::domain::*;
use missive::ports::*;

use super::*;

async fn conversations_order_by_activity_and_unique_keys_hold<S: ConversationStore + MessageStore + ?Sized>(store: &S) {
    let c1 = conversation("t1", "01A");
    let c2 = conversation("t1", "01B");
    assert!(store.create_conversation(&c1, &members(&["u1", "u2"]), Some("pair")).await.unwrap().created);
    let dup = store.create_conversation(&c2, &members(&["u1", "u2"]), Some("pair")).await.unwrap();
    assert!(!dup.created);
    assert_eq!(dup.value.id, c1.id, "the unique key returns the first conversation");
    assert!(store.get_conversation(&tid("t1"), &c2.id).await.unwrap().is_none());
    store.create_conversation(&c2, &members(&["u1"]), None).await.unwrap();
    let c3 = conversation("t1", "01C");
    store.create_conversation(&c3, &members(&["u1", "u2"]), None).await.unwrap();

    let ids = |p: missive::ports::Page<missive::ports::InboxEntry>| {
        p.items.into_iter().map(|e| e.conversation.id.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.list_user_conversations(&tid("t1"), &uid("u1"), None, 10).await.unwrap()),
        ["01C", "01B", "01A"]
    );

    // A message moves its conversation to the top for every member.
    append(store, &message(&c1, "01D", "u2", None)).await.unwrap();
    let page = store.list_user_conversations(&tid("t1"), &uid("u1"), None, 2).await.unwrap();
    assert_eq!(page.items[0].conversation.last_message.as_ref().unwrap().id.as_str(), "01D");
    assert_eq!(ids(page.clone()), ["01A", "01C"]);
    let next = store.list_user_conversations(&tid("t1"), &uid("u1"), page.next_cursor.as_deref(), 2).await.unwrap();
    assert_eq!(ids(next.clone()), ["01B"]);
    assert!(next.next_cursor.is_none());
    assert_eq!(ids(store.list_user_conversations(&tid("t1"), &uid("u2"), None, 10).await.unwrap()), ["01A", "01C"]);
    assert!(store.list_user_conversations(&tid("t2"), &uid("u1"), None, 10).await.unwrap().items.is_empty());

    let mut mine = store.list_user_conversation_ids(&tid("t1"), &uid("u1")).await.unwrap();
    mine.sort();
    assert_eq!(mine.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["01A", "01B", "01C"], "every membership");
    assert!(store.list_user_conversation_ids(&tid("t2"), &uid("u1")).await.unwrap().is_empty(), "tenants are apart");
    assert!(store.get_member(&tid("t1"), &c2.id, &uid("u2")).await.unwrap().is_none());
    assert_eq!(store.list_members(&tid("t1"), &c1.id).await.unwrap().len(), 2);
    assert!(store.list_members(&tid("t2"), &c1.id).await.unwrap().is_empty());
}

async fn read_markers_only_move_forward_and_unread_counts_follow<S: ConversationStore + MessageStore + ?Sized>(
    store: &S,
) {
    let c = conversation("t1", "03A");
    store.create_conversation(&c, &members(&["u1", "u2", "u3"]), None).await.unwrap();
    for (id, sender) in [("03B", "u1"), ("03C", "u2"), ("03D", "u1")] {
        append(store, &message(&c, id, sender, None)).await.unwrap();
    }
    let mid = |s: &str| MessageId::parse(s).unwrap();
    let stored = store.get_conversation(&tid("t1"), &c.id).await.unwrap().unwrap();
    assert_eq!(stored.message_count, 3);
    let mut got = Vec::new();
    for u in ["u1", "u2", "u3"] {
        let member = store.get_member(&tid("t1"), &c.id, &uid(u)).await.unwrap().unwrap();
        got.push((member.last_read_message_id.clone(), stored.unread_for(&member)));
    }
    assert_eq!(got[0], (Some(mid("03D")), 0), "a sender has read their message");
    assert_eq!(got[1], (Some(mid("03C")), 1));
    assert_eq!(got[2], (None, 3));

    let (moved, unread) =
        store.mark_read(&tid("t1"), &c.id, &uid("u3"), &mid("03C"), Utc::now()).await.unwrap().unwrap();
    assert_eq!((moved.last_read_message_id.clone(), unread, stored.unread_for(&moved)), (Some(mid("03C")), 1, 1));
    assert!(
        store.mark_read(&tid("t1"), &c.id, &uid("u3"), &mid("03B"), Utc::now()).await.unwrap().is_none(),
        "never back"
    );
    assert!(store.mark_read(&tid("t1"), &c.id, &uid("u3"), &mid("03C"), Utc::now()).await.unwrap().is_none());
    let inbox = store.list_user_conversations(&tid("t1"), &uid("u3"), None, 10).await.unwrap();
    let entry = inbox.items.iter().find(|e| e.conversation.id == c.id).unwrap();
    assert_eq!(
        (entry.conversation.unread_for(&entry.member), entry.member.last_read_message_id.clone()),
        (1, Some(mid("03C")))
    );
    let (done, unread) =
        store.mark_read(&tid("t1"), &c.id, &uid("u3"), &mid("03D"), Utc::now()).await.unwrap().unwrap();
    assert_eq!((unread, stored.unread_for(&done)), (0, 0));
    assert!(
        store.mark_read(&tid("t2"), &c.id, &uid("u3"), &mid("03D"), Utc::now()).await.unwrap().is_none(),
        "tenants are apart"
    );
    assert_eq!(store.get_message(&tid("t1"), &c.id, &mid("03C")).await.unwrap().unwrap().sender_id, uid("u2"));
    assert!(store.get_message(&tid("t2"), &c.id, &mid("03C")).await.unwrap().is_none());
}

/// Messages that land out of order (an older id after a newer message or event) are counted,
/// but the preview and the latest event only ever move forward.
async fn a_late_message_counts_without_moving_back_what_newer_ones_set<
    S: ConversationStore + MessageStore + EventFeed + ?Sized,
>(
    store: &S,
) {
    let c = conversation("t1", "09A");
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    append(store, &message(&c, "09C", "u1", None)).await.unwrap();
    append(store, &message(&c, "09B", "u2", None)).await.unwrap();
    assert_eq!(head_of(store, &c).await, (2, "09C".into(), "09C".into()), "counted, the newer preview kept");
    assert_eq!(latest_of(store, &c).await, "09C");

    let read = LoggedEvent {
        id: EventId::parse("09E").unwrap(),
        frame: r#"{"type":"message.read","cursor":"09E"}"#.into(),
        expires_at: Utc::now() + chrono::Duration::hours(1),
    };
    store.append_conversation_event(&tid("t1"), &c.id, &read).await.unwrap();
    append(store, &message(&c, "09D", "u1", None)).await.unwrap();
    assert_eq!(head_of(store, &c).await, (3, "09D".into(), "09D".into()), "the newest message is the preview");
    assert_eq!(latest_of(store, &c).await, "09E", "the latest event stays the newer read");
}

async fn latest_of<S: EventFeed + ?Sized>(store: &S, c: &Conversation) -> String {
    store.latest_conversation_events(&tid("t1"), std::slice::from_ref(&c.id)).await.unwrap()[0].1.to_string()
}

/// A conversation's message count, activity and preview's message.
async fn head_of<S: ConversationStore + ?Sized>(store: &S, c: &Conversation) -> (u64, String, String) {
    let stored = store.get_conversation(&tid("t1"), &c.id).await.unwrap().unwrap();
    (stored.message_count, stored.activity.clone(), stored.last_message.unwrap().id.to_string())
}

/// The reads a member's action starts with: the conversation with the member, or with all
/// its members.
async fn a_membership_reads_the_conversation_with_its_member<S: ConversationStore + MessageStore + ?Sized>(store: &S) {
    let c = conversation("t1", "0AA");
    store.create_conversation(&c, &members(&["u1", "u2", "u3"]), None).await.unwrap();
    append(store, &message(&c, "0AB", "u2", None)).await.unwrap();
    let (found, member) = store.get_membership(&tid("t1"), &c.id, &uid("u2")).await.unwrap().unwrap();
    assert_eq!((found.id.as_str(), found.message_count, member.user_id.as_str()), ("0AA", 1, "u2"));
    assert_eq!(member.last_read_message_id.map(|m| m.to_string()).as_deref(), Some("0AB"));
    assert!(store.get_membership(&tid("t1"), &c.id, &uid("u9")).await.unwrap().is_none(), "not a member");
    assert!(store.get_membership(&tid("t2"), &c.id, &uid("u2")).await.unwrap().is_none(), "tenants are apart");
    let missing = ConversationId::parse("0AZ").unwrap();
    assert!(store.get_membership(&tid("t1"), &missing, &uid("u2")).await.unwrap().is_none());

    let (found, all) = store.get_conversation_with_members(&tid("t1"), &c.id).await.unwrap().unwrap();
    let mut users: Vec<String> = all.iter().map(|m| m.user_id.to_string()).collect();
    users.sort();
    assert_eq!((found.message_count, users), (1, vec!["u1".to_string(), "u2".into(), "u3".into()]));
    assert!(store.get_conversation_with_members(&tid("t1"), &missing).await.unwrap().is_none());
    assert!(store.get_conversation_with_members(&tid("t2"), &c.id).await.unwrap().is_none());
}

/// A large group's typing: each member's own `typingUntil`, read with the members, cleared
/// on stop; nothing for a non-member or another tenant.
async fn a_member_typing_is_read_with_the_members_until_they_stop<S: ConversationStore + MessageStore + ?Sized>(
    store: &S,
) {
    let c = conversation("t1", "0BA");
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    let until = chrono::DateTime::parse_from_rfc3339("2026-12-05T10:00:06Z").unwrap().with_timezone(&Utc);
    store.set_typing(&tid("t1"), &c.id, &uid("u2"), Some(until)).await.unwrap();
    store.set_typing(&tid("t1"), &c.id, &uid("u9"), Some(until)).await.unwrap();
    store.set_typing(&tid("t2"), &c.id, &uid("u1"), Some(until)).await.unwrap();
    let typing = |all: Vec<Member>| {
        let mut typing: Vec<(String, Option<chrono::DateTime<Utc>>)> =
            all.into_iter().map(|m| (m.user_id.to_string(), m.typing_until)).collect();
        typing.sort();
        typing
    };
    let (_, all) = store.get_conversation_with_members(&tid("t1"), &c.id).await.unwrap().unwrap();
    assert_eq!(typing(all), [("u1".to_string(), None), ("u2".to_string(), Some(until))], "only a member, only there");
    assert!(store.get_member(&tid("t1"), &c.id, &uid("u9")).await.unwrap().is_none(), "no member made");
    store.set_typing(&tid("t1"), &c.id, &uid("u2"), None).await.unwrap();
    assert_eq!(
        typing(store.list_members(&tid("t1"), &c.id).await.unwrap()),
        [("u1".to_string(), None), ("u2".to_string(), None)]
    );
}

/// A member's own choices are theirs alone, read with the membership and the inbox, survive the
/// marker moving, and are cleared as they are set.
async fn a_member_s_mute_and_archive_are_kept_with_them<S: ConversationStore + MessageStore + ?Sized>(store: &S) {
    let c = conversation("t1", "0CA");
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    let until = chrono::DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
    assert!(store.set_member_settings(&tid("t1"), &c.id, &uid("u2"), Some(until), Some("01A")).await.unwrap());
    assert!(
        !store.set_member_settings(&tid("t1"), &c.id, &uid("u9"), Some(until), None).await.unwrap(),
        "not a member"
    );
    let (_, u2) = store.get_membership(&tid("t1"), &c.id, &uid("u2")).await.unwrap().unwrap();
    assert_eq!((u2.muted_until, u2.archived_activity.as_deref()), (Some(until), Some("01A")));
    let (_, u1) = store.get_membership(&tid("t1"), &c.id, &uid("u1")).await.unwrap().unwrap();
    assert_eq!((u1.muted_until, u1.archived_activity), (None, None), "the other member's are untouched");
    let m = message(&c, "01KDX0000000000000000000C1", "u1", None);
    append(store, &m).await.unwrap();
    store.mark_read(&tid("t1"), &c.id, &uid("u2"), &m.id, until).await.unwrap();
    let inbox = store.list_user_conversations(&tid("t1"), &uid("u2"), None, 10).await.unwrap();
    assert_eq!(inbox.items[0].member.muted_until, Some(until), "kept when the marker moves, read with the inbox");
    assert!(store.set_member_settings(&tid("t1"), &c.id, &uid("u2"), None, None).await.unwrap());
    let u2 = store.get_member(&tid("t1"), &c.id, &uid("u2")).await.unwrap().unwrap();
    assert_eq!((u2.muted_until, u2.archived_activity), (None, None));
}

/// The members' ids a send reads (kept in memory where an adapter can) follow every addition
/// and removal at once: a removed member is no longer in them, a new one is.
async fn the_members_ids_follow_additions_and_removals_at_once<S: ConversationStore + MessageStore + ?Sized>(
    store: &S,
) {
    let (t, c) = (tid("t1"), conversation("t1", "0MA"));
    let ids = |found: Option<(Conversation, std::sync::Arc<[UserId]>)>| {
        let mut ids: Vec<String> = found.expect("the conversation").1.iter().map(|u| u.to_string()).collect();
        ids.sort();
        ids
    };
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    assert_eq!(ids(store.get_conversation_with_member_ids(&t, &c.id).await.unwrap()), ["u1", "u2"]);
    append(store, &message(&c, "0MB", "u1", None)).await.unwrap();
    assert_eq!(ids(store.get_conversation_with_member_ids(&t, &c.id).await.unwrap()), ["u1", "u2"], "read again");
    store.put_members(&c, &members(&["u3"])).await.unwrap();
    assert_eq!(ids(store.get_conversation_with_member_ids(&t, &c.id).await.unwrap()), ["u1", "u2", "u3"]);
    assert!(store.remove_member(&c, &uid("u2")).await.unwrap());
    assert_eq!(ids(store.get_conversation_with_member_ids(&t, &c.id).await.unwrap()), ["u1", "u3"], "removed at once");
    let found = store.get_conversation_with_member_ids(&t, &c.id).await.unwrap().unwrap().0;
    assert_eq!(found.message_count, 1, "with the conversation as it is");
    let missing = ConversationId::parse("0MZ").unwrap();
    assert!(store.get_conversation_with_member_ids(&t, &missing).await.unwrap().is_none());
}

/// A unique key freed (an erased person's pair) makes the next creation a new conversation.
async fn a_forgotten_unique_key_makes_a_new_conversation<S: ConversationStore + ?Sized>(store: &S) {
    let first = conversation("t9", "09A");
    assert!(store.create_conversation(&first, &members(&["u1", "u2"]), Some("pair")).await.unwrap().created);
    store.forget_unique_key(&tid("t9"), "pair").await.unwrap();
    let fresh = conversation("t9", "09B");
    let made = store.create_conversation(&fresh, &members(&["u1", "u2"]), Some("pair")).await.unwrap();
    assert!(made.created && made.value.id == fresh.id, "{made:?}");
    store.forget_unique_key(&tid("t9"), "never-used").await.unwrap();
}

conforms!(
    a_forgotten_unique_key_makes_a_new_conversation,
    the_members_ids_follow_additions_and_removals_at_once,
    a_member_s_mute_and_archive_are_kept_with_them,
    conversations_order_by_activity_and_unique_keys_hold,
    read_markers_only_move_forward_and_unread_counts_follow,
    a_late_message_counts_without_moving_back_what_newer_ones_set,
    a_membership_reads_the_conversation_with_its_member,
    a_member_typing_is_read_with_the_members_until_they_stop
);
