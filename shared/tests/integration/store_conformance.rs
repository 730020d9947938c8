//! The storage port's contract, written once against `&dyn Store`, so that every adapter
//! (the embedded store here; DynamoDB beside it) runs the same assertions.

use std::sync::Arc;

use chrono::{Duration, Utc};
use missive::adapters::embedded::EmbeddedStore;
use missive::domain::*;
use missive::ports::{HistoryRange, Store};

fn tid(s: &str) -> TenantId {
    TenantId::parse(s).unwrap()
}
fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

fn tenant(id: &str) -> Tenant {
    Tenant::new(tid(id), id, Utc::now())
}

fn user(t: &str, id: &str) -> User {
    User {
        tenant_id: tid(t),
        id: uid(id),
        name: DisplayName::parse(id).unwrap(),
        email: None,
        locale: Locale::Fr,
        role: Role::Member,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn conversation(t: &str, id: &str) -> Conversation {
    Conversation::new(tid(t), ConversationId::parse(id).unwrap(), ConversationKind::Group, Some(id.into()), None, uid("u1"), Utc::now(), vec![])
}

fn members(ids: &[&str]) -> Vec<Member> {
    ids.iter().map(|u| Member::new(uid(u), MemberRole::Member, Utc::now())).collect()
}

fn message(c: &Conversation, id: &str, sender: &str, cmid: Option<&str>) -> Message {
    Message {
        tenant_id: c.tenant_id.clone(),
        conversation_id: c.id.clone(),
        id: MessageId::parse(id).unwrap(),
        sender_id: uid(sender),
        sender_name: sender.into(),
        body: Some(MessageBody::parse(format!("body of {id}")).unwrap()),
        client_message_id: cmid.map(|c| ClientMessageId::parse(c).unwrap()),
        kind: MessageKind::User,
        system: None,
        created_at: Utc::now(),
        edited_at: None,
        deleted_at: None,
    }
}

async fn tenants_and_users(store: &dyn Store) {
    assert!(store.create_tenant(&tenant("t1")).await.unwrap().created);
    let again = store.create_tenant(&Tenant { name: "other".into(), ..tenant("t1") }).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.value.name, "t1", "the first tenant is kept");
    assert!(store.get_tenant(&tid("nope")).await.unwrap().is_none());

    for u in ["b", "a", "c"] {
        store.put_user(&user("t1", u)).await.unwrap();
    }
    store.put_user(&user("t2", "z")).await.unwrap();
    let first = store.list_users(&tid("t1"), None, 2).await.unwrap();
    assert_eq!(first.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    let rest = store.list_users(&tid("t1"), first.next_cursor.as_deref(), 2).await.unwrap();
    assert_eq!(rest.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["c"]);
    assert!(rest.next_cursor.is_none());
    assert!(store.get_user(&tid("t2"), &uid("a")).await.unwrap().is_none(), "tenants are apart");
    let some = store.get_users(&tid("t1"), &[uid("c"), uid("nobody"), uid("a")]).await.unwrap();
    let mut names: Vec<_> = some.iter().map(|u| u.id.as_str()).collect();
    names.sort();
    assert_eq!(names, ["a", "c"]);
    assert!(store.get_users(&tid("t2"), &[uid("a")]).await.unwrap().is_empty());
}

async fn conversations_order_by_activity_and_unique_keys_hold(store: &dyn Store) {
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

    let ids = |p: missive::ports::Page<missive::ports::InboxEntry>| p.items.into_iter().map(|e| e.conversation.id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(store.list_user_conversations(&tid("t1"), &uid("u1"), None, 10).await.unwrap()), ["01C", "01B", "01A"]);

    // A message moves its conversation to the top for every member.
    store.append_message(&message(&c1, "01D", "u2", None)).await.unwrap();
    let page = store.list_user_conversations(&tid("t1"), &uid("u1"), None, 2).await.unwrap();
    assert_eq!(page.items[0].conversation.last_message.as_ref().unwrap().id.as_str(), "01D");
    assert_eq!(ids(page.clone()), ["01A", "01C"]);
    let next = store.list_user_conversations(&tid("t1"), &uid("u1"), page.next_cursor.as_deref(), 2).await.unwrap();
    assert_eq!(ids(next.clone()), ["01B"]);
    assert!(next.next_cursor.is_none());
    assert_eq!(ids(store.list_user_conversations(&tid("t1"), &uid("u2"), None, 10).await.unwrap()), ["01A", "01C"]);
    assert!(store.list_user_conversations(&tid("t2"), &uid("u1"), None, 10).await.unwrap().items.is_empty());

    assert!(store.get_member(&tid("t1"), &c2.id, &uid("u2")).await.unwrap().is_none());
    assert_eq!(store.list_members(&tid("t1"), &c1.id).await.unwrap().len(), 2);
    assert!(store.list_members(&tid("t2"), &c1.id).await.unwrap().is_empty());
}

async fn messages_are_idempotent_ordered_and_paginated(store: &dyn Store) {
    let c = conversation("t1", "02A");
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    let first = store.append_message(&message(&c, "02B", "u1", Some("k1"))).await.unwrap();
    assert!(first.created);
    let retry = store.append_message(&message(&c, "02C", "u1", Some("k1"))).await.unwrap();
    assert!(!retry.created);
    assert_eq!(retry.value, first.value);
    // The key belongs to its sender: another sender's "k1" is another message.
    assert!(store.append_message(&message(&c, "02D", "u2", Some("k1"))).await.unwrap().created);
    for i in 0..7 {
        store.append_message(&message(&c, &format!("02E{i}"), "u1", None)).await.unwrap();
    }
    let all = ["02B", "02D", "02E0", "02E1", "02E2", "02E3", "02E4", "02E5", "02E6"];
    let ids = |s: &missive::ports::HistorySlice| s.messages.iter().map(|m| m.id.to_string()).collect::<Vec<_>>();

    let latest = store.list_messages(&tid("t1"), &c.id, &HistoryRange::Latest, 4).await.unwrap();
    assert_eq!(ids(&latest), &all[5..]);
    assert!(latest.more);
    let older = store.list_messages(&tid("t1"), &c.id, &HistoryRange::Before("02E3".into()), 4).await.unwrap();
    assert_eq!(ids(&older), &all[1..5]);
    assert!(older.more);
    let oldest = store.list_messages(&tid("t1"), &c.id, &HistoryRange::Before("02D".into()), 4).await.unwrap();
    assert_eq!(ids(&oldest), &all[..1]);
    assert!(!oldest.more);
    let newer = store.list_messages(&tid("t1"), &c.id, &HistoryRange::After("02E3".into()), 4).await.unwrap();
    assert_eq!(ids(&newer), &all[6..]);
    assert!(!newer.more);
    assert!(store.list_messages(&tid("t2"), &c.id, &HistoryRange::Latest, 4).await.unwrap().messages.is_empty());
}

async fn read_markers_only_move_forward_and_unread_counts_follow(store: &dyn Store) {
    let c = conversation("t1", "03A");
    store.create_conversation(&c, &members(&["u1", "u2", "u3"]), None).await.unwrap();
    for (id, sender) in [("03B", "u1"), ("03C", "u2"), ("03D", "u1")] {
        store.append_message(&message(&c, id, sender, None)).await.unwrap();
    }
    let mid = |s: &str| MessageId::parse(s).unwrap();
    let mut got = Vec::new();
    for u in ["u1", "u2", "u3"] {
        got.push(store.get_member(&tid("t1"), &c.id, &uid(u)).await.unwrap().unwrap());
    }
    let (u1, u2, u3) = (&got[0], &got[1], &got[2]);
    assert_eq!((u1.last_read_message_id.clone(), u1.unread_count), (Some(mid("03D")), 0), "a sender has read their message");
    assert_eq!((u2.last_read_message_id.clone(), u2.unread_count), (Some(mid("03C")), 1));
    assert_eq!((u3.last_read_message_id.clone(), u3.unread_count), (None, 3));

    let moved = store.mark_read(&tid("t1"), &c.id, &uid("u3"), &mid("03C"), Utc::now()).await.unwrap().unwrap();
    assert_eq!((moved.last_read_message_id, moved.unread_count), (Some(mid("03C")), 1));
    assert!(store.mark_read(&tid("t1"), &c.id, &uid("u3"), &mid("03B"), Utc::now()).await.unwrap().is_none(), "never back");
    assert!(store.mark_read(&tid("t1"), &c.id, &uid("u3"), &mid("03C"), Utc::now()).await.unwrap().is_none());
    let inbox = store.list_user_conversations(&tid("t1"), &uid("u3"), None, 10).await.unwrap();
    let entry = inbox.items.iter().find(|e| e.conversation.id == c.id).unwrap();
    assert_eq!((entry.member.unread_count, entry.member.last_read_message_id.clone()), (1, Some(mid("03C"))));
    let done = store.mark_read(&tid("t1"), &c.id, &uid("u3"), &mid("03D"), Utc::now()).await.unwrap().unwrap();
    assert_eq!(done.unread_count, 0);
    assert!(store.mark_read(&tid("t2"), &c.id, &uid("u3"), &mid("03D"), Utc::now()).await.unwrap().is_none(), "tenants are apart");
    assert_eq!(store.get_message(&tid("t1"), &c.id, &mid("03C")).await.unwrap().unwrap().sender_id, uid("u2"));
    assert!(store.get_message(&tid("t2"), &c.id, &mid("03C")).await.unwrap().is_none());
}

/// The newest message's preview, as the conversation and u1's inbox both show it.
async fn preview(store: &dyn Store) -> MessagePreview {
    let inbox = store.list_user_conversations(&tid("t1"), &uid("u1"), None, 50).await.unwrap();
    let entry = inbox.items.into_iter().find(|e| e.conversation.id.as_str() == "04A").unwrap();
    let meta = store.get_conversation(&tid("t1"), &entry.conversation.id).await.unwrap().unwrap();
    assert_eq!(meta.last_message, entry.conversation.last_message, "the inbox shows what the conversation has");
    meta.last_message.unwrap()
}

async fn edits_replace_messages_and_the_newest_one_s_preview(store: &dyn Store) {
    let c = conversation("t1", "04A");
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    let first = store.append_message(&message(&c, "04B", "u1", None)).await.unwrap().value;
    let last = store.append_message(&message(&c, "04C", "u2", None)).await.unwrap().value;
    let edited = Message { body: Some(MessageBody::parse("edited").unwrap()), edited_at: Some(Utc::now()), ..first.clone() };
    assert!(store.update_message(&edited).await.unwrap());
    assert_eq!(store.get_message(&tid("t1"), &c.id, &first.id).await.unwrap().unwrap(), edited);
    assert_eq!(preview(store).await.body, "body of 04C", "an older message's edit leaves the preview");
    let tombstone = Message { body: None, deleted_at: Some(Utc::now()), ..last.clone() };
    assert!(store.update_message(&tombstone).await.unwrap());
    let p = preview(store).await;
    assert!(p.deleted && p.body.is_empty(), "a deleted newest message leaves no text in the list");
    let ghost = Message { id: MessageId::parse("04Z").unwrap(), ..last };
    assert!(!store.update_message(&ghost).await.unwrap(), "no such message");
    assert!(store.get_message(&tid("t1"), &c.id, &ghost.id).await.unwrap().is_none(), "and none was created");
}

async fn event_feeds_list_in_order_after_a_cursor(store: &dyn Store) {
    use missive::ports::LoggedEvent;
    let now = Utc::now();
    let event = |id: &str, expires_in: i64| LoggedEvent {
        id: id.into(),
        frame: format!(r#"{{"type":"x","cursor":"{id}"}}"#),
        expires_at: now + Duration::seconds(expires_in),
    };
    let both = [uid("u1"), uid("u2")];
    store.append_events(&tid("t1"), &both, &event("05A", 60)).await.unwrap();
    store.append_events(&tid("t1"), &both[..1], &event("05B", -1)).await.unwrap();
    for id in ["05C", "05D", "05E"] {
        store.append_events(&tid("t1"), &both, &event(id, 60)).await.unwrap();
    }
    let ids = |r: (Vec<LoggedEvent>, bool)| (r.0.into_iter().map(|e| e.id).collect::<Vec<_>>(), r.1);
    assert_eq!(ids(store.list_events(&tid("t1"), &uid("u1"), "0", 10, now).await.unwrap()), (vec!["05A".into(), "05C".into(), "05D".into(), "05E".into()], false), "expired events are skipped");
    assert_eq!(ids(store.list_events(&tid("t1"), &uid("u1"), "05A", 2, now).await.unwrap()).0, ["05C", "05D"]);
    assert!(store.list_events(&tid("t1"), &uid("u2"), "05A", 2, now).await.unwrap().1, "more after a full page");
    assert_eq!(ids(store.list_events(&tid("t1"), &uid("u2"), "05D", 10, now).await.unwrap()), (vec!["05E".into()], false));
    assert!(store.list_events(&tid("t1"), &uid("u2"), "05E", 10, now).await.unwrap().0.is_empty());
    assert!(store.list_events(&tid("t2"), &uid("u1"), "0", 10, now).await.unwrap().0.is_empty(), "tenants are apart");
    let first = store.list_events(&tid("t1"), &uid("u2"), "0", 1, now).await.unwrap().0;
    assert_eq!(first[0], event("05A", 60), "the frame comes back as it was stored");
}

async fn counters_and_claims_hold_across_calls(store: &dyn Store) {
    let window = std::time::Duration::from_secs(10);
    let start = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    assert_eq!(store.count_hit(&tid("t1"), "frames:c1", window, start).await.unwrap(), 1);
    assert_eq!(store.count_hit(&tid("t1"), "frames:c1", window, start + Duration::seconds(3)).await.unwrap(), 2);
    assert_eq!(store.count_hit(&tid("t1"), "frames:c2", window, start).await.unwrap(), 1, "keys are apart");
    assert_eq!(store.count_hit(&tid("t2"), "frames:c1", window, start).await.unwrap(), 1, "tenants are apart");
    assert_eq!(store.count_hit(&tid("t1"), "frames:c1", window, start + Duration::seconds(10)).await.unwrap(), 1, "a new window");

    let until = |s: i64| start + Duration::seconds(s);
    assert!(store.try_claim(&tid("t1"), "typing:x", start, until(2)).await.unwrap());
    assert!(!store.try_claim(&tid("t1"), "typing:x", until(1), until(3)).await.unwrap(), "held until 2 s");
    assert!(store.try_claim(&tid("t2"), "typing:x", until(1), until(3)).await.unwrap(), "tenants are apart");
    assert!(store.try_claim(&tid("t1"), "typing:x", until(2), until(4)).await.unwrap(), "free again once it lapsed");
}

async fn last_seen_times_are_kept_per_user(store: &dyn Store) {
    let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    store.put_last_seen(&tid("t1"), &uid("u1"), at).await.unwrap();
    store.put_last_seen(&tid("t1"), &uid("u1"), at + Duration::seconds(5)).await.unwrap();
    store.put_last_seen(&tid("t1"), &uid("u2"), at).await.unwrap();
    let mut seen = store.get_last_seen(&tid("t1"), &[uid("u1"), uid("u2"), uid("never")]).await.unwrap();
    seen.sort();
    assert_eq!(seen, vec![(uid("u1"), at + Duration::seconds(5)), (uid("u2"), at)]);
    assert!(store.get_last_seen(&tid("t2"), &[uid("u1")]).await.unwrap().is_empty());
}

async fn connections_expire_and_are_deleted_one_by_one(store: &dyn Store) {
    let now = Utc::now();
    let conn = |id: &str, expires_in: i64| Connection {
        tenant_id: tid("t1"),
        user_id: uid("u1"),
        id: ConnectionId::parse(id).unwrap(),
        connected_at: now,
        last_seen_at: now,
        expires_at: now + Duration::seconds(expires_in),
    };
    store.put_connection(&conn("live1=", 60)).await.unwrap();
    store.put_connection(&conn("live2", 60)).await.unwrap();
    store.put_connection(&conn("expired", -1)).await.unwrap();
    let live = store.list_user_connections(&tid("t1"), &uid("u1"), now).await.unwrap();
    let mut ids: Vec<_> = live.iter().map(|c| c.id.to_string()).collect();
    ids.sort();
    assert_eq!(ids, ["live1=", "live2"]);
    store.delete_connection(&tid("t1"), &uid("u1"), &ConnectionId::parse("live1=").unwrap()).await.unwrap();
    let live = store.list_user_connections(&tid("t1"), &uid("u1"), now).await.unwrap();
    assert_eq!(live.len(), 1);
    assert!(store.list_user_connections(&tid("t2"), &uid("u1"), now).await.unwrap().is_empty());
}

async fn storefronts_are_found_from_their_id_alone(store: &dyn Store) {
    let sf = Storefront {
        tenant_id: tid("t1"),
        id: StorefrontId::parse("sf1").unwrap(),
        title: "Fleurs".into(),
        partner_ids: vec![uid("p1")],
        created_at: Utc::now(),
    };
    store.put_storefront(&sf).await.unwrap();
    assert_eq!(store.storefront_tenant(&sf.id).await.unwrap(), Some(tid("t1")));
    assert_eq!(store.get_storefront(&tid("t1"), &sf.id).await.unwrap(), Some(sf.clone()));
    assert!(store.get_storefront(&tid("t2"), &sf.id).await.unwrap().is_none());
}

async fn documents_are_kept_listed_and_expire(store: &dyn Store) {
    let later = Utc::now() + Duration::hours(1);
    for id in ["b", "a", "c"] {
        store.put_doc(&tid("t1"), "mail/u1", id, &format!("{{\"id\":\"{id}\"}}"), Some(later)).await.unwrap();
    }
    store.put_doc(&tid("t1"), "mail/u1", "gone", "{}", Some(Utc::now() - Duration::seconds(1))).await.unwrap();
    store.put_doc(&tid("t2"), "mail/u1", "x", "{}", None).await.unwrap();
    assert_eq!(store.get_doc(&tid("t1"), "mail/u1", "a").await.unwrap().as_deref(), Some("{\"id\":\"a\"}"));
    assert!(store.get_doc(&tid("t1"), "mail/u1", "gone").await.unwrap().is_none(), "an expired document reads as absent");
    assert!(store.get_doc(&tid("t1"), "mail/u1", "x").await.unwrap().is_none(), "tenants are apart");
    let first = store.list_docs(&tid("t1"), "mail/u1", None, 2).await.unwrap();
    assert_eq!(first.items, ["{\"id\":\"a\"}", "{\"id\":\"b\"}"]);
    let rest = store.list_docs(&tid("t1"), "mail/u1", first.next_cursor.as_deref(), 10).await.unwrap();
    assert_eq!(rest.items, ["{\"id\":\"c\"}"], "in id order, the expired one left out");
    assert!(store.list_docs(&tid("t1"), "mail/u2", None, 10).await.unwrap().items.is_empty());
    assert!(store.delete_doc(&tid("t1"), "mail/u1", "a").await.unwrap());
    assert!(!store.delete_doc(&tid("t1"), "mail/u1", "a").await.unwrap());
}

fn notification(user: &str, id: &str) -> Notification {
    Notification {
        tenant_id: tid("t1"),
        id: id.into(),
        user_id: uid(user),
        kind: NotificationType::Event,
        title: format!("n {id}"),
        body: String::new(),
        action_url: None,
        action_label: None,
        conversation_id: None,
        message_id: None,
        created_at: Utc::now(),
        read_at: None,
    }
}

async fn notifications_list_newest_first_and_count_the_unread(store: &dyn Store) {
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
    assert_eq!(store.get_notification(&tid("t1"), &uid("u1"), &ids[3]).await.unwrap(), Some(read));

    let all = store.list_notifications(&tid("t1"), &uid("u1"), false, None, 3).await.unwrap();
    assert_eq!(all.items.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [&ids[4], &ids[3], &ids[2]]);
    let older = store.list_notifications(&tid("t1"), &uid("u1"), false, all.next_cursor.as_deref(), 3).await.unwrap();
    assert_eq!(older.items.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [&ids[1], &ids[0]]);
    assert!(older.next_cursor.is_none());
    let unread = store.list_notifications(&tid("t1"), &uid("u1"), true, None, 2).await.unwrap();
    assert_eq!(unread.items.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [&ids[4], &ids[2]], "the read one is left out");
    let unread_rest = store.list_notifications(&tid("t1"), &uid("u1"), true, unread.next_cursor.as_deref(), 5).await.unwrap();
    assert_eq!(unread_rest.items.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [&ids[1], &ids[0]]);
    assert!(store.get_notification(&tid("t2"), &uid("u1"), &ids[0]).await.unwrap().is_none(), "tenants are apart");
}

async fn scheduled_jobs_come_due_and_are_taken_once(store: &dyn Store) {
    use missive::ports::{Job, QueueName, ScheduledJob};
    let now = Utc::now();
    let scheduled = |tenant: &str, id: &str, at| ScheduledJob {
        queue: QueueName::Emails,
        job: Job { id: id.into(), tenant_id: tid(tenant), kind: "sendEmails".into(), payload: serde_json::json!({}) },
        due_at: at,
    };
    store.schedule_job(&scheduled("t1", "late", now - Duration::minutes(1))).await.unwrap();
    store.schedule_job(&scheduled("t2", "later", now - Duration::seconds(1))).await.unwrap();
    store.schedule_job(&scheduled("t1", "future", now + Duration::hours(1))).await.unwrap();
    // Rescheduling the same id moves it.
    store.schedule_job(&scheduled("t1", "moved", now + Duration::hours(2))).await.unwrap();
    store.schedule_job(&scheduled("t1", "moved", now - Duration::seconds(30))).await.unwrap();
    let due = store.list_due_jobs(now, 10).await.unwrap();
    assert_eq!(due.iter().map(|d| d.job.id.as_str()).collect::<Vec<_>>(), ["late", "moved", "later"], "every tenant, earliest first");
    assert_eq!(due[2].job.tenant_id, tid("t2"));
    assert!(store.take_scheduled_job(&tid("t1"), "late").await.unwrap());
    assert!(!store.take_scheduled_job(&tid("t1"), "late").await.unwrap(), "taken once");
    assert!(!store.take_scheduled_job(&tid("t2"), "moved").await.unwrap(), "tenants are apart");
    assert!(store.take_scheduled_job(&tid("t1"), "moved").await.unwrap());
    assert!(store.take_scheduled_job(&tid("t2"), "later").await.unwrap());
    assert!(store.list_due_jobs(now, 10).await.unwrap().is_empty());
    assert_eq!(store.list_due_jobs(now + Duration::hours(3), 10).await.unwrap().len(), 1);
}

async fn effects_happen_once(store: &dyn Store) {
    use missive::ports::EffectClaim;
    let now = Utc::now();
    let lease = now + Duration::minutes(2);
    assert_eq!(store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(), EffectClaim::Acquired);
    assert_eq!(store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(), EffectClaim::Busy);
    assert_eq!(store.begin_effect(&tid("t2"), "job-1", now, lease).await.unwrap(), EffectClaim::Acquired, "tenants are apart");
    // A lease that ran out (the worker died) is taken over.
    assert_eq!(store.begin_effect(&tid("t1"), "job-1", lease + Duration::seconds(1), lease + Duration::minutes(3)).await.unwrap(), EffectClaim::Acquired);
    store.release_effect(&tid("t1"), "job-1").await.unwrap();
    assert_eq!(store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(), EffectClaim::Acquired, "released after a failure");
    store.finish_effect(&tid("t1"), "job-1", now + Duration::days(7)).await.unwrap();
    assert_eq!(store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(), EffectClaim::Done);
    store.release_effect(&tid("t1"), "job-1").await.unwrap();
    assert_eq!(store.begin_effect(&tid("t1"), "job-1", now, lease).await.unwrap(), EffectClaim::Done, "release leaves done alone");
}

async fn run_suite(store: Arc<dyn Store>) {
    store.health().await.unwrap();
    tenants_and_users(store.as_ref()).await;
    conversations_order_by_activity_and_unique_keys_hold(store.as_ref()).await;
    messages_are_idempotent_ordered_and_paginated(store.as_ref()).await;
    read_markers_only_move_forward_and_unread_counts_follow(store.as_ref()).await;
    edits_replace_messages_and_the_newest_one_s_preview(store.as_ref()).await;
    event_feeds_list_in_order_after_a_cursor(store.as_ref()).await;
    counters_and_claims_hold_across_calls(store.as_ref()).await;
    last_seen_times_are_kept_per_user(store.as_ref()).await;
    connections_expire_and_are_deleted_one_by_one(store.as_ref()).await;
    storefronts_are_found_from_their_id_alone(store.as_ref()).await;
    documents_are_kept_listed_and_expire(store.as_ref()).await;
    notifications_list_newest_first_and_count_the_unread(store.as_ref()).await;
    scheduled_jobs_come_due_and_are_taken_once(store.as_ref()).await;
    effects_happen_once(store.as_ref()).await;
}

#[tokio::test]
async fn the_dynamodb_store_conforms() {
    let sdk = crate::aws_support::sdk_config().await;
    let table = crate::aws_support::unique_name("conformance");
    assert!(missive::adapters::aws::create_table(&sdk, &table).await.unwrap());
    assert!(!missive::adapters::aws::create_table(&sdk, &table).await.unwrap(), "setup is idempotent");
    let store = missive::adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    run_suite(Arc::new(store)).await;
}

#[tokio::test]
async fn the_embedded_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    run_suite(Arc::new(EmbeddedStore::open(dir.path()).unwrap())).await;
}
