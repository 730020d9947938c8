//! Messages: idempotent appends, history pages, edits and the preview that follows them.

use chrono::Utc;
use missive::domain::*;
use missive::ports::*;

use super::*;

async fn messages_are_idempotent_ordered_and_paginated<S: ConversationStore + MessageStore + EventFeed + ?Sized>(
    store: &S,
) {
    let c = conversation("t1", "02A");
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    let first = append(store, &message(&c, "02B", "u1", Some("k1"))).await.unwrap();
    assert!(first.created);
    let retry = append(store, &message(&c, "02C", "u1", Some("k1"))).await.unwrap();
    assert!(!retry.created);
    assert_eq!(retry.value, first.value);
    let (logged, _) = store.list_conversation_events(&tid("t1"), &c.id, None, 10, Utc::now()).await.unwrap();
    let logged: Vec<String> = logged.into_iter().map(|e| e.id.to_string()).collect();
    assert_eq!(logged, ["02B"], "the message's event is logged with it, the retry's is not");
    // The key belongs to its sender: another sender's "k1" is another message.
    assert!(append(store, &message(&c, "02D", "u2", Some("k1"))).await.unwrap().created);
    for i in 0..7 {
        append(store, &message(&c, &format!("02E{i}"), "u1", None)).await.unwrap();
    }
    let all = ["02B", "02D", "02E0", "02E1", "02E2", "02E3", "02E4", "02E5", "02E6"];
    let ids = |s: &missive::ports::HistorySlice| s.messages.iter().map(|m| m.id.to_string()).collect::<Vec<_>>();

    let latest = store.list_messages(&tid("t1"), &c.id, &HistoryRange::Latest, 4).await.unwrap();
    assert_eq!(ids(&latest), &all[5..]);
    assert!(latest.more);
    let older = store
        .list_messages(&tid("t1"), &c.id, &HistoryRange::Before(MessageId::parse("02E3").unwrap()), 4)
        .await
        .unwrap();
    assert_eq!(ids(&older), &all[1..5]);
    assert!(older.more);
    let oldest = store
        .list_messages(&tid("t1"), &c.id, &HistoryRange::Before(MessageId::parse("02D").unwrap()), 4)
        .await
        .unwrap();
    assert_eq!(ids(&oldest), &all[..1]);
    assert!(!oldest.more);
    let newer = store
        .list_messages(&tid("t1"), &c.id, &HistoryRange::After(MessageId::parse("02E3").unwrap()), 4)
        .await
        .unwrap();
    assert_eq!(ids(&newer), &all[6..]);
    assert!(!newer.more);
    assert!(store.list_messages(&tid("t2"), &c.id, &HistoryRange::Latest, 4).await.unwrap().messages.is_empty());
}

/// The newest message's preview, as the conversation and u1's inbox both show it.
async fn preview<S: ConversationStore + ?Sized>(store: &S) -> MessagePreview {
    let inbox = store.list_user_conversations(&tid("t1"), &uid("u1"), None, 50).await.unwrap();
    let entry = inbox.items.into_iter().find(|e| e.conversation.id.as_str() == "04A").unwrap();
    let meta = store.get_conversation(&tid("t1"), &entry.conversation.id).await.unwrap().unwrap();
    assert_eq!(meta.last_message, entry.conversation.last_message, "the inbox shows what the conversation has");
    meta.last_message.unwrap()
}

async fn edits_replace_messages_and_the_newest_one_s_preview<S: ConversationStore + MessageStore + ?Sized>(store: &S) {
    let c = conversation("t1", "04A");
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    let first = append(store, &message(&c, "04B", "u1", None)).await.unwrap().value;
    let last = append(store, &message(&c, "04C", "u2", None)).await.unwrap().value;
    let edited =
        Message { body: Some(MessageBody::parse("edited").unwrap()), edited_at: Some(Utc::now()), ..first.clone() };
    assert!(store.update_message(&first, &edited).await.unwrap());
    assert_eq!(store.get_message(&tid("t1"), &c.id, &first.id).await.unwrap().unwrap(), edited);
    assert_eq!(preview(store).await.body, "body of 04C", "an older message's edit leaves the preview");
    let tombstone = Message { body: None, deleted_at: Some(Utc::now()), ..last.clone() };
    assert!(!store.update_message(&first, &edited).await.unwrap(), "a change over one it did not see");
    assert!(store.update_message(&last, &tombstone).await.unwrap());
    let p = preview(store).await;
    assert!(p.deleted && p.body.is_empty(), "a deleted newest message leaves no text in the list");
    let late = Message { body: Some(MessageBody::parse("edited late").unwrap()), ..last.clone() };
    assert!(!store.update_message(&last, &late).await.unwrap(), "an edit that lost to the deletion");
    assert!(preview(store).await.deleted, "and the preview still shows none of it");
    let ghost = Message { id: MessageId::parse("04Z").unwrap(), ..last };
    assert!(!store.update_message(&ghost, &ghost).await.unwrap(), "no such message");
    assert!(store.get_message(&tid("t1"), &c.id, &ghost.id).await.unwrap().is_none(), "and none was created");
}

/// Messages' events and the conversation's other events make one log, read in cursor order
/// page by page without a gap, whatever the page size.
async fn a_conversation_log_holds_messages_and_other_events_in_order<
    S: ConversationStore + MessageStore + EventFeed + ?Sized,
>(
    store: &S,
) {
    let c = conversation("t1", "08A");
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    let other = |id: &str| LoggedEvent {
        id: EventId::parse(id).unwrap(),
        frame: format!(r#"{{"type":"message.read","cursor":"{id}"}}"#),
        expires_at: Utc::now() + chrono::Duration::hours(1),
    };
    for id in ["08B", "08C", "08D", "08E", "08F", "08G", "08H", "08J"] {
        if ["08C", "08F", "08G", "08J"].contains(&id) {
            store.append_conversation_event(&tid("t1"), &c.id, &other(id)).await.unwrap();
        } else {
            append(store, &message(&c, id, "u1", None)).await.unwrap();
        }
    }
    let everything = ["08B", "08C", "08D", "08E", "08F", "08G", "08H", "08J"];
    for page in 1..=9 {
        let (mut read, mut cursor) = (Vec::new(), None::<EventId>);
        loop {
            let (events, more) =
                store.list_conversation_events(&tid("t1"), &c.id, cursor.as_ref(), page, Utc::now()).await.unwrap();
            assert!(events.len() <= page);
            read.extend(events.iter().map(|e| e.id.to_string()));
            cursor = events.last().map(|e| e.id.clone()).or(cursor);
            if !more {
                break;
            }
        }
        assert_eq!(read, everything, "pages of {page}");
    }
    let ids = [c.id.clone()];
    let latest = store.latest_conversation_events(&tid("t1"), &ids).await.unwrap();
    assert_eq!(latest[0].1.as_str(), "08J");
    append(store, &message(&c, "08K", "u2", None)).await.unwrap();
    let latest = store.latest_conversation_events(&tid("t1"), &ids).await.unwrap();
    assert_eq!(latest[0].1.as_str(), "08K", "a message is its conversation's latest event");

    // A deleted message keeps its place in the log, not its `message.new` (its text).
    let sent = store.get_message(&tid("t1"), &c.id, &MessageId::parse("08D").unwrap()).await.unwrap().unwrap();
    let tombstone = Message { body: None, deleted_at: Some(Utc::now()), ..sent.clone() };
    assert!(store.update_message(&sent, &tombstone).await.unwrap());
    let (events, _) = store.list_conversation_events(&tid("t1"), &c.id, None, 20, Utc::now()).await.unwrap();
    let read: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(read, ["08B", "08C", "08E", "08F", "08G", "08H", "08J", "08K"]);
}

fn upload(c: &Conversation, id: &str) -> Upload {
    Upload {
        tenant_id: c.tenant_id.clone(),
        conversation_id: c.id.clone(),
        id: UploadId::parse(id).unwrap(),
        uploaded_by: uid("u1"),
        name: FileName::parse(format!("{id}.png")).unwrap(),
        content_type: FileType::parse("image/png").unwrap(),
        size: 100,
        created_at: Utc::now(),
        message_id: None,
    }
}

/// A message takes the uploads it attaches in its own write: each once, and only while it
/// waits for a message. A message that cannot take one is not stored at all.
async fn a_message_takes_its_uploads_once<S: ConversationStore + MessageStore + UploadStore + ?Sized>(store: &S) {
    let c = conversation("t1", "09A");
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    let (waiting, other, expired) = (upload(&c, "U1"), upload(&c, "U2"), upload(&c, "U3"));
    let soon = Utc::now() + chrono::Duration::hours(1);
    store.put_upload(&waiting, Some(soon)).await.unwrap();
    store.put_upload(&other, Some(soon)).await.unwrap();
    store.put_upload(&expired, Some(Utc::now() - chrono::Duration::minutes(1))).await.unwrap();
    let attaching = |m: &Message, uploads: &[&Upload]| {
        let taken: Vec<Upload> =
            uploads.iter().map(|u| Upload { message_id: Some(m.id.clone()), ..(*u).clone() }).collect();
        (Message { attachments: uploads.iter().map(|u| u.attachment(None)).collect(), ..m.clone() }, taken)
    };

    let (first, taken) = attaching(&message(&c, "09B", "u1", Some("k9")), &[&waiting, &other]);
    let stored = append_attaching(store, &first, &taken).await.unwrap().unwrap();
    assert!(stored.created);
    assert_eq!(stored.value.attachments.len(), 2);
    let attached = store.get_upload(&tid("t1"), &waiting.id).await.unwrap().unwrap();
    assert_eq!(attached.message_id, Some(first.id.clone()), "the upload knows its message");

    let (second, taken) = attaching(&message(&c, "09C", "u1", None), &[&waiting]);
    let refused = append_attaching(store, &second, &taken).await.unwrap();
    assert_eq!(refused, Err(AttachmentTaken(waiting.id.clone())), "an upload is attached once");
    let (resent, taken) = attaching(&message(&c, "09D", "u1", Some("k9")), &[&waiting, &other]);
    let repeat = append_attaching(store, &resent, &taken).await.unwrap().unwrap();
    assert!(!repeat.created, "a resend of the first message answers it");
    assert_eq!(repeat.value, stored.value);
    let (late, taken) = attaching(&message(&c, "09E", "u1", None), &[&expired]);
    assert_eq!(append_attaching(store, &late, &taken).await.unwrap(), Err(AttachmentTaken(expired.id.clone())));
    let never = upload(&c, "U4");
    let (ghost, taken) = attaching(&message(&c, "09F", "u1", None), &[&never]);
    assert_eq!(append_attaching(store, &ghost, &taken).await.unwrap(), Err(AttachmentTaken(never.id.clone())));
    assert!(store.get_upload(&tid("t1"), &never.id).await.unwrap().is_none(), "nothing was made of it");

    let history = store.list_messages(&tid("t1"), &c.id, &HistoryRange::Latest, 10).await.unwrap();
    let ids: Vec<&str> = history.messages.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["09B"], "a refused message left nothing");
    assert_eq!(store.get_conversation(&tid("t1"), &c.id).await.unwrap().unwrap().message_count, 1);
}

conforms!(
    a_message_takes_its_uploads_once,
    messages_are_idempotent_ordered_and_paginated,
    edits_replace_messages_and_the_newest_one_s_preview,
    a_conversation_log_holds_messages_and_other_events_in_order
);
