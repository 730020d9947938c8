//! A push answered 410 Gone forgets the connection — unless it was recorded moments ago: API
//! Gateway answers 410 until a connection's `$connect` has returned, and forgetting an opening
//! connection would leave its client connected but never pushed to again (found by the
//! emulated deployed topology: a presence announcement raced a member's `$connect`).

use std::sync::Arc;

use chrono::{Duration, Utc};
use missive::adapters::embedded::EmbeddedStore;
use missive::config::Config;
use missive::domain::*;
use missive::ports::*;
use missive::App;

use crate::conformance::{tid, uid};
use crate::fakes::{GonePush, RecordingMailer, RecordingQueue};

/// An app on the embedded store whose every push API Gateway answers 410 Gone.
fn answered_gone(dir: &tempfile::TempDir) -> (App, Arc<EmbeddedStore>) {
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let app = App::new(
        Config::new("delivery-test-secret-0123", "pk"),
        store.clone(),
        Arc::new(GonePush),
        Arc::new(RecordingQueue::default()),
        Arc::new(RecordingMailer::default()),
    );
    (app, store)
}

#[tokio::test]
async fn a_gone_connection_is_forgotten_but_one_still_opening_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (app, store) = answered_gone(&dir);
    let now = Utc::now();
    let connection = |id: &str, age: Duration| Connection {
        tenant_id: tid("t1"),
        user_id: uid("ben"),
        id: ConnectionId::parse(id).unwrap(),
        connected_at: now - age,
        last_seen_at: now - age,
        expires_at: now + Duration::hours(1),
    };
    store.put_connection(&connection("opening", Duration::seconds(1))).await.unwrap();
    store.put_connection(&connection("closed", Duration::minutes(10))).await.unwrap();

    app.delivery.deliver_to_users(&tid("t1"), &[uid("ben")], r#"{"type":"x"}"#, None).await.unwrap();

    let left = store.list_user_connections(&tid("t1"), &uid("ben"), Utc::now()).await.unwrap();
    let ids: Vec<&str> = left.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["opening"]);
}

/// A user whose only connections turn out gone (their `$disconnect` was lost: throttled, or
/// the process died) did not get the event: they count as offline, so that a message's
/// notification still reaches them. One whose connection is still opening counts as online
/// (it syncs once open).
#[tokio::test]
async fn a_user_whose_connections_are_all_gone_counts_as_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (app, store) = answered_gone(&dir);
    let now = Utc::now();
    let connection = |user: &str, id: &str, age: Duration| Connection {
        tenant_id: tid("t1"),
        user_id: uid(user),
        id: ConnectionId::parse(id).unwrap(),
        connected_at: now - age,
        last_seen_at: now - age,
        expires_at: now + Duration::hours(1),
    };
    store.put_connection(&connection("ann", "ann-stale", Duration::minutes(10))).await.unwrap();
    store.put_connection(&connection("ben", "ben-opening", Duration::seconds(1))).await.unwrap();

    let offline = app
        .delivery
        .deliver_to_users(&tid("t1"), &[uid("ann"), uid("ben"), uid("cat")], r#"{"type":"x"}"#, None)
        .await
        .unwrap();

    assert_eq!(offline, [uid("ann"), uid("cat")], "ann's only connection was gone, cat had none");
}
