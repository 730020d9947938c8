//! `sync` and an event written late: a message takes its cursor when its publication starts,
//! so one whose write is slow lands below cursors a sync has already returned. The cursor a
//! sync ends on stays `sync_settle` behind the present, so the next sync still finds it.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use missive::config::Config;
use missive::domain::*;
use missive::ports::Store;
use missive::usecases::Identity;
use missive::App;

use crate::conformance::{append, conversation, members, message, tid, uid};
use crate::fakes::{ManualClock, RecordingMailer, RecordingPush, RecordingQueue};

#[tokio::test]
async fn a_message_written_after_a_later_one_was_synced_is_in_the_next_sync_on_the_embedded_store() {
    let (store, _dir) = crate::conformance::embedded();
    a_message_written_after_a_later_one_was_synced_is_in_the_next_sync(store).await;
}

#[tokio::test]
async fn a_message_written_after_a_later_one_was_synced_is_in_the_next_sync_on_dynamodb() {
    a_message_written_after_a_later_one_was_synced_is_in_the_next_sync(crate::conformance::dynamodb().await).await;
}

async fn a_message_written_after_a_later_one_was_synced_is_in_the_next_sync(store: Arc<dyn Store>) {
    let start = Utc::now();
    let clock = Arc::new(ManualClock::at(start));
    let config = Config::new("sync-test-secret-0123456789", "pk");
    let settle = Duration::from_std(config.limits.sync_settle).unwrap();
    let app = App::new(
        config,
        store.clone(),
        Arc::new(RecordingPush::default()),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingMailer::default()),
    )
    .with_clock(clock.clone());
    let room = conversation("t1", "settle-room");
    store.create_conversation(&room, &members(&["u1", "u2"]), None).await.unwrap();
    let reader = Identity {
        tenant_id: tid("t1"),
        user_id: uid("u2"),
        role: Role::Member,
        name: "u2".into(),
        conversation_scope: None,
    };
    let cursor_at = |at: DateTime<Utc>| ulid::Ulid::from_parts(at.timestamp_millis() as u64, 1).to_string();
    let since = cursor_at(start - Duration::seconds(1));

    // The slow message started at +100 ms; the fast one started at +500 ms and was written first.
    let (slow, fast) = (cursor_at(start + Duration::milliseconds(100)), cursor_at(start + Duration::milliseconds(500)));
    append(store.as_ref(), &message(&room, &fast, "u1", None)).await.unwrap();
    clock.set(start + Duration::seconds(1));
    let first = app.sync.sync(&reader, &since).await.unwrap();
    assert_eq!(cursors(&first.events), std::slice::from_ref(&fast));
    assert_eq!((first.cursor.as_str(), first.more), (since.as_str(), false), "the cursor stays behind the settle time");

    append(store.as_ref(), &message(&room, &slow, "u1", None)).await.unwrap();
    clock.set(start + settle + Duration::seconds(5));
    let second = app.sync.sync(&reader, &first.cursor).await.unwrap();
    assert_eq!(cursors(&second.events), [slow, fast.clone()], "the late one, and the fast one again (same cursor)");
    assert_eq!(second.cursor, fast, "once settled, the cursor is the last event's");
    let third = app.sync.sync(&reader, &second.cursor).await.unwrap();
    assert!(third.events.is_empty() && third.cursor == fast);
}

fn cursors(events: &[serde_json::Value]) -> Vec<String> {
    events.iter().map(|e| e["cursor"].as_str().unwrap().to_string()).collect()
}
