//! Live connections.

use chrono::{Duration, Utc};
use missive::domain::*;
use missive::ports::*;

use super::*;

async fn connections_expire_and_are_deleted_one_by_one<S: ConnectionStore + ?Sized>(store: &S) {
    let now = Utc::now();
    let conn = |id: &str, expires_in: i64| Connection {
        tenant_id: tid("t1"),
        user_id: uid("u1"),
        id: ConnectionId::parse(id).unwrap(),
        connected_at: now,
        last_seen_at: now,
        expires_at: now + Duration::seconds(expires_in),
    };
    let first = store.put_connection(&conn("live1=", 60)).await.unwrap();
    assert_eq!(first.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["live1="], "the user's first connection");
    assert_eq!(store.put_connection(&conn("live2", 60)).await.unwrap().len(), 2, "with it, the user's live ones");
    store.put_connection(&conn("expired", -1)).await.unwrap();
    let live = store.list_user_connections(&tid("t1"), &uid("u1"), now).await.unwrap();
    let mut ids: Vec<_> = live.iter().map(|c| c.id.to_string()).collect();
    ids.sort();
    assert_eq!(ids, ["live1=", "live2"]);
    store.put_connection(&Connection { user_id: uid("u2"), ..conn("other", 60) }).await.unwrap();
    let several = store.list_users_connections(&tid("t1"), &[uid("u1"), uid("u2"), uid("u3")], now).await.unwrap();
    let mut ids: Vec<_> = several.iter().map(|c| format!("{}/{}", c.user_id, c.id)).collect();
    ids.sort();
    assert_eq!(ids, ["u1/live1=", "u1/live2", "u2/other"], "several users' live connections in one call");
    let gone =
        store.delete_connection(&tid("t1"), &uid("u1"), &ConnectionId::parse("live1=").unwrap(), now).await.unwrap();
    assert_eq!(gone.removed.map(|c| c.id.as_str().to_string()).as_deref(), Some("live1="), "what was removed");
    assert_eq!(gone.left.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["live2"], "the live ones left");
    let live = store.list_user_connections(&tid("t1"), &uid("u1"), now).await.unwrap();
    assert_eq!(live.len(), 1);
    let gone =
        store.delete_connection(&tid("t1"), &uid("u1"), &ConnectionId::parse("live2").unwrap(), now).await.unwrap();
    assert!(gone.left.is_empty(), "none left: the user is offline");
    let (t1, u1, live2) = (tid("t1"), uid("u1"), ConnectionId::parse("live2").unwrap());
    let again = store.delete_connection(&t1, &u1, &live2, now).await.unwrap();
    assert_eq!(again, Disconnected::default(), "forgetting a connection twice is harmless, and removes nothing");
    assert!(store.list_user_connections(&tid("t2"), &uid("u1"), now).await.unwrap().is_empty());
}

conforms!(connections_expire_and_are_deleted_one_by_one);
