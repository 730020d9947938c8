//! Threads: replies listed under their first message and counted on it, those in their thread
//! only kept out of the conversation's history, count and preview (but not out of its log).

use chrono::Utc;
use missive::domain::*;
use missive::ports::*;

use super::*;

fn reply(c: &Conversation, id: &str, sender: &str, root: &Message, also: bool, cmid: Option<&str>) -> Message {
    Message { parent_id: Some(root.id.clone()), also_in_conversation: also, ..message(c, id, sender, cmid) }
}

fn ids(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.id.as_str()).collect()
}

async fn replies_are_listed_in_their_thread_and_counted_on_its_first_message<
    S: ConversationStore + MessageStore + EventFeed + ?Sized,
>(
    store: &S,
) {
    let (t, c) = (tid("t1"), conversation("t1", "0TA"));
    store.create_conversation(&c, &members(&["u1", "u2", "u3"]), None).await.unwrap();
    let root = append(store, &message(&c, "0TB", "u1", None)).await.unwrap().value;
    let first = append(store, &reply(&c, "0TC", "u3", &root, false, Some("r1"))).await.unwrap();
    assert!(first.created);
    let shown = append(store, &reply(&c, "0TD", "u2", &root, true, None)).await.unwrap().value;
    let last = append(store, &reply(&c, "0TE", "u3", &root, false, None)).await.unwrap().value;
    let again = append(store, &reply(&c, "0TF", "u3", &root, false, Some("r1"))).await.unwrap();
    assert!(!again.created, "a resent reply answers the first");
    assert_eq!(again.value, first.value);

    let read_root = store.get_message(&t, &c.id, &root.id).await.unwrap().unwrap();
    assert_eq!(read_root.reply_count, 3);
    assert_eq!(read_root.last_reply_at, Some(last.created_at));
    assert_eq!(read_root.reply_user_ids, [uid("u2"), uid("u3")], "each replier once, sorted");
    assert_eq!(store.get_message(&t, &c.id, &first.value.id).await.unwrap(), Some(first.value.clone()));

    let history = store.list_messages(&t, &c.id, &HistoryRange::Latest, 10).await.unwrap();
    assert_eq!(ids(&history.messages), ["0TB", "0TD"], "a reply in its thread only is not in the history");
    assert_eq!(history.messages[0].thread(), read_root.thread(), "history shows the thread's summary");
    let conversation = store.get_conversation(&t, &c.id).await.unwrap().unwrap();
    assert_eq!(conversation.message_count, 2, "nor counted");
    assert_eq!(conversation.last_message.map(|p| p.id), Some(shown.id.clone()), "nor previewed");
    let (logged, _) = store.list_conversation_events(&t, &c.id, None, 10, Utc::now()).await.unwrap();
    let logged: Vec<String> = logged.into_iter().map(|e| e.id.to_string()).collect();
    assert_eq!(logged, ["0TB", "0TC", "0TD", "0TE"], "but every reply is in the log, for sync");

    let newest = store.list_replies(&t, &c.id, &root.id, &HistoryRange::Latest, 2).await.unwrap();
    assert_eq!((ids(&newest.messages), newest.more), (vec!["0TD", "0TE"], true));
    let before = HistoryRange::Before(shown.id.clone());
    let older = store.list_replies(&t, &c.id, &root.id, &before, 2).await.unwrap();
    assert_eq!((ids(&older.messages), older.more), (vec!["0TC"], false));
    let after = HistoryRange::After(first.value.id.clone());
    let newer = store.list_replies(&t, &c.id, &root.id, &after, 5).await.unwrap();
    assert_eq!((ids(&newer.messages), newer.more), (vec!["0TD", "0TE"], false));
    let none = store.list_replies(&t, &c.id, &shown.id, &HistoryRange::Latest, 5).await.unwrap();
    assert!(none.messages.is_empty(), "a reply has no thread of its own");

    // Edits: a reply in its thread only is found and replaced where it is kept; the first
    // message, read with its summary, is replaced without touching the summary.
    let edited = Message { body: Some(MessageBody::parse("edited").unwrap()), ..first.value.clone() };
    assert!(store.update_message(&first.value, &edited).await.unwrap());
    assert!(!store.update_message(&first.value, &edited).await.unwrap(), "a change over one it did not see");
    assert_eq!(store.get_message(&t, &c.id, &edited.id).await.unwrap(), Some(edited));
    let root_edited = Message { body: Some(MessageBody::parse("root edited").unwrap()), ..read_root.clone() };
    assert!(store.update_message(&read_root, &root_edited).await.unwrap());
    assert_eq!(store.get_message(&t, &c.id, &root.id).await.unwrap(), Some(root_edited));
    let conversation = store.get_conversation(&t, &c.id).await.unwrap().unwrap();
    assert_eq!(conversation.last_message.map(|p| p.id), Some(shown.id), "edits in a thread leave the preview");
}

/// An erased person: the threads they replied in no longer name them, and their messages
/// (tombstones of no one) no longer hold their sends' idempotency records.
async fn an_erased_replier_is_forgotten_by_threads_and_idempotency_records<
    S: ConversationStore + MessageStore + ?Sized,
>(
    store: &S,
) {
    let (t, c) = (tid("t1"), conversation("t1", "0EA"));
    store.create_conversation(&c, &members(&["u1", "u2", "u3"]), None).await.unwrap();
    let root = append(store, &message(&c, "0EB", "u1", None)).await.unwrap().value;
    let theirs = append(store, &reply(&c, "0EC", "u2", &root, false, Some("k2"))).await.unwrap().value;
    append(store, &reply(&c, "0ED", "u3", &root, true, None)).await.unwrap();

    store.forget_replier(&t, &c.id, &root.id, &uid("u2")).await.unwrap();
    let summary = store.get_message(&t, &c.id, &root.id).await.unwrap().unwrap();
    assert_eq!((summary.reply_count, summary.reply_user_ids), (2, vec![uid("u3")]), "the count stays");
    store.forget_replier(&t, &c.id, &root.id, &uid("u2")).await.unwrap();
    store.forget_replier(&t, &c.id, &MessageId::parse("0EZ").unwrap(), &uid("u2")).await.unwrap();

    let stored = store.get_message(&t, &c.id, &theirs.id).await.unwrap().unwrap();
    assert!(store.update_message(&stored, &stored.erased(Utc::now())).await.unwrap());
    // The record is gone: the same key (were the id ever given again) sends a new message.
    let again = append(store, &reply(&c, "0EE", "u2", &root, false, Some("k2"))).await.unwrap();
    assert!(again.created, "{again:?}");
}

conforms!(
    replies_are_listed_in_their_thread_and_counted_on_its_first_message,
    an_erased_replier_is_forgotten_by_threads_and_idempotency_records
);
