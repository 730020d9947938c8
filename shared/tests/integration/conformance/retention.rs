//! Retention: a conversation's messages older than a cutoff removed with what is kept for them
//! (logged events, idempotency records, places in threads, reactions), the conversation keeping
//! its place; and the tenant's conversations listed for the sweep to walk.

use chrono::Utc;
use missive::domain::*;
use missive::ports::*;

use super::*;

fn reply(c: &Conversation, id: &str, sender: &str, root: &str, also: bool) -> Message {
    Message {
        parent_id: Some(MessageId::parse(root).unwrap()),
        also_in_conversation: also,
        ..message(c, id, sender, None)
    }
}

fn mid(id: &str) -> MessageId {
    MessageId::parse(id).unwrap()
}

async fn older_messages_go_with_what_is_kept_for_them<
    S: ConversationStore + MessageStore + EventFeed + ReactionStore + ?Sized,
>(
    store: &S,
) {
    let (t, c) = (tid("r1"), conversation("r1", "0RA"));
    store.create_conversation(&c, &members(&["u1", "u2"]), None).await.unwrap();
    append(store, &message(&c, "0RB", "u1", Some("k1"))).await.unwrap();
    append(store, &reply(&c, "0RC", "u2", "0RB", false)).await.unwrap();
    append(store, &message(&c, "0RD", "u2", None)).await.unwrap();
    append(store, &reply(&c, "0RE", "u1", "0RB", true)).await.unwrap();
    append(store, &message(&c, "0RF", "u1", None)).await.unwrap();
    append(store, &reply(&c, "0RG", "u2", "0RF", false)).await.unwrap();
    let react = |message: &'static str, user: &'static str, e: &'static str| {
        let (t, c) = (t.clone(), c.id.clone());
        async move {
            let (m, u) = (mid(message), uid(user));
            let key = ReactionKey { tenant: &t, conversation: &c, message: &m, user: &u, at: Utc::now() };
            store.set_reaction(&key, &Emoji::parse(e).unwrap(), true).await.unwrap().unwrap();
        }
    };
    react("0RB", "u2", "👍").await;
    react("0RD", "u1", "🎉").await;
    react("0RF", "u2", "❤️").await;
    let preview_before = store.get_conversation(&t, &c.id).await.unwrap().unwrap().last_message;

    // Below 0RF, two at a time: every older message and reply goes, and only those.
    let mut removed = Vec::new();
    loop {
        let batch = store.remove_messages_before(&t, &c.id, &mid("0RF"), 2).await.unwrap();
        assert!(batch.len() <= 2);
        removed.extend(batch.iter().map(|m| m.id.to_string()));
        if batch.len() < 2 {
            break;
        }
    }
    removed.sort();
    assert_eq!(removed, ["0RB", "0RC", "0RD", "0RE"]);
    let history = store.list_messages(&t, &c.id, &HistoryRange::Latest, 10).await.unwrap();
    assert_eq!(history.messages.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["0RF"]);
    assert_eq!(store.get_message(&t, &c.id, &mid("0RC")).await.unwrap(), None, "a reply in its thread only too");
    let thread = store.list_replies(&t, &c.id, &mid("0RB"), &HistoryRange::Latest, 10).await.unwrap();
    assert!(thread.messages.is_empty(), "no place left in the thread: {thread:?}");
    let kept_thread = store.list_replies(&t, &c.id, &mid("0RF"), &HistoryRange::Latest, 10).await.unwrap();
    assert_eq!(kept_thread.messages.len(), 1, "a newer thread stays whole");
    let (logged, _) = store.list_conversation_events(&t, &c.id, None, 50, Utc::now()).await.unwrap();
    let logged: Vec<String> = logged.into_iter().map(|e| e.id.to_string()).collect();
    assert!(logged.iter().all(|id| id.as_str() >= "0RF"), "their logged events went: {logged:?}");
    let conversation = store.get_conversation(&t, &c.id).await.unwrap().unwrap();
    assert_eq!(conversation.last_message, preview_before, "the newest message stays, and its preview");
    // Its idempotency record went: the same key sends a new message.
    assert!(append(store, &message(&c, "0RH", "u1", Some("k1"))).await.unwrap().created);

    // Reactions below 0RF: each person's and the totals.
    store.remove_reactions_before(&t, &c.id, &mid("0RF")).await.unwrap();
    let left = store.reactions_of(&t, &c.id, &[mid("0RB"), mid("0RD"), mid("0RF")], &uid("u2")).await.unwrap();
    assert_eq!(left.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(), ["0RF"]);
    assert_eq!(store.reactions_by(&t, &c.id, &uid("u1")).await.unwrap(), vec![]);
    assert_eq!(store.reactions_by(&t, &c.id, &uid("u2")).await.unwrap().len(), 1);
    store.remove_reactions_before(&t, &c.id, &mid("0RF")).await.unwrap();

    // Everything: the conversation stays, in its place, without a preview.
    let conversation = store.get_conversation(&t, &c.id).await.unwrap().unwrap();
    let all = store.remove_messages_before(&t, &c.id, &mid("0RZ"), 10).await.unwrap();
    assert_eq!(all.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["0RF", "0RG", "0RH"]);
    let emptied = store.get_conversation(&t, &c.id).await.unwrap().unwrap();
    assert_eq!(emptied.last_message, None);
    assert_eq!(emptied.activity, conversation.activity, "it keeps its place in lists");
    assert!(store.remove_messages_before(&t, &c.id, &mid("0RZ"), 10).await.unwrap().is_empty());
    assert_eq!(store.list_user_conversations(&t, &uid("u2"), None, 10).await.unwrap().items.len(), 1);
}

async fn a_tenant_s_conversations_are_listed_in_pages<S: ConversationStore + ?Sized>(store: &S) {
    for id in ["0SC", "0SA", "0SB"] {
        store.create_conversation(&conversation("r2", id), &members(&["u1"]), None).await.unwrap();
    }
    store.create_conversation(&conversation("r3", "0SD"), &members(&["u1"]), None).await.unwrap();
    // A unique key met again creates nothing, and lists nothing more.
    store.create_conversation(&conversation("r2", "0SE"), &members(&["u1"]), Some("pair")).await.unwrap();
    store.create_conversation(&conversation("r2", "0SF"), &members(&["u1"]), Some("pair")).await.unwrap();
    let first = store.list_tenant_conversations(&tid("r2"), None, 2).await.unwrap();
    assert_eq!(first.items.iter().map(ConversationId::as_str).collect::<Vec<_>>(), ["0SA", "0SB"]);
    assert!(first.next_cursor.is_some());
    let rest = store.list_tenant_conversations(&tid("r2"), first.items.last(), 2).await.unwrap();
    assert_eq!(rest.items.iter().map(ConversationId::as_str).collect::<Vec<_>>(), ["0SC", "0SE"]);
    let end = store.list_tenant_conversations(&tid("r2"), rest.items.last(), 2).await.unwrap();
    assert!(end.items.is_empty() && end.next_cursor.is_none(), "{end:?}");
    let other = store.list_tenant_conversations(&tid("r3"), None, 10).await.unwrap();
    assert_eq!(other.items.iter().map(ConversationId::as_str).collect::<Vec<_>>(), ["0SD"]);
}

conforms!(older_messages_go_with_what_is_kept_for_them, a_tenant_s_conversations_are_listed_in_pages);
